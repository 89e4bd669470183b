// @ts-check
// A room's members as data, kept current from `subscribed` and join/leave events, with each
// member's presence (online, idle, offline) from `subscribed` and `presence` frames, and what
// the list shows of them (display name, status, do not disturb) from `subscribed` and `profile`
// frames. No DOM: members.js shows it.
//
// `subscribed` gives the members as of its `last_seq`; an event only counts when it is newer
// than that and newer than the last event applied for the same user, so backlog replays and
// gap fills that arrive late never undo a newer state.

/** @typedef {"online" | "idle" | "offline"} Presence */

/**
 * "online", "idle" or "offline" from a frame's `online`/`idle`; null if it says nothing.
 * @param {{online?: unknown, idle?: unknown} | null | undefined} entry
 * @returns {Presence | null}
 */
export function presenceOf(entry) {
  if (!entry || typeof entry.online !== "boolean") return null;
  if (!entry.online) return "offline";
  return entry.idle === true ? "idle" : "online";
}

/**
 * @typedef {object} MemberProfile
 * @property {string} displayName  "" = none: the username shows
 * @property {string} statusEmoji
 * @property {string} statusText
 * @property {string} dndUntil  ISO 8601, "" = not on (a client hides it once it has passed)
 */

/** @param {unknown} value */
const text = (value) => (typeof value === "string" ? value : "");

/**
 * What a `members` entry or a `profile` frame's `user` says of the person: each key is there
 * only when set, so one that is absent is empty (docs/protocol.md, "Profiles").
 * @param {{display_name?: unknown, status?: unknown, dnd_until?: unknown}} entry
 * @returns {MemberProfile}
 */
export function profileOf(entry) {
  const status = /** @type {{emoji?: unknown, text?: unknown} | null} */ (
    entry.status && typeof entry.status === "object" ? entry.status : null
  );
  return {
    displayName: text(entry.display_name),
    statusEmoji: text(status?.emoji),
    statusText: text(status?.text),
    dndUntil: text(entry.dnd_until),
  };
}

/** @param {MemberProfile} a @param {MemberProfile} b */
function sameProfile(a, b) {
  return (
    a.displayName === b.displayName &&
    a.statusEmoji === b.statusEmoji &&
    a.statusText === b.statusText &&
    a.dndUntil === b.dndUntil
  );
}

export class MemberList {
  /** @param {{initial?: string[], baseSeq?: number}} [options] */
  constructor({ initial = [], baseSeq = 0 } = {}) {
    /** @type {Set<string>} */
    this.names = new Set(initial);
    this.baseSeq = baseSeq;
    /** @type {Map<string, number>} the seq of the last event applied, per user */
    this.seqByUser = new Map();
    /** @type {Map<string, Presence>} */
    this.presence = new Map();
    /** @type {Map<string, MemberProfile>} only of members the server has described */
    this.profiles = new Map();
  }

  /** @param {string} username */
  has(username) {
    return this.names.has(username);
  }

  /** The names, sorted by code point (as the server sorts them). */
  sorted() {
    return [...this.names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * `entries` are `subscribed.members` ([{username, online?, idle?}…] or plain names), as of
   * `lastSeq`.
   * @param {Array<string | {username?: unknown, online?: unknown, idle?: unknown}>} entries
   * @param {number} lastSeq
   */
  reset(entries, lastSeq) {
    const names = [];
    for (const entry of entries) {
      const name = typeof entry === "string" ? entry : entry?.username;
      if (typeof name !== "string") continue;
      names.push(name);
      const state = typeof entry === "string" ? null : presenceOf(entry);
      if (state) this.presence.set(name, state);
      if (typeof entry !== "string") this.profiles.set(name, profileOf(entry));
    }
    this.names = new Set(names);
    this.baseSeq = lastSeq;
    this.seqByUser.clear();
  }

  /**
   * A presence change; true if a member's changed (the list shows it).
   * @param {unknown} username
   * @param {Presence | null} state
   */
  setPresence(username, state) {
    if (typeof username !== "string" || !state) return false;
    if (this.presence.get(username) === state) return false;
    this.presence.set(username, state);
    return this.names.has(username);
  }

  /**
   * A `profile` frame's `user`; true if a member's changed (the list shows it).
   * @param {{username?: unknown} & Parameters<typeof profileOf>[0] | null | undefined} user
   */
  setProfile(user) {
    if (!user || typeof user.username !== "string") return false;
    const profile = profileOf(user);
    const known = this.profiles.get(user.username);
    if (known && sameProfile(known, profile)) return false;
    this.profiles.set(user.username, profile);
    return this.names.has(user.username);
  }

  /**
   * What the list shows of `username` besides the name, or null when the server has not said
   * (the row stays as the page rendered it).
   * @param {string} username
   * @returns {MemberProfile | null}
   */
  profileOf(username) {
    return this.profiles.get(username) ?? null;
  }

  /** Whether the server has said anything about presence (older servers do not). */
  get knowsPresence() {
    return this.presence.size > 0;
  }

  /**
   * @param {string} username
   * @returns {Presence | null}
   */
  presenceOf(username) {
    return this.presence.get(username) ?? null;
  }

  /**
   * One user's membership from a direct answer (`joined`/`left`) ahead of its event; true if
   * it changed.
   * @param {string} username
   * @param {boolean} member
   */
  set(username, member) {
    if (this.names.has(username) === member) return false;
    if (member) this.names.add(username);
    else this.names.delete(username);
    return true;
  }

  /**
   * A join/leave event; true if the list changed.
   * @param {string | undefined} kind
   * @param {unknown} username
   * @param {number} seq
   */
  apply(kind, username, seq) {
    if (typeof username !== "string" || seq <= this.baseSeq) return false;
    if ((this.seqByUser.get(username) ?? 0) >= seq) return false;
    this.seqByUser.set(username, seq);
    const before = this.names.has(username);
    if (kind === "join") this.names.add(username);
    else if (kind === "leave") this.names.delete(username);
    else return false;
    return before !== this.names.has(username);
  }
}
