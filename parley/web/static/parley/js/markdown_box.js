// @ts-check
// The Markdown keys (markdown_keys.js) on a <textarea>: the composer's, the thread's reply box
// and the message editor's. An edit goes in with execCommand("insertText"), which keeps the
// box's own undo stack (Ctrl+Z takes it back) and fires `input` as typing does; where a browser
// refuses it, setRangeText does the same without undo.
//
// The listener is a capturing one on the box, so it runs before the box's other keydown
// listeners (Enter sends); those skip a key whose default was prevented. Pasting is left alone:
// a textarea takes the clipboard's plain text.

import { markdownKey } from "./markdown_keys.js";

/** @typedef {import("./markdown_keys.js").Edit} Edit */

/** The Mac's Cmd is the others' Ctrl. */
const MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || "");

/**
 * Handle the Markdown keys in `box`.
 * @param {HTMLTextAreaElement} box
 * @param {{signal?: AbortSignal}} [options]
 */
export function bindMarkdownKeys(box, { signal } = {}) {
  box.addEventListener(
    "keydown",
    (event) => {
      if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
      const edit = markdownKey(
        {
          key: event.key,
          mod: MAC ? event.metaKey : event.ctrlKey,
          shift: event.shiftKey,
          alt: event.altKey,
        },
        { value: box.value, start: box.selectionStart, end: box.selectionEnd },
      );
      if (!edit) return;
      event.preventDefault();
      applyToBox(box, edit);
    },
    { capture: true, signal },
  );
}

/**
 * Put `edit` into `box`, undoably where the browser can.
 * @param {HTMLTextAreaElement} box
 * @param {Edit} edit
 */
export function applyToBox(box, edit) {
  box.focus();
  box.setSelectionRange(edit.from, edit.to);
  const before = box.value;
  let done = false;
  try {
    done =
      edit.text === ""
        ? edit.from === edit.to || box.ownerDocument.execCommand("delete", false)
        : box.ownerDocument.execCommand("insertText", false, edit.text);
  } catch {
    done = false;
  }
  const expected = before.slice(0, edit.from) + edit.text + before.slice(edit.to);
  if (!done || box.value !== expected) {
    box.value = before;
    box.setRangeText(edit.text, edit.from, edit.to, "end");
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }
  box.setSelectionRange(edit.selectStart, edit.selectEnd);
}
