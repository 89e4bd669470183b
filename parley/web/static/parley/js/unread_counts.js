// @ts-check
// Unread counts per room, as data. No DOM and no socket: unread.js feeds it frames and shows
// the badges.
//
// The server is the source of truth: the page is rendered with its counts, every `subscribed`
// carries `unread` (messages after the user's read pointer), and a `read` frame tells every
// connection of the user where the pointer went. In between, each `message` above the last seq
// known here adds one, unless it is the user's own (sending moves the pointer to it) or the
// room is being read on this page right now.
//
// A `read` that stops short of the newest message known here (another tab read up to an older
// point) cannot be counted locally: the caller asks the server again (a new `subscribed`).

/**
 * @typedef {object} RoomCount
 * @property {number} count  messages after the read pointer
 * @property {number} lastSeq  the newest seq known here
 * @property {number | null} lastRead  the pointer, once a frame has said it
 */

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
   * @param {{count?: number, lastSeq?: number}} [numbers]
   */
  track(room, { count = 0, lastSeq = 0 } = {}) {
    if (!this.rooms.has(room)) this.rooms.set(room, { count, lastSeq, lastRead: null });
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
   * @param {{room: string, last_seq?: unknown, last_read?: unknown, unread?: unknown}} frame
   */
  subscribed(frame) {
    const state = this.rooms.get(frame.room);
    if (!state) return false;
    if (Number.isInteger(frame.last_seq)) state.lastSeq = /** @type {number} */ (frame.last_seq);
    if (Number.isInteger(frame.last_read)) state.lastRead = /** @type {number} */ (frame.last_read);
    if (Number.isInteger(frame.unread) && /** @type {number} */ (frame.unread) >= 0) {
      state.count = /** @type {number} */ (frame.unread);
    }
    return true;
  }

  /**
   * A `message` frame; true if it changed the room's numbers.
   * @param {{room: string, seq: unknown, author?: {username?: unknown} | null}} frame
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
      state.lastRead = seq;
    } else if (!reading) {
      state.count += 1;
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
    return true;
  }
}
