// @ts-check
// Unread counts per room, kept live over the page's one socket (the room page's sidebar, the
// home page's cards): unread_counts.js counts, this module listens and shows the badges.
//
// A badge is any element with data-unread-room="<slug>" that holds [data-unread-badge] (hidden
// at 0) and [data-unread-count]. A room followed here is subscribed (without `after`: only its
// live items are wanted) now and after every reconnect. A `read` that leaves messages unread
// makes the room subscribed again (harmless) so that its `subscribed` brings the server's count.

import { UnreadCounts, badgeText } from "./unread_counts.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

const RESYNC_DELAY_MS = 300;

/**
 * Show `count` in every badge of `room` on the page.
 * @param {string} room
 * @param {number} count
 * @param {ParentNode} [root]
 */
export function renderBadges(room, count, root = document) {
  const selector = `[data-unread-room="${CSS.escape(room)}"]`;
  for (const holder of root.querySelectorAll(selector)) {
    if (!(holder instanceof HTMLElement)) continue;
    if (holder.dataset.unread === String(count)) continue; // unchanged (called on every scroll)
    holder.dataset.unread = String(count);
    const badge = /** @type {HTMLElement | null} */ (holder.querySelector("[data-unread-badge]"));
    const number = holder.querySelector("[data-unread-count]");
    if (number) number.textContent = badgeText(count);
    if (badge) badge.hidden = count <= 0;
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
   * @param {{count?: number, lastSeq?: number, follow?: boolean}} [numbers]
   */
  track(room, { count = 0, lastSeq = 0, follow = false } = {}) {
    this.counts.track(room, { count, lastSeq });
    if (follow && !this.followed.has(room)) {
      this.followed.add(room);
      this.socket.watch(room, { after: () => null });
    }
    this.render(room);
  }

  /** @param {string} room */
  untrack(room) {
    if (!this.counts.has(room)) return;
    if (this.followed.delete(room)) this.socket.unwatch(room);
    this.counts.untrack(room);
    clearTimeout(this.resyncTimers.get(room));
    this.resyncTimers.delete(room);
    renderBadges(room, 0);
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
    renderBadges(room, this.shown(room));
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
