// @ts-check
// Opening the room at a message (/rooms/<slug>/?seq=N, a link of the Mentions page): a message
// the page holds is scrolled to and flashed; one a little above is loaded back to, page by page
// (as for the first unread); one far back brings the items around it (`history` {around}) in
// place of the newest. The page is then "detached": it shows a stretch of the past, live items
// wait for a reload ("Jump to the latest messages"), and nothing counts as read.

import { UNREAD_LOAD_MAX, loadBackLimit } from "./history_plan.js";

/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./timeline.js").Timeline} Timeline */
/** @typedef {import("./timeline_model.js").Item} Item */

export class MessageJump {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {Timeline} options.timeline
   * @param {number} options.historyPage
   * @param {number} options.historyMax
   * @param {(limit: number) => Promise<boolean>} options.loadOlder  a page above the first item
   * @param {() => boolean} options.hasOlder
   * @param {(items: Item[]) => void} options.replace  the timeline's items, replaced by these
   * @param {(reply: Frame) => void} options.onDetached  the page now shows the items around it
   * @param {(seq: number) => Promise<boolean>} options.highlight  false: not held
   * @param {(text: string) => void} options.notify
   */
  constructor(options) {
    this.options = options;
    /** @type {number | null} the newest seq shown once detached; later ones wait */
    this.detachedAfter = null;
  }

  get detached() {
    return this.detachedAfter !== null;
  }

  /**
   * Is `seq` newer than what a detached page shows (it is not inserted)?
   * @param {number} seq
   */
  waits(seq) {
    return this.detachedAfter !== null && seq > this.detachedAfter;
  }

  /**
   * Show the message `seq`.
   * @param {number | null | undefined} seq
   */
  async jumpTo(seq) {
    if (!Number.isInteger(seq) || !seq || seq < 1) return;
    const { timeline, historyMax } = this.options;
    const target = /** @type {number} */ (seq);
    const first = timeline.first;
    if (!timeline.model.has(target) && first !== null && target < first) {
      if (first - target <= UNREAD_LOAD_MAX) {
        while (!timeline.model.has(target) && this.options.hasOlder() && (timeline.first ?? 0) > target) {
          const at = /** @type {number} */ (timeline.first);
          const limit = loadBackLimit({ first: at, markerAfter: target - 1, historyMax });
          if (!(await this.options.loadOlder(limit))) break;
        }
      } else {
        await this.loadAround(target);
      }
    }
    if (!(await this.options.highlight(target))) {
      this.options.notify("That message is not in this room any more.");
    }
  }

  /** @param {number} target */
  async loadAround(target) {
    const reply = await this.options.socket.request({
      type: "history",
      room: this.options.slug,
      around: target,
      limit: this.options.historyPage,
    });
    if (reply.type !== "history" || !reply.items?.length) return;
    const items = /** @type {Item[]} */ (reply.items);
    this.detachedAfter = items[items.length - 1].seq;
    this.options.replace(items);
    this.options.onDetached(reply);
  }
}
