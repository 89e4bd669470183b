// The search box's text as the API's parameters, and where results match (search_query.js).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  PAGE_SIZE,
  highlightWords,
  isEmptySearch,
  matchRanges,
  parseSearch,
  resultHref,
  resultsText,
  searchErrorText,
  searchUrl,
} from "../../parley/web/static/parley/js/search_query.js";

describe("parseSearch", () => {
  test("words alone are the query", () => {
    assert.deepEqual(parseSearch("  deploy   friday "), { q: "deploy friday" });
  });

  test("in:, from: and has:file are filters, with or without # and @", () => {
    assert.deepEqual(parseSearch("in:general from:ada has:file deploy"), {
      q: "deploy",
      room: "general",
      from: "ada",
      has: "file",
    });
    assert.deepEqual(parseSearch("in:#ops from:@bob report"), { q: "report", room: "ops", from: "bob" });
    assert.deepEqual(parseSearch("IN:ops deploy"), { q: "deploy", room: "ops" });
  });

  test("the last of a repeated filter counts", () => {
    assert.equal(parseSearch("in:a in:b x").room, "b");
  });

  test("unknown filters and empty values are words", () => {
    assert.deepEqual(parseSearch("has:link in: from:@ to:ada"), { q: "has:link in: from:@ to:ada" });
    assert.deepEqual(parseSearch("http://example.com/in:x"), { q: "http://example.com/in:x" });
  });

  test("nothing typed is nothing to search; a filter alone is something", () => {
    assert.equal(isEmptySearch(parseSearch("   ")), true);
    assert.equal(isEmptySearch(parseSearch("from:ada")), false);
  });
});

describe("searchUrl", () => {
  test("the parameters given, a page size, and the cursor of the next page", () => {
    const url = new URL(searchUrl(parseSearch("in:#ops deploy & <go>")), "http://x");
    assert.equal(url.pathname, "/api/v1/search");
    assert.equal(url.searchParams.get("q"), "deploy & <go>");
    assert.equal(url.searchParams.get("room"), "ops");
    assert.equal(url.searchParams.get("from"), null);
    assert.equal(url.searchParams.get("limit"), String(PAGE_SIZE));
    assert.equal(url.searchParams.get("before"), null);
    const next = new URL(searchUrl({ q: "x" }, { before: "abc=", limit: 5 }), "http://x");
    assert.equal(next.searchParams.get("before"), "abc=");
    assert.equal(next.searchParams.get("limit"), "5");
  });
});

describe("highlighting", () => {
  test("words under three characters are not highlighted; longer ones first", () => {
    assert.deepEqual(highlightWords("a to deploy arch search"), ["deploy", "search", "arch"]);
  });

  test("matches are case-insensitive, inside words too, never overlapping", () => {
    assert.deepEqual(matchRanges("Research the SEARCH", ["search"]), [
      [2, 8],
      [13, 19],
    ]);
    assert.deepEqual(matchRanges("searching", ["search", "arch"]), [[0, 6]]);
  });

  test("search syntax and regex characters are plain text", () => {
    assert.deepEqual(matchRanges("a (b)* c", ["(b)*"]), [[2, 6]]);
    assert.deepEqual(matchRanges("nothing", []), []);
  });

  test("ranges index the original text (case-folding that changes length included)", () => {
    const text = "İstanbul and istanbul";
    const ranges = matchRanges(text, ["istanbul"]);
    for (const [start, end] of ranges) assert.equal(text.slice(start, end).toLowerCase().endsWith("stanbul"), true);
  });
});

describe("texts", () => {
  test("a result opens its room at its message", () => {
    assert.equal(resultHref("general", 42), "/rooms/general/?seq=42");
    assert.equal(resultHref("a b", 1), "/rooms/a%20b/?seq=1");
  });

  test("how many were found, and the empty state", () => {
    assert.equal(resultsText(0, false, "zebra"), "No messages match “zebra”.");
    assert.equal(resultsText(1, false, "x"), "1 message found.");
    assert.equal(resultsText(20, true, "x"), "20+ messages found.");
  });

  test("the server's message, else a sentence for the status", () => {
    assert.equal(
      searchErrorText(400, { error: { code: "invalid", message: "Type at least 3 characters." } }),
      "Type at least 3 characters.",
    );
    assert.equal(searchErrorText(500, null), "The search failed (500).");
    assert.equal(searchErrorText(0, null), "The search failed: no connection.");
    assert.match(searchErrorText(401, "<html>"), /sign in/);
  });
});
