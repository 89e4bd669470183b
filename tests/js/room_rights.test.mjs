// Who may post in the open room, kept from the room's events, and those events' lines.
import assert from "node:assert/strict";
import { test } from "node:test";

import { composerNote } from "../../parley/web/static/parley/js/composer.js";
import {
  ARCHIVED_NOTE,
  READ_ONLY_NOTE,
  eventText,
  postRefusal,
  rightsAfter,
} from "../../parley/web/static/parley/js/room_rights.js";

const member = { readOnly: false, archived: false, owner: false, moderator: false, staff: false, asOf: 10 };
const event = (seq, kind, fields = {}) => ({ type: "event", seq, kind, user: { username: "ada" }, ...fields });

test("a read-only room closes the box to plain members only", () => {
  const after = rightsAfter(member, event(11, "read_only", { on: true }), "bob");
  assert.equal(postRefusal(after), READ_ONLY_NOTE);
  for (const role of ["owner", "moderator", "staff"]) {
    assert.equal(postRefusal({ ...after, [role]: true }), "");
  }
  assert.equal(postRefusal(rightsAfter(after, event(12, "read_only", { on: false }), "bob")), "");
});

test("an archived room closes the box to everyone, moderators too", () => {
  const after = rightsAfter({ ...member, owner: true }, event(11, "archive", { archived: true }), "ada");
  assert.equal(postRefusal(after), ARCHIVED_NOTE);
  assert.equal(postRefusal(rightsAfter(after, event(12, "archive", { archived: false }), "ada")), "");
});

test("events older than the rights, and other items, change nothing", () => {
  assert.equal(rightsAfter(member, event(9, "read_only", { on: true }), "bob"), member);
  assert.equal(rightsAfter(member, { type: "message", seq: 11 }, "bob"), member);
  assert.equal(rightsAfter(member, event(11, "join"), "bob"), member);
});

test("being named a moderator, or given the room, opens a read-only room's box", () => {
  const readOnly = { ...member, readOnly: true };
  const named = rightsAfter(readOnly, event(11, "role", { user: { username: "bob" }, role: "moderator" }), "bob");
  assert.equal(postRefusal(named), "");
  const unnamed = rightsAfter(named, event(12, "role", { user: { username: "bob" }, role: "member" }), "bob");
  assert.equal(postRefusal(unnamed), READ_ONLY_NOTE);
  const owner = rightsAfter(unnamed, event(13, "owner", { user: { username: "bob" } }), "bob");
  assert.equal(postRefusal(owner), "");
  // The former owner stays as a moderator.
  const former = rightsAfter({ ...readOnly, owner: true }, event(11, "owner", { user: { username: "bob" }, previous: { username: "ada" } }), "ada");
  assert.deepEqual([former.owner, former.moderator, postRefusal(former)], [false, true, ""]);
});

test("the box says why it is closed", () => {
  const open = { member: true, closed: false, signedOut: false, live: true };
  assert.equal(composerNote({ ...open, refusal: READ_ONLY_NOTE }), READ_ONLY_NOTE);
  assert.equal(composerNote({ ...open, refusal: "" }), "Enter sends, Shift+Enter adds a line.");
});

test("each event reads as a line after its user's name", () => {
  const by = { by: { username: "bob" } };
  assert.equal(eventText(event(1, "join")), "joined the room");
  assert.equal(eventText(event(1, "leave")), "left the room");
  assert.equal(eventText(event(1, "leave", by)), "was removed by bob");
  assert.equal(eventText(event(1, "rename", { name: "Town square", previous: "General" })), "renamed the room to “Town square”");
  assert.equal(eventText(event(1, "read_only", { on: true })), "made the room read-only");
  assert.equal(eventText(event(1, "read_only", { on: false })), "let everyone post again");
  assert.equal(eventText(event(1, "archive", { archived: true })), "archived the room");
  assert.equal(eventText(event(1, "owner", by)), "became the owner (given by bob)");
  assert.equal(eventText(event(1, "role", { role: "moderator", ...by })), "was made a moderator by bob");
  assert.equal(eventText(event(1, "role", { role: "member", ...by })), "is no longer a moderator (changed by bob)");
  assert.equal(eventText(event(1, "topic")), "topic");
});
