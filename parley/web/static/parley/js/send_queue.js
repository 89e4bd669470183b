// @ts-check
// The messages typed in one room and not yet acknowledged, as data: kept in the outbox
// (outbox.js) so that a reload or a lost connection loses none, and sent in the order they were
// typed. No DOM: sender.js shows them under the timeline.
//
// Order: one `send` at a time per room, oldest first. The next message goes out only once the
// one before it is acked, so a message that is refused and tried again (`rate_limited` after its
// `retry_after`, `unavailable`, no answer in time, a lost connection, a reload that leaves it to
// the outbox) holds back every later one: the server stores them in the order they were typed.
// Only a message that failed for good (it needs its writer: Retry, Edit or Discard) lets the
// later ones go on.
//
// Replies in a thread go through the same queue (one order for everything typed in the room):
// their entry keeps `thread`, sent with every try, across reloads.

import { realClock } from "./clock.js";
import { newClientId } from "./outbox.js";

/** @typedef {import("./clock.js").Clock} Clock */
/** @typedef {import("./outbox.js").Outbox} Outbox */
/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./timeline_model.js").Item} Item */

/**
 * One message waiting for its ack.
 * @typedef {object} Pending
 * @property {OutboxEntry} entry
 * @property {unknown} timer  the retry timer while it waits to be sent again, or null
 * @property {string | null} note  why it waits ("Sending too fast: …"), or null
 * @property {number} attempts  refusals so far
 */

/**
 * An `ack` frame: the message with `client_id` is stored as `seq`.
 * @typedef {{type?: string, client_id: string, seq: number, id?: number, ts?: string}} Ack
 */

/**
 * What to do after a refused `send`: wait for the next `subscribed` (`resume`), try again in
 * `retryIn` seconds saying `note`, or give up (`fail`: it needs its writer).
 * @typedef {{resume: true} | {retryIn: number, note: string} | {fail: true}} RefusalPlan
 */

/**
 * What a pending message says: `text`, and the actions offered with it; `signIn` when the text
 * is a link to the login page.
 * @typedef {{text: string, actions: ("retry" | "edit" | "discard")[], signIn: boolean}} Status
 */

/**
 * Seconds to wait before sending a refused message again (the server's `retry_after`).
 * @param {unknown} retryAfter
 * @param {number} [fallback]
 */
export function retryWait(retryAfter, fallback = 5) {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) : fallback;
}

/**
 * The entry to send next: the oldest one not failed for good (ties: the first listed).
 * @param {OutboxEntry[]} entries
 * @returns {OutboxEntry | null}
 */
export function nextToSend(entries) {
  /** @type {OutboxEntry | null} */
  let next = null;
  for (const entry of entries) {
    if (entry.failed) continue;
    if (next === null || (entry.created || 0) < (next.created || 0)) next = entry;
  }
  return next;
}

/**
 * @param {{code?: unknown, retry_after?: unknown}} reply  the error frame
 * @param {number} attempts  refusals of this message so far, this one included
 * @returns {RefusalPlan}
 */
export function refusalPlan(reply, attempts) {
  switch (reply.code) {
    case "disconnected":
      return { resume: true }; // sent again after the next `subscribed`
    case "timeout":
      return { retryIn: 3, note: "No answer yet; trying again…" };
    case "rate_limited": {
      const wait = retryWait(reply.retry_after);
      return { retryIn: wait, note: `Sending too fast: retrying in ${Math.ceil(wait)} s.` };
    }
    case "unavailable": {
      const wait = Math.min(30, 2 ** Math.min(attempts, 5));
      return { retryIn: wait, note: `The server cannot store it now; retrying in ${wait} s.` };
    }
    default:
      return { fail: true };
  }
}

/**
 * What the pending message `p` says now.
 * @param {Pending} p
 * @param {{closedText: string | null, signedOut: boolean, live: boolean}} state
 * @returns {Status}
 */
export function pendingStatus(p, { closedText, signedOut, live }) {
  const failed = p.entry.failed;
  if (closedText !== null) return { text: closedText, actions: ["discard"], signIn: false };
  if (failed) {
    const text = `Not sent (${failed.code}): ${failed.message || failed.code}`;
    return { text, actions: ["retry", "edit", "discard"], signIn: false };
  }
  if (signedOut) return { text: "Sign in to send", actions: [], signIn: true };
  if (!live) return { text: "Waiting for the connection…", actions: [], signIn: false };
  return { text: p.note ?? "Sending…", actions: [], signIn: false };
}

export class SendQueue {
  /**
   * @param {object} options
   * @param {{request(frame: object): Promise<any>, readonly isLive: boolean}} options.socket
   * @param {Outbox} options.outbox
   * @param {string} options.room
   * @param {string} options.me
   * @param {(p: Pending) => void} [options.onShow]  a message joined the pending ones
   * @param {(p: Pending) => void} [options.onChange]  what it says may have changed
   * @param {(p: Pending) => void} [options.onSettle]  it left them (acked, discarded, edited)
   * @param {(ack: Ack, entry: OutboxEntry) => void} [options.onAck]  show it in the timeline
   * @param {Clock} [options.clock]
   */
  constructor({
    socket,
    outbox,
    room,
    me,
    onShow = () => {},
    onChange = () => {},
    onSettle = () => {},
    onAck = () => {},
    clock = realClock,
  }) {
    this.socket = socket;
    this.outbox = outbox;
    this.room = room;
    this.me = me;
    this.onShow = onShow;
    this.onChange = onChange;
    this.onSettle = onSettle;
    this.onAck = onAck;
    this.clock = clock;
    /** @type {Map<string, Pending>} by client_id, in the order they were shown */
    this.pending = new Map();
    /** @type {string | null} the client_id of the `send` awaiting its answer */
    this.inflight = null;
    /** @type {string | null} the room can no longer be posted to, and why */
    this.closedText = null;
  }

  /** Take up what the outbox holds (typed before a reload, or in another tab). */
  restore() {
    for (const entry of this.outbox.list()) this.show(entry);
  }

  /**
   * A message typed now (with `thread`, a reply to that root): kept, shown, and sent in its turn.
   * @param {string} body
   * @param {{thread?: number | null}} [options]
   * @returns {OutboxEntry}
   */
  add(body, { thread = null } = {}) {
    /** @type {OutboxEntry} */
    const entry = { client_id: newClientId(), body, created: this.clock.now(), failed: null };
    if (thread !== null) entry.thread = thread;
    this.outbox.add(entry);
    this.show(entry);
    this.pump();
    return entry;
  }

  /** After every `subscribed`: send what waits, oldest first. */
  resume() {
    this.restore();
    this.pump();
  }

  /**
   * The room is closed to this user: nothing more is sent; each message can be discarded.
   * @param {string} text
   */
  close(text) {
    this.closedText = text;
    for (const p of this.pending.values()) {
      this.clock.clearTimeout(p.timer);
      p.timer = null;
    }
    this.changedAll();
  }

  /** @param {OutboxEntry} entry */
  show(entry) {
    if (this.pending.has(entry.client_id)) return;
    /** @type {Pending} */
    const p = { entry, timer: null, note: null, attempts: 0 };
    this.pending.set(entry.client_id, p);
    this.onShow(p);
  }

  /** Send the next message if none is on its way and the one in turn is not waiting. */
  async pump() {
    if (this.inflight !== null || this.closedText !== null || !this.socket.isLive) return;
    const entry = nextToSend([...this.pending.values()].map((p) => p.entry));
    const p = entry && this.pending.get(entry.client_id);
    // Nothing to send, or the one in turn waits (and the rest with it).
    if (!entry || !p || p.timer) return;
    const clientId = entry.client_id;
    this.inflight = clientId;
    p.note = null;
    this.onChange(p);
    /** @type {{type: string, room: string, body: string, client_id: string, thread?: number}} */
    const frame = { type: "send", room: this.room, body: entry.body, client_id: clientId };
    if (entry.thread !== undefined) frame.thread = entry.thread;
    const reply = await this.socket.request(frame);
    this.inflight = null;
    if (this.pending.get(clientId) !== p || reply.type === "ack") {
      // Settled meanwhile (its `ack` or its live item came first), or settled now.
      if (reply.type === "ack") this.confirm(reply);
      this.pump();
      return;
    }
    p.attempts += 1;
    const plan = refusalPlan(reply, p.attempts);
    if ("resume" in plan) {
      this.onChange(p);
    } else if ("retryIn" in plan) {
      this.retryLater(p, plan.retryIn, plan.note);
    } else {
      this.fail(p, reply);
      this.pump();
    }
  }

  /**
   * @param {Pending} p
   * @param {number} seconds
   * @param {string} note
   */
  retryLater(p, seconds, note) {
    this.clock.clearTimeout(p.timer);
    p.note = note;
    this.onChange(p);
    p.timer = this.clock.setTimeout(() => {
      p.timer = null;
      p.note = null;
      this.onChange(p);
      this.pump();
    }, seconds * 1000);
  }

  /**
   * @param {Pending} p
   * @param {{code: string, message?: string}} error
   */
  fail(p, error) {
    const failed = { code: error.code, message: error.message };
    p.entry.failed = failed;
    this.outbox.update(p.entry.client_id, { failed });
    this.onChange(p);
  }

  /**
   * An `ack` for one of ours: it leaves the pending ones for the timeline.
   * @param {Ack} ack
   */
  confirm(ack) {
    const p = this.pending.get(ack.client_id);
    if (!p || !Number.isInteger(ack.seq)) return;
    this.settle(ack.client_id);
    this.onAck(ack, p.entry);
  }

  /**
   * A message of ours reached the timeline (live, backlog, history): no longer pending.
   * @param {Item} item
   */
  settleIfMine(item) {
    if (item.type !== "message" || !item.client_id || item.author?.username !== this.me) return;
    if (this.pending.has(item.client_id)) {
      this.settle(item.client_id);
      this.pump(); // it may have been the one in turn (sent from another tab)
    } else {
      this.outbox.remove(item.client_id);
    }
  }

  /**
   * Out of the outbox and the pending ones.
   * @param {string} clientId
   */
  settle(clientId) {
    const p = this.pending.get(clientId);
    this.outbox.remove(clientId);
    if (!p) return;
    this.clock.clearTimeout(p.timer);
    this.pending.delete(clientId);
    this.onSettle(p);
  }

  /**
   * Its writer asks to send a failed message again, in its turn.
   * @param {string} clientId
   */
  retry(clientId) {
    const p = this.pending.get(clientId);
    if (!p) return;
    p.entry.failed = null;
    this.outbox.update(clientId, { failed: null });
    this.onChange(p);
    this.pump();
  }

  /**
   * Its writer drops a message; the later ones go on.
   * @param {string} clientId
   */
  discard(clientId) {
    this.settle(clientId);
    this.pump();
  }

  /** What every pending message says may have changed (the connection's state). */
  changedAll() {
    for (const p of this.pending.values()) this.onChange(p);
  }
}
