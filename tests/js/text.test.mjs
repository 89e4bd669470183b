// User text: links found in it, its length as the server counts it, sizes for people.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  codePointLength,
  splitLinks,
  trimUrl,
} from "../../parley/web/static/parley/js/text.js";

describe("links", () => {
  test("http(s) links are parts of their own; the rest stays text", () => {
    assert.deepEqual(splitLinks("see https://example.com/a?b=1 now"), [
      { text: "see " },
      { text: "https://example.com/a?b=1", href: "https://example.com/a?b=1" },
      { text: " now" },
    ]);
    assert.deepEqual(splitLinks("javascript:alert(1) <b>x</b>"), [
      { text: "javascript:alert(1) <b>x</b>" },
    ]);
  });

  test("sentence punctuation after a link is not part of it; a balanced paren is", () => {
    assert.equal(trimUrl("https://example.com/x."), "https://example.com/x");
    assert.equal(trimUrl("https://example.com/x)"), "https://example.com/x");
    assert.equal(
      trimUrl("https://en.wikipedia.org/wiki/Ada_(language)"),
      "https://en.wikipedia.org/wiki/Ada_(language)",
    );
  });
});

describe("lengths and sizes", () => {
  test("length counts code points, as the server does", () => {
    assert.equal(codePointLength("héllo"), 5);
    assert.equal(codePointLength("👩‍💻"), 3);
    assert.equal(codePointLength(""), 0);
  });
});
