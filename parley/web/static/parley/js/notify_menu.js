// @ts-check
// The notification level of a room (#notify-menu, a group inside the header's ⋯ menu,
// room_menu.js): All messages, Mentions or Nothing. A choice sends `notify`; the answer,
// `notify` frames from the user's other tabs and `subscribed.level` set what it shows.

import { CHOSEN_EVENT, bindRoomMenu } from "./room_menu.js";

/** @typedef {"all" | "mentions" | "none"} Level */

export const LEVEL_TEXT = Object.freeze({ all: "All messages", mentions: "Mentions", none: "Nothing" });

/** @param {unknown} level @returns {level is Level} */
export function isLevel(level) {
  return level === "all" || level === "mentions" || level === "none";
}

export class NotifyMenu {
  /**
   * @param {HTMLElement} root  #notify-menu
   * @param {{level: unknown, send: (level: Level) => Promise<{ok: boolean, level?: unknown,
   *   message?: string}>}} options
   */
  constructor(root, { level, send }) {
    this.root = root;
    this.menu = /** @type {HTMLElement} */ (root.querySelector("#notify-options"));
    this.label = /** @type {HTMLElement} */ (root.querySelector("#notify-label"));
    this.error = /** @type {HTMLElement} */ (root.querySelector("#notify-error"));
    /** @type {Level} */
    this.level = isLevel(level) ? level : "mentions";
    this.set(this.level);
    this.menu.addEventListener("click", async (event) => {
      const choice = /** @type {HTMLElement} */ (event.target).closest("[data-level]");
      if (!(choice instanceof HTMLElement) || !isLevel(choice.dataset.level)) return;
      const wanted = choice.dataset.level;
      this.error.hidden = true;
      const answer = await send(wanted);
      if (answer.ok) {
        this.set(isLevel(answer.level) ? answer.level : wanted);
        // The ⋯ menu closes and gives focus back to its button.
        root.dispatchEvent(new CustomEvent(CHOSEN_EVENT, { bubbles: true }));
      } else {
        this.error.textContent = answer.message || "Could not change the notifications.";
        this.error.hidden = false;
      }
    });
  }

  /** @param {unknown} level */
  set(level) {
    if (!isLevel(level)) return;
    this.level = level;
    this.label.textContent = LEVEL_TEXT[level];
    for (const item of this.menu.querySelectorAll("[data-level]")) {
      item.setAttribute("aria-checked", String(/** @type {HTMLElement} */ (item).dataset.level === level));
    }
  }

  /** @param {boolean} shown */
  show(shown) {
    this.root.hidden = !shown;
  }
}

/**
 * The room page's menu for `room`, over the socket: a choice sends `notify`; `notify` frames
 * (this tab's answer, the user's other tabs) and `subscribed.level` set what it shows. Null
 * when the page has no menu. It also binds the ⋯ menu that holds it (#room-menu), so the room
 * view that connects the levels gets the whole menu with the same lifetime.
 * @param {import("./socket.js").ParleySocket} socket
 * @param {string} room
 * @param {unknown} level  the page's
 * @param {{signal?: AbortSignal}} [options]  aborting stops listening to the socket
 */
export function connectNotifyMenu(socket, room, level, { signal } = {}) {
  const holder = document.getElementById("room-menu");
  if (holder) bindRoomMenu(holder, { signal });
  const root = document.getElementById("notify-menu");
  if (!root) return null;
  const menu = new NotifyMenu(root, {
    level,
    send: async (wanted) => {
      const reply = await socket.request({ type: "notify", room, level: wanted });
      return reply.type === "notify"
        ? { ok: true, level: reply.level }
        : { ok: false, message: reply.message };
    },
  });
  for (const type of ["notify", "subscribed"]) {
    const off = socket.on(type, (frame) => {
      if (frame.room === room && frame.level !== undefined) menu.set(frame.level);
    });
    signal?.addEventListener("abort", off, { once: true });
  }
  return menu;
}
