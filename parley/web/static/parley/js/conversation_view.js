// @ts-check
// A message's row as the message is now (conversation_model.js): "(edited)" with the edit's
// time in its title, "message deleted" (muted, no actions), the reactions under it (the
// reader's own pressed, who reacted in the title), a thread root's "N replies · last reply 5 min
// ago", and a highlight when it mentions the reader or the room. Rows come from the server's
// markup (parley/_item.html, its <template>s); this fills them with text and attributes, and the
// message's words (its last edit's) as the server's html (message_html.js).

import { TEMPLATE, cloneTemplate, fillAttachment } from "./item_view.js";
import { showMessageHtml, showPlainText } from "./message_html.js";
import { repliesText } from "./relative_time.js";

/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./conversation_model.js").ShownReaction} ShownReaction */

export const DELETED_TEXT = "message deleted";

/**
 * Who reacted with `emoji`, for the button's title (and the long-press tip).
 * @param {string[]} users
 * @param {string} emoji
 */
export function reactionTitle(users, emoji) {
  return `${users.join(", ")} reacted with ${emoji}`;
}

/**
 * Whether the message mentions `me` or the room (and is someone else's).
 * @param {MessageState} state
 * @param {string} me
 */
export function mentionsMe(state, me) {
  if (state.author === me || state.deleted) return false;
  return state.mentions.includes(me) || state.mentions.includes("@room");
}

/**
 * Fill the row `el` of a message with its state now.
 * @param {HTMLElement} el
 * @param {MessageState} state
 * @param {{me: string, reactions: ShownReaction[], now?: Date, doc?: Document}} options
 */
export function fillConversation(el, state, { me, reactions, now = new Date(), doc = document }) {
  el.classList.toggle("is-deleted", state.deleted);
  el.classList.toggle("is-mention", mentionsMe(state, me));
  let body = el.querySelector(":scope > .item__body");
  if (!(body instanceof HTMLElement) && (state.deleted || state.body)) {
    // A file without words had no body: a deletion or an edit gives it one.
    const made = cloneTemplate(TEMPLATE.message, doc).querySelector(".item__body");
    body = /** @type {HTMLElement} */ (made);
    el.querySelector(":scope > .item__meta")?.after(body);
  }
  if (body instanceof HTMLElement) {
    const words = /** @type {HTMLElement} */ (body.querySelector(".item__text") ?? body);
    // What the words show now: the same again leaves the element (and a selection in it) alone.
    const shown = state.deleted
      ? "deleted"
      : `${state.html ? "html" : "text"}:${state.html || state.body}`;
    if (words.dataset.shown !== shown || words.childNodes.length === 0) {
      if (state.deleted) showPlainText(words, DELETED_TEXT);
      else showMessageHtml(words, { html: state.html, body: state.body, me });
      words.dataset.shown = shown;
    }
    const edited = body.querySelector(".item__edited");
    if (edited instanceof HTMLElement) {
      const when = state.edited && !state.deleted ? new Date(state.edited) : null;
      edited.textContent = when ? "(edited)" : "";
      if (when && !Number.isNaN(when.getTime())) {
        edited.title = `Edited ${when.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" })}`;
      } else {
        edited.removeAttribute("title");
      }
    }
  }
  const box = el.querySelector(":scope > .attachment");
  if (state.deleted || !state.attachment) box?.remove();
  else if (box instanceof HTMLElement) fillAttachment(box, state.attachment);
  fillReactions(el, reactions, doc);
  const replies = el.querySelector(":scope > .item__replies");
  if (replies instanceof HTMLElement) {
    const text = repliesText(state.replies, state.lastReplyTs, now);
    if (replies.textContent !== text) replies.textContent = text;
    replies.hidden = !text;
  }
}

/**
 * The reactions row: one button per emoji, in order, reusing the buttons already there.
 * @param {HTMLElement} el
 * @param {ShownReaction[]} reactions
 * @param {Document} doc
 */
export function fillReactions(el, reactions, doc = document) {
  const row = el.querySelector(":scope > .reactions");
  if (!(row instanceof HTMLElement)) return;
  /** @type {Map<string, HTMLElement>} */
  const held = new Map();
  for (const button of row.querySelectorAll(".reaction")) {
    const b = /** @type {HTMLElement} */ (button);
    held.set(b.dataset.emoji ?? "", b);
  }
  const buttons = reactions.map((reaction) => {
    const button = held.get(reaction.emoji) ?? cloneTemplate(TEMPLATE.reaction, doc);
    button.dataset.emoji = reaction.emoji;
    button.setAttribute("aria-pressed", String(reaction.mine));
    button.title = reactionTitle(reaction.users, reaction.emoji);
    const emoji = button.querySelector(".reaction__emoji");
    if (emoji && emoji.textContent !== reaction.emoji) emoji.textContent = reaction.emoji;
    const count = button.querySelector(".reaction__count");
    if (count) count.textContent = String(reaction.count);
    return button;
  });
  const same =
    buttons.length === row.children.length && buttons.every((b, i) => row.children[i] === b);
  if (!same) row.replaceChildren(...buttons);
  row.hidden = buttons.length === 0;
}
