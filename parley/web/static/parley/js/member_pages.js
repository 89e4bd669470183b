// @ts-check
// A big room's member list as pages (docs/protocol.md "Big rooms"): which members the panel
// shows and in which order, how many there are, and which `members` request comes next. No DOM
// and no socket: member_panel.js sends what this asks for and hands back the answers; what is
// known of each person (presence, profile, membership) is member_list.js's.
//
// `subscribed` gives the first page (online first) and `members_total`. Scrolling to the end
// asks the next page at offset = the entries held; a query shows its own pages instead, until
// it is cleared and the list held before comes back. Pages are snapshots (members move between
// them as their presence changes): an entry already held keeps its place and is never listed
// twice. One request is outstanding at a time; a new query or a refresh supersedes it, and an
// answer to a superseded request is dropped.

export const MEMBERS_PAGE_LIMIT = 100;
/** The server refuses longer queries (`invalid`); longer input is cut to this. */
export const MEMBER_QUERY_MAX = 64;

/** @typedef {{offset: number, limit: number, query: string}} MembersRequest */

/**
 * One list: the browsing list, or the answer to a query.
 * @typedef {object} Listing
 * @property {string} query  "" for the browsing list
 * @property {string[]} names  in the order shown
 * @property {number} total  how many there are in all (that match the query)
 * @property {number} skipTo  the next offset when a page brought nothing new (members moved)
 * @property {boolean} ended  a page came back empty: nothing more to ask
 */

/**
 * @param {string} query
 * @param {string[]} names
 * @param {number} total
 * @returns {Listing}
 */
function listing(query, names, total) {
  return { query, names: [...new Set(names)], total, skipTo: 0, ended: false };
}

/**
 * What a user typed as the query the server is asked: trimmed, at most MEMBER_QUERY_MAX
 * characters (code points, as the server counts).
 * @param {string} typed
 */
export function memberQuery(typed) {
  return [...typed.trim()].slice(0, MEMBER_QUERY_MAX).join("");
}

export class MemberPages {
  /** @param {{limit?: number}} [options] */
  constructor({ limit = MEMBERS_PAGE_LIMIT } = {}) {
    this.limit = limit;
    /** @type {Listing} */
    this.browse = listing("", [], 0);
    /** @type {Listing | null} the answer to the query, once one came */
    this.found = null;
    /** What is asked for now: "" = the browsing list. */
    this.query = "";
    /** @type {MembersRequest | null} */
    this.pending = null;
  }

  /** The list the panel shows: the query's answer while a query is typed, else the browsing list. */
  get shown() {
    return this.query && this.found ? this.found : this.browse;
  }

  /** Whether the shown list answers what is asked for (false while a query's first page is on its way). */
  get current() {
    return this.shown.query === this.query;
  }

  /**
   * `subscribed`'s first page and `members_total`: the browsing list starts again. A query's
   * answer stays shown until it is asked again.
   * @param {string[]} names
   * @param {number} total
   */
  reset(names, total) {
    this.browse = listing("", names, total);
    this.pending = null;
  }

  /**
   * The user's query (already cut by memberQuery()). Returns the request to send, or null: for
   * "" (the browsing list shows again at once) or the query already asked.
   * @param {string} query
   * @returns {MembersRequest | null}
   */
  setQuery(query) {
    if (query === this.query) return null;
    this.query = query;
    this.pending = null;
    if (!query) {
      this.found = null;
      return null;
    }
    return this.refresh();
  }

  /**
   * The first page of what is asked for, again (after `presence_watch`: changes before it were
   * not sent); its answer replaces the shown list.
   * @returns {MembersRequest}
   */
  refresh() {
    this.pending = { offset: 0, limit: this.limit, query: this.query };
    return this.pending;
  }

  /**
   * The next page of the shown list (scrolled to its end), or null: one is on its way, the
   * list is whole, or a query's first page has not come yet.
   * @returns {MembersRequest | null}
   */
  more() {
    const list = this.shown;
    if (this.pending || !this.current || list.ended || list.names.length >= list.total) return null;
    const offset = Math.max(list.names.length, list.skipTo);
    this.pending = { offset, limit: this.limit, query: this.query };
    return this.pending;
  }

  /** Whether the shown list has more to load. */
  get hasMore() {
    const list = this.shown;
    return this.current && !list.ended && list.names.length < list.total;
  }

  /**
   * The answer to `request`: true if the shown list changed. An answer to a request that was
   * superseded (a newer query, a refresh, a new `subscribed`) is dropped.
   * @param {MembersRequest} request
   * @param {{names: string[], total: number}} answer  the `members` frame's usernames and
   *   `members_total`
   */
  take(request, { names, total }) {
    if (request !== this.pending) return false;
    this.pending = null;
    if (request.offset === 0) {
      const fresh = listing(request.query, names, total);
      if (request.query) this.found = fresh;
      else this.browse = fresh;
      return true;
    }
    const list = request.query ? this.found : this.browse;
    if (!list || list.query !== request.query) return false;
    const held = new Set(list.names);
    const added = names.filter((name) => !held.has(name) && (held.add(name), true));
    list.names.push(...added);
    list.total = total;
    if (!names.length) list.ended = true;
    else if (!added.length) list.skipTo = request.offset + names.length;
    return true;
  }

  /**
   * The request got an error (or no answer): another may be asked.
   * @param {MembersRequest} request
   */
  fail(request) {
    if (request === this.pending) this.pending = null;
  }

  /**
   * A member joined (an event past `subscribed`): one more in all; listed at the end when the
   * browsing list is whole, else a later page brings them.
   * @param {string} username
   */
  joined(username) {
    const list = this.browse;
    const whole = list.names.length >= list.total || list.ended;
    list.total += 1;
    if (whole && !list.names.includes(username)) list.names.push(username);
  }

  /**
   * A member left: out of every list, one fewer in all.
   * @param {string} username
   */
  left(username) {
    for (const list of [this.browse, this.found]) {
      if (!list) continue;
      const at = list.names.indexOf(username);
      if (at >= 0) list.names.splice(at, 1);
      // A query's total counts only those that match: a member it did not list may not.
      if (list === this.browse || at >= 0) list.total = Math.max(0, list.total - 1);
    }
  }
}

/**
 * Whether the server should send this socket a big room's presence: what `presence_watch` was
 * last sent, so that it goes only when the wish changes. The server forgets a watch with its
 * socket: `lost()` when the connection is.
 */
export class PresenceWatch {
  constructor() {
    /** What the server was last told. */
    this.watching = false;
  }

  /**
   * The `watch` to send now for `wanted` (the panel of a big room open, the room subscribed on
   * a live socket), or null when the server already knows.
   * @param {boolean} wanted
   * @returns {boolean | null}
   */
  sync(wanted) {
    if (wanted === this.watching) return null;
    this.watching = wanted;
    return wanted;
  }

  lost() {
    this.watching = false;
  }
}
