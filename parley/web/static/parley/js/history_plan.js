// @ts-check
// Which `history` requests the room page makes, given what it holds: the page of older items
// above the first one, the gaps between the cursor and the newest seq the server has announced
// (an ack that overtook its item, a backlog cut short, a reconnect), and the way back to the
// first unread. Every request respects the server's maximum page (`historyMax` from config.js).
// No DOM: room.js shows what comes back.
//
// Gap filling: `history` answers with the newest items below `before`, so a seq in the answered
// range that is not in the answer does not exist (an admin deleted it) and the cursor passes
// it. Missing more than `jumpThreshold` items, the page shows the newest page instead of loading
// them all; the rest is one scroll up away.

import { realClock } from "./clock.js";

/** @typedef {import("./clock.js").Clock} Clock */
/** @typedef {import("./timeline_model.js").Item} Item */
/** @typedef {import("./timeline_model.js").SeqRange} SeqRange */

/**
 * What the gap filler needs of a timeline (TimelineModel, or timeline.js's Timeline over one).
 * @typedef {object} TimelineLike
 * @property {number} highWater
 * @property {number | null} first
 * @property {number | null} last
 * @property {(upTo: number) => SeqRange[]} missing
 * @property {(from: number, to: number) => void} markAbsent
 * @property {(seq: number) => unknown} dropBelow
 */

/**
 * A `history` request: the `limit` items just below `before` (without it: the newest ones).
 * @typedef {{type: "history", room: string, before?: number, limit: number}} HistoryFrame
 */

/**
 * The server's answer to a request (its `history` reply or an `error`, also one made by the
 * client: `disconnected`, `timeout`).
 * @typedef {{type: string, items?: Item[], has_more?: boolean, [key: string]: unknown}} Reply
 */

/** Missing more than this many items: show the newest page instead of loading them all. */
export const JUMP_THRESHOLD = 1000;
/** The first unread at most this many items above the oldest held: the page loads back to it. */
export const UNREAD_LOAD_MAX = 1000;
/** Read items loaded above the first unread, for context. */
export const UNREAD_CONTEXT = 10;
/**
 * Items published by the server reach the socket in order, but an ack may overtake the item
 * before it: wait this long before asking for a "missing" one.
 */
export const GAP_GRACE_MS = 300;

/**
 * `limit` within what the server accepts (1…historyMax).
 * @param {number} limit
 * @param {number} historyMax
 */
export function clampLimit(limit, historyMax) {
  return Math.max(1, Math.min(historyMax, Math.floor(limit)));
}

/**
 * The request for the page above the oldest item held (or above the cursor, holding none).
 * @param {object} state
 * @param {string} state.room
 * @param {number | null} state.first
 * @param {number} state.highWater
 * @param {number} state.limit
 * @param {number} state.historyMax
 * @returns {HistoryFrame}
 */
export function olderRequest({ room, first, highWater, limit, historyMax }) {
  const before = first ?? highWater + 1;
  return { type: "history", room, before, limit: clampLimit(limit, historyMax) };
}

/**
 * Whether older items remain after a page of them came: the server says so, and the page was
 * not empty.
 * @param {Reply} reply
 */
export function olderRemain(reply) {
  return Boolean(reply.has_more) && (reply.items?.length ?? 0) > 0;
}

/**
 * The next step towards holding every seq up to `target`: null when nothing is missing,
 * {jump: true} when too much is, or what to ask for the newest part of the oldest gap (`hole`
 * is the gap's first seq).
 * @param {TimelineLike} timeline
 * @param {object} options
 * @param {number} options.target  the newest seq known to exist
 * @param {number} options.historyMax
 * @param {number} [options.jumpThreshold]
 * @returns {null | {jump: true} | {hole: number, before: number, limit: number}}
 */
export function gapStep(timeline, { target, historyMax, jumpThreshold = JUMP_THRESHOLD }) {
  if (target <= timeline.highWater) return null;
  if (target - timeline.highWater > jumpThreshold) return { jump: true };
  const [gap] = timeline.missing(target);
  if (!gap) return null;
  const before = gap.to + 1;
  return { hole: gap.from, before, limit: Math.min(historyMax, before - gap.from) };
}

/**
 * The seqs of an answered gap request that do not exist: every seq from `hole` (or, when older
 * items remain, from the oldest one returned) below `before` that the answer lacks.
 * @param {object} answer
 * @param {number} answer.hole
 * @param {number} answer.before
 * @param {number[]} answer.returned  the seqs in the answer
 * @param {boolean} answer.hasMore
 * @returns {number[]}
 */
export function absentSeqs({ hole, before, returned, hasMore }) {
  const got = new Set(returned);
  const lowest = hasMore ? Math.min(...returned) : hole;
  const absent = [];
  for (let seq = Math.max(hole, lowest); seq < before; seq += 1) {
    if (!got.has(seq)) absent.push(seq);
  }
  return absent;
}

/**
 * Whether to page back to the first unread (just after `markerAfter`) when the page opens: it
 * is not held, and at most `loadMax` items above the oldest one held.
 * @param {object} state
 * @param {number | null} state.first
 * @param {number | null} state.markerAfter
 * @param {boolean} state.holds  whether the items right after `markerAfter` are held
 * @param {number} [state.loadMax]
 */
export function shouldLoadBack({ first, markerAfter, holds, loadMax = UNREAD_LOAD_MAX }) {
  if (markerAfter === null || first === null || holds) return false;
  return first - markerAfter <= loadMax;
}

/**
 * The size of the next page back towards the first unread: up to it, with some context.
 * @param {object} state
 * @param {number} state.first
 * @param {number} state.markerAfter
 * @param {number} state.historyMax
 * @param {number} [state.context]
 */
export function loadBackLimit({ first, markerAfter, historyMax, context = UNREAD_CONTEXT }) {
  return clampLimit(first - markerAfter - 1 + context, historyMax);
}

/**
 * Keeps the timeline whole: once the server has announced seqs the page does not hold, fetches
 * them with `history`, one request at a time, until none is missing.
 */
export class GapFiller {
  /**
   * @param {object} options
   * @param {TimelineLike} options.timeline
   * @param {string} options.room
   * @param {(frame: HistoryFrame) => Promise<Reply>} options.request  the socket's request()
   * @param {(items: Item[]) => void} options.show  shows history items (gap fills, not news)
   * @param {(reply: Reply) => void} [options.onJump]  after showing the newest page instead
   * @param {() => boolean} options.canFill  the socket is live and the room still open
   * @param {number} options.historyMax
   * @param {number} options.historyPage
   * @param {number} [options.knownLast]
   * @param {number} [options.jumpThreshold]
   * @param {Clock} [options.clock]
   */
  constructor({
    timeline,
    room,
    request,
    show,
    onJump = () => {},
    canFill,
    historyMax,
    historyPage,
    knownLast = 0,
    jumpThreshold = JUMP_THRESHOLD,
    clock = realClock,
  }) {
    this.timeline = timeline;
    this.room = room;
    this.request = request;
    this.show = show;
    this.onJump = onJump;
    this.canFill = canFill;
    this.historyMax = historyMax;
    this.historyPage = historyPage;
    this.jumpThreshold = jumpThreshold;
    this.clock = clock;
    /** The newest seq the server is known to have. */
    this.knownLast = knownLast;
    /** @type {unknown} */
    this.timer = null;
    this.due = 0;
    this.filling = false;
    this.again = false;
  }

  /**
   * The server has `seq` (an item, a `subscribed`'s or `backlog_truncated`'s `last_seq`).
   * @param {unknown} seq
   */
  see(seq) {
    if (Number.isInteger(seq) && /** @type {number} */ (seq) > this.knownLast) {
      this.knownLast = /** @type {number} */ (seq);
    }
  }

  /** Whether something the server has is above what is held without a gap. */
  get behind() {
    return this.timeline.last !== null && this.knownLast > this.timeline.highWater;
  }

  /**
   * Fill in `delay` ms (sooner if already due sooner).
   * @param {number} delay
   */
  schedule(delay) {
    const due = this.clock.now() + delay;
    if (this.timer !== null && this.due <= due) return;
    this.clock.clearTimeout(this.timer);
    this.due = due;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.fill();
    }, delay);
  }

  /** Fetch every seq between the cursor and the newest known one; one run at a time. */
  async fill() {
    if (this.filling) {
      this.again = true;
      return;
    }
    this.filling = true;
    try {
      do {
        this.again = false;
        while (this.canFill()) {
          const target = Math.max(this.knownLast, this.timeline.last ?? 0);
          const step = gapStep(this.timeline, {
            target,
            historyMax: this.historyMax,
            jumpThreshold: this.jumpThreshold,
          });
          if (step === null) break;
          if ("jump" in step) {
            if (!(await this.jumpToNewest())) break;
            continue;
          }
          const { hole, before, limit } = step;
          const reply = await this.request({ type: "history", room: this.room, before, limit });
          if (reply.type !== "history") break; // resubscribing after a reconnect resumes it
          const items = reply.items ?? [];
          const cursor = this.timeline.highWater;
          this.show(items);
          const returned = items.map((item) => item.seq);
          const hasMore = Boolean(reply.has_more);
          for (const seq of absentSeqs({ hole, before, returned, hasMore })) {
            this.timeline.markAbsent(seq, seq);
          }
          if (this.timeline.highWater === cursor && !returned.some((seq) => seq >= hole)) break;
        }
      } while (this.again);
    } finally {
      this.filling = false;
    }
  }

  /** Far behind: show the newest page and let the reader scroll back for the rest. */
  async jumpToNewest() {
    const limit = clampLimit(this.historyPage, this.historyMax);
    const reply = await this.request({ type: "history", room: this.room, limit });
    const items = reply.items ?? [];
    if (reply.type !== "history" || !items.length) return false;
    const seqs = items.map((item) => item.seq);
    const low = Math.min(...seqs);
    const high = Math.max(...seqs);
    this.timeline.dropBelow(low);
    this.timeline.highWater = low - 1;
    this.show(items);
    this.timeline.markAbsent(low, high);
    this.see(high);
    this.onJump(reply);
    return true;
  }
}
