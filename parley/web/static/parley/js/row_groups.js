// @ts-check
// Author grouping for a list of rows read back from the page (message_groups.js decides): the
// pending messages under the timeline, a thread's root and replies. Each row says what grouping
// needs: data-author (item_view.js fillItem), its <time datetime>, item--message or an event.

import { setContinued } from "./item_view.js";
import { placeRow } from "./message_groups.js";

/** @typedef {import("./message_groups.js").RowFacts} RowFacts */

/**
 * What grouping needs to know of a row in the page.
 * @param {HTMLElement} el
 * @returns {RowFacts}
 */
export function rowFacts(el) {
  const time = el.querySelector(":scope > .item__meta > .item__time, :scope .item__time");
  const message = el.classList.contains("item--message");
  return {
    author: el.dataset.author ? el.dataset.author : null,
    ts: time instanceof HTMLTimeElement ? time.dateTime : null,
    kind: message ? "message" : "event",
  };
}

/**
 * Mark each message row of `rows` (in order) as starting or continuing a group; `before` is the
 * row shown just above the first (null: none). No day dividers: these lists are short and the
 * timeline above them has them.
 * @param {HTMLElement[]} rows
 * @param {RowFacts | null} [before]
 */
export function regroupRows(rows, before = null) {
  let prev = before;
  for (const el of rows) {
    const facts = rowFacts(el);
    if (facts.kind === "message") {
      // A day change between two rows here still starts a new group.
      setContinued(el, placeRow(prev, facts).continued);
    }
    prev = facts;
  }
}
