// What the connection banner says (status.js) and how stale presence is labelled
// (connection_state.js).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { pageIsLive, presenceLabel } from "../../parley/web/static/parley/js/connection_state.js";
import { bannerFor, describeState } from "../../parley/web/static/parley/js/status.js";

const NOW = 1_000_000;
const page = { retryAt: null, everLive: true, waitedLong: true, backOnline: false };

describe("the connection banner", () => {
  test("none while live", () => {
    assert.equal(bannerFor({ ...page, state: "live" }, NOW), null);
  });

  test("connection lost: counts down to the next attempt and offers to retry now", () => {
    const view = bannerFor({ ...page, state: "reconnecting", retryAt: NOW + 7200 }, NOW);
    assert.equal(view.text, "Connection lost. Reconnecting in 8 s…");
    assert.equal(view.action, "retry");
    // What a screen reader hears does not tick.
    assert.equal(view.announce, "Connection lost. Reconnecting.");
    const trying = bannerFor({ ...page, state: "connecting" }, NOW);
    assert.equal(trying.text, "Connection lost. Reconnecting…");
    assert.equal(trying.announce, view.announce);
  });

  test("not during the page's first connection, unless it takes long", () => {
    const first = { ...page, everLive: false, waitedLong: false };
    assert.equal(bannerFor({ ...first, state: "connecting" }, NOW), null);
    assert.equal(bannerFor({ ...first, state: "reconnecting", retryAt: NOW + 500 }, NOW), null);
    const slow = bannerFor({ ...first, waitedLong: true, state: "connecting" }, NOW);
    assert.equal(slow.text, "Cannot connect. Reconnecting…");
  });

  test("offline: says what happens to what is written, even on the first connection", () => {
    const view = bannerFor({ ...page, everLive: false, waitedLong: false, state: "offline" }, NOW);
    assert.equal(
      view.text,
      "You are offline. Messages you write are kept and sent when you are back.",
    );
    assert.equal(view.action, null);
  });

  test("signed out: sign in to send, with a link", () => {
    const view = bannerFor({ ...page, state: "signed-out" }, NOW);
    assert.equal(view.text, "Signed out: sign in to send.");
    assert.equal(view.action, "sign-in");
  });

  test("back online, briefly", () => {
    const view = bannerFor({ ...page, state: "live", backOnline: true }, NOW);
    assert.equal(view.kind, "back");
    assert.equal(view.text, "Back online.");
  });

  test("the header's indicator keeps its short words", () => {
    assert.equal(describeState("reconnecting", NOW + 2100, NOW), "Reconnecting in 3 s");
    assert.equal(describeState("signed-out", null, NOW), "Signed out");
  });
});

describe("presence while disconnected", () => {
  test("the label says the server's word may be stale", () => {
    assert.equal(presenceLabel("online", true), "online");
    assert.equal(presenceLabel("online", false), "unknown while disconnected (last seen online)");
  });

  test("the page counts as live until told otherwise", () => {
    const html = (value) => ({ documentElement: { getAttribute: () => value } });
    assert.equal(pageIsLive(html(null)), true);
    assert.equal(pageIsLive(html("live")), true);
    assert.equal(pageIsLive(html("reconnecting")), false);
    assert.equal(pageIsLive(undefined), true);
  });
});
