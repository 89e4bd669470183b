// Which messages notify in the open tab, what the notification says, and what the tab shows.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  EXCERPT_MAX,
  bareTitle,
  countForMe,
  excerpt,
  messageUrl,
  notificationFor,
  shouldNotify,
  tabAttention,
  titleWithCount,
} from "../../parley/web/static/parley/js/notify_rules.js";

const msg = (fields = {}) => ({ room: "lobby", seq: 7, author: { username: "bob" }, body: "hi", ...fields });
const away = { me: "ada", level: "mentions", direct: false, open: "lobby", looking: false };

describe("shouldNotify", () => {
  test("a mention of me notifies", () => {
    assert.equal(shouldNotify(msg({ mentions: ["ada"] }), away), true);
  });

  test("a mention of the whole room notifies", () => {
    assert.equal(shouldNotify(msg({ mentions: ["@room"] }), away), true);
  });

  test("a plain message in a room at level mentions does not", () => {
    assert.equal(shouldNotify(msg({ mentions: ["carol"] }), away), false);
  });

  test("every message of a room at level all notifies", () => {
    assert.equal(shouldNotify(msg(), { ...away, level: "all" }), true);
  });

  test("every message of a direct room notifies, its level unknown yet", () => {
    assert.equal(shouldNotify(msg(), { ...away, level: "", direct: true }), true);
  });

  test("a direct room muted to mentions follows its level", () => {
    assert.equal(shouldNotify(msg(), { ...away, level: "mentions", direct: true }), false);
  });

  test("level none never notifies, not even a mention", () => {
    assert.equal(shouldNotify(msg({ mentions: ["ada"] }), { ...away, level: "none" }), false);
    assert.equal(shouldNotify(msg(), { ...away, level: "none", direct: true }), false);
  });

  test("my own message never notifies", () => {
    const mine = msg({ author: { username: "ada" }, mentions: ["ada"] });
    assert.equal(shouldNotify(mine, { ...away, level: "all" }), false);
  });

  test("the room I am looking at does not notify", () => {
    const looking = { ...away, level: "all", looking: true };
    assert.equal(shouldNotify(msg({ mentions: ["ada"] }), looking), false);
  });

  test("another room notifies while I look at this one", () => {
    const looking = { ...away, looking: true, open: "elsewhere" };
    assert.equal(shouldNotify(msg({ mentions: ["ada"] }), looking), true);
  });

  test("a message of a webhook (no author) can notify", () => {
    assert.equal(shouldNotify(msg({ author: null }), { ...away, level: "all" }), true);
  });
});

describe("notificationFor", () => {
  test("names the author and the room, and opens the message", () => {
    const text = notificationFor(msg({ body: "lunch?" }), { roomName: "Lobby", direct: false });
    assert.deepEqual(text, { title: "bob in Lobby", body: "lunch?", tag: "lobby", url: "/rooms/lobby/?seq=7" });
  });

  test("a direct message is titled with its author alone", () => {
    assert.equal(notificationFor(msg(), { roomName: "bob", direct: true }).title, "bob");
  });

  test("a file without words says so", () => {
    const text = notificationFor(msg({ body: "", attachment: { name: "a.png" } }), { roomName: "Lobby", direct: false });
    assert.equal(text.body, "sent a file");
  });

  test("an odd slug is escaped in the url", () => {
    assert.equal(messageUrl("a b", 3), "/rooms/a%20b/?seq=3");
  });
});

describe("excerpt", () => {
  test("puts the body on one line", () => {
    assert.equal(excerpt("one\n\ntwo   three "), "one two three");
  });

  test("cuts a long body with an ellipsis, by code points", () => {
    const long = "😀".repeat(EXCERPT_MAX + 5);
    const cut = excerpt(long);
    assert.equal([...cut].length, EXCERPT_MAX);
    assert.ok(cut.endsWith("…"));
  });

  test("keeps a short body whole", () => {
    assert.equal(excerpt("short"), "short");
  });
});

describe("the tab's count", () => {
  const room = (fields) => ({ count: 0, mentions: 0, level: "mentions", direct: false, ...fields });

  test("counts every unread message at level all and only mentions at level mentions", () => {
    assert.equal(countForMe(room({ count: 5, level: "all" })), 5);
    assert.equal(countForMe(room({ count: 5, mentions: 2 })), 2);
    assert.equal(countForMe(room({ count: 5, mentions: 2, level: "none" })), 0);
  });

  test("the open room counts every message that came while the tab was away", () => {
    assert.equal(countForMe(room({ count: 4, mentions: 1, open: true })), 4);
    assert.equal(countForMe(room({ count: 4, level: "none", open: true })), 0);
  });

  test("adds the rooms up and badges a mention or a direct message", () => {
    const rooms = [room({ count: 3, level: "all" }), room({ count: 9 }), room({ count: 2, level: "", direct: true })];
    assert.deepEqual(tabAttention(rooms), { total: 5, urgent: true });
  });

  test("messages of a room at level all alone do not badge the favicon", () => {
    assert.deepEqual(tabAttention([room({ count: 3, level: "all" })]), { total: 3, urgent: false });
  });

  test("a muted room neither counts nor badges", () => {
    assert.deepEqual(tabAttention([room({ count: 3, mentions: 1, level: "none" })]), { total: 0, urgent: false });
  });

  test("the title carries the count in front, and loses it again", () => {
    assert.equal(titleWithCount("lobby · Parley", 3), "(3) lobby · Parley");
    assert.equal(titleWithCount("lobby · Parley", 0), "lobby · Parley");
    assert.equal(titleWithCount("x", 5000), "(999+) x");
    assert.equal(bareTitle("(999+) x"), "x");
    assert.equal(bareTitle("(3) lobby · Parley"), "lobby · Parley");
    assert.equal(bareTitle("(draft) notes"), "(draft) notes");
  });
});
