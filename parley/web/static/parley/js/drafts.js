// @ts-check
// What the user has typed and not sent, per room: kept in localStorage so that switching rooms,
// reloading or closing the tab loses nothing, as Slack and Zulip keep drafts. One entry per
// user and room; an entry older than MAX_AGE_MS is dropped when read (a draft from last month
// is clutter, not work). No DOM: the room view reads and writes the composer's text.

export const MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
const PREFIX = "parley:draft:";

/**
 * @typedef {object} DraftStorage  the part of Web Storage used here
 * @property {(key: string) => string | null} getItem
 * @property {(key: string, value: string) => void} setItem
 * @property {(key: string) => void} removeItem
 */

/** localStorage, or null where it is missing or refused (private mode, a sandbox). */
function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export class DraftStore {
  /**
   * @param {string} me  the user: two people on one browser keep their own drafts
   * @param {{storage?: DraftStorage | null, now?: () => number}} [options]
   */
  constructor(me, { storage = defaultStorage(), now = () => Date.now() } = {}) {
    this.me = me;
    this.storage = storage;
    this.now = now;
  }

  /** @param {string} room */
  key(room) {
    return `${PREFIX}${this.me}:${room}`;
  }

  /**
   * The room's draft ("" when there is none, it is too old, or storage fails).
   * @param {string} room
   * @returns {string}
   */
  get(room) {
    if (!this.storage) return "";
    try {
      const raw = this.storage.getItem(this.key(room));
      if (raw === null) return "";
      const entry = JSON.parse(raw);
      const fresh = Number.isFinite(entry?.at) && this.now() - entry.at <= MAX_AGE_MS;
      if (typeof entry?.text !== "string" || !fresh) {
        this.storage.removeItem(this.key(room));
        return "";
      }
      return entry.text;
    } catch {
      return ""; // unreadable (written by something else): as if there were none
    }
  }

  /**
   * Keep `text` as the room's draft; blank text removes it.
   * @param {string} room
   * @param {string} text
   */
  set(room, text) {
    if (!this.storage) return;
    try {
      if (text.trim() === "") this.storage.removeItem(this.key(room));
      else this.storage.setItem(this.key(room), JSON.stringify({ text, at: this.now() }));
    } catch {
      // Storage full or refused: the draft lives on in the composer while the page is open.
    }
  }

  /** @param {string} room */
  clear(room) {
    this.set(room, "");
  }
}
