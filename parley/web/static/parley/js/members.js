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
// member (a server without presence), the dot stays hidden. The display name, status and
// "do not disturb" are shown as _member.html shows them, once `subscribed` or a `profile`
// frame has described the member.
//
// A big room's list (docs/protocol.md "Big rooms") shows the members of the pages loaded, in the
// order member_pages.js keeps (online first, as sent), and counts them all; member_panel.js asks
// for the pages.

import { pageIsLive, presenceLabel } from "./connection_state.js";
import { cloneTemplate } from "./item_view.js";
import { MemberList } from "./member_list.js";
import { MemberPages } from "./member_pages.js";
import { dndText } from "./profile_text.js";

/** @typedef {import("./member_list.js").Presence} Presence */
/** @typedef {import("./member_list.js").MemberProfile} MemberProfile */

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
 * The display name, status and "do not disturb" of a row, as _member.html renders them.
 * @param {HTMLElement} li
 * @param {Element} name  the row's .members__name
 * @param {string} username
 * @param {MemberProfile} profile
 */
function fillProfile(li, name, username, profile) {
  name.textContent = profile.displayName || username;
  if (profile.displayName) name.setAttribute("title", `@${username}`);
  else name.removeAttribute("title");
  const doc = li.ownerDocument;
  let status = li.querySelector(".members__status");
  if (profile.statusEmoji || profile.statusText) {
    if (!status) {
      status = doc.createElement("span");
      status.className = "members__status";
      name.after(status);
    }
    const hidden = doc.createElement("span");
    hidden.className = "visually-hidden";
    hidden.textContent = ` ${profile.statusText}`;
    status.replaceChildren(profile.statusEmoji || "💬", hidden);
    status.setAttribute("title", `${profile.statusEmoji} ${profile.statusText}`);
  } else {
    status?.remove();
  }
  let dnd = li.querySelector(".members__dnd");
  const words = dndText(profile.dndUntil || null);
  if (words) {
    if (!dnd) {
      dnd = doc.createElement("span");
      dnd.className = "members__dnd muted";
      (status ?? name).after(dnd);
    }
    dnd.textContent = ` ${words}`;
  } else {
    dnd?.remove();
  }
}

/**
 * Fill a member's row (rendered by the server, or cloned from the template).
 * @param {HTMLElement} li
 * @param {{username: string, me: string, presence: Presence | null,
 *   profile?: MemberProfile | null}} member
 * @returns {HTMLElement}
 */
export function fillMember(li, { username, me, presence, profile = null }) {
  li.dataset.username = username;
  li.classList.toggle("is-me", username === me);
  const name = li.querySelector(".members__name");
  // Until the server describes the member, a row it rendered keeps its display name: only a
  // fresh clone is named.
  if (name && profile) fillProfile(li, name, username, profile);
  else if (name && !name.textContent) name.textContent = username;
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
   * @param {boolean} [options.meMember]  whether the reader is a member then
   * @param {() => void} [options.onRender]  after each render (member_panel.js: its summary)
   */
  constructor(list, { me, count = null, initial = [], baseSeq = 0, meMember = false, onRender }) {
    this.list = list;
    this.count = count;
    this.me = me;
    this.model = new MemberList({ initial, baseSeq, me, meMember });
    this.pages = new MemberPages();
    this.onRender = onRender;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.dndTimer = undefined;
    this.render();
  }

  /** @param {string} username */
  has(username) {
    return this.model.has(username);
  }

  get knowsPresence() {
    return this.model.knowsPresence;
  }

  /** A big room's list: partial, paged and searched. */
  get big() {
    return this.model.partial;
  }

  /**
   * `subscribed`'s members (and `members_total` in a big room).
   * @param {Parameters<MemberList["reset"]>[0]} entries
   * @param {number} lastSeq
   * @param {number} [total]
   */
  reset(entries, lastSeq, total) {
    const names = this.model.reset(entries, lastSeq, total);
    if (this.big) this.pages.reset(names, total ?? 0);
    this.render();
  }

  /**
   * The answer to a `members` request of this.pages.
   * @param {import("./member_pages.js").MembersRequest} request
   * @param {{members?: unknown, members_total?: unknown}} reply
   */
  takePage(request, reply) {
    const entries = Array.isArray(reply.members) ? reply.members : [];
    const total = typeof reply.members_total === "number" ? reply.members_total : 0;
    if (this.pages.take(request, { names: this.model.learn(entries), total })) this.render();
  }

  /**
   * Changes of a `presence` frame (presenceChanges() of member_list.js): one render for all.
   * @param {{username: string, state: Presence}[]} changes
   */
  setPresences(changes) {
    let shown = false;
    for (const { username, state } of changes) {
      if (this.model.setPresence(username, state)) shown = true;
    }
    if (shown) this.render();
  }

  /**
   * @param {unknown} username
   * @param {Presence | null} state
   */
  setPresence(username, state) {
    if (this.model.setPresence(username, state)) this.render();
  }

  /** @param {Parameters<MemberList["setProfile"]>[0]} user  a `profile` frame's `user` */
  setProfile(user) {
    if (this.model.setProfile(user)) this.render();
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
    if (changed && this.big && typeof username === "string") {
      if (kind === "join") this.pages.joined(username);
      else this.pages.left(username);
    }
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
    const sorted = this.big ? this.pages.shown.names : this.model.sorted();
    const items = sorted.map((username) =>
      fillMember(rows.get(username) ?? cloneTemplate(MEMBER_TEMPLATE), {
        username,
        me: this.me,
        presence: this.model.presenceOf(username),
        profile: this.model.profileOf(username),
      }),
    );
    this.list.replaceChildren(...items);
    const total = this.big ? this.pages.browse.total : sorted.length;
    if (this.count) this.count.textContent = String(total);
    this.renderWhenDndEnds(sorted);
    this.onRender?.();
  }

  /**
   * No frame says that a "do not disturb" ended by itself: show the list again then.
   * @param {string[]} names
   */
  renderWhenDndEnds(names) {
    clearTimeout(this.dndTimer);
    const now = Date.now();
    let next = Infinity;
    for (const name of names) {
      const end = Date.parse(this.model.profileOf(name)?.dndUntil ?? "");
      if (end > now && end < next) next = end;
    }
    // setTimeout takes at most ~24.8 days; a longer one is checked again at the next render.
    if (next - now < 2 ** 31 - 1) this.dndTimer = setTimeout(() => this.render(), next - now + 500);
  }
}
