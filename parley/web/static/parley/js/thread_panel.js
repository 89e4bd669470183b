// @ts-check
// The thread panel (#thread-panel, full screen on a phone): a root message and its replies,
// loaded with `history` {thread} (older replies page back), kept up to date from the
// conversation model, with its own composer (its replies go through the room's outbox, and
// wait, pending, in #thread-pending). Escape or ✕ closes it and the focus goes back to
// the root's row in the timeline.

import { TOUCH_QUERY } from "./composer.js";
import { renderItem } from "./item_view.js";
import { bindMarkdownKeys } from "./markdown_box.js";
import { errorText } from "./message_rules.js";
import { regroupRows } from "./row_groups.js";
import { codePointLength } from "./text.js";

/** @typedef {import("./conversation_model.js").Conversation} Conversation */
/** @typedef {import("./conversation_model.js").ConversationItem} ConversationItem */
/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./mention_picker.js").MentionPicker} MentionPicker */
/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

/**
 * @typedef {object} OpenThread
 * @property {number} root
 * @property {Map<number, HTMLElement>} rows
 * @property {boolean} hasMore
 * @property {boolean} loading
 */

export class ThreadPanel {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {string} options.me
   * @param {Conversation} options.model
   * @param {MentionPicker} options.mentions
   * @param {number} options.historyPage
   * @param {number} options.maxBody
   * @param {() => boolean} options.canPost
   * @param {(row: HTMLElement, state: MessageState) => void} options.fill  show a message as it is
   * @param {(body: string, root: number) => void} options.send  a reply, into the outbox
   * @param {(root: number | null) => void} options.onShown  the thread shown (null: none)
   * @param {(box: HTMLTextAreaElement) => boolean} options.editLast  Up in the empty box
   * @param {(container: HTMLElement) => void} options.onClose  close what is open in it
   * @param {(root: number) => HTMLElement | null} options.backTo  where the focus goes on close
   * @param {AbortSignal} [options.signal]  the room view's lifetime
   */
  constructor(options) {
    this.options = options;
    /** @param {string} id */
    const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
    this.panel = byId("thread-panel");
    this.list = byId("thread-list");
    this.scroll = byId("thread-scroll");
    this.status = byId("thread-status");
    this.older = /** @type {HTMLButtonElement} */ (byId("thread-older"));
    this.form = /** @type {HTMLFormElement} */ (byId("thread-composer"));
    this.box = /** @type {HTMLTextAreaElement} */ (byId("thread-body"));
    this.error = byId("thread-error");
    this.heading = byId("thread-heading");
    this.closeButton = byId("thread-close");
    /** @type {OpenThread | null} */
    this.thread = null;
    this.bind();
  }

  /** The root of the open thread, or null. */
  get root() {
    return this.thread?.root ?? null;
  }

  /**
   * The row of `seq` in the open thread.
   * @param {number} seq
   */
  row(seq) {
    return this.thread?.rows.get(seq);
  }

  bind() {
    this.closeButton.addEventListener("click", () => this.close());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        this.close();
      }
    });
    document.addEventListener(
      "keydown",
      (event) => {
        if (event.key !== "Escape" || !this.thread || event.defaultPrevented) return;
        const active = document.activeElement;
        if (!active || active === document.body) this.close();
      },
      { signal: this.options.signal },
    );
    this.older.addEventListener("click", () => this.load(true));
    const box = this.box;
    this.options.mentions.attach(box);
    // As in the composer: on a touch screen Enter adds a line and the Reply button sends.
    const touch = window.matchMedia(TOUCH_QUERY);
    const keyHint = () => box.setAttribute("enterkeyhint", touch.matches ? "enter" : "send");
    keyHint();
    touch.addEventListener("change", keyHint, { signal: this.options.signal });
    bindMarkdownKeys(box, { signal: this.options.signal });
    box.addEventListener("keydown", (event) => {
      if (event.defaultPrevented || event.isComposing || event.keyCode === 229) return;
      const sends = !touch.matches && !event.shiftKey && !event.altKey && !event.ctrlKey;
      if (event.key === "Enter" && sends) {
        event.preventDefault();
        this.form.requestSubmit();
      } else if (event.key === "ArrowUp" && box.value === "") {
        if (this.options.editLast(box)) event.preventDefault();
      }
    });
    box.addEventListener("input", () => {
      box.style.height = "auto";
      box.style.height = `${box.scrollHeight}px`;
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendReply();
    });
  }

  /**
   * Open the thread of the root message `root` beside the timeline.
   * @param {number} root
   */
  async open(root) {
    if (this.thread?.root === root) {
      this.box.focus();
      return;
    }
    this.close({ focus: false });
    this.thread = { root, rows: new Map(), hasMore: false, loading: false };
    this.panel.hidden = false;
    this.panel.dataset.root = String(root);
    this.panel.parentElement?.classList.add("has-thread");
    this.error.hidden = true;
    this.updateComposer();
    this.render();
    this.options.onShown(root);
    this.box.focus();
    await this.load(false);
  }

  /**
   * Load the thread (or its older replies) with `history` {thread}.
   * @param {boolean} older
   */
  async load(older) {
    const thread = this.thread;
    if (!thread || thread.loading) return;
    const { model } = this.options;
    thread.loading = true;
    this.status.textContent = older ? "Loading older replies…" : "Loading the thread…";
    const first = model.threadOf(thread.root)[0];
    /** @type {Frame} */
    const frame = {
      type: "history",
      room: this.options.slug,
      thread: thread.root,
      limit: this.options.historyPage,
    };
    if (older && first !== undefined) frame.before = first;
    const reply = await this.options.socket.request(frame);
    thread.loading = false;
    if (this.thread !== thread) return;
    if (reply.type !== "history") {
      this.status.textContent = `Could not load the thread: ${errorText(reply)}`;
      return;
    }
    this.status.textContent = "";
    const height = this.scroll.scrollHeight;
    for (const item of /** @type {ConversationItem[]} */ (reply.items ?? [])) model.load(item);
    thread.hasMore = Boolean(reply.has_more);
    this.render();
    if (older) {
      this.scroll.scrollTop += this.scroll.scrollHeight - height;
    } else {
      this.scroll.scrollTop = this.scroll.scrollHeight;
    }
  }

  /**
   * The message `seq` changed: show the thread again if it is part of it.
   * @param {number} seq
   * @param {MessageState} state
   */
  changed(seq, state) {
    const thread = this.thread;
    if (thread && (seq === thread.root || state.thread === thread.root)) this.render();
  }

  /** Show the open thread: its root, then the replies held, in order. */
  render() {
    const thread = this.thread;
    if (!thread) return;
    const { model, me } = this.options;
    const scroll = this.scroll;
    const stick = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 60;
    const rows = [];
    for (const seq of [thread.root, ...model.threadOf(thread.root)]) {
      const state = model.get(seq);
      if (!state) continue;
      let row = thread.rows.get(seq);
      if (!row) {
        row = renderItem(
          {
            type: "message",
            seq,
            author: { username: state.author },
            body: state.body,
            html: state.html,
            ts: state.ts ?? undefined,
            attachment: state.attachment,
          },
          { me },
        );
        row.dataset.seq = String(seq);
        row.classList.toggle("thread-panel__root", seq === thread.root);
        thread.rows.set(seq, row);
      }
      this.options.fill(row, state);
      rows.push(row);
    }
    const list = this.list;
    rows.forEach((row, index) => {
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] ?? null);
    });
    while (list.children.length > rows.length) list.lastElementChild?.remove();
    regroupRows(rows);
    this.older.hidden = !thread.hasMore;
    const root = model.get(thread.root);
    const count = root ? root.replies : 0;
    this.heading.textContent = count
      ? `Thread · ${count} ${count === 1 ? "reply" : "replies"}`
      : "Thread";
    if (stick) scroll.scrollTop = scroll.scrollHeight;
  }

  /** @param {{focus?: boolean}} [options] */
  close({ focus = true } = {}) {
    const thread = this.thread;
    if (!thread) return;
    this.options.onClose(this.list);
    this.options.mentions.close();
    this.thread = null;
    this.panel.hidden = true;
    delete this.panel.dataset.root;
    this.panel.parentElement?.classList.remove("has-thread");
    this.list.replaceChildren();
    this.options.onShown(null);
    this.status.textContent = "";
    if (focus) this.options.backTo(thread.root)?.focus();
  }

  /** The thread's box opens for members only. */
  updateComposer() {
    const root = this.thread ? this.options.model.get(this.thread.root) : null;
    const open = this.options.canPost() && !root?.deleted;
    this.box.disabled = !open;
    const send = this.form.querySelector("button[type=submit]");
    if (send instanceof HTMLButtonElement) send.disabled = !open;
    this.box.placeholder = open ? "Reply…" : "Only members can reply.";
  }

  /**
   * Send what the box holds as a reply: into the room's outbox (sender.js), like a message of
   * the main composer, so it is kept across reloads and sent again after a lost connection; it
   * shows pending under the thread until its ack.
   */
  sendReply() {
    const thread = this.thread;
    const box = this.box;
    const body = box.value;
    const { maxBody } = this.options;
    if (!thread || !body.trim() || !this.options.canPost()) return;
    const length = codePointLength(body);
    if (length > maxBody) {
      this.error.textContent = `At most ${maxBody} characters (this one has ${length}).`;
      this.error.hidden = false;
      return;
    }
    this.error.hidden = true;
    this.options.send(body, thread.root);
    box.value = "";
    box.style.height = "auto";
    this.scroll.scrollTop = this.scroll.scrollHeight;
    box.focus();
  }

  /**
   * Put `body` (a reply that failed for good) back in the box of the thread `root`.
   * @param {number} root
   * @param {string} body
   */
  async offer(root, body) {
    await this.open(root);
    if (this.thread?.root !== root) return;
    this.box.value = body;
    this.box.dispatchEvent(new Event("input"));
    this.box.focus();
  }
}
