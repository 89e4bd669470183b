// @ts-check
// Changing a message's text: the inline editor (its text in a box instead of its body; Enter
// saves, Escape cancels; Up in an empty composer opens it on the reader's last message) and
// deleting a message (after a confirmation). The server's answer is an `ack`; the item it stands
// for goes to the page's timeline (`show`), which holds its seq and shows the change.

import { TEMPLATE, cloneTemplate } from "./item_view.js";
import { bindMarkdownKeys } from "./markdown_box.js";
import { errorText } from "./message_rules.js";
import { newClientId } from "./outbox.js";
import { codePointLength } from "./text.js";

/** @typedef {import("./conversation_model.js").Conversation} Conversation */
/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./mention_picker.js").MentionPicker} MentionPicker */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./timeline_model.js").Item} Item */

/**
 * @typedef {object} Editing
 * @property {number} seq
 * @property {HTMLElement} row
 * @property {HTMLFormElement} form
 * @property {HTMLElement | null} body
 * @property {HTMLTextAreaElement} box
 * @property {HTMLElement} error
 * @property {HTMLElement | null} returnTo
 * @property {boolean} busy
 */

export class MessageEditor {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {string} options.me
   * @param {Conversation} options.model
   * @param {MentionPicker} options.mentions
   * @param {number} options.maxBody
   * @param {(state: MessageState) => boolean} options.canEdit
   * @param {(state: MessageState) => boolean} options.canDelete
   * @param {(items: Item[]) => void} options.show  into the timeline
   * @param {(text: string) => void} options.notify
   * @param {() => void} options.hideToolbar
   * @param {(row: HTMLElement) => void} options.placeToolbar
   */
  constructor(options) {
    this.options = options;
    /** @type {Editing | null} */
    this.editing = null;
  }

  /** The message being edited, or null. */
  get seq() {
    return this.editing?.seq ?? null;
  }

  /**
   * Edit the message `seq` in place. `returnTo` gets the focus back. True when it opened.
   * @param {number} seq
   * @param {HTMLElement | undefined | null} row
   * @param {Element | null} [returnTo]
   */
  start(seq, row, returnTo = null) {
    const state = this.options.model.get(seq);
    if (!row || !state || !this.options.canEdit(state)) return false;
    this.close();
    this.options.hideToolbar();
    const form = /** @type {HTMLFormElement} */ (cloneTemplate(TEMPLATE.edit));
    const box = /** @type {HTMLTextAreaElement} */ (form.querySelector("textarea"));
    const error = /** @type {HTMLElement} */ (form.querySelector(".item__edit-error"));
    const body = /** @type {HTMLElement | null} */ (row.querySelector(":scope > .item__body"));
    box.value = state.body;
    if (body) {
      body.hidden = true;
      body.after(form);
    } else {
      row.querySelector(":scope > .item__meta")?.after(form);
    }
    row.classList.add("is-editing");
    this.editing = {
      seq,
      row,
      form,
      body,
      box,
      error,
      returnTo: returnTo instanceof HTMLElement ? returnTo : null,
      busy: false,
    };
    this.options.mentions.attach(box);
    const resize = () => {
      box.style.height = "auto";
      box.style.height = `${box.scrollHeight}px`;
    };
    box.addEventListener("input", resize);
    bindMarkdownKeys(box);
    box.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close();
      } else if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey) {
        event.preventDefault();
        this.save();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    resize();
    return true;
  }

  /**
   * Edit the reader's newest message among `seqs` (newest first). True when an editor opened.
   * @param {Iterable<number>} seqs
   * @param {(seq: number) => HTMLElement | undefined} rowOf
   * @param {HTMLElement} returnTo
   */
  startLast(seqs, rowOf, returnTo) {
    for (const seq of seqs) {
      const state = this.options.model.get(seq);
      if (state?.author === this.options.me && !state.deleted) {
        return this.options.canEdit(state) && this.start(seq, rowOf(seq), returnTo);
      }
    }
    return false;
  }

  async save() {
    const editing = this.editing;
    if (!editing || editing.busy) return;
    const { seq, box, error } = editing;
    const { socket, slug, me, maxBody } = this.options;
    const state = this.options.model.get(seq);
    const body = box.value;
    /** @param {string} text */
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
    };
    if (!state) return;
    if (body === state.body) {
      this.close();
      return;
    }
    if (!body.trim()) {
      fail("A message needs some text: delete it instead.");
      return;
    }
    const length = codePointLength(body);
    if (length > maxBody) {
      fail(`At most ${maxBody} characters (this one has ${length}).`);
      return;
    }
    editing.busy = true;
    error.hidden = true;
    box.setAttribute("aria-busy", "true");
    const client_id = newClientId();
    const reply = await socket.request({ type: "edit", room: slug, target: seq, body, client_id });
    editing.busy = false;
    box.removeAttribute("aria-busy");
    if (reply.type !== "ack") {
      fail(`Not saved: ${errorText(reply)}`);
      return;
    }
    if (this.editing === editing) this.close();
    this.options.show([
      /** @type {Item} */ ({
        type: "edit",
        room: slug,
        seq: reply.seq,
        id: reply.id,
        target: seq,
        body,
        user: { username: me },
        ts: reply.ts,
        client_id,
      }),
    ]);
  }

  close() {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    const hadFocus = editing.form.contains(document.activeElement);
    editing.form.remove();
    if (editing.body) editing.body.hidden = false;
    editing.row.classList.remove("is-editing");
    if (hadFocus) editing.returnTo?.focus();
    if (editing.row.matches(":hover")) this.options.placeToolbar(editing.row);
  }

  /**
   * Close the editor if it is open in `container` (a thread being closed).
   * @param {HTMLElement} container
   */
  closeIn(container) {
    if (this.editing && container.contains(this.editing.row)) this.close();
  }

  /**
   * Delete the message `seq`, once the reader confirms.
   * @param {number} seq
   */
  async delete(seq) {
    const { socket, slug, me, model } = this.options;
    const state = model.get(seq);
    if (!state || !this.options.canDelete(state)) return;
    const whose = state.author === me ? "your message" : `${state.author ?? "this"}'s message`;
    if (!window.confirm(`Delete ${whose}? Everyone will see “message deleted”.`)) return;
    const client_id = newClientId();
    const reply = await socket.request({ type: "delete", room: slug, target: seq, client_id });
    if (reply.type !== "ack") {
      this.options.notify(`Could not delete the message: ${errorText(reply)}`);
      return;
    }
    this.options.hideToolbar();
    this.options.show([
      /** @type {Item} */ ({
        type: "delete",
        room: slug,
        seq: reply.seq,
        id: reply.id,
        target: seq,
        user: { username: me },
        ts: reply.ts,
        client_id,
      }),
    ]);
  }
}
