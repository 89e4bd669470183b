// @ts-check
// User text for people: where its links are, its length as the server counts it, sizes.
// No DOM: item_view.js turns the parts into text nodes and links.

// A run of non-space characters starting with http:// or https://.
const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;
/** @type {Record<string, string>} */
const PAIRS = { ")": "(", "]": "[", "}": "{" };

/**
 * Cut punctuation that ends a sentence rather than the URL; keep a balanced closing paren.
 * @param {string} candidate
 * @returns {string}
 */
export function trimUrl(candidate) {
  let url = candidate;
  for (;;) {
    const trimmed = url.replace(TRAILING, "");
    const last = trimmed.slice(-1);
    if (last in PAIRS) {
      const opens = trimmed.split(PAIRS[last]).length - 1;
      const closes = trimmed.split(last).length - 1;
      if (closes > opens) {
        url = trimmed.slice(0, -1);
        continue;
      }
    }
    return trimmed;
  }
}

/**
 * The parts of `text`: [{text}] and [{text, href}] for http(s) links, in order.
 * @param {string} text
 * @returns {{text: string, href?: string}[]}
 */
export function splitLinks(text) {
  /** @type {{text: string, href?: string}[]} */
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_RE)) {
    const raw = trimUrl(match[0]);
    let href = null;
    try {
      const url = new URL(raw);
      if (url.protocol === "http:" || url.protocol === "https:") href = url.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    const index = /** @type {number} */ (match.index);
    if (index > last) parts.push({ text: text.slice(last, index) });
    parts.push({ text: raw, href });
    last = index + raw.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/**
 * Length in Unicode code points, as the server counts it.
 * @param {string} text
 */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
