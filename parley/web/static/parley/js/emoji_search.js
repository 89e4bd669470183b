// @ts-check
// The emoji picker's search, without DOM, over the server's list ([[emoji, name]…], the names
// as the `emoji` package has them, e.g. "thumbs up", "face with tears of joy").

/** @typedef {[string, string]} EmojiEntry */

/** How many emoji the picker shows at most. */
export const RESULTS = 200;

/**
 * The list as the server sends it, minus anything malformed.
 * @param {unknown} data  {"emoji": [[char, name]…]}
 * @returns {EmojiEntry[]}
 */
export function emojiList(data) {
  const list = /** @type {{emoji?: unknown}} */ (data ?? {}).emoji;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (entry) =>
      Array.isArray(entry) &&
      typeof entry[0] === "string" &&
      entry[0] !== "" &&
      typeof entry[1] === "string",
  );
}

/**
 * The emoji whose name has every word of `query` (case-insensitively) as the start of one of
 * its words; names that start with the query first, then in the list's order. An empty query:
 * the list's first `limit`. The emoji itself typed as the query finds it too.
 * @param {EmojiEntry[]} list
 * @param {string} query
 * @param {number} [limit]
 * @returns {EmojiEntry[]}
 */
export function searchEmoji(list, query, limit = RESULTS) {
  const q = query.trim().toLowerCase().replace(/^:|:$/g, "").replace(/_/g, " ");
  if (!q) return list.slice(0, limit);
  const words = q.split(/\s+/);
  /** @type {EmojiEntry[]} */
  const first = [];
  /** @type {EmojiEntry[]} */
  const rest = [];
  for (const entry of list) {
    const [char, name] = entry;
    if (char === query.trim()) {
      first.unshift(entry);
      continue;
    }
    const lower = name.toLowerCase();
    const parts = lower.split(/[\s:_-]+/);
    if (!words.every((word) => parts.some((part) => part.startsWith(word)))) continue;
    (lower.startsWith(q) ? first : rest).push(entry);
    if (first.length >= limit) break;
  }
  return [...first, ...rest].slice(0, limit);
}
