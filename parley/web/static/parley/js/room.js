// @ts-check
// The room page's app: what lives as long as the page. One socket, the sidebar with its live
// counts (unread.js), new direct conversations (direct_rooms.js), the connection indicator, the
// room switcher (room_switcher.js) and the open room's view (room_view.js). Opening another room from the sidebar or the switcher
// swaps the view without a reload (room_switch.js): the socket stays connected, drafts stay
// with their rooms (drafts.js), and coming back to a room finds the reader where they were.
//
// Keys: Escape marks the open room read (as in Slack), unless something else used it (a menu,
// the thread panel, an edit box).

import { reportActivity } from "./activity.js";
import { readJsonScript } from "./config.js";
import { listNewDirectRooms } from "./direct_rooms.js";
import { RoomSwitch } from "./room_switch.js";
import { bindRoomSwitcher, roomsFromSidebar } from "./room_switcher.js";
import { openRoomView } from "./room_view.js";
import { bindSidebar } from "./sidebar.js";
import { ParleySocket } from "./socket.js";
import { DesktopNotifier } from "./desktop_notify.js";
import { bindIndicator } from "./status.js";
import { TabBadge, attentionOf } from "./tab_badge.js";
import { UnreadTracker, numbersOf } from "./unread.js";

/** @typedef {import("./room_view.js").RoomData} RoomData */
/** @typedef {import("./room_view.js").RoomView} RoomView */
/** @typedef {import("./timeline_model.js").Item} Item */

const data = readJsonScript("room-data", null);
if (data) startApp(data, readJsonScript("initial-items", []));

/**
 * @param {RoomData} first  the room the page opened with
 * @param {Item[]} firstItems
 */
function startApp(first, firstItems) {
  const socket = new ParleySocket();
  const sidebar = document.getElementById("sidebar");
  /** @type {RoomView | null} */
  let view = null;
  /** Where the reader was in each room left (seq of the top row, its offset); absent: the end. */
  const places = new Map();
  // The tab's title, favicon and app badge count what is unread for the user (tab_badge.js).
  const badge = new TabBadge();
  /** @param {string} slug */
  const sidebarRow = (slug) =>
    sidebar?.querySelector(`[data-unread-room="${CSS.escape(slug)}"]`) ?? null;
  /** @param {string} slug */
  const isDirect = (slug) =>
    (view?.slug === slug && Boolean(view.isDirect)) ||
    Boolean(sidebarRow(slug)?.closest("#sidebar-direct"));

  const unread = new UnreadTracker(socket, {
    me: first.username,
    // The open room needs no badge while it is read here.
    reading: (name) => view !== null && name === view.slug && view.isReading(),
    onChange: (tracker) => {
      badge.show(attentionOf(tracker, isDirect, view?.slug ?? null));
      const dot = document.querySelector("#sidebar-toggle [data-unread-elsewhere]");
      if (dot instanceof HTMLElement) dot.hidden = tracker.unreadElsewhere(view?.slug ?? "") === 0;
    },
  });
  for (const row of sidebar ? sidebar.querySelectorAll("[data-unread-room]") : []) {
    const holder = /** @type {HTMLElement} */ (row);
    const name = holder.dataset.unreadRoom ?? "";
    // The open room is followed by its view (with `after`); the others only for their counts.
    const follow = name !== first.slug && holder.dataset.member === "true";
    unread.track(name, { ...numbersOf(holder), follow });
  }
  listNewDirectRooms(socket, unread, {
    me: first.username,
    list: document.getElementById("sidebar-direct"),
    template: /** @type {HTMLTemplateElement | null} */ (
      document.getElementById("direct-row-template")
    ),
    empty: document.querySelector("#sidebar-direct [data-direct-empty]"),
  });

  view = openRoomView({ socket, unread, room: first, initialItems: firstItems });
  if (!first.jumpSeq) focusOnDesk();
  const assets = /** @type {HTMLElement | null} */ (document.querySelector("[data-notify-setup]"));
  new DesktopNotifier(socket, {
    me: first.username,
    levelOf: (slug) => unread.counts.rooms.get(slug)?.level ?? "",
    isDirect,
    roomName: (slug) =>
      view?.slug === slug
        ? view.name
        : sidebarRow(slug)?.querySelector(".sidebar__name")?.textContent?.trim() || slug,
    openRoom: () => view?.slug ?? null,
    assets: { icon: assets?.dataset.icon, sound: assets?.dataset.sound },
  });

  // The indicator and the sidebar's toggle are bound once; each room's header gets them.
  bindIndicator(socket, document.querySelector("[data-conn]"));
  const toggle = document.getElementById("sidebar-toggle");
  if (sidebar && toggle) bindSidebar(sidebar, toggle);
  reportActivity(socket);
  socket.start();

  new RoomSwitch({
    isOpen: (slug) => view?.slug === slug,
    swap(doc, fresh) {
      const old = /** @type {HTMLElement} */ (document.getElementById("room-view"));
      if (view) {
        places.set(view.slug, view.place());
        view.dispose();
      }
      for (const selector of ["[data-conn]", "#sidebar-toggle"]) {
        const kept = old.querySelector(selector);
        const placeholder = fresh.querySelector(selector);
        if (kept && placeholder) placeholder.replaceWith(kept);
      }
      document.querySelector("#main > .flash")?.remove(); // said on the page left
      old.replaceWith(document.adoptNode(fresh));
      badge.setBase(doc.title);
      const room = /** @type {RoomData} */ (readJsonScript("room-data", null));
      view = openRoomView({ socket, unread, room, initialItems: readJsonScript("initial-items", []) });
      showCurrent(room.slug);
      const place = places.get(room.slug);
      if (place && !room.jumpSeq) view.restorePlace(place);
      if (sidebar?.classList.contains("is-open")) {
        sidebar.classList.remove("is-open");
        toggle?.setAttribute("aria-expanded", "false");
      }
      if (!focusOnDesk()) document.getElementById("main")?.focus({ preventScroll: true });
    },
  });

  // Ctrl/Cmd+K: the rooms of the sidebar, fuzzy-matched; the chosen one opens in place.
  bindRoomSwitcher({ rooms: () => roomsFromSidebar(sidebar, view?.slug) });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
    if (document.querySelector("dialog[open]")) return;
    const target = /** @type {Element | null} */ (event.target);
    const typing = target?.closest?.("input, textarea, select, [contenteditable]");
    // In the message box, on the page itself, or on a message: not in any other field.
    if (typing && typing.id !== "id_body") return;
    view?.markRead();
  });

  /**
   * On a desktop a room opens ready to type in; on a touch screen the keyboard stays down.
   * Returns whether the composer took the focus.
   */
  function focusOnDesk() {
    if (!window.matchMedia("(hover: hover) and (pointer: fine)").matches) return false;
    view?.focusComposer();
    return document.activeElement?.id === "id_body";
  }

  /**
   * The sidebar shows which room is open.
   * @param {string} slug
   */
  function showCurrent(slug) {
    for (const row of sidebar ? sidebar.querySelectorAll("[data-unread-room]") : []) {
      const holder = /** @type {HTMLElement} */ (row);
      const current = holder.dataset.unreadRoom === slug;
      holder.classList.toggle("is-current", current);
      const link = holder.querySelector("a");
      if (current) link?.setAttribute("aria-current", "page");
      else link?.removeAttribute("aria-current");
    }
  }
}
