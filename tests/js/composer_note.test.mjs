// The line under the message box: why it is closed, or how Enter works here.
import assert from "node:assert/strict";
import { test } from "node:test";

import { composerNote } from "../../parley/web/static/parley/js/composer.js";

const open = { member: true, closed: false, signedOut: false, live: true };

test("at a desk Enter sends; on a touch screen it adds a line and Send sends", () => {
  assert.equal(composerNote(open), "Enter sends, Shift+Enter adds a line.");
  assert.equal(composerNote(open, { touch: true }), "Enter adds a line; tap Send to send.");
});

test("a closed box says why, on any screen", () => {
  for (const touch of [false, true]) {
    assert.equal(composerNote({ ...open, closed: true }, { touch }), "You cannot send messages here.");
    assert.equal(composerNote({ ...open, member: false }, { touch }), "Join the room to send messages.");
    assert.equal(composerNote({ ...open, signedOut: true }, { touch }), "Signed out: sign in again to send.");
    assert.equal(composerNote({ ...open, live: false }, { touch }), "Offline: sent once reconnected.");
  }
});
