// Which `history` requests the page makes: older pages, gap fills within the server's maximum
// page, deleted seqs, the jump to the newest page, the way back to the first unread.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  GapFiller,
  absentSeqs,
  clampLimit,
  gapStep,
  loadBackLimit,
  olderRemain,
  olderRequest,
  shouldLoadBack,
} from "../../parley/web/static/parley/js/history_plan.js";
import { TimelineModel } from "../../parley/web/static/parley/js/timeline_model.js";
import { FakeClock, settled } from "./fake_clock.mjs";

const HISTORY_MAX = 200;

function message(seq) {
  return { type: "message", seq, author: { username: "ada" }, body: `m${seq}` };
}

function holding(seqs, highWater = 0) {
  const model = new TimelineModel({ highWater });
  for (const seq of seqs) model.insert(message(seq));
  return model;
}

/**
 * A server for `history` requests over the seqs `stored`: the newest `limit` below `before`,
 * as the real one answers them (docs/protocol.md).
 */
function server(stored) {
  const requests = [];
  const request = async (frame) => {
    requests.push(frame);
    assert.ok(frame.limit >= 1 && frame.limit <= HISTORY_MAX, `limit ${frame.limit}`);
    const below = stored.filter((seq) => frame.before === undefined || seq < frame.before);
    const page = below.slice(-frame.limit);
    return {
      type: "history",
      items: page.map(message),
      has_more: below.length > page.length,
    };
  };
  return { request, requests };
}

function filler(timeline, request, overrides = {}) {
  return new GapFiller({
    timeline,
    room: "lobby",
    request,
    show: (items) => {
      for (const item of items) timeline.insert(item);
    },
    canFill: () => true,
    historyMax: HISTORY_MAX,
    historyPage: 50,
    clock: new FakeClock(),
    ...overrides,
  });
}

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

describe("older pages", () => {
  test("the page above the oldest item held, no bigger than the server allows", () => {
    const frame = olderRequest({
      room: "lobby",
      first: 71,
      highWater: 120,
      limit: 500,
      historyMax: HISTORY_MAX,
    });
    assert.deepEqual(frame, { type: "history", room: "lobby", before: 71, limit: HISTORY_MAX });
  });

  test("holding nothing, the page above the cursor", () => {
    const frame = olderRequest({
      room: "lobby",
      first: null,
      highWater: 9,
      limit: 50,
      historyMax: HISTORY_MAX,
    });
    assert.equal(frame.before, 10);
    assert.equal(frame.limit, 50);
  });

  test("limits are whole and at least 1", () => {
    assert.equal(clampLimit(0, HISTORY_MAX), 1);
    assert.equal(clampLimit(12.7, HISTORY_MAX), 12);
    assert.equal(clampLimit(201, HISTORY_MAX), HISTORY_MAX);
  });

  test("older items remain only while the server says so and sends some", () => {
    assert.equal(olderRemain({ type: "history", items: [message(1)], has_more: true }), true);
    assert.equal(olderRemain({ type: "history", items: [], has_more: true }), false);
    assert.equal(olderRemain({ type: "history", items: [message(1)], has_more: false }), false);
  });
});

describe("gap steps", () => {
  test("nothing to do when the cursor is at the newest known seq", () => {
    assert.equal(gapStep(holding([1, 2, 3]), { target: 3, historyMax: HISTORY_MAX }), null);
  });

  test("the oldest gap is asked for, up to the item held after it", () => {
    const timeline = holding([1, 2, 3, 8, 9]);
    assert.deepEqual(gapStep(timeline, { target: 9, historyMax: HISTORY_MAX }), {
      hole: 4,
      before: 8,
      limit: 4,
    });
  });

  test("a gap bigger than the server's page is asked for in pages of historyMax", () => {
    const timeline = holding([1, 500]);
    const step = gapStep(timeline, { target: 500, historyMax: HISTORY_MAX });
    assert.deepEqual(step, { hole: 2, before: 500, limit: HISTORY_MAX });
  });

  test("beyond the newest held, up to the newest known", () => {
    const step = gapStep(holding([1, 2]), { target: 5, historyMax: HISTORY_MAX });
    assert.deepEqual(step, { hole: 3, before: 6, limit: 3 });
  });

  test("too far behind: jump", () => {
    const step = gapStep(holding([1]), {
      target: 1002,
      historyMax: HISTORY_MAX,
      jumpThreshold: 1000,
    });
    assert.deepEqual(step, { jump: true });
  });

  test("seqs the answer lacks in the range it covers do not exist", () => {
    assert.deepEqual(
      absentSeqs({ hole: 4, before: 9, returned: [5, 7], hasMore: false }),
      [4, 6, 8],
    );
    // With older items left, the answer covers only down to its oldest item.
    assert.deepEqual(absentSeqs({ hole: 4, before: 9, returned: [6, 8], hasMore: true }), [7]);
    assert.deepEqual(absentSeqs({ hole: 4, before: 9, returned: [], hasMore: true }), []);
  });
});

describe("the way back to the first unread", () => {
  test("loads back when the first unread is above the page, within the limit", () => {
    assert.equal(shouldLoadBack({ first: 50, markerAfter: 20, holds: false }), true);
    assert.equal(shouldLoadBack({ first: 50, markerAfter: 20, holds: true }), false);
    assert.equal(
      shouldLoadBack({ first: 1500, markerAfter: 20, holds: false, loadMax: 1000 }),
      false,
    );
    assert.equal(shouldLoadBack({ first: null, markerAfter: 20, holds: false }), false);
    assert.equal(shouldLoadBack({ first: 50, markerAfter: null, holds: false }), false);
  });

  test("each page goes up to the first unread with some context, within historyMax", () => {
    assert.equal(
      loadBackLimit({ first: 61, markerAfter: 50, historyMax: HISTORY_MAX, context: 10 }),
      20,
    );
    assert.equal(
      loadBackLimit({ first: 900, markerAfter: 50, historyMax: HISTORY_MAX }),
      HISTORY_MAX,
    );
  });
});

describe("GapFiller", () => {
  test("fills a gap of 450 in requests within the server's maximum, oldest part last", async () => {
    const stored = range(1, 460);
    const timeline = holding([...range(1, 9), 460], 0);
    const { request, requests } = server(stored);
    const gaps = filler(timeline, request, { knownLast: 460 });
    await gaps.fill();
    assert.deepEqual(timeline.seqs, stored);
    assert.equal(timeline.highWater, 460);
    assert.deepEqual(
      requests.map(({ before, limit }) => [before, limit]),
      [
        [460, 200],
        [260, 200],
        [60, 50],
      ],
    );
  });

  test("deleted items are passed over and the fill ends", async () => {
    const stored = [1, 2, 3, 6, 8, 9, 10];
    const timeline = holding([1, 2, 3, 10]);
    const { request, requests } = server(stored);
    await filler(timeline, request, { knownLast: 10 }).fill();
    assert.deepEqual(timeline.seqs, stored);
    assert.equal(timeline.highWater, 10);
    assert.equal(requests.length, 1);
  });

  test("what the server announced beyond the newest held is fetched too", async () => {
    const timeline = holding([1, 2, 3]);
    const { request } = server(range(1, 7));
    const gaps = filler(timeline, request);
    gaps.see(7);
    assert.equal(gaps.behind, true);
    await gaps.fill();
    assert.equal(timeline.highWater, 7);
    assert.equal(gaps.behind, false);
  });

  test("far behind, the newest page is shown instead, and the rest is left to paging", async () => {
    const timeline = holding([1, 2]);
    const { request, requests } = server(range(1, 3000));
    const jumps = [];
    const gaps = filler(timeline, request, {
      knownLast: 3000,
      onJump: (reply) => jumps.push(reply.has_more),
    });
    await gaps.fill();
    assert.deepEqual(requests, [{ type: "history", room: "lobby", limit: 50 }]);
    assert.deepEqual(timeline.seqs, range(2951, 3000));
    assert.equal(timeline.highWater, 3000);
    assert.deepEqual(jumps, [true]);
  });

  test("a refused request stops the fill (the next subscribe resumes it)", async () => {
    const timeline = holding([1, 9]);
    let calls = 0;
    const request = async () => {
      calls += 1;
      return { type: "error", code: "disconnected", client: true };
    };
    await filler(timeline, request, { knownLast: 9 }).fill();
    assert.equal(calls, 1);
    assert.equal(timeline.highWater, 1);
  });

  test("nothing is asked while it cannot fill", async () => {
    const timeline = holding([1, 9]);
    const { request, requests } = server(range(1, 9));
    await filler(timeline, request, { knownLast: 9, canFill: () => false }).fill();
    assert.deepEqual(requests, []);
  });

  test("schedule() runs one fill at the earliest time asked", async () => {
    const timeline = holding([1, 5]);
    const { request, requests } = server(range(1, 5));
    const clock = new FakeClock();
    const gaps = filler(timeline, request, { knownLast: 5, clock });
    gaps.schedule(1500);
    gaps.schedule(300);
    gaps.schedule(2000);
    assert.equal(clock.waiting, 1);
    clock.advance(299);
    assert.equal(requests.length, 0);
    clock.advance(1);
    await settled();
    assert.equal(requests.length, 1);
    assert.equal(timeline.highWater, 5);
  });

  test("a fill asked for during a run sends nothing more; the run fetches it", async () => {
    const timeline = holding([1, 4]);
    const stored = range(1, 8);
    const replies = [];
    const request = (frame) => new Promise((resolve) => replies.push({ frame, resolve }));
    const gaps = filler(timeline, request, { knownLast: 4 });
    const running = gaps.fill();
    gaps.see(8);
    gaps.fill(); // while the first request is out: remembered, not sent
    assert.equal(replies.length, 1);
    const answer = ({ frame, resolve }) => {
      const below = stored.filter((seq) => seq < frame.before).slice(-frame.limit);
      resolve({ type: "history", items: below.map(message), has_more: false });
    };
    answer(replies[0]);
    await settled();
    assert.equal(replies.length, 2, "the second run asks for what was announced meanwhile");
    answer(replies[1]);
    await running;
    assert.equal(timeline.highWater, 8);
  });
});
