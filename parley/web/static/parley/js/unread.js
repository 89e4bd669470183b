// @ts-check
// Unread counts per room, kept live over the page's one socket (the room page's sidebar, the
// home page's cards): unread_counts.js counts, this module listens and shows the badges.
//
// A badge holder is any element with data-unread-room="<slug>"; it may hold [data-unread-badge]
// with [data-unread-count] (hidden at 0, and in a room at level "none"), [data-unread-dot] (shown
// instead of the number in a room at level "none") and [data-mention-badge] with
// [data-mention-count] (hidden at 0). The holder's data-unread, data-mentions and data-level say
// the numbers too (the CSS styles by them). A room followed here is subscribed (without `after`:
// only its live items are wanted) now and after every reconnect. A `read` that leaves messages
// unread makes the room subscribed again (harmless) so that its `subscribed` brings the server's
// counts.

import { UnreadCounts, badges } from "./unread_counts.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./unread_counts.js").Shown} Shown */

const RESYNC_DELAY_MS = 300;

/**
 * Show a room's numbers in every badge holder of `room` on the page.
 * @param {string} room
 * @param {Shown} numbers
 * @param {ParentNode} [root]
 */
export function renderBadges(room, { count, mentions, level }, root = document) {
  const selector = `[data-unread-room="${CSS.escape(room)}"]`;
  const shown = badges({ count, mentions, level });
  for (const holder of root.querySelectorAll(selector)) {
    if (!(holder instanceof HTMLElement)) continue;
    const { dataset } = holder;
    const same =
      dataset.unread === String(count) &&
      (dataset.mentions ?? "0") === String(mentions) &&
      (dataset.level ?? "") === level;
    if (same) continue; // unchanged (this runs on every scroll of the room page)
    dataset.unread = String(count);
    dataset.mentions = String(mentions);
    dataset.level = level;
    holder.classList.toggle("is-muted", level === "none");
    /** @param {string} name */
    const part = (name) => /** @type {HTMLElement | null} */ (holder.querySelector(`[data-${name}]`));
    const number = part("unread-count");
    if (number && shown.unread !== null) number.textContent = shown.unread;
    const badge = part("unread-badge");
    if (badge) badge.hidden = shown.unread === null;
    const dot = part("unread-dot");
    if (dot) dot.hidden = !shown.dot;
    const mentionNumber = part("mention-count");
    if (mentionNumber && shown.mentions !== null) mentionNumber.textContent = shown.mentions;
    const mentionBadge = part("mention-badge");
    if (mentionBadge) mentionBadge.hidden = shown.mentions === null;
  }
}

export class UnreadTracker {
  /**
   * `reading(room)` says whether the page shows that room, visible and scrolled to its end (or
   * otherwise needs no count for it): its badge then shows 0 and new messages do not count
   * (the page reports them read). `onChange(tracker)` follows every change of a number.
   * @param {ParleySocket} socket
   * @param {object} options
   * @param {string} options.me
   * @param {(room: string) => boolean} [options.reading]
   * @param {((tracker: UnreadTracker) => void) | null} [options.onChange]
   */
  constructor(socket, { me, reading = () => false, onChange = null }) {
    this.socket = socket;
    this.reading = reading;
    this.onChange = onChange;
    this.counts = new UnreadCounts({ me });
    /** @type {Set<string>} rooms subscribed by this tracker */
    this.followed = new Set();
    /** @type {Map<string, ReturnType<typeof setTimeout>>} */
    this.resyncTimers = new Map();
    socket.on("subscribed", (frame) => {
      if (this.counts.subscribed(frame)) this.render(frame.room);
    });
    socket.on("message", (frame) => {
      if (this.counts.message(frame, this.reading(frame.room))) this.render(frame.room);
    });
    socket.on("notify", (frame) => {
      if (this.counts.level(frame)) this.render(frame.room);
    });
    socket.on("read", (frame) => {
      const outcome = this.counts.read(frame);
      if (outcome === "cleared") this.render(frame.room);
      else if (outcome === "resync") this.resync(frame.room);
    });
    socket.on("unsubscribed", (frame) => {
      // Removed from a private room: nothing more of it comes, and nothing of it is unread.
      if (frame.reason !== "removed" || !this.counts.removed(frame.room)) return;
      if (this.followed.delete(frame.room)) this.socket.unwatch(frame.room, { unsubscribe: false });
      this.render(frame.room);
    });
  }

  /**
   * Count `room` from the page's numbers. With `follow`, subscribe to it (and again after
   * every reconnect) without `after`: only its live items are wanted.
   * @param {string} room
   * @param {{count?: number, lastSeq?: number, mentions?: number, level?: string,
   *   follow?: boolean}} [numbers]
   */
  track(room, { count = 0, lastSeq = 0, mentions = 0, level = "", follow = false } = {}) {
    this.counts.track(room, { count, lastSeq, mentions, level });
    if (follow && !this.followed.has(room)) {
      this.followed.add(room);
      this.socket.watch(room, { after: () => null });
    }
    this.render(room);
  }

  /** @param {string} room */
  /**
   * The room's view opened (room_view.js): it watches the room itself (with `after`), which
   * replaces this tracker's watch; the numbers the page came with count if none are held.
   * @param {string} room
   * @param {{count?: number, lastSeq?: number}} numbers
   */
  open(room, { count = 0, lastSeq = 0 }) {
    if (!this.counts.has(room)) this.counts.track(room, { count, lastSeq });
    this.followed.delete(room);
    this.render(room);
  }

  /**
   * The room's view closed: a member's room is followed again for its counts (subscribed
   * without `after`: harmless); any other room is let go.
   * @param {string} room
   * @param {{member: boolean}} options
   */
  close(room, { member }) {
    if (member && this.counts.has(room)) {
      this.followed.add(room);
      this.socket.watch(room, { after: () => null });
      this.render(room);
    } else {
      if (this.socket.isLive) this.socket.send({ type: "unsubscribe", room });
      this.untrack(room);
    }
  }

  /**
   * The newest seq known of `room` (0 when not tracked).
   * @param {string} room
   */
  lastSeq(room) {
    return this.counts.rooms.get(room)?.lastSeq ?? 0;
  }

  untrack(room) {
    if (!this.counts.has(room)) return;
    if (this.followed.delete(room)) this.socket.unwatch(room);
    this.counts.untrack(room);
    clearTimeout(this.resyncTimers.get(room));
    this.resyncTimers.delete(room);
    renderBadges(room, { count: 0, mentions: 0, level: "" });
    this.changed();
  }

  /** @param {string} room */
  has(room) {
    return this.counts.has(room);
  }

  /**
   * The number shown for `room`.
   * @param {string} room
   */
  shown(room) {
    return this.counts.shown(room, this.reading(room));
  }

  /**
   * Rooms other than `except` with something unread, their numbers added up.
   * @param {string} except
   */
  unreadElsewhere(except) {
    return this.counts.elsewhere(except, this.reading);
  }

  /** @param {string} room */
  render(room) {
    if (!this.counts.has(room)) return;
    renderBadges(room, this.counts.shownAll(room, this.reading(room)));
    this.changed();
  }

  changed() {
    if (this.onChange) this.onChange(this);
  }

  /**
   * Ask the server for the room's count again (a new `subscribed`).
   * @param {string} room
   */
  resync(room) {
    if (this.resyncTimers.has(room)) return;
    const timer = setTimeout(() => {
      this.resyncTimers.delete(room);
      if (this.counts.has(room) && this.socket.isLive) {
        this.socket.request({ type: "subscribe", room });
      }
    }, RESYNC_DELAY_MS);
    this.resyncTimers.set(room, timer);
  }
}

/**
 * The numbers a badge holder was rendered with (data-unread, data-last-seq, data-mentions,
 * data-level).
 * @param {HTMLElement} holder
 */
export function numbersOf(holder) {
  const { unread, lastSeq, mentions, level } = holder.dataset;
  return {
    count: Number.parseInt(unread ?? "", 10) || 0,
    lastSeq: Number.parseInt(lastSeq ?? "", 10) || 0,
    mentions: Number.parseInt(mentions ?? "", 10) || 0,
    level: level ?? "",
  };
}
