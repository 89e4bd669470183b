// @ts-check
// The room header's notification menu (#notify-menu): All messages, Mentions or Nothing. A
// choice sends `notify`; the answer, `notify` frames from the user's other tabs and
// `subscribed.level` set what it shows.

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
    this.button = /** @type {HTMLButtonElement} */ (root.querySelector("#notify-button"));
    this.menu = /** @type {HTMLElement} */ (root.querySelector("#notify-options"));
    this.label = /** @type {HTMLElement} */ (root.querySelector("#notify-label"));
    this.error = /** @type {HTMLElement} */ (root.querySelector("#notify-error"));
    /** @type {Level} */
    this.level = isLevel(level) ? level : "mentions";
    this.set(this.level);
    this.button.addEventListener("click", () => this.toggle(this.menu.hidden));
    this.menu.addEventListener("click", async (event) => {
      const choice = /** @type {HTMLElement} */ (event.target).closest("[data-level]");
      if (!(choice instanceof HTMLElement) || !isLevel(choice.dataset.level)) return;
      const wanted = choice.dataset.level;
      this.error.hidden = true;
      const answer = await send(wanted);
      if (answer.ok) {
        this.set(isLevel(answer.level) ? answer.level : wanted);
        this.toggle(false);
        this.button.focus();
      } else {
        this.error.textContent = answer.message || "Could not change the notifications.";
        this.error.hidden = false;
      }
    });
    this.menu.addEventListener("keydown", (event) => {
      const items = /** @type {HTMLElement[]} */ ([...this.menu.querySelectorAll("[data-level]")]);
      const index = items.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      if (event.key === "Escape") {
        this.toggle(false);
        this.button.focus();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        items[(index + step + items.length) % items.length]?.focus();
      }
    });
    document.addEventListener("click", (event) => {
      if (!this.menu.hidden && !root.contains(/** @type {Node} */ (event.target))) {
        this.toggle(false);
      }
    });
  }

  /** @param {boolean} open */
  toggle(open) {
    this.menu.hidden = !open;
    this.button.setAttribute("aria-expanded", String(open));
    if (open) {
      this.error.hidden = true;
      /** @type {HTMLElement | null} */ (this.menu.querySelector("[aria-checked=true]"))?.focus();
    }
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
    if (!shown) this.toggle(false);
  }
}

/**
 * The room page's menu for `room`, over the socket: a choice sends `notify`; `notify` frames
 * (this tab's answer, the user's other tabs) and `subscribed.level` set what it shows. Null
 * when the page has no menu.
 * @param {import("./socket.js").ParleySocket} socket
 * @param {string} room
 * @param {unknown} level  the page's
 */
export function connectNotifyMenu(socket, room, level) {
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
    socket.on(type, (frame) => {
      if (frame.room === room && frame.level !== undefined) menu.set(frame.level);
    });
  }
  return menu;
}
