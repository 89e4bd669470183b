// @ts-check
// The user's read pointer in the room page, as data: what the server last said it is, what the
// page reported since, when the next `read` frame may go, where "New messages" goes, and how
// many messages from others arrived unseen. No DOM and no socket: room.js sends the frames.
//
// While the room is visible and scrolled to its end, the page reports the last seq it shows
// with a `read` frame: at most one per READ_EVERY_MS, and only when that moves the pointer. The
// server answers every connection of the user with `read`, which clears badges in other tabs.

import { realClock } from "./clock.js";

/** @typedef {import("./clock.js").Clock} Clock */
/** @typedef {import("./timeline_model.js").Item} Item */

/** At most one `read` frame this often. */
export const READ_EVERY_MS = 2000;

export class ReadReporter {
  /**
   * `send(seq)` sends a `read` frame; `due()` is called when a report the throttle held back
   * may go (it reports again, with what the page shows then).
   * @param {object} options
   * @param {number} [options.lastRead]  the pointer as the page was rendered with it
   * @param {(seq: number) => void} options.send
   * @param {() => void} options.due
   * @param {number} [options.every]
   * @param {Clock} [options.clock]
   */
  constructor({ lastRead = 0, send, due, every = READ_EVERY_MS, clock = realClock }) {
    /** The user's read pointer as the server last told it. */
    this.lastRead = lastRead;
    /** The highest seq reported since. */
    this.sent = lastRead;
    this.sentAt = -Infinity;
    /** The seq a held-back report will carry (0: none). */
    this.held = 0;
    /** @type {unknown} */
    this.timer = null;
    this.send = send;
    this.due = due;
    this.every = every;
    this.clock = clock;
  }

  /** The pointer with what this page reported: a report at or below it says nothing new. */
  get pointer() {
    return Math.max(this.lastRead, this.sent);
  }

  /**
   * The page shows everything up to `seq`, read: report it now, or once the throttle allows.
   * Returns whether a frame went now.
   * @param {number} seq
   * @returns {boolean}
   */
  report(seq) {
    if (seq <= this.pointer) return false;
    const wait = this.sentAt + this.every - this.clock.now();
    if (wait > 0) {
      this.held = seq;
      if (this.timer === null) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = null;
          this.held = 0;
          this.due();
        }, wait);
      }
      return false;
    }
    this.sendNow(seq);
    return true;
  }

  /**
   * Send a report the throttle is holding back, at once (the page is hidden or left).
   * @param {boolean} live  whether a frame can go at all
   */
  flush(live) {
    if (this.timer === null) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    const seq = this.held;
    this.held = 0;
    if (seq > this.pointer && live) this.sendNow(seq);
  }

  /** @param {number} seq */
  sendNow(seq) {
    this.sentAt = this.clock.now();
    this.sent = seq;
    this.send(seq);
  }

  /**
   * A `read` frame: the pointer moved (here or in another tab).
   * @param {number} seq
   */
  serverRead(seq) {
    if (seq > this.lastRead) this.lastRead = seq;
    if (seq > this.sent) this.sent = seq;
  }

  /**
   * A `subscribed` with `last_read`: the pointer as the server has it. A report lost with the
   * old connection is sent again (what was sent no longer counts).
   * @param {number} lastRead
   */
  resubscribed(lastRead) {
    this.lastRead = lastRead;
    this.sent = lastRead;
  }
}

/**
 * Where "New messages" goes when unread news arrives: the new `markerAfter`, or null to leave
 * the marker where it is (it still marks something unread).
 * @param {object} state
 * @param {number | null} state.markerAfter  where the marker is now (null: none)
 * @param {number} state.lastRead  the user's pointer
 * @param {number} state.firstNews  the seq of the first unread message that arrived
 * @returns {number | null}
 */
export function markerForNews({ markerAfter, lastRead, firstNews }) {
  if (markerAfter !== null && markerAfter >= lastRead) return null;
  return Math.min(lastRead, firstNews - 1);
}

/**
 * Back after a reconnect: "New messages" moves to the pointer when the server counts unread
 * messages and the marker does not still mark unread ones; null leaves it.
 * @param {object} state
 * @param {number | null} state.markerAfter
 * @param {number} state.lastRead
 * @param {unknown} state.unread  the `subscribed` frame's `unread`
 * @returns {number | null}
 */
export function markerOnResubscribe({ markerAfter, lastRead, unread }) {
  const news = Number.isInteger(unread) && /** @type {number} */ (unread) > 0;
  if (!news || (markerAfter !== null && markerAfter >= lastRead)) return null;
  return lastRead;
}

/**
 * The messages from others among `items` (newly shown): how many, and the first one's seq.
 * @param {Item[]} items
 * @param {string} me
 * @returns {{count: number, first: number | null}}
 */
export function newsFrom(items, me) {
  let count = 0;
  /** @type {number | null} */
  let first = null;
  for (const item of items) {
    if (item.type !== "message" || item.author?.username === me) continue;
    count += 1;
    if (first === null) first = item.seq;
  }
  return { count, first };
}
