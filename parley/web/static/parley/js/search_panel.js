// @ts-check
// Search in the room page: the box in the room's header (#search-form; `/` focuses it when the
// focus is not in a text field; on a phone the 🔍 button opens it over the header) and the
// results panel (#search-panel: beside the timeline on a desktop, under the header on a phone).
// What is typed is parsed into the API's parameters (search_query.js), the API is asked for a
// page of results at a time (GET /api/v1/search, newest first; "Load more" follows `next`), and
// each result shows its room, author, time and the message's html (message_html.js) with the
// matching words marked: only text nodes are split into <mark>s, nothing but the server's html
// goes in as markup.
//
// A result opens its room at that message (room_switch.js: /rooms/<slug>/?seq=N, no reload;
// message_jump.js scrolls to it and flashes it, a reply opens in its thread). The panel closes
// then, on a desktop too: it belongs to the room view that the opened room replaces. Escape or
// ✕ closes it and the focus goes back to the search box (on a phone, to the 🔍 button).

import { showMessageHtml } from "./message_html.js";
import { openRoom } from "./room_switch.js";
import { roomsFromSidebar } from "./room_switcher.js";
import {
  highlightWords,
  isEmptySearch,
  matchRanges,
  parseSearch,
  resultHref,
  resultsText,
  searchErrorText,
  searchUrl,
} from "./search_query.js";
import { dayLabel, fullTimestamp, timeOfDay } from "./time_format.js";

/** @typedef {import("./search_query.js").SearchQuery} SearchQuery */

/** The phone widths of parley.css, where the box folds into a button. */
const PHONE_QUERY = "(max-width: 47.99rem)";

/** The last search's text: the box of the room a result opened holds it again. */
let lastText = "";

/**
 * One result of GET /api/v1/search.
 * @typedef {object} SearchResult
 * @property {string} room
 * @property {number} seq
 * @property {{username?: unknown, display_name?: unknown} | null} [author]
 * @property {string} [body]
 * @property {string} [html]
 * @property {string} [ts]
 * @property {number} [thread]
 */

/**
 * The search that is shown: its text, parameters, the cursor of the next page.
 * @typedef {{text: string, query: SearchQuery, next: string | null, shown: number}} Search
 */

/**
 * What the room view needs of the search.
 * @typedef {{close: (options?: {focus?: boolean}) => void, readonly isOpen: boolean}} SearchView
 */

/**
 * Mark `words` in the text of `root` with <mark>: text nodes are split, never parsed.
 * @param {HTMLElement} root
 * @param {string[]} words
 */
export function markMatches(root, words) {
  if (!words.length) return;
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  /** @type {Text[]} */
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) texts.push(/** @type {Text} */ (node));
  for (const node of texts) {
    const text = node.data;
    const ranges = matchRanges(text, words);
    if (!ranges.length) continue;
    const parts = doc.createDocumentFragment();
    let last = 0;
    for (const [start, end] of ranges) {
      if (start > last) parts.append(text.slice(last, start));
      const mark = doc.createElement("mark");
      mark.textContent = text.slice(start, end);
      parts.append(mark);
      last = end;
    }
    if (last < text.length) parts.append(text.slice(last));
    node.replaceWith(parts);
  }
}

/**
 * Bind the search box and panel of the current #room-view.
 * @param {object} options
 * @param {string} options.me  the reader (their mention chips are marked)
 * @param {() => void} options.onOpen  the panel opens (the thread panel makes room)
 * @param {AbortSignal} options.signal  the room view's lifetime
 * @returns {SearchView | null}  null on a page without the search box
 */
export function bindSearch({ me, onOpen, signal }) {
  /** @param {string} id */
  const byId = (id) => document.getElementById(id);
  const foundForm = byId("search-form");
  const foundInput = byId("search-input");
  const foundPanel = byId("search-panel");
  const foundTemplate = byId("search-result-template");
  if (!(foundForm instanceof HTMLFormElement) || !(foundInput instanceof HTMLInputElement)) return null;
  if (!foundPanel || !(foundTemplate instanceof HTMLTemplateElement)) return null;
  const form = foundForm;
  const input = foundInput;
  const panel = foundPanel;
  const template = foundTemplate;
  const header = form.closest(".room__header");
  const body = panel.parentElement;
  const openButton = /** @type {HTMLButtonElement | null} */ (byId("search-open"));
  const cancel = /** @type {HTMLButtonElement | null} */ (byId("search-cancel"));
  const closeButton = /** @type {HTMLButtonElement} */ (byId("search-close"));
  const status = /** @type {HTMLElement} */ (byId("search-status"));
  const list = /** @type {HTMLElement} */ (byId("search-results"));
  const more = /** @type {HTMLButtonElement} */ (byId("search-more"));
  const errorBox = /** @type {HTMLElement} */ (byId("search-error"));
  const errorText = /** @type {HTMLElement} */ (byId("search-error-text"));
  const retry = /** @type {HTMLButtonElement} */ (byId("search-retry"));

  /** @type {Search | null} */
  let search = null;
  /** The request in flight (a newer search or closing aborts it). */
  let inFlight = /** @type {AbortController | null} */ (null);
  /** What "Try again" repeats. */
  let failed = /** @type {(() => void) | null} */ (null);

  /** Phones: the box is folded into the 🔍 button until opened (the CSS's phone width). */
  const folded = () => openButton !== null && window.matchMedia(PHONE_QUERY).matches;

  function unfold() {
    header?.classList.add("is-searching");
    input.focus();
    input.select();
  }

  /** @param {{focus?: boolean}} [options] */
  function close({ focus = true } = {}) {
    inFlight?.abort();
    inFlight = null;
    search = null;
    const wasOpen = !panel.hidden;
    panel.hidden = true;
    body?.classList.remove("has-search");
    list.replaceChildren();
    more.hidden = true;
    errorBox.hidden = true;
    status.textContent = "";
    const unfolded = header?.classList.contains("is-searching") ?? false;
    header?.classList.remove("is-searching");
    if (!focus || (!wasOpen && !unfolded)) return;
    if (folded()) openButton?.focus();
    else input.focus();
  }

  /** @param {string} text */
  function start(text) {
    const query = parseSearch(text);
    if (isEmptySearch(query)) return;
    if (panel.hidden) {
      onOpen();
      panel.hidden = false;
      body?.classList.add("has-search");
    }
    search = { text: text.trim(), query, next: null, shown: 0 };
    list.replaceChildren();
    load(search, null);
  }

  /**
   * A page of `current`: the first (`before` null) or the one after the cursor.
   * @param {Search} current
   * @param {string | null} before
   */
  async function load(current, before) {
    inFlight?.abort();
    const request = new AbortController();
    inFlight = request;
    failed = null;
    errorBox.hidden = true;
    // "Load more" stays (and keeps the focus) while its page loads.
    if (before) {
      more.setAttribute("aria-disabled", "true");
      more.textContent = "Loading…";
    } else {
      more.hidden = true;
    }
    list.setAttribute("aria-busy", "true");
    status.textContent = before ? "Loading more…" : "Searching…";
    /** @type {{status: number, body: unknown}} */
    let answer;
    try {
      const response = await fetch(searchUrl(current.query, { before }), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: request.signal,
      });
      let data = null;
      try {
        data = await response.json();
      } catch {
        data = null;
      }
      answer = { status: response.ok ? 200 : response.status, body: data };
    } catch {
      if (request.signal.aborted) return;
      answer = { status: 0, body: null };
    }
    if (search !== current || inFlight !== request) return; // a newer search, or closed
    inFlight = null;
    list.removeAttribute("aria-busy");
    more.removeAttribute("aria-disabled");
    more.textContent = "Load more";
    const moreHadFocus = document.activeElement === more;
    const page = /** @type {{results?: unknown, next?: unknown} | null} */ (answer.body);
    if (answer.status !== 200 || !page || !Array.isArray(page.results)) {
      status.textContent = "";
      errorText.textContent = searchErrorText(answer.status, answer.body);
      errorBox.hidden = false;
      failed = () => load(current, before);
      return;
    }
    const words = highlightWords(current.query.q);
    const first = list.children.length;
    for (const result of /** @type {SearchResult[]} */ (page.results)) {
      if (typeof result?.room !== "string" || !Number.isInteger(result.seq)) continue;
      list.append(renderResult(result, words));
      current.shown += 1;
    }
    current.next = typeof page.next === "string" && page.next ? page.next : null;
    more.hidden = current.next === null;
    status.textContent = resultsText(current.shown, current.next !== null, current.text);
    // "Load more" gone with the last page: the focus goes on to the first new result.
    if (moreHadFocus && more.hidden) {
      const link = list.children[first]?.querySelector("a.search-result__link");
      if (link instanceof HTMLElement) link.focus();
    }
  }

  /**
   * A room as the sidebar names it ("# Ops", "🔒 Plans", "@ bob"); a room not listed there (a
   * public room the reader has not joined) by its slug.
   * @param {string} slug
   */
  function roomTitle(slug) {
    const room = roomsFromSidebar(document.getElementById("sidebar")).find((r) => r.slug === slug);
    if (!room) return `# ${slug}`;
    const icon = room.kind === "direct" ? "@" : room.kind === "private" ? "🔒" : "#";
    return `${icon} ${room.title}`;
  }

  /**
   * @param {SearchResult} result
   * @param {string[]} words
   */
  function renderResult(result, words) {
    const item = /** @type {HTMLElement} */ (
      /** @type {HTMLElement} */ (template.content.firstElementChild).cloneNode(true)
    );
    item.dataset.room = result.room;
    item.dataset.seq = String(result.seq);
    const link = /** @type {HTMLAnchorElement} */ (item.querySelector(".search-result__link"));
    link.href = resultHref(result.room, result.seq);
    const where = item.querySelector(".search-result__where");
    if (where) where.textContent = `${roomTitle(result.room)}${result.thread ? " · in a thread" : ""}`;
    const who = item.querySelector(".search-result__who");
    const author = result.author && typeof result.author.username === "string" ? result.author.username : null;
    // A webhook's message shows the name it posted under, as in the timeline.
    const shown = result.author && typeof result.author.display_name === "string" ? result.author.display_name : "";
    if (who) who.textContent = author === null ? "deleted user" : shown || author;
    const time = item.querySelector(".search-result__time");
    if (time instanceof HTMLTimeElement && result.ts) {
      time.dateTime = result.ts;
      time.textContent = `${dayLabel(result.ts)}, ${timeOfDay(result.ts)}`;
      time.title = fullTimestamp(result.ts);
    }
    const words_ = /** @type {HTMLElement} */ (item.querySelector(".search-result__body"));
    showMessageHtml(words_, { html: result.html, body: result.body, me });
    markMatches(words_, words);
    return item;
  }

  if (!input.value) input.value = lastText;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    lastText = input.value;
    start(input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.isComposing) {
      event.preventDefault();
      if (!panel.hidden || header?.classList.contains("is-searching")) close();
      else input.blur();
    }
  });
  openButton?.addEventListener("click", unfold);
  cancel?.addEventListener("click", () => close());
  closeButton.addEventListener("click", () => close());
  more.addEventListener("click", () => {
    if (search?.next && !more.hasAttribute("aria-disabled")) load(search, search.next);
  });
  retry.addEventListener("click", () => failed?.());
  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented) {
      event.preventDefault();
      close();
    }
  });
  list.addEventListener("click", (event) => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const target = /** @type {Element | null} */ (event.target);
    // A link in the message opens as links do; anywhere else on a result opens the result.
    if (target?.closest(".search-result__body a[href]")) return;
    const link = target?.closest(".search-result")?.querySelector("a.search-result__link");
    if (!(link instanceof HTMLAnchorElement)) return;
    event.preventDefault();
    close({ focus: false });
    openRoom(link.href);
  });
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "Escape" && !panel.hidden && !event.defaultPrevented) {
        // The focus nowhere (a click on the panel's background): Escape still closes it.
        const active = document.activeElement;
        if (!active || active === document.body) {
          event.preventDefault();
          close();
        }
        return;
      }
      if (event.key !== "/" || event.defaultPrevented || event.isComposing) return;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = /** @type {Element | null} */ (event.target);
      if (target?.closest?.("input, textarea, select, [contenteditable]:not([contenteditable=false])")) return;
      if (document.querySelector("dialog[open]")) return;
      event.preventDefault();
      if (folded()) unfold();
      else {
        input.focus();
        input.select();
      }
    },
    { signal },
  );

  return {
    close,
    get isOpen() {
      return !panel.hidden;
    },
  };
}
