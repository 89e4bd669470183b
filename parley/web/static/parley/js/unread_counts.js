// @ts-check
// Unread counts per room, as data, with the mentions among them counted apart and the room's
// notification level (a room at "none" shows a dot, not a number). No DOM and no socket:
// unread.js feeds it frames and shows the badges.
//
// The server is the source of truth: the page is rendered with its counts, every `subscribed`
// carries `unread` (messages after the user's read pointer), and a `read` frame tells every
// connection of the user where the pointer went. In between, each `message` above the last seq
// known here adds one, unless it is the user's own (sending moves the pointer to it) or the
// room is being read on this page right now. A message of someone else whose `mentions` name the
// user or "@room" adds one mention too (`subscribed` carries the server's `mentions` count); what
// clears the unread count (a `read` past everything known, sending) clears the mentions with it.
// `notify` frames and `subscribed.level` say the level.
//
// A `read` that stops short of the newest message known here (another tab read up to an older
// point) cannot be counted locally: the caller asks the server again (a new `subscribed`).

/**
 * @typedef {object} RoomCount
 * @property {number} count  messages after the read pointer
 * @property {number} lastSeq  the newest seq known here
 * @property {number | null} lastRead  the pointer, once a frame has said it
 * @property {number} mentions  of those, the ones by someone else that mention the user or the room
 * @property {string} level  the notification level ("" when the page did not say)
 */

/**
 * A room's numbers as shown: `count` unread, `mentions` of them, at `level`.
 * @typedef {{count: number, mentions: number, level: string}} Shown
 */

/**
 * What a room's badges show: the unread number (null: no number), the dot that stands for it in
 * a room at level "none", and the mention number (null: none).
 * @typedef {{unread: string | null, dot: boolean, mentions: string | null}} Badges
 */

const LEVELS = new Set(["all", "mentions", "none"]);

/**
 * Does a message's `mentions` list name `me` (or the whole room)?
 * @param {unknown} mentions
 * @param {string} me
 */
export function mentionsUser(mentions, me) {
  return Array.isArray(mentions) && (mentions.includes(me) || mentions.includes("@room"));
}

/**
 * The badges of a room with `count` unread and `mentions` mentions at `level`.
 * @param {Shown} numbers
 * @returns {Badges}
 */
export function badges({ count, mentions, level }) {
  const muted = level === "none";
  return {
    unread: count > 0 && !muted ? badgeText(count) : null,
    dot: count > 0 && muted,
    mentions: mentions > 0 ? badgeText(mentions) : null,
  };
}

/**
 * What a badge shows for `count`.
 * @param {number} count
 */
export function badgeText(count) {
  return count > 999 ? "999+" : String(count);
}

export class UnreadCounts {
  /** @param {{me: string}} options */
  constructor({ me }) {
    this.me = me;
    /** @type {Map<string, RoomCount>} */
    this.rooms = new Map();
  }

  /**
   * Count `room` from the page's numbers (a room already counted keeps its own).
   * @param {string} room
   * @param {{count?: number, lastSeq?: number, mentions?: number, level?: string}} [numbers]
   */
  track(room, { count = 0, lastSeq = 0, mentions = 0, level = "" } = {}) {
    if (this.rooms.has(room)) return;
    this.rooms.set(room, { count, lastSeq, lastRead: null, mentions, level });
  }

  /** @param {string} room */
  untrack(room) {
    return this.rooms.delete(room);
  }

  /** @param {string} room */
  has(room) {
    return this.rooms.has(room);
  }

  /**
   * The number to show for `room`: 0 while it is being read.
   * @param {string} room
   * @param {boolean} reading
   */
  shown(room, reading) {
    const state = this.rooms.get(room);
    if (!state || reading) return 0;
    return state.count;
  }

  /**
   * The numbers to show for `room`: no count and no mentions while it is being read.
   * @param {string} room
   * @param {boolean} reading
   * @returns {Shown}
   */
  shownAll(room, reading) {
    const state = this.rooms.get(room);
    if (!state) return { count: 0, mentions: 0, level: "" };
    if (reading) return { count: 0, mentions: 0, level: state.level };
    return { count: state.count, mentions: state.mentions, level: state.level };
  }

  /**
   * The numbers shown for the rooms other than `except`, added up.
   * @param {string} except
   * @param {(room: string) => boolean} reading
   */
  elsewhere(except, reading) {
    let total = 0;
    for (const room of this.rooms.keys()) {
      if (room !== except) total += this.shown(room, reading(room));
    }
    return total;
  }

  /**
   * A `subscribed` frame: the server's numbers. True if the room is counted here.
   * @param {{room: string, last_seq?: unknown, last_read?: unknown, unread?: unknown,
   *   mentions?: unknown, level?: unknown}} frame
   */
  subscribed(frame) {
    const state = this.rooms.get(frame.room);
    if (!state) return false;
    if (Number.isInteger(frame.last_seq)) state.lastSeq = /** @type {number} */ (frame.last_seq);
    if (Number.isInteger(frame.last_read)) state.lastRead = /** @type {number} */ (frame.last_read);
    if (Number.isInteger(frame.unread) && /** @type {number} */ (frame.unread) >= 0) {
      state.count = /** @type {number} */ (frame.unread);
    }
    if (Number.isInteger(frame.mentions) && /** @type {number} */ (frame.mentions) >= 0) {
      state.mentions = /** @type {number} */ (frame.mentions);
    }
    this.level(frame);
    return true;
  }

  /**
   * A `notify` frame (or a `subscribed`): the room's level. True if it changed.
   * @param {{room: string, level?: unknown}} frame
   */
  level(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || typeof frame.level !== "string" || !LEVELS.has(frame.level)) return false;
    if (state.level === frame.level) return false;
    state.level = frame.level;
    return true;
  }

  /**
   * A `message` frame; true if it changed the room's numbers.
   * @param {{room: string, seq: unknown, author?: {username?: unknown} | null,
   *   mentions?: unknown}} frame
   * @param {boolean} reading  the room is being read on this page right now
   */
  message(frame, reading) {
    const state = this.rooms.get(frame.room);
    if (!state || !Number.isInteger(frame.seq)) return false;
    const seq = /** @type {number} */ (frame.seq);
    if (seq <= state.lastSeq) return false; // counted already (a replay, a gap fill)
    state.lastSeq = seq;
    if (frame.author?.username === this.me) {
      state.count = 0; // sending moves the sender's pointer to the message
      state.mentions = 0;
      state.lastRead = seq;
    } else if (!reading) {
      state.count += 1;
      if (mentionsUser(frame.mentions, this.me)) state.mentions += 1;
    }
    return true;
  }

  /**
   * A `read` frame: "cleared" when everything known is read, "resync" when the pointer stops
   * short of it (ask the server), null for a room not counted here.
   * @param {{room: string, seq: unknown}} frame
   * @returns {"cleared" | "resync" | null}
   */
  read(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || !Number.isInteger(frame.seq)) return null;
    const seq = /** @type {number} */ (frame.seq);
    state.lastRead = Math.max(state.lastRead ?? 0, seq);
    if (seq < state.lastSeq) return "resync";
    state.count = 0;
    state.mentions = 0;
    return "cleared";
  }

  /**
   * Removed from a private room: nothing of it is unread. True if it is counted here.
   * @param {string} room
   */
  removed(room) {
    const state = this.rooms.get(room);
    if (!state) return false;
    state.count = 0;
    state.mentions = 0;
    return true;
  }
}
