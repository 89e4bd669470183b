// What a members list shows of each person, from `subscribed` and `profile` frames, and the
// room's read-only/archived state from `subscribed` (docs/protocol.md, "Profiles").
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { MemberList, profileOf } from "../../parley/web/static/parley/js/member_list.js";
import { postRefusal, rightsAfter, roomStateOf } from "../../parley/web/static/parley/js/room_rights.js";

const NONE = { displayName: "", statusEmoji: "", statusText: "", dndUntil: "" };

describe("member profiles", () => {
  test("a member's keys are read, and absent keys are empty", () => {
    assert.deepEqual(
      profileOf({
        username: "bob",
        display_name: "Bob Builder",
        status: { emoji: "🚧", text: "on a roof" },
        dnd_until: "2026-11-21T17:00:00.000Z",
      }),
      { displayName: "Bob Builder", statusEmoji: "🚧", statusText: "on a roof", dndUntil: "2026-11-21T17:00:00.000Z" },
    );
    assert.deepEqual(profileOf({ username: "ada" }), NONE);
    assert.deepEqual(profileOf({ display_name: 7, status: "busy", dnd_until: null }), NONE);
  });

  test("subscribed describes every member; the page's rows stay until then", () => {
    const members = new MemberList({ initial: ["ada", "bob"] });
    assert.equal(members.profileOf("bob"), null);
    members.reset(
      [
        { username: "ada", online: true, idle: false },
        { username: "bob", online: false, idle: false, display_name: "Bob" },
      ],
      5,
    );
    assert.deepEqual(members.profileOf("ada"), NONE);
    assert.equal(members.profileOf("bob")?.displayName, "Bob");
  });

  test("a profile frame changes a member's entry, and a key it lacks is cleared", () => {
    const members = new MemberList();
    members.reset([{ username: "bob", online: true, display_name: "Bob", status: { emoji: "🚧", text: "" } }], 3);
    assert.equal(members.setProfile({ username: "bob", display_name: "Robert" }), true);
    assert.deepEqual(members.profileOf("bob"), { ...NONE, displayName: "Robert" });
    // The same frame again (one per shared room): nothing to show again.
    assert.equal(members.setProfile({ username: "bob", display_name: "Robert" }), false);
  });

  test("a profile frame about someone who is not a member is kept but shows nothing", () => {
    const members = new MemberList({ initial: ["ada"] });
    assert.equal(members.setProfile({ username: "carol", display_name: "Carol" }), false);
    assert.equal(members.setProfile({ display_name: "nobody" }), false);
    assert.equal(members.setProfile(null), false);
  });
});

describe("the room's state from subscribed", () => {
  const member = { readOnly: false, archived: false, owner: false, moderator: false, staff: false, asOf: 10 };

  test("read_only and archived close the box; their absence opens it", () => {
    const readOnly = roomStateOf({ last_seq: 12, read_only: true }, member);
    assert.equal(readOnly.readOnly, true);
    assert.notEqual(postRefusal(readOnly), "");
    const archived = roomStateOf({ last_seq: 12, read_only: true, archived: true }, readOnly);
    assert.equal(archived.archived, true);
    assert.equal(postRefusal(roomStateOf({ last_seq: 13 }, archived)), "");
  });

  test("the same state keeps the same rights", () => {
    assert.equal(roomStateOf({ last_seq: 12 }, member), member);
  });

  test("a reply older than an event applied does not undo it", () => {
    const after = rightsAfter(member, { type: "event", seq: 15, kind: "read_only", on: true, user: { username: "ada" } }, "bob");
    assert.equal(roomStateOf({ last_seq: 14 }, after), after);
  });

  test("events of the backlog after the reply still apply (a role given while away)", () => {
    const state = roomStateOf({ last_seq: 20, read_only: true }, member);
    const role = { type: "event", seq: 18, kind: "role", role: "moderator", user: { username: "bob" } };
    assert.equal(rightsAfter(state, role, "bob").moderator, true);
  });
});
