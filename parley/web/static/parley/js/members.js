// @ts-check
// The members list of a room page (#members and its count), shown from a MemberList
// (member_list.js) each time it changes.
//
// Rows from the server's markup only (parley/_member.html): the rows the page was rendered with
// are kept, and a member who joins later gets a clone of <template id="member-template">; either
// way fillMember() shows the member with text and attributes only.
//
// Presence is shown as a coloured dot with its text for screen readers (role="img" and a
// label, so the item's text stays the name). Until the server has said anything about a
// member (a server without presence), the dot stays hidden.

import { pageIsLive, presenceLabel } from "./connection_state.js";
import { cloneTemplate } from "./item_view.js";
import { MemberList } from "./member_list.js";

/** @typedef {import("./member_list.js").Presence} Presence */

export const PRESENCE_TEXT = Object.freeze({
  online: "online",
  idle: "idle",
  offline: "offline",
});

/** The <template> id of a member's row (parley/room.html). */
export const MEMBER_TEMPLATE = "member-template";
/** The <template> id of the "Message <name>" button of another member's row (room.html). */
export const MEMBER_DM_TEMPLATE = "member-dm-template";

/**
 * Fill a member's row (rendered by the server, or cloned from the template).
 * @param {HTMLElement} li
 * @param {{username: string, me: string, presence: Presence | null}} member
 * @returns {HTMLElement}
 */
export function fillMember(li, { username, me, presence }) {
  li.dataset.username = username;
  li.classList.toggle("is-me", username === me);
  const name = li.querySelector(".members__name");
  // A row the server rendered may show the member's display name: only a fresh clone is named.
  if (name && !name.textContent) name.textContent = username;
  if (username !== me) li.querySelector(".members__you")?.remove();
  if (username !== me && li.ownerDocument.getElementById(MEMBER_DM_TEMPLATE)) {
    let dm = li.querySelector(".members__dm");
    if (!(dm instanceof HTMLElement)) {
      dm = cloneTemplate(MEMBER_DM_TEMPLATE, li.ownerDocument);
      li.append(dm);
    }
    // No text of its own (the row's text stays the name): the icon is the stylesheet's.
    /** @type {HTMLElement} */ (dm).title = `Message ${username}`;
    dm.setAttribute("aria-label", `Message ${username}`);
  }
  if (presence) li.dataset.presence = presence;
  else delete li.dataset.presence;
  const dot = li.querySelector(".presence");
  if (dot instanceof HTMLElement) {
    for (const state of /** @type {Presence[]} */ (Object.keys(PRESENCE_TEXT))) {
      dot.classList.toggle(`presence--${state}`, state === presence);
    }
    dot.hidden = !presence;
    if (presence) {
      // While the page is disconnected the server's word may be stale: the label says so
      // (status.js relabels the dots when the connection comes and goes).
      const label = presenceLabel(PRESENCE_TEXT[presence], pageIsLive(li.ownerDocument));
      dot.dataset.presenceText = PRESENCE_TEXT[presence];
      dot.setAttribute("aria-label", label);
      dot.title = label;
    } else {
      delete dot.dataset.presenceText;
      dot.removeAttribute("aria-label");
      dot.removeAttribute("title");
    }
  }
  return li;
}

export class Members {
  /**
   * @param {HTMLElement} list  the <ul> of members
   * @param {object} options
   * @param {string} options.me
   * @param {HTMLElement | null} [options.count]  where the number of members goes
   * @param {string[]} [options.initial]  the members the page was rendered with
   * @param {number} [options.baseSeq]  the seq they are as of
   */
  constructor(list, { me, count = null, initial = [], baseSeq = 0 }) {
    this.list = list;
    this.count = count;
    this.me = me;
    this.model = new MemberList({ initial, baseSeq });
    this.render();
  }

  /** @param {string} username */
  has(username) {
    return this.model.has(username);
  }

  get knowsPresence() {
    return this.model.knowsPresence;
  }

  /**
   * @param {Parameters<MemberList["reset"]>[0]} entries
   * @param {number} lastSeq
   */
  reset(entries, lastSeq) {
    this.model.reset(entries, lastSeq);
    this.render();
  }

  /**
   * @param {unknown} username
   * @param {Presence | null} state
   */
  setPresence(username, state) {
    if (this.model.setPresence(username, state)) this.render();
  }

  /**
   * @param {string} username
   * @param {boolean} member
   */
  set(username, member) {
    if (this.model.set(username, member)) this.render();
  }

  /**
   * @param {string | undefined} kind
   * @param {unknown} username
   * @param {number} seq
   */
  apply(kind, username, seq) {
    const changed = this.model.apply(kind, username, seq);
    if (changed) this.render();
    return changed;
  }

  render() {
    /** @type {Map<string, HTMLElement>} */
    const rows = new Map();
    for (const li of this.list.querySelectorAll(":scope > li[data-username]")) {
      const row = /** @type {HTMLElement} */ (li);
      rows.set(row.dataset.username ?? "", row);
    }
    const sorted = this.model.sorted();
    const items = sorted.map((username) =>
      fillMember(rows.get(username) ?? cloneTemplate(MEMBER_TEMPLATE), {
        username,
        me: this.me,
        presence: this.model.presenceOf(username),
      }),
    );
    this.list.replaceChildren(...items);
    if (this.count) this.count.textContent = String(sorted.length);
  }
}
