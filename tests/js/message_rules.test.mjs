// Who may edit, delete or message the author of a message.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  canDelete,
  canEdit,
  canMessage,
  errorText,
} from "../../parley/web/static/parley/js/message_rules.js";

const NOW = Date.parse("2026-12-07T12:00:00Z");

/** A message by `author`, sent `ageSeconds` before NOW. */
function message(author, { ageSeconds = 10, deleted = false } = {}) {
  return {
    seq: 5,
    author,
    body: "hello",
    deleted,
    thread: null,
    replies: 0,
    ts: new Date(NOW - ageSeconds * 1000).toISOString(),
  };
}

describe("editing", () => {
  const ada = { me: "ada", canPost: true, editWindowSeconds: 0, now: NOW };

  test("the author edits her message, without a window at any age", () => {
    assert.equal(canEdit(message("ada", { ageSeconds: 86400 * 365 }), ada), true);
  });

  test("nobody edits someone else's message, a deleted one, or without posting rights", () => {
    assert.equal(canEdit(message("bob"), ada), false);
    assert.equal(canEdit(message("ada", { deleted: true }), ada), false);
    assert.equal(canEdit(message("ada"), { ...ada, canPost: false }), false);
  });

  test("with an edit window, only within it", () => {
    const windowed = { ...ada, editWindowSeconds: 60 };
    assert.equal(canEdit(message("ada", { ageSeconds: 59 }), windowed), true);
    assert.equal(canEdit(message("ada", { ageSeconds: 61 }), windowed), false);
  });
});

describe("deleting", () => {
  test("the author deletes hers; a moderator anyone's; nobody a deleted one", () => {
    const ada = { me: "ada", canPost: true, canModerate: false };
    assert.equal(canDelete(message("ada"), ada), true);
    assert.equal(canDelete(message("bob"), ada), false);
    assert.equal(canDelete(message("bob"), { ...ada, canModerate: true }), true);
    assert.equal(canDelete(message("ada", { deleted: true }), { ...ada, canModerate: true }), false);
    assert.equal(canDelete(message("ada"), { ...ada, canPost: false }), false);
  });
});

describe("messaging the author", () => {
  test("not oneself, not an unknown author, not the one other person of this direct room", () => {
    const room = { me: "ada", isDirect: false, directUsers: [] };
    assert.equal(canMessage("bob", room), true);
    assert.equal(canMessage("ada", room), false);
    assert.equal(canMessage(null, room), false);
    assert.equal(canMessage("bob", { me: "ada", isDirect: true, directUsers: ["bob"] }), false);
    // In a group conversation, a direct one with one of its people is another room.
    assert.equal(canMessage("bob", { me: "ada", isDirect: true, directUsers: ["bob", "cy"] }), true);
  });
});

test("an error says its message, else its code", () => {
  assert.equal(errorText({ type: "error", code: "forbidden", message: "No." }), "No.");
  assert.equal(errorText({ type: "error", code: "forbidden" }), "forbidden");
  assert.equal(errorText({ type: "error" }), "Something went wrong.");
});
