// @ts-check
// The `@` autocomplete of the page's message boxes: typing `@` opens a list of the room's
// members (and @room) matching what follows; Up/Down move, Enter or Tab pick, Escape closes; a
// click picks too. One list element (#mention-list) serves every box, placed above the box
// being typed in. The matching is mention_match.js's.

import { insertMention, matchMentions, mentionAt } from "./mention_match.js";

export class MentionPicker {
  /**
   * @param {HTMLElement} list  the page's #mention-list (role=listbox)
   * @param {() => string[]} names  the members to offer (without the user)
   * @param {{signal?: AbortSignal}} [options]  signal: the room view's lifetime
   */
  constructor(list, names, { signal } = {}) {
    this.list = list;
    this.names = names;
    /** @type {HTMLTextAreaElement | null} the box the list is open for */
    this.box = null;
    /** @type {string[]} */
    this.options = [];
    this.active = 0;
    /** @type {{start: number, query: string} | null} */
    this.at = null;
    list.addEventListener("mousedown", (event) => event.preventDefault()); // keep the focus
    list.addEventListener("click", (event) => {
      const option = /** @type {HTMLElement} */ (event.target).closest("[data-name]");
      if (option instanceof HTMLElement) this.pick(option.dataset.name ?? "");
    });
    window.addEventListener("resize", () => this.close(), { signal });
  }

  /**
   * Offer mentions in `box`. Its keys are seen first (before the box's own Enter handling).
   * @param {HTMLTextAreaElement} box
   */
  attach(box) {
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-controls", this.list.id);
    box.addEventListener("input", () => this.update(box));
    box.addEventListener("click", () => this.update(box));
    box.addEventListener("blur", () => {
      if (this.box === box) this.close();
    });
    const keys = (/** @type {KeyboardEvent} */ event) => {
      if (event.target !== box || this.box !== box || event.isComposing) return;
      if (this.onKey(event)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    };
    // On the parent, capturing: before the box's own keydown listeners (Enter sends).
    (box.parentElement ?? box).addEventListener("keydown", keys, { capture: true });
  }

  get isOpen() {
    return this.box !== null;
  }

  /** @param {HTMLTextAreaElement} box */
  update(box) {
    const caret = box.selectionStart ?? box.value.length;
    const at = box.selectionEnd === caret ? mentionAt(box.value, caret) : null;
    const options = at ? matchMentions(this.names(), at.query) : [];
    if (!at || !options.length) {
      if (this.box === box) this.close();
      return;
    }
    const same = this.box === box && options.join("\n") === this.options.join("\n");
    this.box = box;
    this.at = at;
    if (!same) {
      this.options = options;
      this.active = 0;
    }
    this.render();
  }

  /**
   * A key in the box while the list is open; true when the picker used it.
   * @param {KeyboardEvent} event
   */
  onKey(event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return false;
    const count = this.options.length;
    if (event.key === "ArrowDown") this.active = (this.active + 1) % count;
    else if (event.key === "ArrowUp") this.active = (this.active - 1 + count) % count;
    else if (event.key === "Enter" || event.key === "Tab") {
      if (event.shiftKey) return false;
      this.pick(this.options[this.active]);
      return true;
    } else if (event.key === "Escape") {
      this.close();
      return true;
    } else return false;
    this.render();
    return true;
  }

  /** @param {string} name */
  pick(name) {
    const box = this.box;
    const at = this.at;
    if (!box || !at || !name) return;
    const caret = box.selectionStart ?? box.value.length;
    const next = insertMention(box.value, at.start, caret, name);
    box.value = next.text;
    box.setSelectionRange(next.caret, next.caret);
    this.close();
    box.focus();
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  render() {
    const box = /** @type {HTMLTextAreaElement} */ (this.box);
    const doc = this.list.ownerDocument;
    const items = this.options.map((name, index) => {
      const li = doc.createElement("li");
      li.id = `mention-option-${index}`;
      li.className = "mention-list__option";
      li.setAttribute("role", "option");
      li.dataset.name = name;
      li.setAttribute("aria-selected", String(index === this.active));
      li.textContent = `@${name}`;
      if (name === "room") {
        const note = doc.createElement("span");
        note.className = "muted";
        note.textContent = " everyone in the room";
        li.append(note);
      }
      return li;
    });
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    box.setAttribute("aria-activedescendant", `mention-option-${this.active}`);
    const rect = box.getBoundingClientRect();
    this.list.style.left = `${Math.max(4, rect.left)}px`;
    this.list.style.bottom = `${Math.max(4, window.innerHeight - rect.top + 4)}px`;
    this.list.style.maxWidth = `${Math.max(200, rect.width)}px`;
  }

  close() {
    if (this.box) {
      this.box.removeAttribute("aria-activedescendant");
    }
    this.box = null;
    this.at = null;
    this.options = [];
    this.list.hidden = true;
    this.list.replaceChildren();
  }
}
