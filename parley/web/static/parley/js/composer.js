// @ts-check
// The room page's message box (#composer): Enter sends, Shift+Enter adds a line, it grows
// with its text, counts characters near the limit (the server's maxBody, config.js), and says
// why it is closed when it is.

import { codePointLength } from "./text.js";

/**
 * @typedef {object} ComposerState
 * @property {boolean} member  the user is a member of the room
 * @property {boolean} closed  the room is closed to the user (removed, or it is gone)
 * @property {boolean} signedOut
 * @property {boolean} live
 */

/**
 * The line under the box.
 * @param {ComposerState} state
 */
export function composerNote({ member, closed, signedOut, live }) {
  if (closed) return "You cannot send messages here.";
  if (!member) return "Join the room to send messages.";
  if (signedOut) return "Signed out: sign in again to send.";
  if (!live) return "Offline: sent once reconnected.";
  return "Enter sends, Shift+Enter adds a line.";
}

export class Composer {
  /**
   * `canSend()` says whether the user may post now; `onSend(body)` takes a message, and
   * `onSent()` follows once the box is empty again; `onType()` follows keys that leave text in
   * the box.
   * @param {object} options
   * @param {HTMLFormElement} options.form
   * @param {HTMLTextAreaElement} options.textarea
   * @param {HTMLElement} options.note
   * @param {HTMLElement} options.counter
   * @param {HTMLInputElement} options.fileInput
   * @param {number} options.maxBody
   * @param {() => boolean} options.canSend
   * @param {(body: string) => void} options.onSend
   * @param {() => void} options.onSent
   * @param {() => void} options.onType
   */
  constructor(options) {
    const { form, textarea, note, counter, fileInput, maxBody } = options;
    const { canSend, onSend, onSent, onType } = options;
    this.form = form;
    this.textarea = textarea;
    this.note = note;
    this.counter = counter;
    this.fileInput = fileInput;
    this.maxBody = maxBody;
    this.sendButton = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value;
      if (!body.trim() || !canSend()) return;
      const length = codePointLength(body);
      if (length > maxBody) {
        note.textContent = `At most ${maxBody} characters (this one has ${length}).`;
        return;
      }
      onSend(body);
      textarea.value = "";
      this.resize();
      this.count();
      onSent();
    });
    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
      event.preventDefault();
      form.requestSubmit();
    });
    textarea.addEventListener("input", () => {
      this.resize();
      this.count();
      if (textarea.value.trim()) onType();
    });
  }

  /** Whether the box holds something to send. */
  get hasText() {
    return this.textarea.value.trim() !== "";
  }

  /**
   * Open or close the box, and say why.
   * @param {ComposerState} state
   */
  update(state) {
    const open = state.member && !state.closed;
    this.textarea.disabled = !open;
    this.sendButton.disabled = !open;
    this.fileInput.disabled = !open;
    this.form.classList.toggle("is-disabled", !open);
    this.note.textContent = composerNote(state);
  }

  /**
   * A failed message back for editing: into the box if it is empty.
   * @param {string} body
   */
  offer(body) {
    if (!this.textarea.value.trim()) {
      this.textarea.value = body;
      this.resize();
      this.count();
    }
    this.textarea.focus();
  }

  focus() {
    this.textarea.focus();
  }

  resize() {
    this.textarea.style.height = "auto";
    this.textarea.style.height = `${this.textarea.scrollHeight}px`;
  }

  /** The counter, shown past 90 % of the limit. */
  count() {
    const length = codePointLength(this.textarea.value);
    const near = length > this.maxBody * 0.9;
    this.counter.hidden = !near;
    this.counter.textContent = near ? `${length} / ${this.maxBody}` : "";
    this.counter.classList.toggle("is-over", length > this.maxBody);
  }
}
