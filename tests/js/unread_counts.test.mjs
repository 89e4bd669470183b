// Unread counts per room: what adds one, what clears, when to ask the server again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { UnreadCounts, badgeText } from "../../parley/web/static/parley/js/unread_counts.js";

const msg = (room, seq, author = "bob") => ({ room, seq, author: { username: author } });

function counts() {
  const unread = new UnreadCounts({ me: "ada" });
  unread.track("lobby", { count: 2, lastSeq: 10 });
  return unread;
}

describe("UnreadCounts", () => {
  test("each new message from someone else adds one", () => {
    const unread = counts();
    assert.equal(unread.message(msg("lobby", 11), false), true);
    unread.message(msg("lobby", 12), false);
    assert.equal(unread.shown("lobby", false), 4);
  });

  test("a message already counted (a replay, a gap fill) adds nothing", () => {
    const unread = counts();
    unread.message(msg("lobby", 11), false);
    assert.equal(unread.message(msg("lobby", 11), false), false);
    assert.equal(unread.message(msg("lobby", 7), false), false);
    assert.equal(unread.shown("lobby", false), 3);
  });

  test("one's own message clears the count (sending moves the pointer)", () => {
    const unread = counts();
    unread.message(msg("lobby", 11, "ada"), false);
    assert.equal(unread.shown("lobby", false), 0);
  });

  test("a room being read counts nothing and shows 0", () => {
    const unread = counts();
    unread.message(msg("lobby", 11), true);
    assert.equal(unread.shown("lobby", true), 0);
    assert.equal(unread.shown("lobby", false), 2);
  });

  test("a read up to the newest known clears; short of it, ask the server", () => {
    const unread = counts();
    assert.equal(unread.read({ room: "lobby", seq: 8 }), "resync");
    assert.equal(unread.shown("lobby", false), 2);
    assert.equal(unread.read({ room: "lobby", seq: 10 }), "cleared");
    assert.equal(unread.shown("lobby", false), 0);
    assert.equal(unread.read({ room: "elsewhere", seq: 10 }), null);
  });

  test("subscribed brings the server's numbers", () => {
    const unread = counts();
    assert.equal(
      unread.subscribed({ room: "lobby", last_seq: 30, last_read: 20, unread: 7 }),
      true,
    );
    assert.equal(unread.shown("lobby", false), 7);
    assert.equal(unread.message(msg("lobby", 25), false), false, "older than last_seq");
    assert.equal(unread.subscribed({ room: "unknown", unread: 1 }), false);
  });

  test("tracking a room again keeps its live count", () => {
    const unread = counts();
    unread.message(msg("lobby", 11), false);
    unread.track("lobby", { count: 0, lastSeq: 0 });
    assert.equal(unread.shown("lobby", false), 3);
  });

  test("removed from a room: nothing of it is unread; untracked: it is gone", () => {
    const unread = counts();
    assert.equal(unread.removed("lobby"), true);
    assert.equal(unread.shown("lobby", false), 0);
    unread.untrack("lobby");
    assert.equal(unread.has("lobby"), false);
  });

  test("elsewhere adds up the other rooms, those being read shown as 0", () => {
    const unread = counts();
    unread.track("ops", { count: 5 });
    unread.track("random", { count: 1 });
    assert.equal(
      unread.elsewhere("lobby", () => false),
      6,
    );
    assert.equal(
      unread.elsewhere("lobby", (room) => room === "ops"),
      1,
    );
  });

  test("badges say 999+ past 999", () => {
    assert.equal(badgeText(7), "7");
    assert.equal(badgeText(999), "999");
    assert.equal(badgeText(1000), "999+");
  });
});
