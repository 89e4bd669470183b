// @ts-check
// The one place that decides the tab's title, its favicon and the installed app's badge from the
// page's unread counts (unread.js): "(3) general · Parley" with the messages that are for the
// user (notify_rules.js tabAttention), a favicon with a red dot while a mention or a direct
// message is unread, and navigator.setAppBadge(3) where the browser has it. The page's own
// title (the room's, after a switch without reload) is given with setBase().

import { bareTitle, tabAttention, titleWithCount } from "./notify_rules.js";

/** @typedef {import("./unread.js").UnreadTracker} UnreadTracker */
/** @typedef {import("./notify_rules.js").RoomAttention} RoomAttention */

/**
 * Every room the tracker counts, with what tabAttention needs.
 * @param {UnreadTracker} tracker
 * @param {(room: string) => boolean} isDirect
 * @param {string | null} [open]  the room open on the page
 * @returns {RoomAttention[]}
 */
export function attentionOf(tracker, isDirect, open = null) {
  return [...tracker.counts.rooms.keys()].map((room) => ({
    ...tracker.counts.shownAll(room, tracker.reading(room)),
    direct: isDirect(room),
    open: room === open,
  }));
}

export class TabBadge {
  /**
   * @param {{doc?: Document, nav?: Navigator}} [options]
   */
  constructor({ doc = document, nav = navigator } = {}) {
    this.doc = doc;
    this.nav = nav;
    this.base = bareTitle(doc.title);
    this.total = 0;
    this.urgent = false;
    /** @type {number | null} the number last given to the app badge */
    this.appBadge = null;
    const icon = /** @type {HTMLLinkElement | null} */ (doc.querySelector("link[rel=icon]"));
    this.icon = icon;
    this.plainHref = icon?.getAttribute("href") ?? "";
    // The favicon with the dot: its (hashed) static URL comes with the user menu.
    const setup = /** @type {HTMLElement | null} */ (doc.querySelector("[data-notify-setup]"));
    this.badgeHref = setup?.dataset.badgeIcon ?? "";
  }

  /**
   * The page's own title changed (another room opened without a reload).
   * @param {string} title
   */
  setBase(title) {
    this.base = bareTitle(title);
    this.render();
  }

  /**
   * Show the counts of `rooms`.
   * @param {Iterable<RoomAttention>} rooms
   */
  show(rooms) {
    const { total, urgent } = tabAttention(rooms);
    this.total = total;
    this.urgent = urgent;
    this.render();
  }

  render() {
    const title = titleWithCount(this.base, this.total);
    if (this.doc.title !== title) this.doc.title = title;
    if (this.icon && this.badgeHref) {
      const href = this.urgent ? this.badgeHref : this.plainHref;
      if (this.icon.getAttribute("href") !== href) this.icon.setAttribute("href", href);
    }
    this.renderAppBadge();
  }

  renderAppBadge() {
    if (this.appBadge === this.total) return;
    const nav = /** @type {any} */ (this.nav);
    if (typeof nav.setAppBadge !== "function") return;
    this.appBadge = this.total;
    // Only an installed app has a badge; elsewhere the call is refused, which changes nothing.
    const done = this.total > 0 ? nav.setAppBadge(this.total) : nav.clearAppBadge?.();
    Promise.resolve(done).catch(() => {});
  }
}
