// @ts-check
// The room switcher's matching, without DOM: which rooms a query finds, best first, and which
// letters of each matched (to highlight them).
//
// A query matches a room when its letters appear in order in the room's title (or, for rooms
// other than direct conversations, its slug: a direct room's slug is random), ignoring case and
// accents ("cafe" finds "Café"); spaces in the query are ignored. The slug counts only when the
// title does not match. Letters at the start of the title count most, then letters starting a
// word (after a space, "-" or "_"), and letters that follow each other more than scattered
// ones; on a tie the shorter title wins, then the sidebar's order. A leading "#" keeps rooms only, a leading "@" direct conversations.

/**
 * @typedef {object} Room
 * @property {string} slug
 * @property {string} title
 * @property {"public" | "private" | "direct"} kind
 * @property {number} unread
 * @property {number} mentions
 * @property {boolean} current  the room open now
 * @property {boolean} [muted]  notification level "none": its unread count is not shown
 * @property {string} [href]
 */

/**
 * @typedef {object} Ranked
 * @property {Room} room
 * @property {number} score  0 for an empty query
 * @property {"title" | "slug" | null} field  where the query matched (null: empty query)
 * @property {number[]} marks  indexes (UTF-16, as `String#slice` takes) in that field of the
 *   first code unit of each matched character
 */

/** How many results the switcher lists at most. */
export const LIMIT = 50;
// A longer query than any title cannot match; this bounds the work a pasted novel costs.
const MAX_QUERY = 100;
const MAX_TEXT = 200;

const SCORE_MATCH = 16;
const BONUS_PREFIX = 48;
const BONUS_WORD = 32;
const BONUS_CONSECUTIVE = 24;
// A gap costs on opening and a little per letter after: two words far apart still beat letters
// scattered across one.
const PENALTY_GAP = 3;
const PENALTY_GAP_LETTER = 1;
const WORD_BREAK = /[\s_-]/u;
const MARKS = /\p{M}/gu;
const COMBINING = /^\p{M}+$/u;

/**
 * `text` folded for matching: one entry per character (code point) that remains, with the index
 * of the character it came from, so that a match maps back to the text as shown.
 * @param {string} text
 * @returns {{chars: string[], at: number[]}}
 */
export function fold(text) {
  /** @type {string[]} */
  const chars = [];
  /** @type {number[]} */
  const at = [];
  let index = 0;
  for (const char of text) {
    for (const part of char.normalize("NFD").replace(MARKS, "").toLowerCase()) {
      chars.push(part);
      at.push(index);
    }
    index += char.length;
  }
  return { chars, at };
}

/**
 * The best alignment of `query` (folded, no spaces) in `text`: its score and the indexes in
 * `text` of the matched characters; null when the query's letters are not all there in order.
 * A dynamic programme over (query letter, text position), as fuzzy finders do: a greedy match
 * would take the first "g" of "bug-tracking general" and miss the word start.
 * @param {string[]} query
 * @param {string} text
 * @returns {{score: number, marks: number[]} | null}
 */
export function matchText(query, text) {
  if (!query.length) return { score: 0, marks: [] };
  const { chars, at } = fold(text.slice(0, MAX_TEXT));
  const m = query.length;
  const n = chars.length;
  if (m > n) return null;
  const bonus = chars.map((_, j) => {
    if (j === 0) return BONUS_PREFIX;
    return WORD_BREAK.test(chars[j - 1]) && !WORD_BREAK.test(chars[j]) ? BONUS_WORD : 0;
  });
  const NONE = -Infinity;
  // best[i][j]: the best score with query[i] matched at chars[j]; from[i][j]: where query[i-1] was.
  /** @type {number[][]} */
  const best = [];
  /** @type {number[][]} */
  const from = [];
  for (let i = 0; i < m; i += 1) {
    const row = new Array(n).fill(NONE);
    const back = new Array(n).fill(-1);
    let run = NONE; // the best of best[i-1][k] - gap penalties, over k < j - 1
    let runAt = -1;
    for (let j = i; j < n; j += 1) {
      if (i > 0 && j >= 2) {
        run -= PENALTY_GAP_LETTER;
        const skip = best[i - 1][j - 2];
        if (skip - PENALTY_GAP > run) {
          run = skip - PENALTY_GAP;
          runAt = j - 2;
        }
      }
      if (chars[j] !== query[i]) continue;
      const gain = SCORE_MATCH + bonus[j];
      if (i === 0) {
        row[j] = gain;
        continue;
      }
      const next = best[i - 1][j - 1] + BONUS_CONSECUTIVE;
      if (next >= run && next > NONE) {
        row[j] = gain + next;
        back[j] = j - 1;
      } else if (run > NONE) {
        row[j] = gain + run;
        back[j] = runAt;
      }
    }
    best.push(row);
    from.push(back);
  }
  let score = NONE;
  let end = -1;
  best[m - 1].forEach((value, j) => {
    if (value > score) {
      score = value;
      end = j;
    }
  });
  if (end < 0) return null;
  /** @type {number[]} */
  const positions = [];
  for (let i = m - 1, j = end; i >= 0; i -= 1) {
    positions.push(j);
    j = from[i][j];
  }
  positions.reverse();
  // Two folded letters of one character (rare: "ǆ" -> "dž" folds to two) mark it once.
  const marks = [...new Set(positions.map((j) => at[j]))];
  return { score, marks };
}

/**
 * The query as letters to match, and the kind of room it asks for.
 * @param {string} query
 * @returns {{letters: string[], only: "room" | "direct" | null}}
 */
function parseQuery(query) {
  let text = (query ?? "").trim();
  /** @type {"room" | "direct" | null} */
  let only = null;
  if (text.startsWith("#")) only = "room";
  else if (text.startsWith("@")) only = "direct";
  if (only) text = text.slice(1);
  const letters = fold(text.replace(/\s+/gu, "")).chars;
  return { letters, only };
}

/**
 * The rooms `query` finds, best first, at most `limit`. An empty query lists every room:
 * those mentioning the user first, then those with unread messages (a muted room's unread do
 * not count: the user chose not to hear about them), then the rest, each group in the sidebar's
 * order, and the room open now last (it is where the user already is).
 * @param {string} query
 * @param {Room[]} rooms  in the sidebar's order
 * @param {number} [limit]
 * @returns {Ranked[]}
 */
export function rankRooms(query, rooms, limit = LIMIT) {
  const { letters, only } = parseQuery(query);
  const kept = (rooms ?? []).filter(
    (room) => !only || (only === "direct") === (room.kind === "direct"),
  );
  if (!letters.length) {
    const group = (/** @type {Room} */ room) => {
      if (room.current) return 3;
      if (room.mentions > 0) return 0;
      if (room.unread > 0 && !room.muted) return 1;
      return 2;
    };
    return kept
      .map((room, order) => ({ room, order, group: group(room) }))
      .sort((a, b) => a.group - b.group || a.order - b.order)
      .slice(0, limit)
      .map(({ room }) => ({ room, score: 0, field: null, marks: [] }));
  }
  if (letters.length > MAX_QUERY) return [];
  /** @type {(Ranked & {order: number})[]} */
  const found = [];
  kept.forEach((room, order) => {
    const title = titleOf(room);
    // The title is what the user reads: a match there is the one shown, even where the slug
    // would score higher ("plan" starts "plans-2024" but "🎉 Party plans" is the room's name).
    const byTitle = matchText(letters, title);
    const bySlug =
      byTitle || room.kind === "direct" ? null : matchText(letters, room.slug ?? "");
    if (byTitle) found.push({ room, order, field: "title", ...byTitle });
    else if (bySlug) found.push({ room, order, field: "slug", ...bySlug });
  });
  found.sort(
    (a, b) =>
      b.score - a.score ||
      titleOf(a.room).length - titleOf(b.room).length ||
      a.order - b.order,
  );
  return found.slice(0, limit).map(({ room, score, field, marks }) => ({
    room,
    score,
    field,
    marks,
  }));
}

/**
 * The name a room is listed under: its title, or its slug when it has none.
 * @param {Room} room
 */
export function titleOf(room) {
  return room.title || room.slug || "";
}

/**
 * `text` cut into runs, marked or not, at the `marks` rankRooms gave: what the switcher puts
 * in <mark> elements and plain text nodes.
 * @param {string} text
 * @param {number[]} marks
 * @returns {{text: string, mark: boolean}[]}
 */
export function highlight(text, marks) {
  const marked = new Set(marks);
  /** @type {{text: string, mark: boolean}[]} */
  const runs = [];
  let index = 0;
  for (const char of text) {
    const last = runs[runs.length - 1];
    // A combining accent goes with its letter: a <mark> must not cut "e" from its "´".
    const mark = last && COMBINING.test(char) ? last.mark : marked.has(index);
    if (last && last.mark === mark) last.text += char;
    else runs.push({ text: char, mark });
    index += char.length;
  }
  return runs;
}
