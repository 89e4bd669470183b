// @ts-check
// The words of a profile card (profile_card.js): the person's local time and "Do not disturb
// until …". No DOM. `locale` and `timeZone` are the reader's (the browser's own by default).

/** @typedef {{locale?: string, timeZone?: string}} ReaderOptions */

/**
 * The person's local time at `now`, e.g. "14:05 local time (Europe/Paris)"; "" for no zone or
 * one the browser does not know.
 * @param {string} zone  the person's IANA time zone ("" = not said)
 * @param {Date} [now]
 * @param {ReaderOptions} [options]
 */
export function localTime(zone, now = new Date(), { locale } = {}) {
  if (!zone) return "";
  try {
    const time = now.toLocaleTimeString(locale, {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
    });
    return `${time} local time (${zone.replaceAll("_", " ")})`;
  } catch {
    return "";
  }
}

/**
 * "Do not disturb until 14:00" in the reader's time, with the weekday when it ends on another
 * day; "" when it is not on (none, unreadable, or over).
 * @param {string | null} until  ISO 8601
 * @param {Date} [now]
 * @param {ReaderOptions} [options]
 */
export function dndText(until, now = new Date(), { locale, timeZone } = {}) {
  if (!until) return "";
  const end = new Date(until);
  if (Number.isNaN(end.getTime()) || end <= now) return "";
  const day = (/** @type {Date} */ date) => date.toLocaleDateString("en-CA", { timeZone });
  const time = end.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", timeZone });
  const weekday =
    day(end) === day(now) ? "" : `${end.toLocaleDateString(locale, { weekday: "short", timeZone })} `;
  return `Do not disturb until ${weekday}${time}`;
}
