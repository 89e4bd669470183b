// @ts-check
// A room's messages as they are now, through the items that change them (edits, deletions,
// reactions, replies), so the page shows each message as everyone else sees it. No DOM.
//
// A message read from the database carries `state_seq`, the seq of the last item already in what
// it shows, and that one number makes replay exact: an item at or below its target's stateSeq is
// skipped (counting a reply twice would be wrong), one above it is applied and becomes the new
// stateSeq. So the items of a held message must come in seq order, as the server sends them live;
// items past a gap wait until the gap is filled, as in the timeline. Older history pages come
// after newer items: an item whose target is not held yet waits in a bounded buffer, and goes
// through the same rule when the target is loaded (a snapshot that includes it skips it).
//
// The user's own reactions show at once, as pending ops over the confirmed state, until the
// server's item confirms them or the server refuses them. Users are a set on display, so a
// pending add the confirmed state already has shows once, whichever of ack and item comes first.

import { authorName } from "./timeline_model.js";

/** @typedef {import("./timeline_model.js").Attachment} Attachment */
/** @typedef {{emoji: string, users: string[]}} Reaction */

/**
 * A timeline item with the conversation fields: `target` (of an `edit`, `delete` or `reaction`),
 * `thread` (a reply's root), `emoji` and `op` (a reaction), and on a message read from the
 * database its state as it is now (`edited`, `deleted`, `reactions`, `replies`,
 * `last_reply_ts`, `state_seq`; absent means none or 0).
 * @typedef {import("./timeline_model.js").Item & {target?: number, thread?: number,
 *   html?: string, mentions?: string[], emoji?: string, op?: string, edited?: string,
 *   deleted?: boolean, reactions?: Reaction[], replies?: number, last_reply_ts?: string,
 *   state_seq?: number}} ConversationItem
 */

/**
 * A message as it is now. `stateSeq`: the seq of the last item it includes (its own when none);
 * `edited`: the ts of the last edit; `reactions` in the order each emoji was first added;
 * `thread`: a reply's root; `author`: null for a deleted account.
 * @typedef {{seq: number, ts: string | null, author: string | null, body: string, html: string,
 *   mentions: string[], edited: string | null, deleted: boolean, reactions: Reaction[],
 *   replies: number, lastReplyTs: string | null, stateSeq: number, thread: number | null,
 *   attachment: Attachment | null}} MessageState
 */

/**
 * A reaction of the user's own not confirmed yet; `ackSeq`, from the server's ack, tells when
 * the confirmed state includes it.
 * @typedef {{token: number, target: number, emoji: string, op: "add" | "remove", user: string,
 *   ackSeq: number | null}} PendingReaction
 */

/** @typedef {{emoji: string, count: number, users: string[], mine: boolean}} ShownReaction */

/** How many items wait for targets not held yet; beyond it the oldest are dropped. */
export const BUFFER_LIMIT = 1000;

const CHANGES = new Set(["edit", "delete", "reaction"]);

/** @param {unknown} value */
function isSeq(value) {
  return Number.isInteger(value) && /** @type {number} */ (value) >= 1;
}

/**
 * The message a `message` frame shows; fields a snapshot leaves out mean none or 0.
 * @param {ConversationItem} item
 * @returns {MessageState}
 */
export function stateFromItem(item) {
  return {
    seq: item.seq,
    ts: item.ts ?? null,
    author: authorName(item),
    body: item.body ?? "",
    html: item.html ?? "",
    mentions: [...(item.mentions ?? [])],
    edited: item.edited ?? null,
    deleted: item.deleted === true,
    reactions: (item.reactions ?? []).map((r) => ({ emoji: r.emoji, users: [...r.users] })),
    replies: item.replies ?? 0,
    lastReplyTs: item.last_reply_ts ?? null,
    stateSeq: Math.max(item.seq, item.state_seq ?? 0),
    thread: isSeq(item.thread) ? /** @type {number} */ (item.thread) : null,
    attachment: item.attachment ?? null,
  };
}

/**
 * `reactions` with `user` added to or removed from `emoji`: a new emoji goes last, one left with
 * no users goes away; adding a user already there or removing one not there changes nothing.
 * Never changes its argument.
 * @param {Reaction[]} reactions
 * @param {string} emoji
 * @param {"add" | "remove"} op
 * @param {string} user
 * @returns {Reaction[]}
 */
export function withReaction(reactions, emoji, op, user) {
  const index = reactions.findIndex((r) => r.emoji === emoji);
  const has = index >= 0 && reactions[index].users.includes(user);
  if (op === "add") {
    if (index < 0) return [...reactions, { emoji, users: [user] }];
    if (has) return reactions;
    return reactions.map((r, i) => (i === index ? { emoji, users: [...r.users, user] } : r));
  }
  if (!has) return reactions;
  const users = reactions[index].users.filter((u) => u !== user);
  if (!users.length) return reactions.filter((_, i) => i !== index);
  return reactions.map((r, i) => (i === index ? { emoji, users } : r));
}

/**
 * The seq of the message an item changes: a reply's root, the target of the others.
 * @param {ConversationItem} item
 */
function targetOf(item) {
  return item.type === "message" ? item.thread : item.target;
}

export class Conversation {
  /** @param {{bufferLimit?: number}} [options] */
  constructor({ bufferLimit = BUFFER_LIMIT } = {}) {
    /** @type {Map<number, MessageState>} */
    this.messages = new Map();
    /** @type {Map<number, number[]>} a root's reply seqs held, ascending */
    this.threads = new Map();
    /** @type {Map<number, ConversationItem>} by seq: items whose target is not held yet */
    this.buffered = new Map();
    this.bufferLimit = bufferLimit;
    /** @type {PendingReaction[]} in the order toggled */
    this.pending = [];
    this.nextToken = 1;
  }

  /** @param {number} seq */
  has(seq) {
    return this.messages.has(seq);
  }

  /** @param {number} seq @returns {MessageState | null} */
  get(seq) {
    return this.messages.get(seq) ?? null;
  }

  /**
   * Hold a `message` item, live or snapshot. A message held already is replaced unless what is
   * held includes more (a newer stateSeq): an older snapshot never undoes a change. Items that
   * waited for it are applied, and a reply counts on its root. Answers the seqs that changed.
   * @param {ConversationItem} item
   * @returns {number[]}
   */
  load(item) {
    if (item.type !== "message" || !isSeq(item.seq)) return [];
    const state = stateFromItem(item);
    const held = this.messages.get(item.seq);
    if (held && state.stateSeq < held.stateSeq) return [];
    this.messages.set(item.seq, state);
    this.prunePending(state);
    for (const waiting of this.takeBuffered(item.seq)) this.change(state, waiting);
    const changed = [item.seq];
    if (state.thread !== null) {
      const replies = this.threads.get(state.thread) ?? [];
      if (!replies.includes(item.seq)) {
        replies.push(item.seq);
        replies.sort((a, b) => a - b);
        this.threads.set(state.thread, replies);
      }
      const root = this.toTarget(item);
      if (root) changed.push(...root);
    }
    return changed;
  }

  /**
   * Apply any item of the room: a `message` is loaded (a reply also counts on its root); an
   * `edit`, `delete` or `reaction` changes its target. Answers the seqs that changed ([] when the
   * target is not held yet: the item waits for it), or false when nothing changed: the target
   * already includes the item, is deleted, or the item is not a conversation item.
   * @param {ConversationItem} item
   * @returns {number[] | false}
   */
  apply(item) {
    if (item.type === "message") {
      const changed = this.load(item);
      return changed.length ? changed : false;
    }
    if (!CHANGES.has(item.type) || !isSeq(item.seq) || !isSeq(item.target)) return false;
    // Before the rule: a snapshot may already include the user's reaction, and the op is done.
    if (item.type === "reaction") this.confirm(item);
    return this.toTarget(item);
  }

  /**
   * Change the message `item` targets, or keep the item until that message is loaded.
   * @param {ConversationItem} item
   * @returns {number[] | false}
   */
  toTarget(item) {
    const target = /** @type {number} */ (targetOf(item));
    const state = this.messages.get(target);
    if (!state) {
      this.buffer(item);
      return [];
    }
    return this.change(state, item) ? [target] : false;
  }

  /**
   * The stateSeq rule, then the change.
   * @param {MessageState} state
   * @param {ConversationItem} item
   */
  change(state, item) {
    if (item.seq === state.stateSeq && item.type === "edit" && !state.deleted) {
      // The very edit shown already: the reader's own, from its ack (message_editor.js), which
      // has no `html`; the server's item of it brings the rendering.
      const html = item.html ?? "";
      if (!html || html === state.html) return false;
      state.html = html;
      state.mentions = [...(item.mentions ?? [])];
      return true;
    }
    if (item.seq <= state.stateSeq) return false;
    if (item.type === "message") {
      // Replies stay when their root is deleted.
      state.replies += 1;
      state.lastReplyTs = item.ts ?? null;
    } else if (state.deleted) {
      // Nothing left to edit or react to (the server refuses both).
      return false;
    } else if (item.type === "edit") {
      state.body = item.body ?? "";
      state.html = item.html ?? "";
      state.mentions = [...(item.mentions ?? [])];
      state.edited = item.ts ?? null;
    } else if (item.type === "delete") {
      const erased = { body: "", html: "", mentions: [], reactions: [], attachment: null };
      Object.assign(state, erased, { deleted: true });
    } else {
      const user = authorName(item);
      if (user === null || typeof item.emoji !== "string") return false;
      if (item.op !== "add" && item.op !== "remove") return false;
      state.reactions = withReaction(state.reactions, item.emoji, item.op, user);
    }
    state.stateSeq = item.seq;
    this.prunePending(state);
    return true;
  }

  /**
   * Keep `item` until its target is loaded; past the bound, the oldest goes.
   * @param {ConversationItem} item
   */
  buffer(item) {
    this.buffered.set(item.seq, item);
    if (this.buffered.size <= this.bufferLimit) return;
    this.buffered.delete(Math.min(...this.buffered.keys()));
  }

  /**
   * The items that wait for `target`, oldest first, taken out of the buffer.
   * @param {number} target
   * @returns {ConversationItem[]}
   */
  takeBuffered(target) {
    const items = [...this.buffered.values()].filter((item) => targetOf(item) === target);
    for (const item of items) this.buffered.delete(item.seq);
    return items.sort((a, b) => a.seq - b.seq);
  }

  /**
   * The held replies of the thread `rootSeq`, in seq order.
   * @param {number} rootSeq
   * @returns {number[]}
   */
  threadOf(rootSeq) {
    return [...(this.threads.get(rootSeq) ?? [])];
  }

  /**
   * Add or remove `username`'s `emoji` on `targetSeq` (whichever the display does not show now)
   * at once, as pending. The caller sends `react` with the op and settles the token with the
   * answer. Null for a message not held or deleted.
   * @param {number} targetSeq
   * @param {string} emoji
   * @param {string} username
   * @returns {{op: "add" | "remove", token: number} | null}
   */
  toggleReaction(targetSeq, emoji, username) {
    const state = this.messages.get(targetSeq);
    if (!state || state.deleted) return null;
    const shown = this.shown(state).find((r) => r.emoji === emoji);
    /** @type {"add" | "remove"} */
    const op = shown && shown.users.includes(username) ? "remove" : "add";
    const token = this.nextToken;
    this.nextToken += 1;
    this.pending.push({ token, target: targetSeq, emoji, op, user: username, ackSeq: null });
    return { op, token };
  }

  /**
   * The server's answer to a toggle. Refused (`ok` false): the op goes and the display goes
   * back. Acked: the op stays until the confirmed state has it, which the ack's `seq` tells when
   * the item came first (or was already in a snapshot). Answers the seqs whose display changed.
   * @param {number} token
   * @param {boolean} ok
   * @param {number} [seq]  the ack's seq
   * @returns {number[]}
   */
  settleReaction(token, ok, seq) {
    const pending = this.pending.find((p) => p.token === token);
    if (!pending) return [];
    if (!ok) {
      this.pending = this.pending.filter((p) => p !== pending);
      return [pending.target];
    }
    if (seq !== undefined && isSeq(seq)) pending.ackSeq = seq;
    const state = this.messages.get(pending.target);
    if (state) this.prunePending(state);
    return [];
  }

  /** A `reaction` item ends the oldest pending op it answers. @param {ConversationItem} item */
  confirm(item) {
    const user = authorName(item);
    const { target, emoji, op } = item;
    const index = this.pending.findIndex(
      (p) => p.target === target && p.emoji === emoji && p.op === op && p.user === user,
    );
    if (index >= 0) this.pending.splice(index, 1);
  }

  /** Drop the pending ops `state` includes by their ack's seq. @param {MessageState} state */
  prunePending(state) {
    this.pending = this.pending.filter(
      (p) => p.target !== state.seq || p.ackSeq === null || p.ackSeq > state.stateSeq,
    );
  }

  /** The confirmed reactions with the pending ops on top. @param {MessageState} state */
  shown(state) {
    let reactions = state.reactions;
    for (const p of this.pending) {
      if (p.target === state.seq) reactions = withReaction(reactions, p.emoji, p.op, p.user);
    }
    return reactions;
  }

  /**
   * The reactions to show on `seq`, pending ones included; none on a deleted message.
   * @param {number} seq
   * @param {string | null} me
   * @returns {ShownReaction[]}
   */
  reactionsOf(seq, me) {
    const state = this.messages.get(seq);
    if (!state || state.deleted) return [];
    return this.shown(state).map(({ emoji, users }) => ({
      emoji,
      count: users.length,
      users: [...users],
      mine: me !== null && users.includes(me),
    }));
  }
}
