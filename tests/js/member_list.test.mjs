// The members list as data: late events never undo newer ones; presence.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MemberList, presenceOf } from "../../parley/web/static/parley/js/member_list.js";

describe("MemberList", () => {
  test("join and leave events after the base seq change the list", () => {
    const members = new MemberList({ initial: ["ada"], baseSeq: 10 });
    assert.equal(members.apply("join", "bob", 11), true);
    assert.deepEqual(members.sorted(), ["ada", "bob"]);
    assert.equal(members.apply("leave", "ada", 12), true);
    assert.deepEqual(members.sorted(), ["bob"]);
  });

  test("events at or before the base seq (a replay) change nothing", () => {
    const members = new MemberList({ initial: ["ada"], baseSeq: 10 });
    assert.equal(members.apply("leave", "ada", 10), false);
    assert.equal(members.apply("join", "bob", 3), false);
    assert.deepEqual(members.sorted(), ["ada"]);
  });

  test("an older event of the same user arriving late does not undo a newer one", () => {
    const members = new MemberList({ baseSeq: 0 });
    members.apply("join", "bob", 20);
    assert.equal(members.apply("leave", "bob", 15), false);
    assert.equal(members.has("bob"), true);
    members.apply("leave", "bob", 21);
    assert.equal(members.has("bob"), false);
  });

  test("reset takes subscribed's members and presence, and its seq as the new base", () => {
    const members = new MemberList({ initial: ["old"], baseSeq: 1 });
    members.apply("join", "carol", 5);
    members.reset([{ username: "bob", online: true, idle: true }, "ada", { nope: 1 }], 30);
    assert.deepEqual(members.sorted(), ["ada", "bob"]);
    assert.equal(members.presenceOf("bob"), "idle");
    assert.equal(members.apply("join", "carol", 29), false);
    assert.equal(members.apply("join", "carol", 31), true);
  });

  test("a presence change shows only for members, and only when it changes", () => {
    const members = new MemberList({ initial: ["ada"] });
    assert.equal(members.knowsPresence, false);
    assert.equal(members.setPresence("ada", "online"), true);
    assert.equal(members.setPresence("ada", "online"), false);
    assert.equal(members.setPresence("stranger", "idle"), false);
    assert.equal(members.setPresence("ada", null), false);
    assert.equal(members.knowsPresence, true);
  });

  test("set() follows a direct answer ahead of its event", () => {
    const members = new MemberList({ initial: ["ada"] });
    assert.equal(members.set("ada", true), false);
    assert.equal(members.set("ada", false), true);
    assert.equal(members.has("ada"), false);
  });

  test("presenceOf reads a frame's online and idle", () => {
    assert.equal(presenceOf({ online: true }), "online");
    assert.equal(presenceOf({ online: true, idle: true }), "idle");
    assert.equal(presenceOf({ online: false, idle: true }), "offline");
    assert.equal(presenceOf({}), null);
    assert.equal(presenceOf(null), null);
  });
});
