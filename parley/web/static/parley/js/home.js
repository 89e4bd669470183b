// @ts-check
// The home page: join and leave rooms over the socket, without a reload, and each room's
// unread count, live.
//
// Each room card has two plain POST forms (join, leave); without this script, or while the
// socket is not live, they simply post. With it, a submit becomes a `join`/`leave` frame and
// the answer flips the card. The page subscribes (without `after`) to the rooms the user is a
// member of, so their unread badges count new messages as they come (unread.js).

import { reportActivity } from "./activity.js";
import { readJsonScript } from "./config.js";
import { listNewDirectRooms } from "./direct_rooms.js";
import { relativeTime } from "./relative_time.js";
import { ParleySocket } from "./socket.js";
import { bindIndicator } from "./status.js";
import { TabBadge, attentionOf } from "./tab_badge.js";
import { UnreadTracker, numbersOf } from "./unread.js";

const socket = new ParleySocket();
bindIndicator(socket, document.querySelector("[data-conn]"));
const announcer = document.getElementById("home-status");
const me = readJsonScript("home-data", {}).username ?? "";
// The tab's title, favicon and app badge count what is unread for the user, as on a room page.
const badge = new TabBadge();
/** @param {string} slug */
const isDirect = (slug) =>
  document.querySelector(`#home-direct [data-room="${CSS.escape(slug)}"]`) !== null;
const unread = new UnreadTracker(socket, {
  me,
  onChange: (tracker) => badge.show(attentionOf(tracker, isDirect)),
});

/** @param {HTMLElement} card  a room card ([data-room]) */
function trackCard(card) {
  unread.track(card.dataset.room ?? "", { ...numbersOf(card), follow: true });
}

for (const card of /** @type {NodeListOf<HTMLElement>} */ (
  document.querySelectorAll("[data-room][data-member=true]")
)) {
  trackCard(card);
}
listNewDirectRooms(socket, unread, {
  me,
  list: document.getElementById("home-direct"),
  template: /** @type {HTMLTemplateElement | null} */ (
    document.getElementById("direct-row-template")
  ),
  empty: document.querySelector(".direct-section [data-direct-empty]"),
});
socket.start();
reportActivity(socket);

/** "Active 5 min ago": the server wrote it as of the page load; keep it true while open. */
function showActivityTimes() {
  for (const time of /** @type {NodeListOf<HTMLTimeElement>} */ (
    document.querySelectorAll("time[data-activity]")
  )) {
    const text = relativeTime(time.dateTime);
    if (text) time.textContent = text;
  }
}
showActivityTimes();
setInterval(showActivityTimes, 60_000);

/** @param {string} text */
function announce(text) {
  if (announcer) announcer.textContent = text;
}

/**
 * The parts of a room card the page changes.
 * @param {HTMLElement} card
 */
function cardParts(card) {
  /** @param {string} selector */
  const part = (selector) => /** @type {HTMLElement} */ (card.querySelector(selector));
  return {
    join: part("form[data-action=join]"),
    leave: part("form[data-action=leave]"),
    open: part("[data-open]"),
    count: part("[data-member-count]"),
    word: part("[data-member-word]"),
    error: part("[data-error]"),
    badge: part("[data-member-badge]"),
  };
}

/**
 * @param {HTMLElement} card
 * @param {string} text
 */
function showError(card, text) {
  const { error } = cardParts(card);
  error.textContent = text;
  error.hidden = !text;
}

/**
 * @param {HTMLElement} card
 * @param {boolean} member
 */
function setMember(card, member) {
  const parts = cardParts(card);
  const was = card.dataset.member === "true";
  card.dataset.member = String(member);
  if (was !== member) {
    const shown = Number.parseInt(parts.count.textContent ?? "", 10) || 0;
    const count = Math.max(0, shown + (member ? 1 : -1));
    parts.count.textContent = String(count);
    parts.word.textContent = count === 1 ? "member" : "members";
  }
  if (parts.badge) parts.badge.hidden = !member;
  if (member && !was) trackCard(card);
  if (!member && was) unread.untrack(card.dataset.room ?? "");
  if (!member && card.dataset.visibility === "private") {
    // Only members see a private room: after leaving there is nothing left to open or join.
    parts.join.hidden = true;
    parts.leave.hidden = true;
    if (parts.open) parts.open.hidden = true;
    showError(card, "");
    const note = /** @type {HTMLElement | null} */ (card.querySelector("[data-left-note]"));
    if (note) note.hidden = false;
    return;
  }
  parts.join.hidden = member;
  parts.leave.hidden = !member;
}

/**
 * A join or leave form of a card, submitted.
 * @param {SubmitEvent} event
 */
async function onSubmit(event) {
  const form = /** @type {HTMLFormElement} */ (event.currentTarget);
  const card = /** @type {HTMLElement | null} */ (form.closest("[data-room]"));
  if (!card || !socket.isLive) return; // the plain form post does the job
  event.preventDefault();
  if (card.dataset.busy) return;
  card.dataset.busy = "1";
  const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  const action = form.dataset.action;
  const room = card.dataset.room;
  const name = card.dataset.name || room;
  const reply = await socket.request({ type: action, room });
  delete card.dataset.busy;
  button.disabled = false;
  button.removeAttribute("aria-busy");
  if (reply.type === "joined" || reply.type === "left") {
    const member = reply.type === "joined";
    showError(card, "");
    setMember(card, member);
    announce(member ? `You joined ${name}.` : `You left ${name}.`);
    // The pressed button is now hidden: keep the keyboard focus in the card.
    const other = cardParts(card)[member ? "leave" : "join"];
    const note = /** @type {HTMLElement | null} */ (card.querySelector("[data-left-note]"));
    if (other && !other.hidden) {
      other.querySelector("button")?.focus();
    } else if (note) {
      note.tabIndex = -1;
      note.focus();
    }
  } else if (reply.client) {
    // The socket dropped before an answer: post the form instead (joining twice is harmless).
    form.submit();
  } else {
    showError(card, reply.message || `Could not ${action} this room (${reply.code}).`);
  }
}

for (const form of /** @type {NodeListOf<HTMLFormElement>} */ (
  document.querySelectorAll("[data-room] form[data-action]")
)) {
  form.addEventListener("submit", onSubmit);
}
