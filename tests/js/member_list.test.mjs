// The members list as data: late events never undo newer ones; presence.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  MemberList,
  presenceChanges,
  presenceOf,
} from "../../parley/web/static/parley/js/member_list.js";

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

  test("presenceChanges reads one user or a batch, and leaves out the reader's own entry", () => {
    assert.deepEqual(
      presenceChanges({ user: { username: "bob" }, online: true, idle: true }, "ada"),
      [{ username: "bob", state: "idle" }],
    );
    const batch = {
      users: [
        { username: "bob", online: false, idle: false },
        { username: "ada", online: false, idle: false },
        { username: "cy", online: true, idle: false },
        { username: 7, online: true },
        { username: "dee" },
      ],
    };
    assert.deepEqual(presenceChanges(batch, "ada"), [
      { username: "bob", state: "offline" },
      { username: "cy", state: "online" },
    ]);
  });
});

describe("MemberList in a big room", () => {
  test("a page need not list the reader: their membership stands", () => {
    const members = new MemberList({ initial: ["ada"], baseSeq: 10, me: "me", meMember: true });
    members.reset([{ username: "ada", online: true, idle: false }], 12, 7310);
    assert.equal(members.partial, true);
    assert.equal(members.has("me"), true);
    members.reset([{ username: "ada", online: true, idle: false }], 14);
    assert.equal(members.has("me"), false, "a small room's list is the whole truth");
  });

  test("the reader's leave replayed before subscribed's seq still applies when the page did not list them", () => {
    const members = new MemberList({ baseSeq: 10, me: "me", meMember: true });
    members.reset(["ada"], 20, 900);
    assert.equal(members.apply("leave", "bob", 15), false, "others: as of subscribed");
    assert.equal(members.apply("leave", "me", 15), false, "not a change to count");
    assert.equal(members.has("me"), false);
    assert.equal(members.apply("join", "me", 15), false, "the same event again");
    assert.equal(members.has("me"), false);
  });

  test("every join or leave past subscribed counts, held or not", () => {
    const members = new MemberList({ me: "me" });
    members.reset(["ada"], 20, 900);
    assert.equal(members.apply("join", "newt", 21), true);
    assert.equal(members.apply("leave", "zoe", 22), true);
    assert.equal(members.apply("leave", "zoe", 22), false);
    assert.equal(members.has("newt"), true);
  });

  test("learn() holds a page's members with their presence and profile", () => {
    const members = new MemberList({ me: "me" });
    members.reset(["ada"], 20, 900);
    const names = members.learn([
      { username: "bob", online: true, idle: true, display_name: "Bob B" },
      { nope: 1 },
    ]);
    assert.deepEqual(names, ["bob"]);
    assert.equal(members.presenceOf("bob"), "idle");
    assert.equal(members.profileOf("bob")?.displayName, "Bob B");
    assert.equal(members.setPresence("bob", "online"), true);
  });
});
