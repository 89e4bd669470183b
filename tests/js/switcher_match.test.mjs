// The room switcher's matching: which rooms a query finds, in which order, which letters it marks.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  LIMIT,
  fold,
  highlight,
  rankRooms,
} from "../../parley/web/static/parley/js/switcher_match.js";

/** A room as the sidebar gives it; `title` also makes the slug unless one is given. */
function room(title, extra = {}) {
  return {
    slug: title.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    title,
    kind: "public",
    unread: 0,
    mentions: 0,
    current: false,
    ...extra,
  };
}

const titles = (ranked) => ranked.map((r) => r.room.title);
/** The marked letters of a result, as the text they highlight. */
const marked = (ranked) => {
  const text = ranked.field === "slug" ? ranked.room.slug : ranked.room.title;
  return highlight(text, ranked.marks)
    .filter((run) => run.mark)
    .map((run) => run.text)
    .join("");
};

describe("rankRooms with a query", () => {
  test("finds rooms whose title has the letters in order, and only those", () => {
    const rooms = [room("General"), room("Random"), room("Design review")];
    assert.deepEqual(titles(rankRooms("gnl", rooms)), ["General"]);
    assert.deepEqual(titles(rankRooms("xyz", rooms)), []);
    assert.deepEqual(titles(rankRooms("lareneg", rooms)), [], "the order of the letters counts");
  });

  test("ignores case and accents, in the query and in the title", () => {
    const rooms = [room("Café crème", { slug: "coffee" }), room("Ärger")];
    assert.deepEqual(titles(rankRooms("CAFE", rooms)), ["Café crème"]);
    assert.deepEqual(titles(rankRooms("crémé", rooms)), ["Café crème"]);
    assert.deepEqual(titles(rankRooms("arg", rooms)), ["Ärger"]);
    const [hit] = rankRooms("creme", rooms);
    assert.equal(hit.field, "title");
    assert.deepEqual(hit.marks, [5, 6, 7, 8, 9]);
    assert.equal(marked(hit), "crème");
  });

  test("a title written with combining accents marks whole letters", () => {
    const title = "Cafe\u0301 talk"; // é as e + a combining acute accent
    const [hit] = rankRooms("cafet", [room(title)]);
    assert.deepEqual(hit.marks, [0, 1, 2, 3, 6]);
    assert.equal(marked(hit), "Cafe\u0301t");
  });

  test("a match at the start of the title beats one at the start of a later word", () => {
    const rooms = [room("Dev general"), room("General discussion of everything")];
    assert.deepEqual(titles(rankRooms("gen", rooms)), [
      "General discussion of everything",
      "Dev general",
    ]);
  });

  test("a match at the start of a word (after a space, - or _) beats one inside a word", () => {
    for (const title of ["Dev ops", "dev-ops", "dev_ops"]) {
      const rooms = [room("Loops"), room(title)];
      assert.deepEqual(titles(rankRooms("ops", rooms)), [title, "Loops"], title);
    }
  });

  test("word starts beat the same letters scattered inside words", () => {
    const rooms = [room("Tidy arbour rooms"), room("The area report")];
    // t-a-r: the starts of three words in "The area report"; inside words in the other.
    assert.deepEqual(titles(rankRooms("tar", rooms)).at(0), "The area report");
  });

  test("letters that follow each other beat the same letters scattered", () => {
    const rooms = [room("xrxaxmx"), room("xxramxx")];
    assert.deepEqual(titles(rankRooms("ram", rooms)), ["xxramxx", "xrxaxmx"]);
  });

  test("picks the best place for the letters, not the first one", () => {
    // The first "g" is inside "bug"; the word "general" should be the one marked.
    const [hit] = rankRooms("gen", [room("bug tracking general")]);
    assert.equal(marked(hit), "gen");
    assert.deepEqual(hit.marks, [13, 14, 15]);
  });

  test("on a tie the shorter title wins, then the sidebar's order", () => {
    const rooms = [room("Lobby archive"), room("Lobby"), room("Lobby two"), room("Lobby one")];
    assert.deepEqual(titles(rankRooms("lob", rooms)), [
      "Lobby",
      "Lobby two",
      "Lobby one",
      "Lobby archive",
    ]);
  });

  test("finds a room by its slug, and says so, when the title does not match", () => {
    const rooms = [room("Sales team", { slug: "crm-deals" })];
    const [hit] = rankRooms("deals", rooms);
    assert.equal(hit.field, "slug");
    assert.equal(marked(hit), "deals");
  });

  test("the title wins over the slug when both match, even where the slug scores higher", () => {
    const [hit] = rankRooms("gen", [room("General", { slug: "general" })]);
    assert.equal(hit.field, "title");
    const [party] = rankRooms("plan", [room("🎉 Party plans", { slug: "plans-2024" })]);
    assert.equal(party.field, "title");
    assert.equal(marked(party), "plan");
  });

  test("a direct conversation's slug (random letters) is never matched", () => {
    const rooms = [room("bob", { slug: "dm-4f2a9c", kind: "direct" })];
    assert.deepEqual(rankRooms("dm", rooms), []);
    assert.equal(rankRooms("bob", rooms).length, 1);
  });

  test("spaces in the query are ignored", () => {
    const rooms = [room("Design review")];
    assert.deepEqual(titles(rankRooms("  des rev ", rooms)), ["Design review"]);
  });

  test("# keeps rooms only, @ direct conversations only", () => {
    const rooms = [room("ana's room"), room("ana", { kind: "direct", slug: "dm-1" })];
    assert.deepEqual(titles(rankRooms("#ana", rooms)), ["ana's room"]);
    assert.deepEqual(titles(rankRooms("@ana", rooms)), ["ana"]);
    assert.deepEqual(titles(rankRooms("@", rooms)), ["ana"]);
  });

  test("the room open now is found like the others", () => {
    const rooms = [room("General", { current: true }), room("Generic")];
    assert.deepEqual(titles(rankRooms("general", rooms)), ["General"]);
  });
});

describe("rankRooms with an empty query", () => {
  test("lists mentions first, then unread, then the rest, the open room last", () => {
    const rooms = [
      room("open now", { current: true, mentions: 2, unread: 5 }),
      room("quiet a"),
      room("unread a", { unread: 3 }),
      room("mention a", { unread: 1, mentions: 1 }),
      room("quiet b"),
      room("unread b", { unread: 1 }),
      room("mention b", { mentions: 4, unread: 4 }),
    ];
    assert.deepEqual(titles(rankRooms("", rooms)), [
      "mention a",
      "mention b",
      "unread a",
      "unread b",
      "quiet a",
      "quiet b",
      "open now",
    ]);
    assert.deepEqual(titles(rankRooms("   ", rooms)), titles(rankRooms("", rooms)));
  });

  test("a muted room's unread do not lift it; its mentions do", () => {
    const rooms = [
      room("quiet"),
      room("muted", { unread: 9, muted: true }),
      room("muted mention", { unread: 1, mentions: 1, muted: true }),
    ];
    assert.deepEqual(titles(rankRooms("", rooms)), ["muted mention", "quiet", "muted"]);
  });

  test("marks nothing", () => {
    const [hit] = rankRooms("", [room("General")]);
    assert.deepEqual(hit.marks, []);
    assert.equal(hit.field, null);
  });
});

describe("odd input", () => {
  test("no rooms: no results", () => {
    assert.deepEqual(rankRooms("", []), []);
    assert.deepEqual(rankRooms("gen", []), []);
  });

  test("at most LIMIT results, with or without a query", () => {
    const rooms = Array.from({ length: 120 }, (_, i) => room(`room ${i}`));
    assert.equal(LIMIT, 50);
    assert.equal(rankRooms("", rooms).length, LIMIT);
    assert.equal(rankRooms("room", rooms).length, LIMIT);
    assert.equal(rankRooms("room", rooms, 5).length, 5);
  });

  test("emoji in titles are kept whole and can be searched", () => {
    const rooms = [room("🎉 Party planning"), room("Parking")];
    const [hit] = rankRooms("party", rooms);
    assert.equal(hit.room.title, "🎉 Party planning");
    assert.equal(marked(hit), "Party");
    assert.deepEqual(hit.marks, [3, 4, 5, 6, 7]);
    const [byEmoji] = rankRooms("🎉", rooms);
    assert.equal(byEmoji.room.title, "🎉 Party planning");
    assert.equal(marked(byEmoji), "🎉");
  });

  test("a very long query finds nothing, quickly", () => {
    const rooms = Array.from({ length: 200 }, (_, i) => room(`room number ${i} `.repeat(8)));
    const started = performance.now();
    assert.deepEqual(rankRooms("r".repeat(100_000), rooms), []);
    assert.deepEqual(rankRooms("room ".repeat(30), rooms), []);
    assert.ok(performance.now() - started < 1000);
  });

  test("a query longer than the title, or a room without a title, does not throw", () => {
    const rooms = [room("ab"), { ...room("x"), title: "", slug: "no-title" }];
    assert.deepEqual(titles(rankRooms("abc", rooms)), []);
    assert.deepEqual(
      rankRooms("title", rooms).map((r) => r.room.slug),
      ["no-title"],
    );
  });

  test("regular-expression characters are plain letters", () => {
    const rooms = [room("C++ (and .*)"), room("Cats")];
    assert.deepEqual(titles(rankRooms("c++", rooms)), ["C++ (and .*)"]);
    assert.deepEqual(titles(rankRooms(".*", rooms)), ["C++ (and .*)"]);
  });
});

describe("fold and highlight", () => {
  test("fold lowercases, strips accents and maps each letter to its character", () => {
    const { chars, at } = fold("Éa🎉b");
    assert.deepEqual(chars, ["e", "a", "🎉", "b"]);
    assert.deepEqual(at, [0, 1, 2, 4]);
  });

  test("highlight cuts the text into marked and plain runs", () => {
    assert.deepEqual(highlight("General", [0, 1, 2]), [
      { text: "Gen", mark: true },
      { text: "eral", mark: false },
    ]);
    assert.deepEqual(highlight("ab", []), [{ text: "ab", mark: false }]);
    assert.deepEqual(highlight("", []), []);
    assert.deepEqual(highlight("a🎉b", [1]), [
      { text: "a", mark: false },
      { text: "🎉", mark: true },
      { text: "b", mark: false },
    ]);
  });
});
