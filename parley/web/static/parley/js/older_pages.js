// @ts-check
// Paging back through a room: "Load older messages" (#load-older), scrolling near the top, and
// a timeline too short to scroll load the page of items above the first one shown
// (history_plan.js says which `history` request), keeping what the reader sees where it is.
// Once nothing older remains, "This is the beginning of …" shows instead of the button.

import { olderRemain, olderRequest } from "./history_plan.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./timeline.js").Timeline} Timeline */
/** @typedef {import("./timeline_model.js").Item} Item */

export const NEAR_TOP_PX = 150;

export class OlderPages {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {Timeline} options.timeline
   * @param {HTMLElement} options.scroller  the timeline's scrolling box
   * @param {HTMLButtonElement} options.button  #load-older
   * @param {HTMLElement} options.status  #older-status
   * @param {HTMLElement} options.startMarker  #timeline-start
   * @param {boolean} options.hasMore  the page starts after the room's first item
   * @param {number} options.historyPage
   * @param {number} options.historyMax
   * @param {() => boolean} options.canLoad  the room open and the socket live
   * @param {(items: Item[]) => void} options.take  put the items of a page into the timeline
   * @param {() => void} options.onMoved  the page's scroll position was set (pin.js)
   */
  constructor(options) {
    this.options = options;
    this.hasMore = options.hasMore;
    /** @type {Promise<boolean> | null} the page being loaded above the first item */
    this.loading = null;
    options.button.addEventListener("click", () => this.load());
    options.scroller.addEventListener(
      "scroll",
      () => {
        if (options.scroller.scrollTop < NEAR_TOP_PX) this.load();
      },
      { passive: true },
    );
  }

  /**
   * Whether older items remain (the server said, in a `history` reply).
   * @param {boolean} hasMore
   */
  set(hasMore) {
    this.hasMore = hasMore;
    this.render();
  }

  render() {
    const { button, startMarker, timeline } = this.options;
    button.hidden = !this.hasMore;
    startMarker.hidden = this.hasMore;
    timeline.setStartShown(!this.hasMore);
  }

  /**
   * Load a page of older items above the first one shown; resolves true once they are in (a
   * page already on its way is not asked for twice: its promise is returned).
   * @param {number} [limit]
   * @returns {Promise<boolean>}
   */
  load(limit = this.options.historyPage) {
    if (this.loading) return this.loading;
    if (!this.hasMore || !this.options.canLoad()) return Promise.resolve(false);
    this.loading = this.fetch(limit);
    return this.loading;
  }

  /** @param {number} limit */
  async fetch(limit) {
    const { socket, slug, timeline, scroller, button, status, historyMax } = this.options;
    button.disabled = true;
    status.textContent = "Loading older messages…";
    const frame = olderRequest({
      room: slug,
      first: timeline.first,
      highWater: timeline.highWater,
      limit,
      historyMax,
    });
    const reply = await socket.request(frame);
    this.loading = null;
    button.disabled = false;
    if (reply.type !== "history") {
      status.textContent = reply.client ? "" : `Could not load older items: ${reply.message}`;
      return false;
    }
    status.textContent = "";
    // Keep what the reader sees where it is while older items go in above it.
    const height = scroller.scrollHeight;
    const top = scroller.scrollTop;
    this.options.take(/** @type {Item[]} */ (reply.items));
    scroller.scrollTop = top + (scroller.scrollHeight - height);
    this.options.onMoved();
    this.set(olderRemain(reply));
    this.fillViewport();
    return true;
  }

  /** A short timeline cannot be scrolled to its top: load older items until it can. */
  fillViewport() {
    const { scroller } = this.options;
    if (this.hasMore && scroller.scrollHeight <= scroller.clientHeight + NEAR_TOP_PX) this.load();
  }
}
