// The read pointer: when a `read` frame goes, what "New messages" does, what counts as news.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  READ_EVERY_MS,
  ReadReporter,
  markerForNews,
  markerOnResubscribe,
  newsFrom,
} from "../../parley/web/static/parley/js/read_state.js";
import { FakeClock } from "./fake_clock.mjs";

function reporter({ lastRead = 0 } = {}) {
  const clock = new FakeClock();
  const sent = [];
  const state = { due: 0 };
  const reads = new ReadReporter({
    lastRead,
    send: (seq) => sent.push(seq),
    due: () => {
      state.due += 1;
    },
    clock,
  });
  return { reads, sent, clock, state };
}

describe("ReadReporter", () => {
  test("the first report that moves the pointer goes at once", () => {
    const { reads, sent } = reporter({ lastRead: 4 });
    assert.equal(reads.report(9), true);
    assert.deepEqual(sent, [9]);
  });

  test("a report at or below the pointer sends nothing", () => {
    const { reads, sent } = reporter({ lastRead: 9 });
    assert.equal(reads.report(9), false);
    assert.equal(reads.report(3), false);
    assert.deepEqual(sent, []);
  });

  test("at most one frame per READ_EVERY_MS: a later report waits, then is due", () => {
    const { reads, sent, clock, state } = reporter();
    reads.report(5);
    clock.advance(500);
    assert.equal(reads.report(6), false);
    assert.equal(reads.report(7), false);
    assert.deepEqual(sent, [5]);
    assert.equal(clock.waiting, 1, "one timer for both");
    clock.advance(READ_EVERY_MS - 501);
    assert.equal(state.due, 0);
    clock.advance(1);
    assert.equal(state.due, 1);
    assert.equal(reads.report(7), true);
    assert.deepEqual(sent, [5, 7]);
  });

  test("flush sends the held-back report at once, but only while live", () => {
    const live = reporter();
    live.reads.report(5);
    live.reads.report(8);
    live.reads.flush(true);
    assert.deepEqual(live.sent, [5, 8]);
    assert.equal(live.clock.waiting, 0);

    const offline = reporter();
    offline.reads.report(5);
    offline.reads.report(8);
    offline.reads.flush(false);
    assert.deepEqual(offline.sent, [5]);
  });

  test("a `read` from the server moves the pointer: nothing below it is reported", () => {
    const { reads, sent } = reporter();
    reads.serverRead(12);
    assert.equal(reads.lastRead, 12);
    assert.equal(reads.report(12), false);
    assert.deepEqual(sent, []);
  });

  test("after a resubscribe, a report lost with the old connection is sent again", () => {
    const { reads, sent, clock } = reporter({ lastRead: 3 });
    reads.report(10); // lost with the connection: the server still says 3
    clock.advance(READ_EVERY_MS);
    reads.resubscribed(3);
    assert.equal(reads.report(10), true);
    assert.deepEqual(sent, [10, 10]);
  });
});

describe("New messages", () => {
  test("news puts the marker at the pointer when nothing was marked", () => {
    assert.equal(markerForNews({ markerAfter: null, lastRead: 7, firstNews: 9 }), 7);
  });

  test("news never puts the marker after the first message that arrived", () => {
    assert.equal(markerForNews({ markerAfter: null, lastRead: 20, firstNews: 9 }), 8);
  });

  test("a marker that still marks unread messages stays", () => {
    assert.equal(markerForNews({ markerAfter: 7, lastRead: 7, firstNews: 12 }), null);
  });

  test("a marker whose messages were read since moves to the new ones", () => {
    assert.equal(markerForNews({ markerAfter: 3, lastRead: 7, firstNews: 12 }), 7);
  });

  test("a resubscribe with unread messages marks the pointer, without them nothing", () => {
    assert.equal(markerOnResubscribe({ markerAfter: null, lastRead: 5, unread: 2 }), 5);
    assert.equal(markerOnResubscribe({ markerAfter: null, lastRead: 5, unread: 0 }), null);
    assert.equal(markerOnResubscribe({ markerAfter: 5, lastRead: 5, unread: 2 }), null);
  });

  test("news is other people's messages: the count and the first seq", () => {
    const items = [
      { type: "message", seq: 4, author: { username: "me" } },
      { type: "event", kind: "join", seq: 5, user: { username: "bob" } },
      { type: "message", seq: 6, author: { username: "bob" } },
      { type: "message", seq: 7, author: null },
    ];
    assert.deepEqual(newsFrom(items, "me"), { count: 2, first: 6 });
    assert.deepEqual(newsFrom([], "me"), { count: 0, first: null });
  });
});
