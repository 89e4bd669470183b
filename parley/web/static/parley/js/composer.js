// @ts-check
// The room page's message box (#composer): it grows with its text, counts characters near the
// limit (the server's maxBody, config.js), says why it is closed when it is, and holds the
// files chosen or dropped as chips until they go with the message (file_tray.js).
//
// Enter: on a screen worked with a finger (`(pointer: coarse)`: phones and tablets, whose
// on-screen keyboard has no Shift+Enter worth the name) Enter adds a line and the Send button
// sends, as in the phone apps people know; everywhere else Enter sends and Shift+Enter adds a
// line. The keyboard's Enter key label follows (enterkeyhint "enter" or "send"), and so does the
// hint under the box. The media query is read again when it changes (a keyboard or mouse
// plugged into a tablet).
//
// Markdown keys (markdown_box.js): Ctrl/Cmd+B and +I, and inside a ``` code block Enter adds an
// indented line instead of sending and Tab / Shift+Tab indent; the hint under the box names the
// syntax (_composer.html).

import { FileTray } from "./file_tray.js";
import { bindMarkdownKeys } from "./markdown_box.js";
import { codePointLength } from "./text.js";

/** Where Enter adds a line instead of sending. */
export const TOUCH_QUERY = "(pointer: coarse)";

/**
 * @typedef {object} ComposerState
 * @property {boolean} member  the user is a member of the room
 * @property {boolean} closed  the room is closed to the user (removed, or it is gone)
 * @property {boolean} signedOut
 * @property {boolean} live
 * @property {string} [refusal]  why the user may not post in this room now ("": they may):
 *   an archived room, a read-only one (room_rights.js)
 */

/**
 * The line under the box.
 * @param {ComposerState} state
 * @param {{touch?: boolean}} [how]  touch: Enter adds a line, the Send button sends
 */
export function composerNote({ member, closed, signedOut, live, refusal }, { touch = false } = {}) {
  if (closed) return "You cannot send messages here.";
  if (refusal) return refusal;
  if (!member) return "Join the room to send messages.";
  if (signedOut) return "Signed out: sign in again to send.";
  if (!live) return "Offline: sent once reconnected.";
  return touch ? "Enter adds a line; tap Send to send." : "Enter sends, Shift+Enter adds a line.";
}

export class Composer {
  /**
   * `canSend()` says whether the user may post now; `onSend(body, files)` takes a message (the
   * files are those waiting as chips: always [] without a `tray`), and `onSent()` follows once
   * the box is empty again; `onType()` follows keys that leave text in the box.
   *
   * With `tray` (the <ul> for chips) files chosen with `fileInput`, or given to addFiles(),
   * wait as chips and go with the next message; a message may then be files alone. Without it
   * the page uploads files itself (the file input is only opened and closed here).
   * @param {object} options
   * @param {HTMLFormElement} options.form
   * @param {HTMLTextAreaElement} options.textarea
   * @param {HTMLElement} options.note
   * @param {HTMLElement} options.counter
   * @param {HTMLInputElement} options.fileInput
   * @param {number} options.maxBody
   * @param {() => boolean} options.canSend
   * @param {(body: string, files: File[]) => void} options.onSend
   * @param {() => void} options.onSent
   * @param {() => void} options.onType
   * @param {HTMLElement | null} [options.tray]
   * @param {number} [options.maxUpload]  the server's file limit in bytes (room data maxUpload)
   * @param {boolean} [options.touch]  force the touch behaviour on or off (default: TOUCH_QUERY)
   * @param {AbortSignal} [options.signal]  ends the media-query listener with the room view
   */
  constructor(options) {
    const { form, textarea, note, counter, fileInput, maxBody } = options;
    const { canSend, onSend, onSent, onType, tray = null, maxUpload = 0, signal } = options;
    this.form = form;
    this.textarea = textarea;
    this.note = note;
    this.counter = counter;
    this.fileInput = fileInput;
    this.maxBody = maxBody;
    this.sendButton = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    /** @type {ComposerState | null} */
    this.state = null;
    this.files = tray
      ? new FileTray(tray, { maxBytes: maxUpload, onChange: () => this.filesChanged() })
      : null;
    // The box may be empty when files wait: the form's own check would block them.
    textarea.required = false;

    const query = options.touch === undefined ? window.matchMedia(TOUCH_QUERY) : null;
    this.touch = query ? query.matches : Boolean(options.touch);
    query?.addEventListener(
      "change",
      () => {
        this.touch = query.matches;
        this.showMode();
      },
      { signal },
    );
    this.showMode();

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const body = textarea.value;
      const files = this.files?.files ?? [];
      if (!canSend()) return;
      // Refused files count even with nothing else to send: the user must decide about them.
      if (this.files?.hasProblem) {
        note.textContent = "Remove the files that cannot be sent first.";
        this.files.focusProblem();
        return;
      }
      if (!body.trim() && !files.length) return;
      const length = codePointLength(body);
      if (length > maxBody) {
        note.textContent = `At most ${maxBody} characters (this one has ${length}).`;
        return;
      }
      onSend(body.trim() ? body : "", files);
      textarea.value = "";
      this.files?.clear();
      this.resize();
      this.count();
      if (this.state) this.update(this.state);
      onSent();
    });
    bindMarkdownKeys(textarea, { signal });
    textarea.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.defaultPrevented) return;
      if (event.isComposing || event.keyCode === 229) return;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
      if (this.touch) return; // a new line; the Send button sends
      event.preventDefault();
      form.requestSubmit();
    });
    textarea.addEventListener("input", () => {
      this.resize();
      this.count();
      if (textarea.value.trim()) onType();
    });
    if (this.files) {
      fileInput.addEventListener("change", () => {
        const chosen = [...(fileInput.files ?? [])];
        fileInput.value = ""; // choosing the same file again adds it again
        this.addFiles(chosen);
      });
    }
  }

  /** Whether the box holds something to send. */
  get hasText() {
    return this.textarea.value.trim() !== "";
  }

  /**
   * Files chosen or dropped: chips until the message goes (without a tray: ignored).
   * @param {Iterable<File>} files
   */
  addFiles(files) {
    if (!this.files || this.textarea.disabled) return;
    this.files.add(files);
    this.textarea.focus();
  }

  filesChanged() {
    this.form.classList.toggle("has-files", Boolean(this.files?.size));
    if (this.state) this.note.textContent = composerNote(this.state, { touch: this.touch });
  }

  /** The Enter key's label and the hint follow the touch mode. */
  showMode() {
    this.textarea.enterKeyHint = this.touch ? "enter" : "send";
    this.form.classList.toggle("is-touch", this.touch);
    if (this.state) this.note.textContent = composerNote(this.state, { touch: this.touch });
    else if (!this.textarea.disabled) this.note.textContent = composerNote(
      { member: true, closed: false, signedOut: false, live: true },
      { touch: this.touch },
    );
  }

  /**
   * Open or close the box, and say why.
   * @param {ComposerState} state
   */
  update(state) {
    this.state = state;
    const open = state.member && !state.closed && !state.refusal;
    this.textarea.disabled = !open;
    this.sendButton.disabled = !open;
    this.fileInput.disabled = !open;
    this.form.classList.toggle("is-disabled", !open);
    this.note.textContent = composerNote(state, { touch: this.touch });
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
