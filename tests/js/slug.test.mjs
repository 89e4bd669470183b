import assert from "node:assert/strict";
import { test } from "node:test";

import { SlugFollower, slugFromName } from "../../parley/web/static/parley/js/slug.js";

// The server's rule (parley/core/text.py SLUG_RE).
const SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$/;

test("a name becomes lowercase words joined by single dashes", () => {
  assert.equal(slugFromName("Team Room"), "team-room");
  assert.equal(slugFromName("  Ops -- On Call!!  "), "ops-on-call");
  assert.equal(slugFromName("Release 2.0"), "release-2-0");
});

test("accents are dropped, other scripts and emoji leave nothing", () => {
  assert.equal(slugFromName("Café Crème"), "cafe-creme");
  assert.equal(slugFromName("Ærø ñandú"), "r-nandu");
  assert.equal(slugFromName("🎉🎉"), "");
  assert.equal(slugFromName("会議 room"), "room");
});

test("long names are cut to the maximum without a trailing dash", () => {
  const slug = slugFromName("word ".repeat(30), 50);
  assert.ok(slug.length <= 50);
  assert.match(slug, SLUG_RE);
  assert.equal(slugFromName("abcd efgh", 5), "abcd");
});

test("every suggestion the server would accept, or nothing", () => {
  for (const name of ["-x-", "A", "a b c", "9 lives", "x".repeat(80), "!!!", "Ünïcödé  ---  Näme"]) {
    const slug = slugFromName(name);
    assert.ok(slug === "" || SLUG_RE.test(slug), `${name} -> ${slug}`);
  }
});

test("the address follows the name until the person types their own", () => {
  const follower = new SlugFollower(50);
  assert.equal(follower.onName("T", ""), "t");
  assert.equal(follower.onName("Te", "t"), "te");
  assert.equal(follower.onName("Team", "te"), "team");
  // The person edits the address: the name no longer changes it.
  assert.equal(follower.onName("Team X", "my-team"), null);
  // Emptying the address hands it back to the name.
  assert.equal(follower.onName("Team X", ""), "team-x");
  assert.equal(follower.onName("Team XY", "team-x"), "team-xy");
});
