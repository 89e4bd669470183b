// @ts-check
// The Markdown keys of a message box, as text in and an edit out (no DOM; markdown_box.js
// applies the edit to a <textarea>): Ctrl/Cmd+B and Ctrl/Cmd+I wrap the selection in ** or _
// (or take the markers away again), and inside an unclosed ``` fence Enter starts the next line
// at the current line's indentation and Tab / Shift+Tab indent or outdent the lines. Outside a
// fence Enter and Tab are left to the page (send, move the focus).

/** What one level of indentation in a code block is. */
export const INDENT = "    ";

/**
 * A box's text and selection (`start` <= `end`; equal for a caret).
 * @typedef {{value: string, start: number, end: number}} TextState
 */

/**
 * Replace `value[from, to)` with `text`, then select `[selectStart, selectEnd)` of the result.
 * @typedef {{from: number, to: number, text: string, selectStart: number, selectEnd: number}} Edit
 */

/**
 * A key as the handler needs it. `mod`: Ctrl, or Cmd on a Mac.
 * @typedef {{key: string, mod: boolean, shift: boolean, alt: boolean}} Key
 */

// An opening or closing code fence (CommonMark: up to three spaces, then three or more ` or ~).
const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/**
 * `result` of applying `edit` to `value` (the tests' and the fallback's way of seeing it).
 * @param {string} value
 * @param {Edit} edit
 */
export function applyEdit(value, edit) {
  return value.slice(0, edit.from) + edit.text + value.slice(edit.to);
}

/**
 * Wrap the selection in `marker` (a caret: the pair, with the caret between). Spaces at either
 * end of the selection stay outside the markers; a selection the markers already surround is
 * unwrapped, so the key toggles.
 * @param {TextState} state
 * @param {string} marker
 * @returns {Edit}
 */
export function wrapSelection({ value, start, end }, marker) {
  const m = marker.length;
  const before = value.slice(Math.max(0, start - m), start);
  const after = value.slice(end, end + m);
  if (before === marker && after === marker) {
    const inner = value.slice(start, end);
    return {
      from: start - m,
      to: end + m,
      text: inner,
      selectStart: start - m,
      selectEnd: end - m,
    };
  }
  let from = start;
  let to = end;
  while (from < to && /\s/.test(value[from])) from += 1;
  while (to > from && /\s/.test(value[to - 1])) to -= 1;
  const inner = value.slice(from, to);
  return {
    from,
    to,
    text: `${marker}${inner}${marker}`,
    selectStart: from + m,
    selectEnd: to + m,
  };
}

/**
 * Whether `caret` is inside a fenced code block that is open there (its closing fence, if any,
 * comes later). The line the caret is on counts up to the caret: at the end of an opening fence
 * line the block is open, at the end of a closing one it is closed.
 * @param {string} value
 * @param {number} caret
 */
export function inCodeFence(value, caret) {
  /** @type {{char: string, length: number} | null} */
  let open = null;
  for (const line of value.slice(0, caret).split("\n")) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const fence = match[1];
    const rest = match[2];
    if (open === null) {
      // A backtick fence's info string may not contain a backtick (then it is inline code).
      if (fence[0] === "`" && rest.includes("`")) continue;
      open = { char: fence[0], length: fence.length };
    } else if (fence[0] === open.char && fence.length >= open.length && rest.trim() === "") {
      open = null;
    }
  }
  return open !== null;
}

/**
 * The start of the line `index` is on.
 * @param {string} value
 * @param {number} index
 */
function lineStart(value, index) {
  return value.lastIndexOf("\n", index - 1) + 1;
}

/**
 * Enter in a code block: a new line that starts at the current line's indentation (the
 * selection, if any, is replaced).
 * @param {TextState} state
 * @returns {Edit}
 */
export function fenceNewline({ value, start, end }) {
  const from = lineStart(value, start);
  const indent = /^[ \t]*/.exec(value.slice(from, start))?.[0] ?? "";
  const text = `\n${indent}`;
  return { from: start, to: end, text, selectStart: start + text.length, selectEnd: start + text.length };
}

/**
 * Tab / Shift+Tab in a code block: indent or outdent every line the selection touches by one
 * INDENT (outdent: up to that many spaces, or one tab). The selection follows its text.
 * @param {TextState} state
 * @param {{outdent?: boolean}} [options]
 * @returns {Edit}
 */
export function indentLines({ value, start, end }, { outdent = false } = {}) {
  const from = lineStart(value, start);
  // A selection that ends at the start of a line does not take that line in.
  const last = end > start && value[end - 1] === "\n" ? end - 1 : end;
  const newline = value.indexOf("\n", last);
  const to = newline === -1 ? value.length : newline;
  const lines = value.slice(from, to).split("\n");
  /** @type {number[]} how much each line grew (negative: shrank) */
  const deltas = [];
  const changed = lines.map((line) => {
    if (!outdent) {
      deltas.push(INDENT.length);
      return INDENT + line;
    }
    const cut = line.startsWith("\t") ? 1 : (/^ */.exec(line)?.[0].length ?? 0);
    const n = Math.min(cut, line.startsWith("\t") ? 1 : INDENT.length);
    deltas.push(-n);
    return line.slice(n);
  });
  const total = deltas.reduce((a, b) => a + b, 0);
  const selectStart = Math.max(from, start + deltas[0]);
  const selectEnd = start === end ? selectStart : Math.max(selectStart, end + total);
  return { from, to, text: changed.join("\n"), selectStart, selectEnd };
}

/**
 * What `key` does to the box, or null when it is not a Markdown key here (the page handles it).
 * @param {Key} key
 * @param {TextState} state
 * @returns {Edit | null}
 */
export function markdownKey(key, state) {
  const letter = key.key.length === 1 ? key.key.toLowerCase() : "";
  if (key.mod && !key.alt && !key.shift && (letter === "b" || letter === "i")) {
    return wrapSelection(state, letter === "b" ? "**" : "_");
  }
  if (key.mod || key.alt) return null;
  if (key.key !== "Enter" && key.key !== "Tab") return null;
  if (!inCodeFence(state.value, state.start)) return null;
  if (key.key === "Enter") return fenceNewline(state);
  return indentLines(state, { outdent: key.shift });
}
