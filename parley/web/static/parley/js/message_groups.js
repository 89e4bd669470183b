// @ts-check
// Which timeline rows start a group and where a day divider goes. No DOM: the callers
// (timeline.js for the room's rows, row_groups.js for lists read back from the page) pass what
// they know of each row. A group is one author's messages, each less than GROUP_MS after the one
// before, on one day; an event (join, leave), a deleted account or a new day starts over.

import { dayKey } from "./time_format.js";

/** Consecutive messages of one author closer than this are one group. */
export const GROUP_MS = 5 * 60 * 1000;

/**
 * What a row is, for grouping: `author` null for a deleted account; `ts` ISO 8601;
 * `kind` "message" or an event's kind; `fresh` when something (the "New messages" marker) makes
 * the row start a new group whatever its neighbours.
 * @typedef {{author: string | null, ts?: string | null, kind: string, fresh?: boolean}} RowFacts
 */

/**
 * `divider` when the row is the first of its day (in the time zone) among the rows shown;
 * `continued` when it continues the group of the row before.
 * @typedef {{divider: boolean, continued: boolean}} RowPlace
 */

/**
 * @param {string | null | undefined} ts
 * @returns {number}
 */
function millis(ts) {
  return ts ? new Date(ts).getTime() : Number.NaN;
}

/**
 * Where `row` stands after `prev` (null: it is the first row shown).
 * @param {RowFacts | null} prev
 * @param {RowFacts} row
 * @param {{timeZone?: string}} [where]
 * @returns {RowPlace}
 */
export function placeRow(prev, row, where = {}) {
  const day = dayKey(row.ts, where);
  const prevDay = prev ? dayKey(prev.ts, where) : "";
  const divider = day !== "" && (prev === null || (prevDay !== "" && prevDay !== day));
  const gap = prev ? millis(row.ts) - millis(prev.ts) : Number.NaN;
  const continued =
    prev !== null &&
    !divider &&
    !row.fresh &&
    row.kind === "message" &&
    prev.kind === "message" &&
    row.author !== null &&
    row.author === prev.author &&
    gap >= 0 &&
    gap < GROUP_MS;
  return { divider, continued };
}

/**
 * placeRow() for each of `rows`, in order.
 * @param {RowFacts[]} rows
 * @param {{timeZone?: string}} [where]
 * @returns {RowPlace[]}
 */
export function placeRows(rows, where = {}) {
  return rows.map((row, index) => placeRow(index > 0 ? rows[index - 1] : null, row, where));
}
