// @ts-check
// The emoji picker (#emoji-picker) for a reaction beyond the quick set: a search box over the
// server's list (loaded on first use, emoji_search.js) and a grid of emoji buttons. Escape or a
// click elsewhere closes it; picking one calls back and closes it.

import { emojiList, searchEmoji } from "./emoji_search.js";

/** @typedef {import("./emoji_search.js").EmojiEntry} EmojiEntry */

export class EmojiPicker {
  /**
   * @param {HTMLElement} root  #emoji-picker
   * @param {{url: string, signal?: AbortSignal}} options  signal: the room view's lifetime
   */
  constructor(root, { url, signal }) {
    this.root = root;
    this.url = url;
    this.search = /** @type {HTMLInputElement} */ (root.querySelector("#emoji-search"));
    this.grid = /** @type {HTMLElement} */ (root.querySelector("#emoji-grid"));
    this.status = /** @type {HTMLElement} */ (root.querySelector("#emoji-status"));
    /** @type {EmojiEntry[] | null} */
    this.list = null;
    /** @type {Promise<void> | null} */
    this.loading = null;
    /** @type {((emoji: string) => void) | null} */
    this.onPick = null;
    /** @type {HTMLElement | null} where the focus goes back to */
    this.opener = null;
    this.search.addEventListener("input", () => this.render());
    this.search.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        const first = this.grid.querySelector("button");
        if (first instanceof HTMLElement) first.click();
      }
    });
    this.grid.addEventListener("click", (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest("[data-emoji]");
      if (!(button instanceof HTMLElement)) return;
      const pick = this.onPick;
      this.close();
      pick?.(button.dataset.emoji ?? "");
    });
    root.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.close();
      }
    });
    document.addEventListener(
      "mousedown",
      (event) => {
        if (!this.root.hidden && !this.root.contains(/** @type {Node} */ (event.target))) {
          this.close();
        }
      },
      { signal },
    );
  }

  get isOpen() {
    return !this.root.hidden;
  }

  /**
   * Open next to `opener`; `onPick(emoji)` follows a choice.
   * @param {HTMLElement} opener
   * @param {(emoji: string) => void} onPick
   */
  open(opener, onPick) {
    this.opener = opener;
    this.onPick = onPick;
    this.root.hidden = false;
    this.search.value = "";
    const rect = opener.getBoundingClientRect();
    const width = Math.min(320, window.innerWidth - 16);
    this.root.style.width = `${width}px`;
    this.root.style.left = `${Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8))}px`;
    const below = rect.bottom + 4;
    const height = Math.min(320, window.innerHeight - 16);
    this.root.style.top = `${below + height > window.innerHeight ? Math.max(8, rect.top - height - 4) : below}px`;
    this.root.style.maxHeight = `${height}px`;
    this.search.focus();
    this.load().then(() => this.render());
  }

  close() {
    if (this.root.hidden) return;
    this.root.hidden = true;
    this.onPick = null;
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected) opener.focus();
  }

  load() {
    if (this.list) return Promise.resolve();
    if (!this.loading) {
      this.status.textContent = "Loading emoji…";
      this.loading = fetch(this.url, { credentials: "same-origin" })
        .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
        .then((data) => {
          this.list = emojiList(data);
          this.status.textContent = "";
        })
        .catch(() => {
          this.status.textContent = "Could not load the emoji list.";
          this.loading = null;
        });
    }
    return this.loading;
  }

  render() {
    if (!this.list) return;
    const found = searchEmoji(this.list, this.search.value);
    const doc = this.root.ownerDocument;
    this.grid.replaceChildren(
      ...found.map(([emoji, name]) => {
        const button = doc.createElement("button");
        button.type = "button";
        button.className = "emoji-picker__emoji";
        button.dataset.emoji = emoji;
        button.title = name;
        button.setAttribute("aria-label", name);
        button.textContent = emoji;
        return button;
      }),
    );
    this.status.textContent = found.length ? "" : "No emoji found.";
  }
}
