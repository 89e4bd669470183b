// @ts-check
// What the browser tells the user outside the page itself, as data: whether a `message` frame
// shows a desktop notification in the open tab, what that notification says and opens, and the
// count and badge of the tab (title, favicon, app icon). No DOM: desktop_notify.js and
// tab_badge.js apply these rules; tests/js/notify_rules.test.mjs checks them.
//
// The rules follow the room's notification level as the server applies it to Web Push
// (docs/protocol.md, "Web Push"): level "all" (the default of a direct room), or "mentions" and the
// message names the user or "@room"; "none" never. In the open tab one more rule: a message the
// user is looking at (the tab visible and focused, its room open) needs no notification.

import { mentionsUser } from "./unread_counts.js";

/** The longest body excerpt a notification shows, in code points. */
export const EXCERPT_MAX = 140;

/**
 * @typedef {object} NotifyContext
 * @property {string} me  the signed-in username
 * @property {string} level  the user's level in the frame's room ("" when unknown: "mentions")
 * @property {boolean} direct  the room is a direct conversation
 * @property {string | null} open  the slug of the room open on this page
 * @property {boolean} looking  the tab is visible and has the focus
 */

/**
 * Should this `message` frame show a desktop notification?
 * @param {{room?: unknown, author?: {username?: unknown} | null, mentions?: unknown}} frame
 * @param {NotifyContext} context
 */
export function shouldNotify(frame, { me, level, direct, open, looking }) {
  if (typeof frame.room !== "string") return false;
  if (frame.author?.username === me) return false;
  if (level === "none") return false;
  if (looking && open === frame.room) return false;
  const effective = level || (direct ? "all" : "mentions");
  return effective === "all" || mentionsUser(frame.mentions, me);
}

/**
 * A body shortened to `max` code points on one line (an ellipsis says it was cut).
 * @param {unknown} body
 * @param {number} [max]
 */
export function excerpt(body, max = EXCERPT_MAX) {
  const flat = String(body ?? "")
    .replace(/\s+/g, " ")
    .trim();
  const points = [...flat];
  return points.length > max ? `${points.slice(0, max - 1).join("").trimEnd()}…` : flat;
}

/**
 * Where a notification about message `seq` of `room` leads (message_jump.js opens it there).
 * @param {string} room
 * @param {number} seq
 */
export function messageUrl(room, seq) {
  return `/rooms/${encodeURIComponent(room)}/?seq=${seq}`;
}

/**
 * @typedef {object} NotificationText
 * @property {string} title
 * @property {string} body
 * @property {string} tag  the room: a newer notification of the same room replaces the older
 * @property {string} url
 */

/**
 * What the notification about a `message` frame says, the same shape as a push payload's.
 * @param {{room: string, seq?: unknown, body?: unknown, author?: {username?: unknown} | null,
 *   attachment?: unknown}} frame
 * @param {{roomName: string, direct: boolean}} where
 * @returns {NotificationText}
 */
export function notificationFor(frame, { roomName, direct }) {
  const author = typeof frame.author?.username === "string" ? frame.author.username : "Someone";
  const text = excerpt(frame.body);
  const body = text || (frame.attachment ? "sent a file" : "");
  const seq = Number.isInteger(frame.seq) ? /** @type {number} */ (frame.seq) : 0;
  return {
    title: direct ? author : `${author} in ${roomName || frame.room}`,
    body,
    tag: frame.room,
    url: seq ? messageUrl(frame.room, seq) : `/rooms/${encodeURIComponent(frame.room)}/`,
  };
}

/**
 * @typedef {object} RoomAttention
 * @property {number} count  unread messages shown for the room
 * @property {number} mentions  of them, the ones mentioning the user or the room
 * @property {string} level
 * @property {boolean} direct
 * @property {boolean} [open]  the room open on the page
 */

/**
 * The messages of one room that are for the user: all unread ones at level "all" (a direct
 * room's default) and in the room open on the page (what came while the tab was away), the
 * mentions at "mentions", none at "none".
 * @param {RoomAttention} room
 */
export function countForMe({ count, mentions, level, direct, open = false }) {
  const effective = level || (direct ? "all" : "mentions");
  if (effective === "none") return 0;
  return effective === "all" || open ? count : mentions;
}

/**
 * What the tab shows for every room of the page: the total for the user (the title's number
 * and the app icon's), and whether the favicon carries the dot (an unread mention, or an unread
 * message of a direct conversation the user did not mute).
 * @param {Iterable<RoomAttention>} rooms
 * @returns {{total: number, urgent: boolean}}
 */
export function tabAttention(rooms) {
  let total = 0;
  let urgent = false;
  for (const room of rooms) {
    total += countForMe(room);
    if (room.level === "none") continue;
    if (room.mentions > 0 || (room.direct && room.count > 0)) urgent = true;
  }
  return { total, urgent };
}

/**
 * The tab's title with the count in front ("(3) general · Parley"); the bare title at 0.
 * @param {string} base
 * @param {number} total
 */
export function titleWithCount(base, total) {
  if (total <= 0) return base;
  return `(${total > 999 ? "999+" : total}) ${base}`;
}

/**
 * The title without a count this module put in front of it.
 * @param {string} title
 */
export function bareTitle(title) {
  return title.replace(/^\((?:\d+|999\+)\) /, "");
}
