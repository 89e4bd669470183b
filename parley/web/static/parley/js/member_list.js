// @ts-check
// A room's members as data, kept current from `subscribed` and join/leave events, with each
// member's presence (online, idle, offline) from `subscribed` and `presence` frames, and what
// the list shows of them (display name, status, do not disturb) from `subscribed` and `profile`
// frames. No DOM: members.js shows it.
//
// `subscribed` gives the members as of its `last_seq`; an event only counts when it is newer
// than that and newer than the last event applied for the same user, so backlog replays and
// gap fills that arrive late never undo a newer state.
//
// In a big room (`subscribed` with `members_total`, docs/protocol.md "Big rooms") the list is
// partial: it holds the members of the pages loaded (member_pages.js orders them), and every
// join or leave past `subscribed` counts. The reader's own membership is then not in the page:
// it is kept from what was known, as of `meSeq`, and events of theirs after that still apply.

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

/**
 * The presence changes a `presence` frame tells, of one user (`user`, `online`, `idle`) or a
 * batch (`users` [{username, online, idle}…]). The reader's own entry is left out: a client
 * knows its own user is online, and a batch may list them (docs/protocol.md "Big rooms").
 * @param {{user?: {username?: unknown} | null, users?: unknown, online?: unknown, idle?: unknown}} frame
 * @param {string} me
 * @returns {{username: string, state: Presence}[]}
 */
export function presenceChanges(frame, me) {
  const entries = Array.isArray(frame.users)
    ? frame.users
    : [{ username: frame.user?.username, online: frame.online, idle: frame.idle }];
  const changes = [];
  for (const entry of entries) {
    const username = entry?.username;
    const state = presenceOf(entry);
    if (typeof username === "string" && username !== me && state) changes.push({ username, state });
  }
  return changes;
}

/**
 * @typedef {string | {username?: unknown, online?: unknown, idle?: unknown,
 *   display_name?: unknown, status?: unknown, dnd_until?: unknown}} MemberEntry
 */

export class MemberList {
  /**
   * @param {{initial?: string[], baseSeq?: number, me?: string, meMember?: boolean}} [options]
   *   `initial`: the members as of `baseSeq`; `me` and `meMember`: the reader, and whether they
   *   are a member then (a big room's page need not list them)
   */
  constructor({ initial = [], baseSeq = 0, me = "", meMember = false } = {}) {
    /** @type {Set<string>} */
    this.names = new Set(initial);
    if (me && meMember) this.names.add(me);
    this.baseSeq = baseSeq;
    this.me = me;
    /** The seq the reader's own membership is known as of. */
    this.meSeq = baseSeq;
    /** A big room's: only the members of the pages loaded are held. */
    this.partial = false;
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
   * `lastSeq`; `total` is its `members_total` in a big room (the list is then partial).
   * Returns the usernames, in order.
   * @param {MemberEntry[]} entries
   * @param {number} lastSeq
   * @param {number} [total]
   * @returns {string[]}
   */
  reset(entries, lastSeq, total) {
    const wasMember = this.me !== "" && this.names.has(this.me);
    const names = this.learnEntries(entries);
    this.names = new Set(names);
    this.partial = typeof total === "number";
    if (this.partial && this.me && !this.names.has(this.me)) {
      if (wasMember) this.names.add(this.me);
    } else {
      this.meSeq = lastSeq;
    }
    this.baseSeq = lastSeq;
    this.seqByUser.clear();
    return names;
  }

  /**
   * A `members` page of a big room: its members are held (with their presence and profile).
   * Returns their usernames, in order.
   * @param {MemberEntry[]} entries
   */
  learn(entries) {
    const names = this.learnEntries(entries);
    for (const name of names) this.names.add(name);
    return names;
  }

  /**
   * The usernames of `entries`, recording what they say of presence and profile.
   * @param {MemberEntry[]} entries
   */
  learnEntries(entries) {
    const names = [];
    for (const entry of entries) {
      const name = typeof entry === "string" ? entry : entry?.username;
      if (typeof name !== "string") continue;
      names.push(name);
      if (typeof entry === "string") continue;
      const state = presenceOf(entry);
      if (state) this.presence.set(name, state);
      this.profiles.set(name, profileOf(entry));
    }
    return names;
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
   * A join/leave event; true if the list changed (in a big room: if the event counts, the
   * member held or not).
   * @param {string | undefined} kind
   * @param {unknown} username
   * @param {number} seq
   */
  apply(kind, username, seq) {
    if (typeof username !== "string" || (kind !== "join" && kind !== "leave")) return false;
    const mine = username === this.me;
    if (seq <= (mine ? Math.min(this.meSeq, this.baseSeq) : this.baseSeq)) return false;
    if ((this.seqByUser.get(username) ?? 0) >= seq) return false;
    this.seqByUser.set(username, seq);
    if (mine) this.meSeq = Math.max(this.meSeq, seq);
    const before = this.names.has(username);
    if (kind === "join") this.names.add(username);
    else this.names.delete(username);
    if (this.partial) return seq > this.baseSeq;
    return before !== this.names.has(username);
  }
}
