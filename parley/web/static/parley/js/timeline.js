// @ts-check
// A room's timeline in the page: one <li data-seq> per item of a TimelineModel
// (timeline_model.js) that has a row (isRow: not replies, edits, deletions or reactions, which
// are held all the same), in seq order, inside `list`. The rows the server rendered are kept
// (adopt); later items get a row cloned from the server's templates (item_view.js).
//
// Day separators and author grouping depend on the item before, so each insert re-decorates the
// new row and the one after it. The "New messages" marker is a divider inside the row the model
// places it on (markerSeq), moved whenever that changes.

import { TEMPLATE, cloneTemplate, fillItem, renderItem } from "./item_view.js";
import { TimelineModel, dayLabel, isRow } from "./timeline_model.js";

/** @typedef {import("./timeline_model.js").Item} Item */
/** @typedef {import("./timeline_model.js").SeqRange} SeqRange */

export class Timeline {
  /**
   * @param {HTMLElement} list  the <ol> of rows
   * @param {{me: string, highWater?: number, doc?: Document}} options
   */
  constructor(list, { me, highWater = 0, doc = document }) {
    this.list = list;
    this.me = me;
    this.doc = doc;
    this.model = new TimelineModel({ highWater });
    /** @type {Map<number, HTMLElement>} */
    this.rows = new Map();
    /** @type {HTMLElement | null} */
    this.marker = null;
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
    this.list.insertBefore(el, next === null ? null : (this.rows.get(next) ?? null));
    this.rows.set(item.seq, el);
    this.decorateAround(item.seq);
    if (this.model.markerAfter !== null) this.placeMarker();
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
      const day = target.querySelector(":scope > .day-separator");
      target.insertBefore(this.marker, day ? day.nextSibling : target.firstChild);
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
   * Day separator and author grouping for the row of `seq`.
   * @param {number} seq
   */
  decorate(seq) {
    const el = this.rows.get(seq);
    if (!el) return;
    const { day, continuation } = this.model.decoration(seq);
    let separator = el.querySelector(":scope > .day-separator");
    if (day) {
      if (!separator) {
        separator = cloneTemplate(TEMPLATE.daySeparator, this.doc);
        el.prepend(separator);
      }
      const label = separator.firstElementChild ?? separator;
      label.textContent = dayLabel(day);
    } else if (separator) {
      separator.remove();
    }
    el.classList.toggle("is-continuation", continuation);
  }
}
