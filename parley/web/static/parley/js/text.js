// User text to DOM nodes, safely: text nodes and <a> elements built one by one, never HTML.

// A run of non-space characters starting with http:// or https://.
const URL_RE = /\bhttps?:\/\/[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'"*_~]+$/;

/** Cut punctuation that ends a sentence rather than the URL; keep a balanced closing paren. */
export function trimUrl(candidate) {
  let url = candidate;
  for (;;) {
    const trimmed = url.replace(TRAILING, "");
    const last = trimmed.slice(-1);
    const pairs = { ")": "(", "]": "[", "}": "{" };
    if (last in pairs) {
      const opens = trimmed.split(pairs[last]).length - 1;
      const closes = trimmed.split(last).length - 1;
      if (closes > opens) {
        url = trimmed.slice(0, -1);
        continue;
      }
    }
    return trimmed;
  }
}

/** The parts of `text`: [{text}] and [{text, href}] for http(s) links, in order. */
export function splitLinks(text) {
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
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: raw, href });
    last = match.index + raw.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

/** Fill `element` with `text`, its http(s) links clickable, everything else plain text. */
export function renderText(element, text) {
  element.replaceChildren();
  for (const part of splitLinks(text)) {
    if (part.href) {
      const a = document.createElement("a");
      a.href = part.href;
      a.textContent = part.text;
      a.rel = "noopener noreferrer nofollow";
      a.target = "_blank";
      element.append(a);
    } else {
      element.append(document.createTextNode(part.text));
    }
  }
}

/** Length in Unicode code points, as the server counts it. */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

/** A byte count for people: "512 bytes", "1.5 KiB", "25 MiB" (the server's size_label too). */
export function humanSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} byte${n === 1 ? "" : "s"}`;
  let size = n;
  let unit = "";
  for (unit of ["KiB", "MiB", "GiB"]) {
    size /= 1024;
    if (size < 1024) break;
  }
  const text = size < 100 ? size.toFixed(1).replace(/\.0$/, "") : size.toFixed(0);
  return `${text} ${unit}`;
}
