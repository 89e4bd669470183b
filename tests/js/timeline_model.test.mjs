// The timeline as data: order, duplicates, the cursor, gaps, the "New messages" place, grouping.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  GROUP_MS,
  TimelineModel,
  authorIsBot,
  authorKey,
  authorLabel,
  authorName,
  dayLabel,
} from "../../parley/web/static/parley/js/timeline_model.js";

const T0 = Date.parse("2026-03-10T12:00:00Z");

function message(seq, author = "ada", offsetMs = seq * 1000) {
  return {
    type: "message",
    seq,
    author: author === null ? null : { username: author },
    body: `m${seq}`,
    ts: new Date(T0 + offsetMs).toISOString(),
  };
}

function join(seq, user = "bob") {
  return {
    type: "event",
    kind: "join",
    seq,
    user: { username: user },
    ts: new Date(T0).toISOString(),
  };
}

describe("order and duplicates", () => {
  test("items inserted in any order are held in seq order", () => {
    const model = new TimelineModel();
    for (const seq of [5, 2, 9, 1, 7]) model.insert(message(seq));
    assert.deepEqual(model.seqs, [1, 2, 5, 7, 9]);
    assert.equal(model.first, 1);
    assert.equal(model.last, 9);
  });

  test("insert answers the index the item went in at", () => {
    const model = new TimelineModel();
    model.insert(message(10));
    model.insert(message(30));
    assert.equal(model.insert(message(20)), 1);
    assert.equal(model.insert(message(5)), 0);
  });

  test("a seq held already is dropped, and the first item stays", () => {
    const model = new TimelineModel();
    const first = message(3);
    model.insert(first);
    assert.equal(model.insert({ ...message(3), body: "again" }), -1);
    assert.deepEqual(model.seqs, [3]);
    assert.equal(model.get(3), first);
  });

  test("an item without a usable seq is not held", () => {
    const model = new TimelineModel();
    for (const seq of [0, -1, 1.5, Number.NaN, undefined]) {
      assert.equal(model.insert({ type: "message", seq }), -1);
    }
    assert.deepEqual(model.seqs, []);
  });
});

describe("the cursor and the gaps", () => {
  test("the cursor moves over consecutive seqs and stops at the first gap", () => {
    const model = new TimelineModel();
    for (const seq of [1, 2, 4, 5]) model.insert(message(seq));
    assert.equal(model.highWater, 2);
    model.insert(message(3));
    assert.equal(model.highWater, 5);
  });

  test("missing() names every range between the cursor and the newest known seq", () => {
    const model = new TimelineModel({ highWater: 10 });
    for (const seq of [14, 15, 20]) model.insert(message(seq));
    assert.deepEqual(model.missing(25), [
      { from: 11, to: 13 },
      { from: 16, to: 19 },
      { from: 21, to: 25 },
    ]);
    assert.deepEqual(model.missing(12), [{ from: 11, to: 12 }]);
  });

  test("nothing is missing up to the cursor", () => {
    const model = new TimelineModel({ highWater: 7 });
    assert.deepEqual(model.missing(7), []);
    assert.deepEqual(model.missing(3), []);
  });

  test("seqs known absent (deleted) are not missing, and the cursor passes them", () => {
    const model = new TimelineModel();
    model.insert(message(1));
    model.insert(message(4));
    model.markAbsent(3, 3);
    assert.deepEqual(model.missing(4), [{ from: 2, to: 2 }]);
    assert.equal(model.highWater, 1);
    model.markAbsent(2, 2);
    assert.equal(model.highWater, 4);
    assert.deepEqual(model.missing(4), []);
  });

  test("markAbsent never marks a seq that is held", () => {
    const model = new TimelineModel();
    model.insert(message(2));
    model.markAbsent(1, 3);
    assert.equal(model.has(2), true);
    assert.equal(model.absent.has(2), false);
    assert.equal(model.highWater, 3);
  });

  test("nextShownAfter finds the far side of a gap", () => {
    const model = new TimelineModel();
    for (const seq of [1, 2, 8]) model.insert(message(seq));
    assert.equal(model.nextShownAfter(2), 8);
    assert.equal(model.nextShownAfter(8), null);
  });

  test("dropBelow forgets older items and absent seqs and says which went", () => {
    const model = new TimelineModel();
    for (const seq of [1, 2, 3, 6, 7]) model.insert(message(seq));
    model.markAbsent(4, 4);
    assert.deepEqual(model.dropBelow(6), [1, 2, 3]);
    assert.deepEqual(model.seqs, [6, 7]);
    assert.equal(model.has(2), false);
    assert.equal(model.absent.has(4), false);
  });
});

describe("where New messages goes", () => {
  test("before the first message after the pointer, skipping membership events", () => {
    const model = new TimelineModel();
    model.insert(message(1));
    model.insert(join(2));
    model.insert(message(3, "bob"));
    model.markerAfter = 1;
    assert.equal(model.markerSeq, 3);
  });

  test("nowhere while the items right after the pointer are not held", () => {
    const model = new TimelineModel();
    for (const seq of [40, 41, 42]) model.insert(message(seq));
    model.markerAfter = 10; // the first unread is 11: not held yet
    assert.equal(model.holdsAfter(10), false);
    assert.equal(model.markerSeq, null);
    model.markerAfter = 39;
    assert.equal(model.markerSeq, 40);
  });

  test("anywhere once the room's first item is held", () => {
    const model = new TimelineModel();
    model.insert(message(5));
    model.markerAfter = 1;
    assert.equal(model.markerSeq, null);
    model.startShown = true;
    assert.equal(model.markerSeq, 5);
  });
});

describe("grouping and days", () => {
  test("a message continues the same author's group within GROUP_MS", () => {
    const model = new TimelineModel();
    model.insert(message(1, "ada", 0));
    model.insert(message(2, "ada", GROUP_MS - 1));
    model.insert(message(3, "ada", 2 * GROUP_MS + 1));
    model.insert(message(4, "bob", 2 * GROUP_MS + 2));
    assert.equal(model.decoration(2).continuation, true);
    assert.equal(model.decoration(3).continuation, false, "too long after");
    assert.equal(model.decoration(4).continuation, false, "another author");
  });

  test("deleted authors and events never group, and the marker starts a new group", () => {
    const model = new TimelineModel();
    model.insert(message(1, null, 0));
    model.insert(message(2, null, 1));
    model.insert(join(3));
    model.insert(message(4, "ada", 2));
    model.insert(message(5, "ada", 3));
    assert.equal(model.decoration(2).continuation, false);
    assert.equal(model.decoration(4).continuation, false);
    assert.equal(model.decoration(5).continuation, true);
    model.markerAfter = 4;
    assert.equal(model.decoration(5).continuation, false);
  });

  test("the first item, and the first of each local day, start a day", () => {
    const model = new TimelineModel();
    model.insert(message(1, "ada", 0));
    model.insert(message(2, "ada", 1000));
    model.insert(message(3, "ada", 48 * 3600 * 1000));
    assert.ok(model.decoration(1).day instanceof Date);
    assert.equal(model.decoration(2).day, null);
    assert.equal(model.decoration(3).day?.getTime(), T0 + 48 * 3600 * 1000);
    assert.equal(model.decoration(3).continuation, false);
  });

  test("day labels: today, yesterday, then the date", () => {
    const now = new Date(2026, 2, 10, 15, 0);
    assert.equal(dayLabel(new Date(2026, 2, 10, 1, 0), now), "Today");
    assert.equal(dayLabel(new Date(2026, 2, 9, 23, 0), now), "Yesterday");
    assert.match(dayLabel(new Date(2026, 2, 1, 12, 0), now), /2026/);
  });

  test("authorName reads a message's author and an event's user", () => {
    assert.equal(authorName(message(1, "ada")), "ada");
    assert.equal(authorName(join(2, "bob")), "bob");
    assert.equal(authorName(message(3, null)), null);
  });

  test("a webhook's message shows its display name and is a bot's", () => {
    const hook = { ...message(1, "hook-x"), author: { username: "hook-x", display_name: "CI", bot: true } };
    assert.equal(authorName(hook), "hook-x");
    assert.equal(authorLabel(hook), "CI");
    assert.equal(authorIsBot(hook), true);
    assert.equal(authorLabel(message(2, "ada")), "ada");
    assert.equal(authorIsBot(message(2, "ada")), false);
    assert.equal(authorLabel(message(3, null)), null);
  });

  test("one webhook posting under two names starts a new group for each name", () => {
    const as = (seq, name) => ({
      ...message(seq, "hook-x"),
      author: { username: "hook-x", display_name: name, bot: true },
    });
    const model = new TimelineModel();
    for (const item of [as(1, "CI"), as(2, "CI"), as(3, "Grafana")]) model.insert(item);
    assert.equal(model.decoration(2).continuation, true);
    assert.equal(model.decoration(3).continuation, false);
    assert.notEqual(authorKey(as(1, "CI")), authorKey(as(3, "Grafana")));
    assert.equal(authorKey(message(4, "ada")), "ada");
  });
});
