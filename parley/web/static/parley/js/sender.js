// @ts-check
// The pending messages of one room under the timeline (#pending): each a row like the
// timeline's (item_view.js) marked is-pending, saying what it waits for ("Sending…", a retry
// countdown, "Waiting for the connection…", or "Sign in to send" with a link once the session
// has ended) and offering Retry, Edit and Discard when it failed for good. The order and the
// retries are send_queue.js's.
//
// A pending reply shows in the thread panel's pending list (#thread-pending) while its thread is
// open there (showThread), and nowhere else: the main timeline never shows replies.

import { renderItem } from "./item_view.js";
import { SendQueue, pendingStatus } from "./send_queue.js";
import { State, loginUrl } from "./socket.js";

/** @typedef {import("./outbox.js").Outbox} Outbox */
/** @typedef {import("./outbox.js").OutboxEntry} OutboxEntry */
/** @typedef {import("./send_queue.js").Ack} Ack */
/** @typedef {import("./send_queue.js").Pending} Pending */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./timeline_model.js").Item} Item */

export class Sender {
  /**
   * `onAck(ack, entry)` shows an acknowledged message in the timeline; `onEdit(entry)` puts a
   * failed one back in its composer (the room's, or its thread's).
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {Outbox} options.outbox
   * @param {string} options.room
   * @param {string} options.me
   * @param {HTMLElement} options.list  the <ol> of pending rows
   * @param {HTMLElement | null} [options.threadList]  the <ol> of the open thread's pending replies
   * @param {(ack: Ack, entry: OutboxEntry) => void} options.onAck
   * @param {(entry: OutboxEntry) => void} options.onEdit
   */
  constructor({ socket, outbox, room, me, list, threadList = null, onAck, onEdit }) {
    this.socket = socket;
    this.me = me;
    this.list = list;
    this.threadList = threadList;
    /** @type {number | null} the root of the thread open in the panel */
    this.threadRoot = null;
    this.onEdit = onEdit;
    /** @type {Map<string, {el: HTMLElement, status: HTMLElement, thread: number | null}>} rows by client_id */
    this.rows = new Map();
    this.queue = new SendQueue({
      socket,
      outbox,
      room,
      me,
      onAck,
      onShow: (p) => this.show(p),
      onChange: (p) => this.render(p),
      onSettle: (p) => {
        this.rows.get(p.entry.client_id)?.el.remove();
        this.rows.delete(p.entry.client_id);
      },
    });
    socket.on("ack", (frame) => this.queue.confirm(frame));
    socket.on("state", () => this.queue.changedAll());
  }

  /** Show what the outbox holds (typed before a reload, or in another tab). */
  restore() {
    this.queue.restore();
  }

  /**
   * A message typed now (with `thread`, a reply): kept, shown, and sent in its turn.
   * @param {string} body
   * @param {{thread?: number | null}} [options]
   */
  add(body, options) {
    this.queue.add(body, options);
  }

  /**
   * The thread panel shows the thread of `root` (null: it is closed): its pending replies show
   * there, the others nowhere.
   * @param {number | null} root
   */
  showThread(root) {
    this.threadRoot = root;
    for (const row of this.rows.values()) {
      if (row.thread === null) continue;
      if (row.thread === root && this.threadList) this.threadList.append(row.el);
      else row.el.remove();
    }
  }

  /** After every `subscribed`: send what waits, oldest first. */
  resume() {
    this.queue.resume();
  }

  /**
   * The room is closed to this user: nothing more is sent; each message can be discarded.
   * @param {string} text
   */
  close(text) {
    this.queue.close(text);
  }

  /**
   * A message of ours reached the timeline: no longer pending.
   * @param {Item} item
   */
  settleIfMine(item) {
    this.queue.settleIfMine(item);
  }

  /** @param {Pending} p */
  show(p) {
    const { entry } = p;
    const el = renderItem(
      {
        type: "message",
        seq: 0,
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
    const thread = entry.thread ?? null;
    if (thread === null) this.list.append(el);
    else if (thread === this.threadRoot && this.threadList) this.threadList.append(el);
    this.rows.set(entry.client_id, { el, status, thread });
    this.render(p);
  }

  /** @param {Pending} p */
  render(p) {
    const row = this.rows.get(p.entry.client_id);
    if (!row) return;
    const clientId = p.entry.client_id;
    const said = pendingStatus(p, {
      closedText: this.queue.closedText,
      signedOut: this.socket.state === State.SIGNED_OUT,
      live: this.socket.isLive,
    });
    row.el.classList.toggle("is-failed", Boolean(p.entry.failed));
    if (said.signIn) {
      const link = document.createElement("a");
      link.href = loginUrl();
      link.textContent = said.text;
      row.status.replaceChildren(link);
      return;
    }
    const label = document.createElement("span");
    label.textContent = said.text;
    const actions = {
      retry: () => this.button("Retry", () => this.queue.retry(clientId)),
      edit: () =>
        this.button("Edit", () => {
          this.onEdit(p.entry);
          this.queue.settle(clientId);
        }),
      discard: () => this.button("Discard", () => this.queue.discard(clientId)),
    };
    row.status.replaceChildren(label, ...said.actions.map((action) => actions[action]()));
  }

  /**
   * @param {string} text
   * @param {() => void} onClick
   */
  button(text, onClick) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = text;
    button.addEventListener("click", onClick);
    return button;
  }
}
