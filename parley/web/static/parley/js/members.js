// @ts-check
// The members list of a room page (#members and its count), shown from a MemberList
// (member_list.js) each time it changes.
//
// Presence is shown as a coloured dot with its text for screen readers (role="img" and a
// label, so the item's text stays the name). Until the server has said anything about a
// member (a server without presence), no dot is drawn.

import { MemberList } from "./member_list.js";

/** @typedef {import("./member_list.js").Presence} Presence */

export const PRESENCE_TEXT = Object.freeze({
  online: "online",
  idle: "idle",
  offline: "offline",
});

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
    const sorted = this.model.sorted();
    const items = sorted.map((name) => {
      const li = document.createElement("li");
      li.dataset.username = name;
      const state = this.model.presenceOf(name);
      if (state) {
        li.dataset.presence = state;
        const dot = document.createElement("span");
        dot.className = `presence presence--${state}`;
        dot.setAttribute("role", "img");
        dot.setAttribute("aria-label", PRESENCE_TEXT[state]);
        dot.title = PRESENCE_TEXT[state];
        li.append(dot);
      }
      li.append(name);
      if (name === this.me) {
        li.classList.add("is-me");
        const you = document.createElement("span");
        you.className = "muted";
        you.textContent = " (you)";
        li.append(you);
      }
      return li;
    });
    this.list.replaceChildren(...items);
    if (this.count) this.count.textContent = String(sorted.length);
  }
}
