// @ts-check
// Times said the way people say them ("just now", "5 min ago", "yesterday"), and the summary
// line of a thread's root ("3 replies · last reply 5 min ago"). No DOM.

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long ago `iso` was, from `now`: "just now" under a minute (or in the future: clocks
 * differ), "N min ago", "N h ago", "yesterday", "N days ago" within a week, else the date.
 * An unreadable time gives "".
 * @param {string | null | undefined} iso
 * @param {Date} [now]
 * @returns {string}
 */
export function relativeTime(iso, now = new Date()) {
  const date = new Date(iso ?? Number.NaN);
  if (!iso || Number.isNaN(date.getTime())) return "";
  const ago = now.getTime() - date.getTime();
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  const days = Math.floor(ago / DAY);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  const sameYear = date.getFullYear() === now.getFullYear();
  return `on ${date.toLocaleDateString(undefined, {
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  })}`;
}

/**
 * "1 reply", "3 replies", with " · last reply 5 min ago" when the newest reply's time is known;
 * "" without replies.
 * @param {number} count
 * @param {string | null | undefined} lastIso
 * @param {Date} [now]
 * @returns {string}
 */
export function repliesText(count, lastIso, now = new Date()) {
  if (!(count > 0)) return "";
  const replies = `${count} ${count === 1 ? "reply" : "replies"}`;
  const when = relativeTime(lastIso, now);
  return when ? `${replies} · last reply ${when}` : replies;
}
