// @ts-check
// The message actions: one toolbar (#message-actions) moves into the message row under the
// pointer or the focus; the row's ⋯ button opens it from the keyboard or on a touch screen. Each
// button shows only when the reader may do that (`may`), and a press calls back (`on`). The lists
// of rows (the timeline, the thread) also send here a click on a reaction (toggle it) or on a
// thread summary (open the thread); a long press on a reaction (touch) shows who reacted, as its
// title does for a pointer.

/** @typedef {import("./conversation_model.js").MessageState} MessageState */

const LONG_PRESS_MS = 500;
const ROW = "li.item--message[data-seq]";

/**
 * What the reader may do to a message (message_rules.js decides).
 * @typedef {object} Allowed
 * @property {() => boolean} react
 * @property {(state: MessageState) => boolean} edit
 * @property {(state: MessageState) => boolean} delete
 * @property {(name: string | null) => boolean} dm
 */

/**
 * What a press does.
 * @typedef {object} Handlers
 * @property {(seq: number, emoji: string) => void} react
 * @property {(seq: number, button: HTMLElement) => void} moreReactions
 * @property {(seq: number) => void} openThread  a Reply button or a thread summary
 * @property {(seq: number, row: HTMLElement, returnTo: Element | null) => void} edit
 * @property {(seq: number) => void} delete
 * @property {(name: string) => void} dm
 */

export class MessageActions {
  /**
   * @param {HTMLElement} toolbar  #message-actions
   * @param {object} options
   * @param {(seq: number) => MessageState | undefined} options.state
   * @param {(row: HTMLElement) => boolean} options.inThread  a row of the thread panel
   * @param {() => boolean} options.pickerOpen  the emoji picker is open (keep the toolbar)
   * @param {HTMLElement} options.tip  #reaction-tip
   * @param {Allowed} options.may
   * @param {Handlers} options.on
   */
  constructor(toolbar, { state, inThread, pickerOpen, tip, may, on }) {
    this.toolbar = toolbar;
    this.state = state;
    this.inThread = inThread;
    this.pickerOpen = pickerOpen;
    this.tip = tip;
    this.may = may;
    this.on = on;
    /** @type {number | null} the message the toolbar is for */
    this.seq = null;
    this.longPressed = false;
    this.bindToolbar();
  }

  bindToolbar() {
    const toolbar = this.toolbar;
    toolbar.addEventListener("click", (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest("[data-action]");
      const seq = this.seq;
      const row = toolbar.parentElement;
      if (!(button instanceof HTMLElement) || seq === null || !row) return;
      const state = this.state(seq);
      if (!state) return;
      const action = button.dataset.action;
      if (action === "react") this.on.react(seq, button.dataset.emoji ?? "");
      else if (action === "more-reactions") this.on.moreReactions(seq, button);
      else if (action === "reply") this.on.openThread(seq);
      else if (action === "edit") this.on.edit(seq, row, row.querySelector(".item__more"));
      else if (action === "delete") this.on.delete(seq);
      else if (action === "dm" && state.author) this.on.dm(state.author);
    });
    toolbar.addEventListener("keydown", (event) => {
      const buttons = this.buttons();
      const index = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      if (event.key === "Escape") {
        event.stopPropagation();
        const more = toolbar.parentElement?.querySelector(".item__more");
        this.hide();
        if (more instanceof HTMLElement) more.focus();
      } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const step = event.key === "ArrowRight" ? 1 : -1;
        buttons[(index + step + buttons.length) % buttons.length]?.focus();
      }
    });
  }

  buttons() {
    return /** @type {HTMLElement[]} */ ([...this.toolbar.querySelectorAll("button")]).filter(
      (b) => !b.hidden,
    );
  }

  /** @param {HTMLElement} row */
  isIn(row) {
    return this.toolbar.parentElement === row;
  }

  /**
   * Show the toolbar in `row` with what the reader may do to that message.
   * @param {HTMLElement} row
   */
  place(row) {
    const seq = Number(row.dataset.seq);
    const state = this.state(seq);
    if (!state || state.deleted || row.classList.contains("is-pending")) {
      if (this.isIn(row)) this.hide();
      return;
    }
    if (!this.isIn(row)) {
      this.setExpanded(false);
      row.append(this.toolbar);
    }
    this.seq = seq;
    const can = this.may.react();
    /** @param {string} action @param {boolean} shown */
    const show = (action, shown) => {
      for (const b of this.toolbar.querySelectorAll(`[data-action="${action}"]`)) {
        /** @type {HTMLElement} */ (b).hidden = !shown;
      }
    };
    show("react", can);
    show("more-reactions", can);
    show("reply", !this.inThread(row) && state.thread === null);
    show("edit", this.may.edit(state));
    show("delete", this.may.delete(state));
    show("dm", this.may.dm(state.author));
    const name = this.toolbar.querySelector("[data-dm-name]");
    if (name) name.textContent = state.author ?? "";
    this.toolbar.hidden = false;
  }

  /**
   * The message of `row` was shown again: what the toolbar offers there may have changed.
   * @param {HTMLElement} row
   */
  refresh(row) {
    if (this.isIn(row) && !this.toolbar.hidden) this.place(row);
  }

  hide() {
    this.setExpanded(false);
    this.toolbar.hidden = true;
    this.seq = null;
  }

  /**
   * Hide it if it is in `container` (a thread being closed).
   * @param {HTMLElement} container
   */
  hideIn(container) {
    if (container.contains(this.toolbar)) this.hide();
  }

  /** @param {boolean} expanded */
  setExpanded(expanded) {
    const more = this.toolbar.parentElement?.querySelector(":scope > .item__more");
    more?.setAttribute("aria-expanded", String(expanded));
  }

  /**
   * Hover, focus and clicks in a list of message rows (the timeline, the thread).
   * @param {HTMLElement} list
   */
  bindList(list) {
    const toolbar = this.toolbar;
    /** @param {Event} event */
    const rowOf = (event) => {
      const row = /** @type {HTMLElement} */ (event.target).closest?.(ROW);
      return row instanceof HTMLElement && list.contains(row) ? row : null;
    };
    // A tap fires mouseover too: on a touch screen the toolbar waits for the ⋯ button or a long
    // press, so the tap reaches what it was aimed at (an image, a link).
    const touch = window.matchMedia("(hover: none)");
    /** @param {Event} event */
    const point = (event) => {
      if (touch.matches) return;
      const row = rowOf(event);
      if (row && (!this.isIn(row) || toolbar.hidden)) {
        if (!row.classList.contains("is-editing")) this.place(row);
      }
    };
    list.addEventListener("mouseover", point);
    list.addEventListener("mousemove", point);
    list.addEventListener("mouseleave", () => {
      if (!list.contains(toolbar)) return;
      if (toolbar.contains(document.activeElement) || this.pickerOpen()) return;
      this.hide();
    });
    list.addEventListener("focusin", (event) => {
      // A tap focuses what it hits (an image's link) before its click: not a keyboard visit.
      const target = /** @type {Element} */ (event.target);
      if (touch.matches && !target.matches(":focus-visible")) return;
      const row = rowOf(event);
      if (row && !this.isIn(row)) this.place(row);
    });
    list.addEventListener("focusout", (event) => {
      const next = /** @type {Node | null} */ (event.relatedTarget);
      if (!list.contains(toolbar) || this.pickerOpen()) return;
      if (next && list.contains(next)) return;
      if (!list.matches(":hover")) this.hide();
    });
    list.addEventListener("click", (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const row = rowOf(event);
      if (!row) return;
      const seq = Number(row.dataset.seq);
      if (target.closest(".item__more")) {
        this.place(row);
        this.setExpanded(true);
        this.buttons()[0]?.focus();
      } else if (target.closest(".item__replies")) {
        this.on.openThread(seq);
      } else {
        const reaction = target.closest(".reaction");
        if (!(reaction instanceof HTMLElement)) return;
        if (this.longPressed) {
          this.longPressed = false;
          return;
        }
        this.on.react(seq, reaction.dataset.emoji ?? "");
      }
    });
    this.bindLongPress(list);
  }

  /** @param {HTMLElement} list */
  bindLongPress(list) {
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    list.addEventListener(
      "touchstart",
      (event) => {
        const reaction = /** @type {HTMLElement} */ (event.target).closest(".reaction");
        if (!(reaction instanceof HTMLElement)) return;
        this.longPressed = false;
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.longPressed = true;
          this.showTip(reaction);
        }, LONG_PRESS_MS);
      },
      { passive: true },
    );
    for (const type of ["touchend", "touchmove", "touchcancel"]) {
      list.addEventListener(type, () => clearTimeout(timer), { passive: true });
    }
    list.addEventListener("contextmenu", (event) => {
      if (/** @type {HTMLElement} */ (event.target).closest(".reaction")) event.preventDefault();
    });
  }

  /** @param {HTMLElement} reaction */
  showTip(reaction) {
    const tip = this.tip;
    tip.textContent = reaction.title;
    tip.hidden = false;
    const rect = reaction.getBoundingClientRect();
    tip.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - 248))}px`;
    tip.style.top = `${Math.max(8, rect.top - tip.offsetHeight - 6)}px`;
    setTimeout(() => {
      tip.hidden = true;
    }, 2500);
  }
}
