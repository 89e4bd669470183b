// A big room's member list as pages: what is shown, which `members` request comes next, and
// how answers, queries, joins and leaves change it (docs/protocol.md "Big rooms").
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  MEMBER_QUERY_MAX,
  MemberPages,
  PresenceWatch,
  memberQuery,
} from "../../parley/web/static/parley/js/member_pages.js";
import { memberSummary } from "../../parley/web/static/parley/js/member_panel.js";

/** A room of `total` whose `subscribed` listed `names`, paged by 2. */
function pagesOf(names, total) {
  const pages = new MemberPages({ limit: 2 });
  pages.reset(names, total);
  return pages;
}

describe("MemberPages", () => {
  test("the next page is asked at the number of entries held, until all are held", () => {
    const pages = pagesOf(["ada", "bob"], 5);
    const next = pages.more();
    assert.deepEqual(next, { offset: 2, limit: 2, query: "" });
    assert.equal(pages.more(), null, "one request at a time");
    assert.equal(pages.take(next, { names: ["cy", "dee"], total: 5 }), true);
    assert.deepEqual(pages.shown.names, ["ada", "bob", "cy", "dee"]);
    const last = pages.more();
    assert.equal(last?.offset, 4);
    pages.take(last, { names: ["eve"], total: 5 });
    assert.equal(pages.hasMore, false);
    assert.equal(pages.more(), null);
  });

  test("an entry already held keeps its place and is never listed twice", () => {
    const pages = pagesOf(["ada", "bob"], 4);
    const next = pages.more();
    // bob went offline and moved down a page meanwhile: the snapshot lists him again.
    pages.take(next, { names: ["bob", "cy"], total: 4 });
    assert.deepEqual(pages.shown.names, ["ada", "bob", "cy"]);
    assert.equal(pages.more()?.offset, 3);
  });

  test("a page that brings nothing new moves the offset past it instead of asking it again", () => {
    const pages = pagesOf(["ada", "bob"], 6);
    const next = pages.more();
    pages.take(next, { names: ["ada", "bob"], total: 6 });
    assert.equal(pages.more()?.offset, 4);
  });

  test("an empty page ends the list even if the total said more", () => {
    const pages = pagesOf(["ada"], 3);
    pages.take(pages.more(), { names: [], total: 3 });
    assert.equal(pages.hasMore, false);
    assert.equal(pages.more(), null);
  });

  test("a query's answer replaces the list, and clearing it brings back the list held", () => {
    const pages = pagesOf(["ada", "bob"], 7310);
    const ask = pages.setQuery("ad");
    assert.deepEqual(ask, { offset: 0, limit: 2, query: "ad" });
    // Until its answer comes, the list held stays, and no page of it is asked.
    assert.deepEqual(pages.shown.names, ["ada", "bob"]);
    assert.equal(pages.more(), null);
    pages.take(ask, { names: ["ada", "tad"], total: 3 });
    assert.deepEqual(pages.shown.names, ["ada", "tad"]);
    assert.equal(pages.shown.total, 3);
    assert.deepEqual(pages.more(), { offset: 2, limit: 2, query: "ad" });
    assert.equal(pages.setQuery(""), null);
    assert.deepEqual(pages.shown.names, ["ada", "bob"]);
    assert.equal(pages.shown.total, 7310);
  });

  test("the answer to a superseded request is dropped", () => {
    const pages = pagesOf(["ada", "bob"], 9);
    const first = pages.setQuery("a");
    const second = pages.setQuery("ad");
    assert.equal(pages.take(first, { names: ["ada", "bob", "carla"], total: 3 }), false);
    assert.deepEqual(pages.shown.names, ["ada", "bob"]);
    assert.equal(pages.take(second, { names: ["ada"], total: 1 }), true);
    assert.deepEqual(pages.shown.names, ["ada"]);
    // A page asked before a new `subscribed` does not land in the new list.
    pages.setQuery("");
    const more = pages.more();
    pages.reset(["zed", "ada"], 9);
    assert.equal(pages.take(more, { names: ["x", "y"], total: 9 }), false);
    assert.deepEqual(pages.shown.names, ["zed", "ada"]);
  });

  test("a refresh (after the watch) replaces the pages loaded with the first one", () => {
    const pages = pagesOf(["ada", "bob"], 5);
    pages.take(pages.more(), { names: ["cy", "dee"], total: 5 });
    const again = pages.refresh();
    assert.deepEqual(again, { offset: 0, limit: 2, query: "" });
    pages.take(again, { names: ["dee", "ada"], total: 5 });
    assert.deepEqual(pages.shown.names, ["dee", "ada"]);
  });

  test("a failed request lets the next one go", () => {
    const pages = pagesOf(["ada", "bob"], 5);
    const next = pages.more();
    pages.fail(next);
    assert.deepEqual(pages.more(), next);
  });

  test("joins count; a joiner is listed only once the list is whole", () => {
    const partial = pagesOf(["ada", "bob"], 5);
    partial.joined("newt");
    assert.equal(partial.browse.total, 6);
    assert.deepEqual(partial.browse.names, ["ada", "bob"]);
    const whole = pagesOf(["ada", "bob"], 2);
    whole.joined("newt");
    assert.deepEqual(whole.browse.names, ["ada", "bob", "newt"]);
    assert.equal(whole.browse.total, 3);
  });

  test("a leaver goes from every list; a query counts one fewer only if it listed them", () => {
    const pages = pagesOf(["ada", "bob"], 5);
    pages.take(pages.setQuery("b"), { names: ["bob"], total: 2 });
    pages.left("bob");
    assert.deepEqual(pages.shown.names, []);
    assert.equal(pages.shown.total, 1);
    pages.left("zoe");
    assert.equal(pages.shown.total, 1);
    assert.equal(pages.browse.total, 3);
    assert.deepEqual(pages.browse.names, ["ada"]);
  });
});

describe("memberQuery", () => {
  test("trims and cuts to the server's limit in code points", () => {
    assert.equal(memberQuery("  ad "), "ad");
    const long = "😀".repeat(MEMBER_QUERY_MAX + 5);
    assert.equal([...memberQuery(long)].length, MEMBER_QUERY_MAX);
  });
});

describe("PresenceWatch", () => {
  test("tells the server only when the wish changes, and again after a lost connection", () => {
    const watch = new PresenceWatch();
    assert.equal(watch.sync(false), null);
    assert.equal(watch.sync(true), true);
    assert.equal(watch.sync(true), null);
    assert.equal(watch.sync(false), false);
    watch.sync(true);
    watch.lost();
    assert.equal(watch.sync(true), true);
  });
});

describe("memberSummary", () => {
  test("says how many are shown of how many, or how many match", () => {
    assert.equal(memberSummary({ query: "", shown: 100, total: 7310 }), "Showing 100 of 7,310");
    assert.equal(memberSummary({ query: "", shown: 3, total: 3 }), "All 3 members");
    assert.equal(memberSummary({ query: "ad", shown: 2, total: 12 }), "12 members match “ad”");
    assert.equal(memberSummary({ query: "ad", shown: 1, total: 1 }), "1 member matches “ad”");
  });
});
