// Unread counts per room: what adds one, what clears, when to ask the server again.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  UnreadCounts,
  badgeText,
  badges,
  mentionsUser,
} from "../../parley/web/static/parley/js/unread_counts.js";

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

describe("mentions, counted apart", () => {
  /** A message from `author` that mentions `mentions`. */
  const mention = (room, seq, mentions, author = "bob") => ({
    room,
    seq,
    author: { username: author },
    mentions,
  });

  function counting() {
    const unread = new UnreadCounts({ me: "ada" });
    unread.track("lobby", { count: 3, lastSeq: 10, mentions: 1, level: "mentions" });
    return unread;
  }

  test("a message naming me or the room adds a mention as well as an unread", () => {
    const unread = counting();
    unread.message(mention("lobby", 11, ["ada"]), false);
    unread.message(mention("lobby", 12, ["@room"]), false);
    unread.message(mention("lobby", 13, ["cy"]), false);
    unread.message(msg("lobby", 14), false);
    assert.deepEqual(unread.shownAll("lobby", false), { count: 7, mentions: 3, level: "mentions" });
  });

  test("my own message mentioning me adds nothing and clears both, as sending moves my pointer", () => {
    const unread = counting();
    unread.message(mention("lobby", 11, ["ada", "@room"], "ada"), false);
    assert.deepEqual(unread.shownAll("lobby", false), { count: 0, mentions: 0, level: "mentions" });
  });

  test("nothing counts while the room is being read, nor twice for a replay", () => {
    const unread = counting();
    unread.message(mention("lobby", 11, ["ada"]), true);
    unread.message(mention("lobby", 11, ["ada"]), false);
    unread.message(mention("lobby", 9, ["ada"]), false);
    assert.deepEqual(unread.shownAll("lobby", false), { count: 3, mentions: 1, level: "mentions" });
    assert.deepEqual(unread.shownAll("lobby", true), { count: 0, mentions: 0, level: "mentions" });
  });

  test("a read past everything known clears the mentions; one short of it leaves them to the server", () => {
    const unread = counting();
    unread.message(mention("lobby", 11, ["ada"]), false);
    assert.equal(unread.read({ room: "lobby", seq: 10 }), "resync");
    assert.equal(unread.shownAll("lobby", false).mentions, 2);
    assert.equal(unread.read({ room: "lobby", seq: 11 }), "cleared");
    assert.deepEqual(unread.shownAll("lobby", false), { count: 0, mentions: 0, level: "mentions" });
  });

  test("`subscribed` brings the server's mentions and level", () => {
    const unread = counting();
    unread.subscribed({ room: "lobby", last_seq: 20, unread: 6, mentions: 4, level: "none" });
    assert.deepEqual(unread.shownAll("lobby", false), { count: 6, mentions: 4, level: "none" });
    // A frame without them keeps what is known; nonsense is ignored.
    unread.subscribed({ room: "lobby", last_seq: 20, unread: 6, mentions: -1, level: "loud" });
    assert.deepEqual(unread.shownAll("lobby", false), { count: 6, mentions: 4, level: "none" });
  });

  test("a `notify` frame changes the level of a room counted here", () => {
    const unread = counting();
    assert.equal(unread.level({ room: "lobby", level: "none" }), true);
    assert.equal(unread.level({ room: "lobby", level: "none" }), false, "unchanged");
    assert.equal(unread.level({ room: "elsewhere", level: "all" }), false);
    assert.equal(unread.level({ room: "lobby", level: "sometimes" }), false);
    assert.equal(unread.shownAll("lobby", false).level, "none");
  });

  test("removed from the room: no mentions either", () => {
    const unread = counting();
    unread.removed("lobby");
    assert.deepEqual(unread.shownAll("lobby", false), { count: 0, mentions: 0, level: "mentions" });
  });

  test("mentionsUser looks for me and @room only", () => {
    assert.equal(mentionsUser(["bob", "ada"], "ada"), true);
    assert.equal(mentionsUser(["@room"], "ada"), true);
    assert.equal(mentionsUser(["adam"], "ada"), false);
    assert.equal(mentionsUser(undefined, "ada"), false);
    assert.equal(mentionsUser("ada", "ada"), false, "a list, not a string");
  });
});

describe("badges", () => {
  test("a number per count, and the mentions apart", () => {
    assert.deepEqual(badges({ count: 3, mentions: 1, level: "" }), {
      unread: "3",
      dot: false,
      mentions: "1",
    });
    assert.deepEqual(badges({ count: 0, mentions: 0, level: "all" }), {
      unread: null,
      dot: false,
      mentions: null,
    });
  });

  test("at level none, a dot instead of the number while something is unread", () => {
    assert.deepEqual(badges({ count: 3, mentions: 0, level: "none" }), {
      unread: null,
      dot: true,
      mentions: null,
    });
    assert.deepEqual(badges({ count: 0, mentions: 0, level: "none" }), {
      unread: null,
      dot: false,
      mentions: null,
    });
    // Mentions still show: the server counts them at every level.
    assert.equal(badges({ count: 2, mentions: 1, level: "none" }).mentions, "1");
  });

  test("past 999 the number is capped", () => {
    assert.equal(badges({ count: 1500, mentions: 1200, level: "" }).unread, "999+");
    assert.equal(badges({ count: 1500, mentions: 1200, level: "" }).mentions, "999+");
  });
});
