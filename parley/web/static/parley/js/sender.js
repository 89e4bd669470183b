// The messages typed in one room and not yet acknowledged: shown under the timeline as pending,
// kept in the outbox (outbox.js) so that a reload or a lost connection loses none, and sent in
// the order they were typed.
//
// Order: one `send` at a time per room, oldest first. The next message goes out only once the
// one before it is acked, so a message that is refused and tried again (`rate_limited` after its
// `retry_after`, `unavailable`, no answer in time, a lost connection, a reload that leaves it to
// the outbox) holds back every later one: the server stores them in the order they were typed.
// Only a message that failed for good (it needs its writer: Retry, Edit or Discard) lets the
// later ones go on.
//
// Each pending message says what it waits for: "Sending…", a retry countdown, "Waiting for the
// connection…", or "Sign in to send" (a link to the login page) once the session has ended.

import { newClientId } from "./outbox.js";
import { State, loginUrl } from "./socket.js";
import { messageElement } from "./timeline.js";

/** Seconds to wait before sending a refused message again (the server's `retry_after`). */
export function retryWait(retryAfter, fallback = 5) {
  const seconds = Number(retryAfter);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 300) : fallback;
}

/** The entry to send next: the oldest one not failed for good (ties: the first listed). */
export function nextToSend(entries) {
  let next = null;
  for (const entry of entries) {
    if (entry.failed) continue;
    if (next === null || (entry.created || 0) < (next.created || 0)) next = entry;
  }
  return next;
}

export class Sender {
  /**
   * `onAck(ack, entry)` shows an acknowledged message in the timeline; `onEdit(body)` puts a
   * failed one back in the composer.
   */
  constructor({ socket, outbox, room, me, list, onAck, onEdit }) {
    this.socket = socket;
    this.outbox = outbox;
    this.room = room;
    this.me = me;
    this.list = list;
    this.onAck = onAck;
    this.onEdit = onEdit;
    this.pending = new Map(); // client_id -> {entry, el, status, timer, note, attempts}
    this.inflight = null; // the client_id of the `send` awaiting its answer
    this.closedText = null; // the room can no longer be posted to, and why
    socket.on("ack", (frame) => this.confirm(frame));
    socket.on("state", () => this.renderAll());
  }

  /** Show what the outbox holds (typed before a reload, or in another tab). */
  restore() {
    for (const entry of this.outbox.list()) this.show(entry);
  }

  /** A message typed now: kept, shown, and sent in its turn. */
  add(body) {
    const entry = { client_id: newClientId(), body, created: Date.now(), failed: null };
    this.outbox.add(entry);
    this.show(entry);
    this.pump();
  }

  /** After every `subscribed`: send what waits, oldest first. */
  resume() {
    this.restore();
    this.pump();
  }

  /** The room is closed to this user: nothing more is sent; each message can be discarded. */
  close(text) {
    this.closedText = text;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.timer = null;
    }
    this.renderAll();
  }

  show(entry) {
    if (this.pending.has(entry.client_id)) return;
    const el = messageElement(
      {
        type: "message",
        author: { username: this.me },
        body: entry.body,
        ts: new Date(entry.created || Date.now()).toISOString(),
      },
      { me: this.me },
    );
    el.classList.add("is-pending");
    el.dataset.clientId = entry.client_id;
    const status = document.createElement("div");
    status.className = "item__status";
    status.setAttribute("role", "status");
    el.append(status);
    this.list.append(el);
    const p = { entry, el, status, timer: null, note: null, attempts: 0 };
    this.pending.set(entry.client_id, p);
    this.render(p);
  }

  /** Send the next message if none is on its way and the one in turn is not waiting. */
  async pump() {
    if (this.inflight !== null || this.closedText !== null || !this.socket.isLive) return;
    const entry = nextToSend([...this.pending.values()].map((p) => p.entry));
    const p = entry && this.pending.get(entry.client_id);
    if (!p || p.timer) return; // nothing to send, or the one in turn waits (and the rest too)
    const clientId = entry.client_id;
    this.inflight = clientId;
    p.note = null;
    this.render(p);
    const reply = await this.socket.request({
      type: "send",
      room: this.room,
      body: entry.body,
      client_id: clientId,
    });
    this.inflight = null;
    if (this.pending.get(clientId) !== p || reply.type === "ack") {
      // Settled meanwhile (its `ack` or its live item came first), or settled now.
      if (reply.type === "ack") this.confirm(reply);
      this.pump();
      return;
    }
    p.attempts += 1;
    switch (reply.code) {
      case "disconnected":
        this.render(p); // sent again after the next `subscribed` (resume)
        break;
      case "timeout":
        this.retryLater(p, 3, "No answer yet; trying again…");
        break;
      case "rate_limited": {
        const wait = retryWait(reply.retry_after);
        this.retryLater(p, wait, `Sending too fast: retrying in ${Math.ceil(wait)} s.`);
        break;
      }
      case "unavailable": {
        const wait = Math.min(30, 2 ** Math.min(p.attempts, 5));
        this.retryLater(p, wait, `The server cannot store it now; retrying in ${wait} s.`);
        break;
      }
      default:
        this.fail(p, reply);
        this.pump();
    }
  }

  retryLater(p, seconds, note) {
    clearTimeout(p.timer);
    p.note = note;
    this.render(p);
    p.timer = setTimeout(() => {
      p.timer = null;
      p.note = null;
      this.render(p);
      this.pump();
    }, seconds * 1000);
  }

  fail(p, error) {
    const failed = { code: error.code, message: error.message };
    p.entry.failed = failed;
    this.outbox.update(p.entry.client_id, { failed });
    this.render(p);
  }

  /** An `ack` for one of ours: it leaves the pending list for the timeline. */
  confirm(ack) {
    const p = this.pending.get(ack.client_id);
    if (!p || !Number.isInteger(ack.seq)) return;
    this.settle(ack.client_id);
    this.onAck(ack, p.entry);
  }

  /** A message of ours reached the timeline (live, backlog, history): no longer pending. */
  settleIfMine(item) {
    if (item.type !== "message" || !item.client_id || item.author?.username !== this.me) return;
    if (this.pending.has(item.client_id)) {
      this.settle(item.client_id);
      this.pump(); // it may have been the one in turn (sent from another tab)
    } else {
      this.outbox.remove(item.client_id);
    }
  }

  settle(clientId) {
    const p = this.pending.get(clientId);
    this.outbox.remove(clientId);
    if (!p) return;
    clearTimeout(p.timer);
    p.el.remove();
    this.pending.delete(clientId);
  }

  // -- what each pending message says ---------------------------------------------------------

  renderAll() {
    for (const p of this.pending.values()) this.render(p);
  }

  render(p) {
    const clientId = p.entry.client_id;
    const failed = p.entry.failed;
    p.el.classList.toggle("is-failed", Boolean(failed));
    if (this.closedText !== null) {
      this.setStatus(p, this.closedText, [this.button("Discard", () => this.settle(clientId))]);
    } else if (failed) {
      this.setStatus(p, `Not sent (${failed.code}): ${failed.message || failed.code}`, [
        this.button("Retry", () => {
          p.entry.failed = null;
          this.outbox.update(clientId, { failed: null });
          this.render(p);
          this.pump();
        }),
        this.button("Edit", () => {
          this.onEdit(p.entry.body);
          this.settle(clientId);
        }),
        this.button("Discard", () => {
          this.settle(clientId);
          this.pump();
        }),
      ]);
    } else if (this.socket.state === State.SIGNED_OUT) {
      const link = document.createElement("a");
      link.href = loginUrl();
      link.textContent = "Sign in to send";
      p.status.replaceChildren(link);
    } else if (!this.socket.isLive) {
      this.setStatus(p, "Waiting for the connection…");
    } else {
      this.setStatus(p, p.note ?? "Sending…");
    }
  }

  setStatus(p, text, actions = []) {
    const label = document.createElement("span");
    label.textContent = text;
    p.status.replaceChildren(label, ...actions);
  }

  button(text, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = text;
    button.addEventListener("click", onClick);
    return button;
  }
}
