// @ts-check
// The room switcher: Ctrl+K (⌘K on a Mac), or a click on any [data-open-switcher] element,
// opens #switcher, a modal dialog whose search field lists the user's rooms and conversations
// as a listbox (the ARIA combobox pattern: the focus stays in the field, the active option is
// its aria-activedescendant). Up/Down move, Enter or a click opens the room, Escape closes and
// gives the focus back. The matching is switcher_match.js's; this module only draws and listens.
//
// The dialog lives as long as the page (it is outside #room-view): bind it once, with the
// page's AbortSignal.

import { openRoom } from "./room_switch.js";
import { LIMIT, highlight, rankRooms, titleOf } from "./switcher_match.js";

/** @typedef {import("./switcher_match.js").Room} Room */
/** @typedef {import("./switcher_match.js").Ranked} Ranked */

const ICON = { public: "#", private: "🔒", direct: "@" };
const KIND = { public: "room", private: "private room", direct: "direct message" };

/**
 * Whether `event` is the switcher's shortcut: Ctrl+K, or ⌘K on a Mac (either works on any
 * system, as in Slack). Held down, it does not open and close again and again.
 * @param {KeyboardEvent} event
 */
export function isSwitcherKey(event) {
  if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey || event.repeat) {
    return false;
  }
  // `key` follows the keyboard layout; on a non-Latin layout it is another letter, and the
  // physical K key is what the shortcut means there.
  const key = (event.key ?? "").toLowerCase();
  return key === "k" || (!/^[a-z]$/.test(key) && event.code === "KeyK");
}

/**
 * The rooms of the sidebar, in its order, as the switcher lists them: each row
 * `[data-unread-room]` (its counts, kept live by unread.js, and its title and icon).
 * @param {ParentNode | null} sidebar  the page's #sidebar
 * @param {string | null} [currentSlug]  the room open now (default: the row marked is-current)
 * @returns {Room[]}
 */
export function roomsFromSidebar(sidebar, currentSlug) {
  if (!sidebar) return [];
  /** @type {Room[]} */
  const rooms = [];
  const seen = new Set();
  for (const row of sidebar.querySelectorAll("[data-unread-room]")) {
    if (!(row instanceof HTMLElement)) continue;
    const slug = row.dataset.unreadRoom ?? "";
    if (!slug || seen.has(slug)) continue;
    seen.add(slug);
    const icon = row.querySelector(".sidebar__icon")?.textContent?.trim() ?? "";
    /** @type {Room["kind"]} */
    const kind = icon === "🔒" ? "private" : icon === "@" ? "direct" : "public";
    const link = row.querySelector("a[href]");
    rooms.push({
      slug,
      title: row.querySelector(".sidebar__name")?.textContent?.trim() || slug,
      kind,
      unread: Number(row.dataset.unread) || 0,
      mentions: Number(row.dataset.mentions) || 0,
      muted: row.dataset.level === "none",
      current:
        currentSlug === undefined || currentSlug === null
          ? row.classList.contains("is-current")
          : slug === currentSlug,
      href: link instanceof HTMLAnchorElement ? link.href : undefined,
    });
  }
  return rooms;
}

/**
 * Make the page's switcher work.
 * @param {object} options
 * @param {() => Room[]} options.rooms  the rooms to offer, read each time the list is drawn
 * @param {(room: Room) => void} [options.open]  open that room (default: the room switch's
 *   openRoom, i.e. without a reload when the page can)
 * @param {AbortSignal} [options.signal]  aborted: every listener goes, the dialog closes
 * @param {HTMLDialogElement | null} [options.dialog]
 * @returns {{show: () => void, hide: () => void} | null}  null when the page has no switcher
 */
export function bindRoomSwitcher({
  rooms,
  open = (room) => openRoom(room.href ?? `/rooms/${encodeURIComponent(room.slug)}/`),
  signal,
  dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("switcher")),
}) {
  const doc = dialog?.ownerDocument;
  const input = doc?.getElementById("switcher-input");
  const list = doc?.getElementById("switcher-list");
  const status = doc?.getElementById("switcher-status");
  const template = doc?.getElementById("switcher-option-template");
  if (
    !dialog ||
    !doc ||
    !(input instanceof HTMLInputElement) ||
    !list ||
    !status ||
    !(template instanceof HTMLTemplateElement)
  ) {
    return null;
  }
  const on = { signal };
  /** @type {Ranked[]} */
  let results = [];
  let active = 0;
  /** @type {Element | null} where the focus was before the dialog opened */
  let returnTo = null;
  let giveFocusBack = true;

  function show() {
    if (dialog.open) {
      input.focus();
      return;
    }
    returnTo = doc.activeElement;
    giveFocusBack = true;
    input.value = "";
    active = 0;
    render();
    dialog.showModal();
    input.focus();
  }

  /** @param {boolean} [restore]  give the focus back to where it was */
  function hide(restore = true) {
    if (!dialog.open) return;
    giveFocusBack = restore;
    dialog.close();
  }

  function render() {
    results = rankRooms(input.value, rooms(), LIMIT);
    active = Math.max(0, Math.min(active, results.length - 1));
    list.replaceChildren(...results.map(option));
    input.setAttribute("aria-expanded", String(results.length > 0));
    const query = input.value.trim();
    status.textContent = results.length
      ? ""
      : query
        ? `Nothing matches “${query}”.`
        : "You have no rooms or conversations yet.";
    activate(active, false);
  }

  /**
   * @param {Ranked} ranked
   * @param {number} index
   */
  function option({ room, field, marks }, index) {
    const li = /** @type {HTMLElement} */ (
      /** @type {Element} */ (template.content.firstElementChild).cloneNode(true)
    );
    li.id = `switcher-option-${index}`;
    li.dataset.index = String(index);
    li.dataset.slug = room.slug;
    const part = (/** @type {string} */ selector) =>
      /** @type {HTMLElement} */ (li.querySelector(selector));
    part(".switcher__icon").textContent = ICON[room.kind] ?? "#";
    fillMarked(part(".switcher__name"), titleOf(room), field === "title" ? marks : []);
    const slug = part(".switcher__slug");
    if (field === "slug") fillMarked(slug, room.slug, marks);
    else slug.remove();
    part(".switcher__kind").textContent = `, ${KIND[room.kind] ?? KIND.public}`;
    part(".switcher__here").hidden = !room.current;
    const unread = room.unread > 0;
    part(".unread-dot").hidden = !(unread && room.muted);
    const badge = part(".unread-badge");
    badge.hidden = !unread || Boolean(room.muted);
    part(".unread-badge [data-count]").textContent = String(room.unread);
    part(".mention-badge").hidden = !(room.mentions > 0);
    part(".mention-badge [data-count]").textContent = String(room.mentions);
    return li;
  }

  /**
   * `text` into `el`, the matched letters in <mark>s; text nodes only: a title is user text.
   * @param {HTMLElement} el
   * @param {string} text
   * @param {number[]} marks
   */
  function fillMarked(el, text, marks) {
    el.replaceChildren(
      ...highlight(text, marks).map((run) => {
        if (!run.mark) return doc.createTextNode(run.text);
        const mark = doc.createElement("mark");
        mark.textContent = run.text;
        return mark;
      }),
    );
  }

  /**
   * @param {number} index
   * @param {boolean} scroll  bring it into view (a key moved it; a pointer did not)
   */
  function activate(index, scroll) {
    active = index;
    const options = list.children;
    for (let i = 0; i < options.length; i += 1) {
      options[i].setAttribute("aria-selected", String(i === index));
    }
    const current = options[index];
    if (current) {
      input.setAttribute("aria-activedescendant", current.id);
      if (scroll) current.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  /** @param {number} index */
  function pick(index) {
    const ranked = results[index];
    if (!ranked) return;
    if (ranked.room.current) {
      hide();
      return;
    }
    // The room about to open decides where the focus goes, not the old one.
    hide(false);
    open(ranked.room);
  }

  input.addEventListener(
    "input",
    () => {
      active = 0;
      render();
    },
    on,
  );
  input.addEventListener(
    "keydown",
    (event) => {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      const count = results.length;
      if (event.key === "ArrowDown" && count) activate((active + 1) % count, true);
      else if (event.key === "ArrowUp" && count) activate((active - 1 + count) % count, true);
      else if (event.key === "Enter") pick(active);
      else return;
      event.preventDefault();
    },
    on,
  );
  // A press on an option would take the focus from the field (and end the combobox).
  list.addEventListener("mousedown", (event) => event.preventDefault(), on);
  list.addEventListener(
    "click",
    (event) => {
      const li = /** @type {Element} */ (event.target).closest?.("[data-index]");
      if (li instanceof HTMLElement) pick(Number(li.dataset.index));
    },
    on,
  );
  list.addEventListener(
    "pointermove",
    (event) => {
      const li = /** @type {Element} */ (event.target).closest?.("[data-index]");
      if (li instanceof HTMLElement && Number(li.dataset.index) !== active) {
        activate(Number(li.dataset.index), false);
      }
    },
    on,
  );
  dialog.addEventListener(
    "click",
    (event) => {
      // The dialog has no padding of its own: a click on it is a click on the backdrop.
      const target = /** @type {Element} */ (event.target);
      if (target === dialog || target.closest("[data-switcher-close]")) hide();
    },
    on,
  );
  dialog.addEventListener(
    "close",
    () => {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      const back = returnTo;
      returnTo = null;
      if (giveFocusBack && back instanceof HTMLElement && back.isConnected) back.focus();
    },
    on,
  );
  // Capturing, on the window: before any box's own keys (the composer's), and Ctrl+K must not
  // reach the browser (its address bar search).
  doc.defaultView?.addEventListener(
    "keydown",
    (event) => {
      if (!isSwitcherKey(event)) return;
      event.preventDefault();
      // Not over another modal (a confirmation, the image viewer): it has the user's attention.
      if (!dialog.open && doc.querySelector("dialog[open]")) return;
      if (dialog.open) hide();
      else show();
    },
    { signal, capture: true },
  );
  doc.addEventListener(
    "click",
    (event) => {
      const target = /** @type {Element | null} */ (event.target);
      if (!target?.closest?.("[data-open-switcher]")) return;
      event.preventDefault();
      show();
    },
    on,
  );
  signal?.addEventListener("abort", () => hide(false), { once: true });
  return { show, hide };
}
