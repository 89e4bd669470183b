// The composer's Markdown keys (markdown_keys.js): wrapping in ** and _, and code blocks that
// keep their indentation.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  INDENT,
  applyEdit,
  fenceNewline,
  inCodeFence,
  indentLines,
  markdownKey,
  wrapSelection,
} from "../../parley/web/static/parley/js/markdown_keys.js";

/**
 * The box after `edit`, with the selection marked: [ and ] around it, | for a caret.
 * @param {string} value
 * @param {import("../../parley/web/static/parley/js/markdown_keys.js").Edit | null} edit
 */
function after(value, edit) {
  assert.ok(edit, "expected an edit");
  const text = applyEdit(value, edit);
  if (edit.selectStart === edit.selectEnd) {
    return `${text.slice(0, edit.selectStart)}|${text.slice(edit.selectStart)}`;
  }
  return `${text.slice(0, edit.selectStart)}[${text.slice(edit.selectStart, edit.selectEnd)}]${text.slice(edit.selectEnd)}`;
}

/** A box state from text with | (a caret) or [ ] (a selection). */
function box(marked) {
  const caret = marked.indexOf("|");
  if (caret >= 0) {
    const value = marked.replace("|", "");
    return { value, start: caret, end: caret };
  }
  const start = marked.indexOf("[");
  const end = marked.indexOf("]") - 1;
  return { value: marked.replace("[", "").replace("]", ""), start, end };
}

const key = (k, more = {}) => ({ key: k, mod: false, shift: false, alt: false, ...more });

describe("bold and italic", () => {
  test("the selection is wrapped and stays selected", () => {
    const state = box("say [hello] now");
    assert.equal(after(state.value, wrapSelection(state, "**")), "say **[hello]** now");
    assert.equal(after(state.value, wrapSelection(state, "_")), "say _[hello]_ now");
  });

  test("a caret gets the pair with the caret between", () => {
    const state = box("say |");
    assert.equal(after(state.value, wrapSelection(state, "**")), "say **|**");
  });

  test("spaces at the ends of the selection stay outside the markers", () => {
    const state = box("say[ hello ]now");
    assert.equal(after(state.value, wrapSelection(state, "**")), "say **[hello]** now");
  });

  test("the key again takes the markers away", () => {
    const wrapped = box("say **[hello]** now");
    assert.equal(after(wrapped.value, wrapSelection(wrapped, "**")), "say [hello] now");
    const empty = box("say **|**");
    assert.equal(after(empty.value, wrapSelection(empty, "**")), "say |");
  });

  test("Ctrl/Cmd+B and +I are the keys; with Shift or Alt they are not", () => {
    const state = box("[x]");
    assert.equal(after(state.value, markdownKey(key("b", { mod: true }), state)), "**[x]**");
    assert.equal(after(state.value, markdownKey(key("I", { mod: true }), state)), "_[x]_");
    assert.equal(markdownKey(key("b", { mod: true, shift: true }), state), null);
    assert.equal(markdownKey(key("b", { mod: true, alt: true }), state), null);
    assert.equal(markdownKey(key("b"), state), null);
  });
});

describe("code fences", () => {
  test("inside an unclosed fence, also on the opening line; not after the closing one", () => {
    assert.equal(inCodeFence("```", 3), true);
    assert.equal(inCodeFence("```python\ndef f():", 19), true);
    assert.equal(inCodeFence("```\ncode\n```", 12), false);
    assert.equal(inCodeFence("```\ncode\n```\nafter", 18), false);
    assert.equal(inCodeFence("plain text", 5), false);
    // The caret before the opening fence: not inside.
    assert.equal(inCodeFence("intro\n```\ncode", 3), false);
  });

  test("a fence closes only with the same character and at least its length", () => {
    assert.equal(inCodeFence("````\n```\nstill", 14), true);
    assert.equal(inCodeFence("~~~\n```\nstill", 13), true);
    assert.equal(inCodeFence("~~~\ncode\n~~~\n", 13), false);
  });

  test("inline code with three backticks is not a fence", () => {
    assert.equal(inCodeFence("```x``` and more", 16), false);
  });

  test("Enter starts the next line at the current line's indentation", () => {
    const state = box("```\ndef f():\n    return 1|");
    assert.equal(after(state.value, fenceNewline(state)), "```\ndef f():\n    return 1\n    |");
    const top = box("```js|");
    assert.equal(after(top.value, markdownKey(key("Enter"), top)), "```js\n|");
  });

  test("Enter outside a fence is the page's (it sends)", () => {
    assert.equal(markdownKey(key("Enter"), box("hello|")), null);
    assert.equal(markdownKey(key("Enter"), box("```\nx\n```|")), null);
  });

  test("Tab indents the current line; Shift+Tab outdents it", () => {
    const state = box("```\nre|turn 1");
    assert.equal(after(state.value, markdownKey(key("Tab"), state)), `\`\`\`\n${INDENT}re|turn 1`);
    const indented = box(`\`\`\`\n${INDENT}  re|turn 1`);
    assert.equal(
      after(indented.value, markdownKey(key("Tab", { shift: true }), indented)),
      "```\n  re|turn 1",
    );
    // Outdenting a line without indentation changes nothing.
    const flat = box("```\nre|turn");
    assert.equal(after(flat.value, indentLines(flat, { outdent: true })), "```\nre|turn");
  });

  test("Tab indents every selected line, and the selection follows", () => {
    const state = box("```\n[a\nb]\nc");
    assert.equal(
      after(state.value, indentLines(state)),
      `\`\`\`\n${INDENT}[a\n${INDENT}b]\nc`,
    );
  });

  test("Tab outside a fence moves the focus (not handled)", () => {
    assert.equal(markdownKey(key("Tab"), box("hello|")), null);
    assert.equal(markdownKey(key("Tab", { mod: true }), box("```\n|")), null);
  });
});
