// The DOM-free helpers of the conversation features: relative times and the replies line
// (relative_time.js), the `@` autocomplete (mention_match.js), the emoji picker's search
// (emoji_search.js), and which items the main timeline shows as rows (timeline_model.js).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { emojiList, searchEmoji } from "../../parley/web/static/parley/js/emoji_search.js";
import {
  insertMention,
  matchMentions,
  mentionAt,
} from "../../parley/web/static/parley/js/mention_match.js";
import { relativeTime, repliesText } from "../../parley/web/static/parley/js/relative_time.js";
import { TimelineModel, isRow } from "../../parley/web/static/parley/js/timeline_model.js";

const NOW = new Date("2026-03-10T12:00:00Z");
const ago = (ms) => new Date(NOW.getTime() - ms).toISOString();
const MIN = 60 * 1000;

describe("relativeTime", () => {
  it("says just now under a minute, and for times ahead of the clock", () => {
    assert.equal(relativeTime(ago(59 * 1000), NOW), "just now");
    assert.equal(relativeTime(ago(-5 * MIN), NOW), "just now");
  });
  it("counts minutes, hours, yesterday and days", () => {
    assert.equal(relativeTime(ago(5 * MIN), NOW), "5 min ago");
    assert.equal(relativeTime(ago(59 * MIN + 59 * 1000), NOW), "59 min ago");
    assert.equal(relativeTime(ago(60 * MIN), NOW), "1 h ago");
    assert.equal(relativeTime(ago(23 * 60 * MIN), NOW), "23 h ago");
    assert.equal(relativeTime(ago(24 * 60 * MIN), NOW), "yesterday");
    assert.equal(relativeTime(ago(3 * 24 * 60 * MIN), NOW), "3 days ago");
  });
  it("gives a date past a week", () => {
    assert.match(relativeTime(ago(30 * 24 * 60 * MIN), NOW), /^on /);
  });
  it("gives nothing for a missing or unreadable time", () => {
    assert.equal(relativeTime(null, NOW), "");
    assert.equal(relativeTime("not a time", NOW), "");
  });
});

describe("repliesText", () => {
  it("says how many and how recent", () => {
    assert.equal(repliesText(1, ago(5 * MIN), NOW), "1 reply · last reply 5 min ago");
    assert.equal(repliesText(3, ago(10 * 1000), NOW), "3 replies · last reply just now");
  });
  it("leaves out an unknown time, and says nothing without replies", () => {
    assert.equal(repliesText(2, null, NOW), "2 replies");
    assert.equal(repliesText(0, ago(MIN), NOW), "");
  });
});

describe("mentionAt", () => {
  it("finds the mention being typed at the caret", () => {
    assert.deepEqual(mentionAt("hi @ad", 6), { start: 3, query: "ad" });
    assert.deepEqual(mentionAt("@", 1), { start: 0, query: "" });
    assert.deepEqual(mentionAt("(@bo", 4), { start: 1, query: "bo" });
    assert.deepEqual(mentionAt("@a.b-c", 6), { start: 0, query: "a.b-c" });
  });
  it("is not fooled by addresses, spaces or a caret before the @", () => {
    assert.equal(mentionAt("ada@example", 11), null);
    assert.equal(mentionAt("@ada said", 9), null);
    assert.equal(mentionAt("hi @ada", 2), null);
    assert.equal(mentionAt("no mention", 10), null);
  });
});

describe("matchMentions", () => {
  const names = ["bob", "ada", "adam_smith", "lada", "carol.ad"];
  it("ranks prefixes, then word starts, then substrings, and offers room", () => {
    assert.deepEqual(matchMentions(names, "ad"), ["ada", "adam_smith", "carol.ad", "lada"]);
    assert.deepEqual(matchMentions(names, "ro"), ["room", "carol.ad"]);
    assert.deepEqual(matchMentions(names, "SMI"), ["adam_smith"]);
  });
  it("offers everyone for an empty query, up to the limit", () => {
    assert.deepEqual(matchMentions(names, "", 3), ["ada", "adam_smith", "bob"]);
    assert.equal(matchMentions(names, "").length, 6);
  });
  it("finds nothing when nothing matches", () => {
    assert.deepEqual(matchMentions(names, "zz"), []);
  });
});

describe("insertMention", () => {
  it("replaces the typed part with the name and a space", () => {
    assert.deepEqual(insertMention("hi @ad", 3, 6, "ada"), { text: "hi @ada ", caret: 8 });
  });
  it("replaces the whole word under the caret and keeps what follows", () => {
    assert.deepEqual(insertMention("@adx there", 0, 2, "ada"), { text: "@ada there", caret: 5 });
  });
});

describe("emoji search", () => {
  const list = emojiList({
    emoji: [
      ["😂", "face with tears of joy"],
      ["👍", "thumbs up"],
      ["👎", "thumbs down"],
      ["🎉", "party popper"],
      ["🥳", "partying face"],
      ["bad"],
      [1, "number"],
    ],
  });
  it("keeps the well-formed entries", () => {
    assert.equal(list.length, 5);
    assert.deepEqual(emojiList(null), []);
  });
  it("matches word starts, every word, names starting with the query first", () => {
    assert.deepEqual(
      searchEmoji(list, "party").map(([char]) => char),
      ["🎉", "🥳"],
    );
    assert.deepEqual(
      searchEmoji(list, "face").map(([char]) => char),
      ["😂", "🥳"],
    );
    assert.deepEqual(
      searchEmoji(list, "thumbs u").map(([char]) => char),
      ["👍"],
    );
    assert.deepEqual(
      searchEmoji(list, ":thumbs_up:").map(([char]) => char),
      ["👍"],
    );
    assert.deepEqual(searchEmoji(list, "joyful"), []);
  });
  it("finds an emoji typed as itself, and shows the start of the list for no query", () => {
    assert.deepEqual(searchEmoji(list, "🎉"), [["🎉", "party popper"]]);
    assert.equal(searchEmoji(list, "  ", 2).length, 2);
  });
});

describe("rows of the main timeline", () => {
  const message = (seq, extra = {}) => ({
    type: "message",
    seq,
    author: { username: "ada" },
    ts: new Date(NOW.getTime() + seq * 1000).toISOString(),
    ...extra,
  });
  it("are messages and events, not replies or changes", () => {
    assert.equal(isRow(message(1)), true);
    assert.equal(isRow({ type: "event", seq: 2, kind: "join" }), true);
    assert.equal(isRow(message(3, { thread: 1 })), false);
    for (const type of ["edit", "delete", "reaction"]) {
      assert.equal(isRow({ type, seq: 4, target: 1 }), false);
    }
  });
  it("group and place the marker across the items without rows", () => {
    const model = new TimelineModel();
    model.insert(message(1));
    model.insert({ type: "reaction", seq: 2, target: 1, emoji: "👍", op: "add" });
    model.insert(message(3, { thread: 1 }));
    model.insert(message(4));
    assert.equal(model.highWater, 4);
    assert.equal(model.decoration(4).continuation, true);
    assert.equal(model.rowAfter(1), 4);
    assert.equal(model.rowBefore(4)?.seq, 1);
    model.markerAfter = 1;
    assert.equal(model.markerSeq, 4);
  });
});
