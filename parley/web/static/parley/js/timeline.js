// @ts-check
// A room's timeline in the page: one <li data-seq> per item of a TimelineModel
// (timeline_model.js) that has a row (isRow: not replies, edits, deletions or reactions, which
// are held all the same), in seq order, inside `list`. The rows the server rendered are kept
// (adopt); later items get a row cloned from the server's templates (item_view.js).
//
// Day dividers and author grouping (message_groups.js) depend on the row before, so each insert
// or removal re-decorates the rows around it. A day divider is an <li class="day-divider"> of its
// own, right before the first row of its day, with no data-seq: it is not an item. The pending
// messages (#pending, under the timeline) continue the group of the timeline's last row. The
// "New messages" marker is a divider inside the row the model places it on (markerSeq), moved
// whenever that changes; that row starts a new group.

import { TEMPLATE, cloneTemplate, fillItem, renderItem, setContinued } from "./item_view.js";
import { placeRow } from "./message_groups.js";
import { regroupRows } from "./row_groups.js";
import { dayLabel } from "./time_format.js";
import { TimelineModel, authorKey, isRow } from "./timeline_model.js";

/** @typedef {import("./timeline_model.js").Item} Item */
/** @typedef {import("./timeline_model.js").SeqRange} SeqRange */

/**
 * The pending messages' list next to the timeline's, if any.
 * @param {HTMLElement} list
 * @returns {HTMLElement | null}
 */
function siblingPending(list) {
  const found = list.parentElement?.querySelector(":scope > .timeline--pending");
  return found instanceof HTMLElement ? found : null;
}

export class Timeline {
  /**
   * @param {HTMLElement} list  the <ol> of rows
   * @param {{me: string, highWater?: number, doc?: Document, pending?: HTMLElement | null}} options
   *   `pending`: the <ol> of messages being sent, grouped after the timeline's last row (by
   *   default the list's .timeline--pending sibling, as _room_chat.html has it)
   */
  constructor(list, { me, highWater = 0, doc = document, pending = siblingPending(list) }) {
    this.list = list;
    this.me = me;
    this.doc = doc;
    this.model = new TimelineModel({ highWater });
    /** @type {Map<number, HTMLElement>} */
    this.rows = new Map();
    /** @type {Map<number, HTMLElement>} the day divider before the row of each seq that has one */
    this.dividers = new Map();
    /** @type {HTMLElement | null} */
    this.marker = null;
    this.pending = pending;
    /** @type {MutationObserver | null} */
    this.pendingWatch = null;
    if (pending && typeof MutationObserver !== "undefined") {
      // sender.js adds and removes the pending rows; they group as they come and go.
      this.pendingWatch = new MutationObserver(() => this.regroupPending());
      this.pendingWatch.observe(pending, { childList: true });
    }
  }

  /** Stop following the pending list (the room is left). */
  dispose() {
    this.pendingWatch?.disconnect();
    this.pendingWatch = null;
  }

  get first() {
    return this.model.first;
  }

  get last() {
    return this.model.last;
  }

  get highWater() {
    return this.model.highWater;
  }

  set highWater(seq) {
    this.model.highWater = seq;
  }

  get markerAfter() {
    return this.model.markerAfter;
  }

  /** @param {number} seq */
  holdsAfter(seq) {
    return this.model.holdsAfter(seq);
  }

  /** @param {number} upTo */
  missing(upTo) {
    return this.model.missing(upTo);
  }

  /**
   * Take over the rows the server rendered for `items` (the page's #initial-items): each is
   * kept and filled for this reader (local times, links, own messages), not built again.
   * @param {Item[]} items
   */
  adopt(items) {
    /** @type {Map<number, HTMLElement>} */
    const rendered = new Map();
    for (const el of this.list.querySelectorAll(":scope > li[data-seq]")) {
      if (el instanceof HTMLElement) rendered.set(Number(el.dataset.seq), el);
    }
    for (const item of items) {
      const el = isRow(item) ? rendered.get(item.seq) : undefined;
      if (!el) {
        this.insert(item);
        continue;
      }
      rendered.delete(item.seq);
      const index = this.model.insert(item);
      if (index < 0) continue;
      fillItem(el, item, this);
      this.rows.set(item.seq, el);
      this.decorateAround(item.seq);
    }
    for (const el of rendered.values()) el.remove(); // a row without its data (none, normally)
    this.placeMarker();
  }

  /**
   * Show one item; false if its seq is shown already.
   * @param {Item} item
   */
  insert(item) {
    const index = this.model.insert(item);
    if (index < 0) return false;
    if (!isRow(item)) return true;
    const el = renderItem(item, this);
    el.dataset.seq = String(item.seq);
    const next = this.model.rowAfter(item.seq);
    const before =
      next === null ? null : (this.dividers.get(next) ?? this.rows.get(next) ?? null);
    this.list.insertBefore(el, before);
    this.rows.set(item.seq, el);
    this.decorateAround(item.seq);
    if (this.model.markerAfter !== null) this.placeMarker();
    if (next === null) this.regroupPending();
    return true;
  }

  /**
   * @param {number} from
   * @param {number} to
   */
  markAbsent(from, to) {
    this.model.markAbsent(from, to);
  }

  /**
   * Drop every item below `seq` (after a jump to the newest page).
   * @param {number} seq
   */
  dropBelow(seq) {
    for (const dropped of this.model.dropBelow(seq)) {
      this.rows.get(dropped)?.remove();
      this.rows.delete(dropped);
      this.dividers.get(dropped)?.remove();
      this.dividers.delete(dropped);
    }
    const first = this.model.first === null ? null : this.model.rowAfter(this.model.first - 1);
    if (first !== null) this.decorate(first);
    this.placeMarker();
  }

  /**
   * Tell whether the room's first item is shown (no older history to load).
   * @param {boolean} shown
   */
  setStartShown(shown) {
    if (this.model.startShown === shown) return;
    this.model.startShown = shown;
    this.placeMarker();
  }

  /**
   * Draw "New messages" before the first message with seq > `afterSeq` (now or once it comes).
   * @param {number} afterSeq
   */
  setNewMarker(afterSeq) {
    this.model.markerAfter = afterSeq;
    if (!this.marker) this.marker = cloneTemplate(TEMPLATE.newMarker, this.doc);
    this.placeMarker();
  }

  /** The row the marker is in, or null. */
  get markerItem() {
    return this.marker?.parentElement ?? null;
  }

  placeMarker() {
    if (!this.marker) return;
    const old = this.marker.parentElement;
    const seq = this.model.markerSeq;
    const target = seq === null ? null : (this.rows.get(seq) ?? null);
    if (target === old) return;
    if (target) {
      target.prepend(this.marker);
    } else {
      this.marker.remove();
    }
    for (const el of [old, target]) {
      const s = el instanceof HTMLElement ? Number(el.dataset.seq) : Number.NaN;
      if (this.model.has(s)) this.decorate(s);
    }
  }

  /**
   * Decorate the row of `seq` and the row after it.
   * @param {number} seq
   */
  decorateAround(seq) {
    this.decorate(seq);
    const next = this.model.rowAfter(seq);
    if (next !== null) this.decorate(next);
  }

  /**
   * What grouping needs to know of a held item.
   * @param {import("./timeline_model.js").Item} item
   * @returns {import("./message_groups.js").RowFacts}
   */
  facts(item) {
    return {
      author: authorKey(item),
      ts: item.ts,
      kind: item.type === "message" ? "message" : String(item.kind ?? "event"),
      fresh: item.seq === this.model.markerSeq,
    };
  }

  /**
   * Day divider and author grouping for the row of `seq`.
   * @param {number} seq
   */
  decorate(seq) {
    const el = this.rows.get(seq);
    const item = this.model.get(seq);
    if (!el || !item) return;
    const prev = this.model.rowBefore(seq);
    const place = placeRow(prev ? this.facts(prev) : null, this.facts(item));
    let divider = this.dividers.get(seq);
    if (place.divider) {
      if (!divider) {
        divider = cloneTemplate(TEMPLATE.dayDivider, this.doc);
        this.dividers.set(seq, divider);
      }
      divider.dataset.ts = item.ts ?? "";
      this.label(divider);
      if (el.previousElementSibling !== divider) this.list.insertBefore(divider, el);
    } else if (divider) {
      divider.remove();
      this.dividers.delete(seq);
    }
    if (item.type === "message") setContinued(el, place.continued);
  }

  /**
   * Write a divider's day ("Today", "Yesterday", "Monday 7 December") as of `now`.
   * @param {HTMLElement} divider
   * @param {Date} [now]
   */
  label(divider, now = new Date()) {
    const text = dayLabel(divider.dataset.ts, now);
    const span = divider.querySelector(".day-divider__label") ?? divider;
    if (span.textContent !== text) span.textContent = text;
    divider.setAttribute("aria-label", text);
  }

  /**
   * Write every divider's day again: after midnight "Today" is "Yesterday".
   * @param {Date} [now]
   */
  relabel(now = new Date()) {
    for (const divider of this.dividers.values()) this.label(divider, now);
  }

  /** Group the pending messages after the timeline's last row. */
  regroupPending() {
    if (!this.pending) return;
    const last = this.model.last === null ? null : this.model.rowBefore(this.model.last + 1);
    const rows = [...this.pending.children].filter((el) => el instanceof HTMLElement);
    regroupRows(/** @type {HTMLElement[]} */ (rows), last ? this.facts(last) : null);
  }
}
