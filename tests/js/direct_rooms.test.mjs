import assert from "node:assert/strict";
import { test } from "node:test";

import { directTitle } from "../../parley/web/static/parley/js/direct_rooms.js";

test("a direct room is titled by the other people, in the server's order", () => {
  assert.equal(directTitle(["ada", "bob"], "ada"), "bob");
  assert.equal(directTitle(["ada", "bob", "cy"], "bob"), "ada, cy");
});

test("a direct room of only me is titled by my name", () => {
  assert.equal(directTitle(["ada"], "ada"), "ada");
});
