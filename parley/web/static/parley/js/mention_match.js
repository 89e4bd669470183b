// @ts-check
// The `@` autocomplete of a composer, without DOM: whether the caret is in a mention being
// typed, which members match it, and the text with the chosen one put in.
//
// A mention starts with `@` at the start of the text or after a space (not in an address like
// ada@example.org) and goes on with the characters usernames have (letters, digits, `_.+-`).
// `@room` mentions every member.

export const ROOM = "room";
/** How many suggestions the list shows at most. */
export const SUGGESTIONS = 8;

const NAME_CHAR = /[\p{L}\p{N}_.+-]/u;

/**
 * The mention being typed just before `caret`: where its `@` is and what follows it so far;
 * null when the caret is not in one.
 * @param {string} text
 * @param {number} caret
 * @returns {{start: number, query: string} | null}
 */
export function mentionAt(text, caret) {
  let index = caret;
  while (index > 0 && NAME_CHAR.test(text[index - 1])) index -= 1;
  if (index === 0 || text[index - 1] !== "@") return null;
  const start = index - 1;
  if (start > 0 && !/\s|[([{"'“‘]/u.test(text[start - 1])) return null;
  return { start, query: text.slice(index, caret) };
}

/**
 * The names that match `query` (case-insensitively), best first: names starting with it, then
 * names with a part (after `_.+-`) starting with it, then names containing it; each group in
 * alphabetical order. `room` (for @room) is offered like a name. At most `limit`.
 * @param {string[]} names  the room's members (without the user)
 * @param {string} query
 * @param {number} [limit]
 * @returns {string[]}
 */
export function matchMentions(names, query, limit = SUGGESTIONS) {
  const q = query.toLowerCase();
  const seen = new Set();
  /** @type {[number, string][]} */
  const ranked = [];
  for (const name of [...names, ROOM]) {
    if (seen.has(name)) continue;
    seen.add(name);
    const lower = name.toLowerCase();
    let rank = -1;
    if (lower.startsWith(q)) rank = 0;
    else if (lower.split(/[_.+-]/).some((part) => part.startsWith(q))) rank = 1;
    else if (lower.includes(q)) rank = 2;
    if (rank >= 0) ranked.push([rank, name]);
  }
  ranked.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return ranked.slice(0, limit).map(([, name]) => name);
}

/**
 * `text` with the mention from `start` to `caret` replaced by `@name ` (one space after it,
 * unless a space follows already), and where the caret goes.
 * @param {string} text
 * @param {number} start
 * @param {number} caret
 * @param {string} name
 * @returns {{text: string, caret: number}}
 */
export function insertMention(text, start, caret, name) {
  let end = caret;
  while (end < text.length && NAME_CHAR.test(text[end])) end += 1;
  const rest = text.slice(end);
  const space = rest.startsWith(" ") ? "" : " ";
  const mention = `@${name}${space}`;
  return { text: text.slice(0, start) + mention + rest, caret: start + mention.length + (space ? 0 : 1) };
}
