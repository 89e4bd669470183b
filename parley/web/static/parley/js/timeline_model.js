// @ts-check
// A room's timeline as data: the items the page holds, each seq once, in seq order; which seqs
// are still missing; where "New messages" goes; which rows start a day or continue a group.
// No DOM: timeline.js shows this model.
//
// `highWater` is the cursor the room resumes from: every seq up to it is held or known not to
// exist (an item deleted by an admin leaves a hole in the numbering). Anything held above it is
// past a gap that still has to be filled; missing() names those gaps.
//
// The "New messages" marker goes before the first message whose seq is above `markerAfter` (the
// reader's pointer when it was set); it follows inserts, so it finds its place when the first
// unread message arrives or is paged in later. While the items right after the pointer are not
// held yet (more unread than the page holds), it has no place: the first message held would not
// be the first unread.

/**
 * A user as items name them; `username` is a string unless the account was deleted. A message's
 * author may carry `display_name` (the name it shows: an incoming webhook's) and `bot` (true when
 * a program wrote it).
 * @typedef {{username?: unknown, display_name?: unknown, bot?: unknown} | null} UserRef
 */

/**
 * A file in a message.
 * @typedef {object} Attachment
 * @property {string} url
 * @property {string} [name]
 * @property {number} [size]
 * @property {string} [content_type]
 */

/**
 * A timeline item as the server sends it (`message` and `event` frames, `history` items, the
 * page's #initial-items).
 * @typedef {object} Item
 * @property {string} type  "message" or "event"
 * @property {number} seq
 * @property {string} [room]
 * @property {number} [id]
 * @property {string} [kind]  an event's kind: "join" or "leave"
 * @property {UserRef} [author]  a message's author
 * @property {UserRef} [user]  an event's user
 * @property {string} [body]
 * @property {string} [html]  the server's rendering of `body` (message_html.js shows it)
 * @property {string} [ts]  ISO 8601
 * @property {string} [client_id]
 * @property {Attachment | null} [attachment]
 */

/** @typedef {{from: number, to: number}} SeqRange  both ends included */

/**
 * How a row sits among its neighbours: `day` is the date to label when it starts a new day
 * (null otherwise); `continuation` when it continues the author's group.
 * @typedef {{day: Date | null, continuation: boolean}} Decoration
 */

/** Consecutive messages of one author closer than this are one group. */
export const GROUP_MS = 5 * 60 * 1000;

/**
 * The item's author (a message) or user (an event), or null for a deleted account.
 * @param {Item} item
 * @returns {string | null}
 */
export function authorName(item) {
  const user = item.type === "message" ? item.author : item.user;
  return user && typeof user.username === "string" ? user.username : null;
}

/**
 * The name the item shows for its author: the `display_name` it carries, else the username; null
 * for a deleted account.
 * @param {Item} item
 * @returns {string | null}
 */
export function authorLabel(item) {
  const name = authorName(item);
  const user = item.type === "message" ? item.author : item.user;
  const shown = user && typeof user.display_name === "string" ? user.display_name : "";
  return name === null ? null : shown || name;
}

/**
 * Whether a program (a bot user) wrote the item: the clients show it with a "BOT" badge.
 * @param {Item} item
 * @returns {boolean}
 */
export function authorIsBot(item) {
  const user = item.type === "message" ? item.author : item.user;
  return Boolean(user && user.bot === true);
}

/**
 * What groups a row with the one before it: its author, and the name it shows (one webhook
 * posting as "CI" and then as "Grafana" starts a new group); null for a deleted account.
 * @param {Item} item
 * @returns {string | null}
 */
export function authorKey(item) {
  const name = authorName(item);
  const label = authorLabel(item);
  return name === null || label === name ? name : `${name}\n${label}`;
}

/**
 * Whether the main timeline shows `item` as a row: messages and events do; a reply (shown in
 * its thread) and a change to a message (`edit`, `delete`, `reaction`: shown in the message)
 * do not. Every item is held all the same: its seq counts for gaps and the cursor.
 * @param {Item} item
 */
export function isRow(item) {
  if (item.type === "event") return true;
  if (item.type !== "message") return false;
  const thread = /** @type {{thread?: unknown}} */ (item).thread;
  return !(Number.isInteger(thread) && /** @type {number} */ (thread) >= 1);
}

/**
 * The local calendar day of `date`, as a key.
 * @param {Date} date
 * @returns {string}
 */
export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

/**
 * "Today", "Yesterday", or the local date in full.
 * @param {Date} date
 * @param {Date} [now]
 * @returns {string}
 */
export function dayLabel(date, now = new Date()) {
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(date) === dayKey(now)) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
  });
}

export class TimelineModel {
  /** @param {{highWater?: number}} [options] */
  constructor({ highWater = 0 } = {}) {
    /** @type {number[]} the seqs held, ascending */
    this.seqs = [];
    /** @type {Map<number, Item>} */
    this.bySeq = new Map();
    /** @type {Set<number>} seqs known not to exist */
    this.absent = new Set();
    this.highWater = highWater;
    /** @type {number | null} "New messages" goes before the first message above this seq */
    this.markerAfter = null;
    /** The room's first item is held: there is nothing older to page in. */
    this.startShown = false;
  }

  /** @returns {number | null} */
  get first() {
    return this.seqs.length ? this.seqs[0] : null;
  }

  /** @returns {number | null} */
  get last() {
    return this.seqs.length ? this.seqs[this.seqs.length - 1] : null;
  }

  /** @param {number} seq */
  has(seq) {
    return this.bySeq.has(seq);
  }

  /**
   * @param {number} seq
   * @returns {Item | null}
   */
  get(seq) {
    return this.bySeq.get(seq) ?? null;
  }

  /**
   * Where `seq` is or would go in `seqs`.
   * @param {number} seq
   * @returns {number}
   */
  indexFor(seq) {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Hold `item`; its index in `seqs`, or -1 if its seq is held already (a duplicate: live and
   * backlog, an ack and its live item) or is not a seq at all.
   * @param {Item} item
   * @returns {number}
   */
  insert(item) {
    const seq = item.seq;
    if (!Number.isInteger(seq) || seq < 1 || this.bySeq.has(seq)) return -1;
    const index = this.indexFor(seq);
    this.seqs.splice(index, 0, seq);
    this.bySeq.set(seq, item);
    this.absent.delete(seq);
    this.advance();
    return index;
  }

  /**
   * Seqs `from`…`to` that are not held do not exist (deleted): the cursor may pass them.
   * @param {number} from
   * @param {number} to
   */
  markAbsent(from, to) {
    for (let seq = from; seq <= to; seq += 1) if (!this.bySeq.has(seq)) this.absent.add(seq);
    this.advance();
  }

  /** Move the cursor over every seq that is held or known absent. */
  advance() {
    while (this.bySeq.has(this.highWater + 1) || this.absent.has(this.highWater + 1)) {
      this.highWater += 1;
    }
  }

  /**
   * The seq ranges above the cursor, up to `upTo`, that are neither held nor known absent: the
   * gaps to fetch with `history`, oldest first.
   * @param {number} upTo
   * @returns {SeqRange[]}
   */
  missing(upTo) {
    const known = [...this.seqs.slice(this.indexFor(this.highWater + 1))];
    for (const seq of this.absent) if (seq > this.highWater) known.push(seq);
    known.sort((a, b) => a - b);
    /** @type {SeqRange[]} */
    const ranges = [];
    let next = this.highWater + 1;
    for (const seq of known) {
      if (seq > upTo) break;
      if (seq > next) ranges.push({ from: next, to: seq - 1 });
      next = Math.max(next, seq + 1);
    }
    if (next <= upTo) ranges.push({ from: next, to: upTo });
    return ranges;
  }

  /**
   * The smallest seq held above `seq`, or null.
   * @param {number} seq
   * @returns {number | null}
   */
  nextShownAfter(seq) {
    const index = this.indexFor(seq + 1);
    return index < this.seqs.length ? this.seqs[index] : null;
  }

  /**
   * Drop every item below `seq` (after a jump to the newest page); the seqs dropped.
   * @param {number} seq
   * @returns {number[]}
   */
  dropBelow(seq) {
    const index = this.indexFor(seq);
    const dropped = this.seqs.splice(0, index);
    for (const s of dropped) this.bySeq.delete(s);
    for (const s of this.absent) if (s < seq) this.absent.delete(s);
    return dropped;
  }

  /**
   * Whether the items right after `seq` are held (not still to be paged in).
   * @param {number} seq
   */
  holdsAfter(seq) {
    return this.startShown || (this.first !== null && this.first <= seq + 1);
  }

  /**
   * The seq of the message "New messages" goes before, or null while it has no place.
   * Membership events are never unread: it goes before the first message.
   * @returns {number | null}
   */
  get markerSeq() {
    if (this.markerAfter === null || !this.holdsAfter(this.markerAfter)) return null;
    for (let index = this.indexFor(this.markerAfter + 1); index < this.seqs.length; index += 1) {
      const seq = this.seqs[index];
      const item = this.bySeq.get(seq);
      if (item?.type === "message" && isRow(item)) return seq;
    }
    return null;
  }

  /**
   * The row shown before the held item `seq` (rows: isRow), or null.
   * @param {number} seq
   * @returns {Item | null}
   */
  rowBefore(seq) {
    for (let index = this.indexFor(seq) - 1; index >= 0; index -= 1) {
      const item = /** @type {Item} */ (this.bySeq.get(this.seqs[index]));
      if (isRow(item)) return item;
    }
    return null;
  }

  /**
   * The seq of the row shown after the held item `seq` (rows: isRow), or null.
   * @param {number} seq
   * @returns {number | null}
   */
  rowAfter(seq) {
    for (let index = this.indexFor(seq + 1); index < this.seqs.length; index += 1) {
      const next = this.seqs[index];
      if (isRow(/** @type {Item} */ (this.bySeq.get(next)))) return next;
    }
    return null;
  }

  /**
   * Day separator and author grouping of the held item `seq`, from the row before it (replies
   * and changes have no row). The row with "New messages" never continues a group: the marker
   * starts a new one.
   * @param {number} seq
   * @returns {Decoration}
   */
  decoration(seq) {
    const item = /** @type {Item} */ (this.bySeq.get(seq));
    const prev = this.rowBefore(seq);
    const date = new Date(item.ts ?? Number.NaN);
    const prevDate = prev ? new Date(prev.ts ?? Number.NaN) : null;
    const valid = !Number.isNaN(date.getTime());
    const newDay = valid && (!prevDate || dayKey(prevDate) !== dayKey(date));
    const gap = prevDate ? date.getTime() - prevDate.getTime() : Number.NaN;
    const continuation =
      item.type === "message" &&
      seq !== this.markerSeq &&
      prev?.type === "message" &&
      !newDay &&
      authorKey(item) !== null &&
      authorKey(item) === authorKey(prev) &&
      gap >= 0 &&
      gap < GROUP_MS;
    return { day: newDay ? date : null, continuation };
  }
}
