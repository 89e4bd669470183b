// @ts-check
// The search box's text as the search API's parameters (docs/protocol.md, "Search"), and where
// a result's text matches it. No DOM: search_panel.js shows the results.
//
// Filters typed in the box: `in:room` or `in:#room` (a room's slug), `from:user` or
// `from:@user`, `has:file`. Anything else, unknown filters included, is words to find. The last
// of a repeated filter counts.

/**
 * The parameters of one search: `q` the words; the filters when given.
 * @typedef {{q: string, room?: string, from?: string, has?: "file"}} SearchQuery
 */

/** Words shorter than this are ignored by the server (and not highlighted here). */
export const MIN_WORD = 3;

/** The API's address (parley/api). */
export const SEARCH_URL = "/api/v1/search";

/** Results per page. */
export const PAGE_SIZE = 20;

/**
 * The box's text, parsed.
 * @param {string} text
 * @returns {SearchQuery}
 */
export function parseSearch(text) {
  /** @type {string[]} */
  const words = [];
  /** @type {SearchQuery} */
  const query = { q: "" };
  for (const token of text.trim().split(/\s+/)) {
    if (!token) continue;
    const match = /^(in|from|has):(.+)$/i.exec(token);
    const key = match ? match[1].toLowerCase() : "";
    const value = match ? match[2] : "";
    if (key === "in" && /^#?[^#]/.test(value)) {
      query.room = value.replace(/^#/, "");
    } else if (key === "from" && /^@?[^@]/.test(value)) {
      query.from = value.replace(/^@/, "");
    } else if (key === "has" && value.toLowerCase() === "file") {
      query.has = "file";
    } else {
      words.push(token);
    }
  }
  query.q = words.join(" ");
  return query;
}

/**
 * Whether there is anything to ask the server about.
 * @param {SearchQuery} query
 */
export function isEmptySearch(query) {
  return !query.q && !query.room && !query.from && !query.has;
}

/**
 * The address of one page of results: the parameters given, `before` for the next page.
 * @param {SearchQuery} query
 * @param {{before?: string | null, limit?: number}} [page]
 * @returns {string}
 */
export function searchUrl(query, { before = null, limit = PAGE_SIZE } = {}) {
  const params = new URLSearchParams({ q: query.q });
  if (query.room) params.set("room", query.room);
  if (query.from) params.set("from", query.from);
  if (query.has) params.set("has", query.has);
  if (before) params.set("before", before);
  params.set("limit", String(limit));
  return `${SEARCH_URL}?${params}`;
}

/**
 * The words to highlight: those of `q` the server searches for (MIN_WORD code points or more),
 * longest first (so that a longer word wins where two overlap).
 * @param {string} q
 * @returns {string[]}
 */
export function highlightWords(q) {
  const words = new Set();
  for (const word of q.split(/\s+/)) {
    if ([...word].length >= MIN_WORD) words.add(word);
  }
  return [...words].sort((a, b) => b.length - a.length);
}

/**
 * Where `words` occur in `text`, case-insensitively, whole or inside longer words: [start, end)
 * ranges in order, never overlapping.
 * @param {string} text
 * @param {string[]} words
 * @returns {[number, number][]}
 */
export function matchRanges(text, words) {
  if (!words.length || !text) return [];
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  const pattern = new RegExp(escaped.join("|"), "giu");
  /** @type {[number, number][]} */
  const ranges = [];
  for (const match of text.matchAll(pattern)) {
    const start = /** @type {number} */ (match.index);
    ranges.push([start, start + match[0].length]);
  }
  return ranges;
}

/**
 * The room page that opens at a result: /rooms/<slug>/?seq=N (message_jump.js).
 * @param {string} room
 * @param {number} seq
 */
export function resultHref(room, seq) {
  return `/rooms/${encodeURIComponent(room)}/?seq=${seq}`;
}

/**
 * What the status line says once a search answered.
 * @param {number} shown  results shown
 * @param {boolean} more  another page exists
 * @param {string} text  the box's text
 */
export function resultsText(shown, more, text) {
  if (!shown) return `No messages match “${text}”.`;
  const n = more ? `${shown}+` : String(shown);
  return `${n} ${shown === 1 && !more ? "message" : "messages"} found.`;
}

/**
 * The error an answer carries ({error: {code, message}}), for people.
 * @param {number} status
 * @param {unknown} body
 */
export function searchErrorText(status, body) {
  const error = body && typeof body === "object" ? /** @type {{error?: unknown}} */ (body).error : null;
  const message =
    error && typeof error === "object" ? /** @type {{message?: unknown}} */ (error).message : null;
  if (typeof message === "string" && message) return message;
  if (status === 401) return "You are signed out: sign in again to search.";
  if (status === 429) return "Too many searches: wait a moment.";
  return status ? `The search failed (${status}).` : "The search failed: no connection.";
}
