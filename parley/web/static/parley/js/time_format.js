// @ts-check
// Times of day and day labels in the reader's locale and time zone. No DOM. The locale decides
// 12 or 24 hours (hour12 is never forced), so "5:48 PM" in en-US and "17:48" in en-GB.
// `locale` and `timeZone` default to the browser's own; tests pass them.

/** @typedef {{locale?: string | string[], timeZone?: string}} TimeOptions */

const DAY_MS = 24 * 60 * 60 * 1000;

/** @type {Map<string, Intl.DateTimeFormat>} */
const formats = new Map();

/**
 * One formatter per locale, time zone and shape: building them is slow, a timeline needs many.
 * @param {TimeOptions} where
 * @param {Intl.DateTimeFormatOptions} shape
 */
function format(where, shape) {
  const key = JSON.stringify([where.locale ?? null, where.timeZone ?? null, shape]);
  let made = formats.get(key);
  if (!made) {
    made = new Intl.DateTimeFormat(where.locale, { ...shape, timeZone: where.timeZone });
    formats.set(key, made);
  }
  return made;
}

/**
 * @param {Date | string | null | undefined} value
 * @returns {Date | null}
 */
function toDate(value) {
  if (value === null || value === undefined || value === "") return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * The hour and minute as the locale has them: a 24-hour locale writes "07:05", a 12-hour one
 * "7:05 AM" (not "07:05 AM").
 * @param {TimeOptions} where
 * @returns {Intl.DateTimeFormatOptions}
 */
function clockShape(where) {
  const cycle = format(where, { hour: "numeric" }).resolvedOptions().hourCycle;
  const hour = cycle === "h23" || cycle === "h24" ? "2-digit" : "numeric";
  return { hour, minute: "2-digit" };
}

/**
 * The time of day, as the locale writes it: "5:48 PM", "17:48", "07:05". "" for an unreadable
 * time.
 * @param {Date | string | null | undefined} value
 * @param {TimeOptions} [where]
 */
export function timeOfDay(value, where = {}) {
  const date = toDate(value);
  return date ? format(where, clockShape(where)).format(date) : "";
}

/**
 * The time of day without "AM"/"PM", for the narrow margin of a continued message (the group's
 * first row says which half of the day it is): "5:48", "17:48".
 * @param {Date | string | null | undefined} value
 * @param {TimeOptions} [where]
 */
export function shortTimeOfDay(value, where = {}) {
  const date = toDate(value);
  if (!date) return "";
  return format(where, clockShape(where))
    .formatToParts(date)
    .filter((part) => part.type !== "dayPeriod")
    .map((part) => part.value)
    .join("")
    .trim();
}

/**
 * Date and time in full, for a title: "Monday, 7 December 2026 at 17:48:02 CET".
 * @param {Date | string | null | undefined} value
 * @param {TimeOptions} [where]
 */
export function fullTimestamp(value, where = {}) {
  const date = toDate(value);
  return date ? format(where, { dateStyle: "full", timeStyle: "long" }).format(date) : "";
}

/**
 * The calendar day of `value` in the time zone, as "YYYY-MM-DD" (so two keys compare as days).
 * "" for an unreadable time.
 * @param {Date | string | null | undefined} value
 * @param {{timeZone?: string}} [where]
 */
export function dayKey(value, where = {}) {
  const date = toDate(value);
  if (!date) return "";
  // en-CA writes dates as YYYY-MM-DD; only the digits are used.
  const parts = format(
    { locale: "en-CA", timeZone: where.timeZone },
    { year: "numeric", month: "2-digit", day: "2-digit" },
  ).formatToParts(date);
  /** @param {string} type */
  const part = (type) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/**
 * How many calendar days `later` is after `earlier` (two dayKey()s).
 * @param {string} earlier
 * @param {string} later
 */
function daysBetween(earlier, later) {
  const utc = (/** @type {string} */ key) => {
    const [y, m, d] = key.split("-").map(Number);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((utc(later) - utc(earlier)) / DAY_MS);
}

/**
 * The label of a day divider: "Today", "Yesterday", else the weekday and date in the locale's
 * words ("Monday 7 December"), with the year when it is not this year.
 * @param {Date | string | null | undefined} value
 * @param {Date} [now]
 * @param {TimeOptions} [where]
 */
export function dayLabel(value, now = new Date(), where = {}) {
  const date = toDate(value);
  if (!date) return "";
  const day = dayKey(date, where);
  const today = dayKey(now, where);
  const ago = daysBetween(day, today);
  if (ago === 0) return "Today";
  if (ago === 1) return "Yesterday";
  const sameYear = day.slice(0, 4) === today.slice(0, 4);
  return format(where, {
    weekday: "long",
    day: "numeric",
    month: "long",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(date);
}
