import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { avatarColour, avatarInitial } from "../../parley/web/static/parley/js/avatar.js";
import { GROUP_MS, placeRow, placeRows } from "../../parley/web/static/parley/js/message_groups.js";

const UTC = { timeZone: "UTC" };

/**
 * @param {string | null} author
 * @param {string} time  "HH:MM" on 7 December 2026 (UTC), or a full ISO time
 * @param {string} [kind]
 */
function row(author, time, kind = "message") {
  const ts = time.length === 5 ? `2026-12-07T${time}:00Z` : time;
  return { author, ts, kind };
}

describe("placeRows", () => {
  it("groups one author's messages less than five minutes apart", () => {
    const places = placeRows(
      [row("ada", "10:00"), row("ada", "10:01"), row("ada", "10:05"), row("ada", "10:10")],
      UTC,
    );
    assert.deepEqual(
      places.map((p) => p.continued),
      [false, true, true, false],
      "10:10 is five minutes after 10:05: a new group",
    );
  });

  it("starts a new group for another author", () => {
    const places = placeRows([row("ada", "10:00"), row("bob", "10:00"), row("ada", "10:01")], UTC);
    assert.deepEqual(
      places.map((p) => p.continued),
      [false, false, false],
    );
  });

  it("lets an event break a group and never groups the event", () => {
    const places = placeRows(
      [row("ada", "10:00"), row("bob", "10:00", "join"), row("ada", "10:01"), row("ada", "10:01", "leave")],
      UTC,
    );
    assert.deepEqual(
      places.map((p) => p.continued),
      [false, false, false, false],
    );
  });

  it("never groups a deleted account's messages", () => {
    const places = placeRows([row(null, "10:00"), row(null, "10:01")], UTC);
    assert.equal(places[1].continued, false);
  });

  it("starts a new group on a fresh row (the 'New messages' marker)", () => {
    const prev = row("ada", "10:00");
    assert.equal(placeRow(prev, { ...row("ada", "10:01"), fresh: true }, UTC).continued, false);
  });

  it("does not group a row that comes before the one above it in time", () => {
    assert.equal(placeRow(row("ada", "10:05"), row("ada", "10:04"), UTC).continued, false);
  });

  it("puts a divider on the first row and on the first row of each new day", () => {
    const places = placeRows(
      [row("ada", "2026-12-06T23:58:00Z"), row("ada", "2026-12-07T00:01:00Z"), row("bob", "00:02")],
      UTC,
    );
    assert.deepEqual(
      places.map((p) => p.divider),
      [true, true, false],
    );
    assert.equal(places[1].continued, false, "three minutes apart, but a new day");
  });

  it("decides the day in the reader's time zone", () => {
    // 22:50 and 23:10 UTC: one day in UTC, two in Berlin (23:50 and 00:10).
    const rows = [row("ada", "22:50"), row("ada", "23:10")];
    assert.equal(placeRows(rows, UTC)[1].divider, false);
    assert.equal(placeRows(rows, { timeZone: "Europe/Berlin" })[1].divider, true);
  });

  it("gives no divider to a row without a readable time", () => {
    assert.deepEqual(placeRow(null, row("ada", "garbage"), UTC), { divider: false, continued: false });
  });

  it("groups for exactly less than GROUP_MS", () => {
    const start = Date.parse("2026-12-07T10:00:00Z");
    const at = (/** @type {number} */ ms) => row("ada", new Date(start + ms).toISOString());
    assert.equal(placeRow(at(0), at(GROUP_MS - 1), UTC).continued, true);
    assert.equal(placeRow(at(0), at(GROUP_MS), UTC).continued, false);
  });
});

describe("avatar", () => {
  it("is the name's first letter in capitals", () => {
    assert.equal(avatarInitial("ada"), "A");
    assert.equal(avatarInitial("élodie"), "É");
    assert.equal(avatarInitial(""), "?");
    assert.equal(avatarInitial(null), "?");
  });

  it("has a stable colour from the name, one of eight", () => {
    assert.equal(avatarColour("ada"), avatarColour("ada"));
    // The server (parley_avatar.py) computes the same: 31 × h + c over the code points.
    assert.equal(avatarColour("ada"), (((97 * 31 + 100) * 31 + 97) >>> 0) % 8);
    const colours = new Set(["ada", "bob", "cy", "dee", "eve", "fay", "gus", "hal"].map(avatarColour));
    assert.ok(colours.size > 3, "different names mostly get different colours");
    for (const c of colours) assert.ok(c >= 0 && c < 8);
  });
});
