// @ts-check
// The conversation features of the room page: each message as it is now (edited, deleted,
// reactions, replies: conversation_model.js holds it, conversation_view.js shows it), the
// message actions (react, reply in thread, edit, delete, message the author), the inline
// editor, the thread panel with its own composer, the emoji picker, the `@` autocomplete of
// every box, and starting a direct conversation.
//
// room.js hands every item of the room to apply() (live, backlog, history, gap fills, the page's
// own) in the order it gets them; items this page makes after an ack (an edit, a deletion, a
// reply) go through room.js's show(), so the timeline holds their seq as well.
//
// Actions: one toolbar (#message-actions) moves into the message row under the pointer or the
// focus; the row's ⋯ button opens it from the keyboard or on a touch screen.

import { Conversation } from "./conversation_model.js";
import { fillConversation } from "./conversation_view.js";
import { EmojiPicker } from "./emoji_picker.js";
import { TEMPLATE, cloneTemplate, renderItem } from "./item_view.js";
import { MentionPicker } from "./mention_picker.js";
import { newClientId } from "./outbox.js";
import { codePointLength } from "./text.js";
import { isRow } from "./timeline_model.js";

/** @typedef {import("./conversation_model.js").ConversationItem} ConversationItem */
/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./socket.js").Frame} Frame */
/** @typedef {import("./timeline.js").Timeline} Timeline */
/** @typedef {import("./timeline_model.js").Item} Item */

const LONG_PRESS_MS = 500;
const ROW = "li.item--message[data-seq]";

/**
 * @typedef {object} Editing
 * @property {number} seq
 * @property {HTMLElement} row
 * @property {HTMLFormElement} form
 * @property {HTMLElement | null} body
 * @property {HTMLTextAreaElement} box
 * @property {HTMLElement} error
 * @property {HTMLElement | null} returnTo
 * @property {boolean} busy
 */

/**
 * @typedef {object} OpenThread
 * @property {number} root
 * @property {Map<number, HTMLElement>} rows
 * @property {boolean} hasMore
 * @property {boolean} loading
 */

/** @param {Frame} reply */
function errorText(reply) {
  return reply.message || reply.code || "Something went wrong.";
}

export class Conversations {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {string} options.me
   * @param {Timeline} options.timeline
   * @param {boolean} options.canModerate
   * @param {number} options.editWindowSeconds  0: no limit
   * @param {boolean} options.isDirect
   * @param {string[]} options.directUsers
   * @param {string} options.emojiUrl
   * @param {number} options.maxBody
   * @param {number} options.historyPage
   * @param {() => boolean} options.canPost  a member, the room open, signed in
   * @param {() => string[]} options.names  the room's members
   * @param {(items: Item[]) => void} options.show  into the timeline (room.js showItems)
   * @param {(text: string) => void} options.notify  the page's notice ("" clears it)
   */
  constructor(options) {
    this.options = options;
    this.socket = options.socket;
    this.slug = options.slug;
    this.me = options.me;
    this.timeline = options.timeline;
    this.model = new Conversation();
    /** @param {string} id */
    const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
    this.toolbar = byId("message-actions");
    this.panel = byId("thread-panel");
    this.threadList = byId("thread-list");
    this.threadScroll = byId("thread-scroll");
    this.threadStatus = byId("thread-status");
    this.threadOlder = /** @type {HTMLButtonElement} */ (byId("thread-older"));
    this.threadForm = /** @type {HTMLFormElement} */ (byId("thread-composer"));
    this.threadBox = /** @type {HTMLTextAreaElement} */ (byId("thread-body"));
    this.threadError = byId("thread-error");
    this.tip = byId("reaction-tip");
    this.picker = new EmojiPicker(byId("emoji-picker"), { url: options.emojiUrl });
    this.mentions = new MentionPicker(byId("mention-list"), () =>
      options.names().filter((name) => name !== this.me),
    );
    /** @type {number | null} the message the toolbar is for */
    this.actionSeq = null;
    /** @type {Editing | null} */
    this.editing = null;
    /** @type {OpenThread | null} */
    this.thread = null;
    this.longPressed = false;

    this.bindToolbar();
    for (const list of [this.timeline.list, this.threadList]) this.bindList(list);
    this.bindThread();
    // The "last reply 5 min ago" lines age.
    setInterval(() => {
      for (const [seq, state] of this.model.messages) if (state.replies) this.refresh(seq);
    }, 60 * 1000);
  }

  // -- state ------------------------------------------------------------------------------------

  /**
   * An item of the room, in the order it came: the messages it changes are shown again.
   * @param {Item} item
   */
  apply(item) {
    const changed = this.model.apply(/** @type {ConversationItem} */ (item));
    if (changed) for (const seq of new Set(changed)) this.refresh(seq);
  }

  /**
   * Show the message `seq` as it is now, wherever it is shown.
   * @param {number} seq
   */
  refresh(seq) {
    const state = this.model.get(seq);
    if (!state) return;
    const row = this.timeline.rows.get(seq);
    if (row) this.fill(row, state);
    const thread = this.thread;
    if (thread && (seq === thread.root || state.thread === thread.root)) this.renderThread();
    if (this.editing?.seq === seq && state.deleted) this.closeEditor();
  }

  /**
   * @param {HTMLElement} row
   * @param {MessageState} state
   */
  fill(row, state) {
    fillConversation(row, state, {
      me: this.me,
      reactions: this.model.reactionsOf(state.seq, this.me),
    });
    if (this.toolbar.parentElement === row && !this.toolbar.hidden) this.placeToolbar(row);
  }

  /** @param {MessageState} state */
  canEdit(state) {
    if (state.author !== this.me || state.deleted || !this.options.canPost()) return false;
    const window = this.options.editWindowSeconds;
    if (!window) return true;
    const age = Date.now() - Date.parse(state.ts ?? "");
    return age < window * 1000;
  }

  /** @param {MessageState} state */
  canDelete(state) {
    if (state.deleted || !this.options.canPost()) return false;
    return state.author === this.me || this.options.canModerate;
  }

  /** @param {string | null} name */
  canMessage(name) {
    if (name === null || name === this.me) return false;
    const { isDirect, directUsers } = this.options;
    return !(isDirect && directUsers.length === 1 && directUsers[0] === name);
  }

  // -- the actions toolbar ----------------------------------------------------------------------

  bindToolbar() {
    const toolbar = this.toolbar;
    toolbar.addEventListener("click", (event) => {
      const button = /** @type {HTMLElement} */ (event.target).closest("[data-action]");
      const seq = this.actionSeq;
      const row = toolbar.parentElement;
      if (!(button instanceof HTMLElement) || seq === null || !row) return;
      const state = this.model.get(seq);
      if (!state) return;
      const action = button.dataset.action;
      if (action === "react") this.toggleReaction(seq, button.dataset.emoji ?? "");
      else if (action === "more-reactions") {
        this.picker.open(button, (emoji) => this.toggleReaction(seq, emoji));
      } else if (action === "reply") this.openThread(seq);
      else if (action === "edit") this.startEdit(seq, row, row.querySelector(".item__more"));
      else if (action === "delete") this.deleteMessage(seq);
      else if (action === "dm" && state.author) this.startDm(state.author);
    });
    toolbar.addEventListener("keydown", (event) => {
      const buttons = this.toolbarButtons();
      const index = buttons.indexOf(/** @type {HTMLElement} */ (document.activeElement));
      if (event.key === "Escape") {
        event.stopPropagation();
        const more = toolbar.parentElement?.querySelector(".item__more");
        this.hideToolbar();
        if (more instanceof HTMLElement) more.focus();
      } else if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
        const step = event.key === "ArrowRight" ? 1 : -1;
        buttons[(index + step + buttons.length) % buttons.length]?.focus();
      }
    });
  }

  toolbarButtons() {
    return /** @type {HTMLElement[]} */ ([...this.toolbar.querySelectorAll("button")]).filter(
      (b) => !b.hidden,
    );
  }

  /**
   * Show the toolbar in `row` with what the reader may do to that message.
   * @param {HTMLElement} row
   */
  placeToolbar(row) {
    const seq = Number(row.dataset.seq);
    const state = this.model.get(seq);
    if (!state || state.deleted || row.classList.contains("is-pending")) {
      if (this.toolbar.parentElement === row) this.hideToolbar();
      return;
    }
    if (this.toolbar.parentElement !== row) {
      this.setExpanded(false);
      row.append(this.toolbar);
    }
    this.actionSeq = seq;
    const inThread = this.threadList.contains(row);
    const can = this.options.canPost();
    /** @param {string} action @param {boolean} shown */
    const show = (action, shown) => {
      for (const b of this.toolbar.querySelectorAll(`[data-action="${action}"]`)) {
        /** @type {HTMLElement} */ (b).hidden = !shown;
      }
    };
    show("react", can);
    show("more-reactions", can);
    show("reply", !inThread && state.thread === null);
    show("edit", this.canEdit(state));
    show("delete", this.canDelete(state));
    show("dm", this.canMessage(state.author));
    const name = this.toolbar.querySelector("[data-dm-name]");
    if (name) name.textContent = state.author ?? "";
    this.toolbar.hidden = false;
  }

  hideToolbar() {
    this.setExpanded(false);
    this.toolbar.hidden = true;
    this.actionSeq = null;
  }

  /** @param {boolean} expanded */
  setExpanded(expanded) {
    const more = this.toolbar.parentElement?.querySelector(":scope > .item__more");
    more?.setAttribute("aria-expanded", String(expanded));
  }

  /**
   * Hover, focus and clicks in a list of message rows (the timeline, the thread).
   * @param {HTMLElement} list
   */
  bindList(list) {
    /** @param {Event} event */
    const rowOf = (event) => {
      const row = /** @type {HTMLElement} */ (event.target).closest?.(ROW);
      return row instanceof HTMLElement && list.contains(row) ? row : null;
    };
    /** @param {Event} event */
    const point = (event) => {
      const row = rowOf(event);
      if (row && (row !== this.toolbar.parentElement || this.toolbar.hidden)) {
        if (!row.classList.contains("is-editing")) this.placeToolbar(row);
      }
    };
    list.addEventListener("mouseover", point);
    list.addEventListener("mousemove", point);
    list.addEventListener("mouseleave", () => {
      if (!list.contains(this.toolbar)) return;
      if (this.toolbar.contains(document.activeElement) || this.picker.isOpen) return;
      this.hideToolbar();
    });
    list.addEventListener("focusin", (event) => {
      const row = rowOf(event);
      if (row && row !== this.toolbar.parentElement) this.placeToolbar(row);
    });
    list.addEventListener("focusout", (event) => {
      const next = /** @type {Node | null} */ (event.relatedTarget);
      if (!list.contains(this.toolbar) || this.picker.isOpen) return;
      if (next && list.contains(next)) return;
      if (!list.matches(":hover")) this.hideToolbar();
    });
    list.addEventListener("click", (event) => {
      const target = /** @type {HTMLElement} */ (event.target);
      const row = rowOf(event);
      if (!row) return;
      const seq = Number(row.dataset.seq);
      if (target.closest(".item__more")) {
        this.placeToolbar(row);
        this.setExpanded(true);
        this.toolbarButtons()[0]?.focus();
      } else if (target.closest(".item__replies")) {
        this.openThread(seq);
      } else {
        const reaction = target.closest(".reaction");
        if (!(reaction instanceof HTMLElement)) return;
        if (this.longPressed) {
          this.longPressed = false;
          return;
        }
        this.toggleReaction(seq, reaction.dataset.emoji ?? "");
      }
    });
    // A long press on a reaction (touch) shows who reacted, as the title does for a pointer.
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    let timer;
    list.addEventListener(
      "touchstart",
      (event) => {
        const reaction = /** @type {HTMLElement} */ (event.target).closest(".reaction");
        if (!(reaction instanceof HTMLElement)) return;
        this.longPressed = false;
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.longPressed = true;
          this.showTip(reaction);
        }, LONG_PRESS_MS);
      },
      { passive: true },
    );
    for (const type of ["touchend", "touchmove", "touchcancel"]) {
      list.addEventListener(type, () => clearTimeout(timer), { passive: true });
    }
    list.addEventListener("contextmenu", (event) => {
      if (/** @type {HTMLElement} */ (event.target).closest(".reaction")) event.preventDefault();
    });
  }

  /** @param {HTMLElement} reaction */
  showTip(reaction) {
    const tip = this.tip;
    tip.textContent = reaction.title;
    tip.hidden = false;
    const rect = reaction.getBoundingClientRect();
    tip.style.left = `${Math.max(8, Math.min(rect.left, window.innerWidth - 248))}px`;
    tip.style.top = `${Math.max(8, rect.top - tip.offsetHeight - 6)}px`;
    setTimeout(() => {
      tip.hidden = true;
    }, 2500);
  }

  // -- reactions, deletion, direct messages -----------------------------------------------------

  /**
   * Add or remove the reader's `emoji` on `seq` at once; the server's answer settles it.
   * @param {number} seq
   * @param {string} emoji
   */
  async toggleReaction(seq, emoji) {
    if (!emoji) return;
    if (!this.options.canPost()) {
      this.options.notify("Join the room to react to messages.");
      return;
    }
    const toggled = this.model.toggleReaction(seq, emoji, this.me);
    if (!toggled) return;
    this.refresh(seq);
    const reply = await this.socket.request({
      type: "react",
      room: this.slug,
      target: seq,
      emoji,
      op: toggled.op,
      client_id: newClientId(),
    });
    const ok = reply.type === "ack";
    this.model.settleReaction(toggled.token, ok, ok ? reply.seq : undefined);
    if (!ok) this.options.notify(`Could not react: ${errorText(reply)}`);
    this.refresh(seq);
  }

  /** @param {number} seq */
  async deleteMessage(seq) {
    const state = this.model.get(seq);
    if (!state || !this.canDelete(state)) return;
    const whose = state.author === this.me ? "your message" : `${state.author ?? "this"}'s message`;
    if (!window.confirm(`Delete ${whose}? Everyone will see “message deleted”.`)) return;
    const client_id = newClientId();
    const reply = await this.socket.request({ type: "delete", room: this.slug, target: seq, client_id });
    if (reply.type !== "ack") {
      this.options.notify(`Could not delete the message: ${errorText(reply)}`);
      return;
    }
    this.hideToolbar();
    this.options.show([
      /** @type {Item} */ ({
        type: "delete",
        room: this.slug,
        seq: reply.seq,
        id: reply.id,
        target: seq,
        user: { username: this.me },
        ts: reply.ts,
        client_id,
      }),
    ]);
  }

  /**
   * Open (made on first use) the direct room with `name` and go there.
   * @param {string} name
   */
  async startDm(name) {
    const reply = await this.socket.request({ type: "dm", users: [name] });
    if (reply.type === "dm" && typeof reply.room === "string") {
      window.location.assign(`/rooms/${encodeURIComponent(reply.room)}/`);
    } else {
      this.options.notify(`Could not start a conversation with ${name}: ${errorText(reply)}`);
    }
  }

  // -- editing ----------------------------------------------------------------------------------

  /**
   * Edit the message `seq` in place: its text in a box instead of its body; Enter saves, Escape
   * cancels. `returnTo` gets the focus back.
   * @param {number} seq
   * @param {HTMLElement | undefined | null} row
   * @param {Element | null} [returnTo]
   */
  startEdit(seq, row, returnTo = null) {
    const state = this.model.get(seq);
    if (!row || !state || !this.canEdit(state)) return false;
    this.closeEditor();
    this.hideToolbar();
    const form = /** @type {HTMLFormElement} */ (cloneTemplate(TEMPLATE.edit));
    const box = /** @type {HTMLTextAreaElement} */ (form.querySelector("textarea"));
    const error = /** @type {HTMLElement} */ (form.querySelector(".item__edit-error"));
    const body = /** @type {HTMLElement | null} */ (row.querySelector(":scope > .item__body"));
    box.value = state.body;
    if (body) {
      body.hidden = true;
      body.after(form);
    } else {
      row.querySelector(":scope > .item__meta")?.after(form);
    }
    row.classList.add("is-editing");
    this.editing = {
      seq,
      row,
      form,
      body,
      box,
      error,
      returnTo: returnTo instanceof HTMLElement ? returnTo : null,
      busy: false,
    };
    this.mentions.attach(box);
    const resize = () => {
      box.style.height = "auto";
      box.style.height = `${box.scrollHeight}px`;
    };
    box.addEventListener("input", resize);
    box.addEventListener("keydown", (event) => {
      if (event.isComposing || event.keyCode === 229) return;
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.closeEditor();
      } else if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey) {
        event.preventDefault();
        this.saveEdit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.saveEdit();
    });
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
    resize();
    return true;
  }

  async saveEdit() {
    const editing = this.editing;
    if (!editing || editing.busy) return;
    const { seq, box, error } = editing;
    const state = this.model.get(seq);
    const body = box.value;
    /** @param {string} text */
    const fail = (text) => {
      error.textContent = text;
      error.hidden = false;
    };
    if (!state) return;
    if (body === state.body) {
      this.closeEditor();
      return;
    }
    if (!body.trim()) {
      fail("A message needs some text: delete it instead.");
      return;
    }
    const length = codePointLength(body);
    if (length > this.options.maxBody) {
      fail(`At most ${this.options.maxBody} characters (this one has ${length}).`);
      return;
    }
    editing.busy = true;
    error.hidden = true;
    box.setAttribute("aria-busy", "true");
    const client_id = newClientId();
    const reply = await this.socket.request({
      type: "edit",
      room: this.slug,
      target: seq,
      body,
      client_id,
    });
    editing.busy = false;
    box.removeAttribute("aria-busy");
    if (reply.type !== "ack") {
      fail(`Not saved: ${errorText(reply)}`);
      return;
    }
    if (this.editing === editing) this.closeEditor();
    this.options.show([
      /** @type {Item} */ ({
        type: "edit",
        room: this.slug,
        seq: reply.seq,
        id: reply.id,
        target: seq,
        body,
        user: { username: this.me },
        ts: reply.ts,
        client_id,
      }),
    ]);
  }

  closeEditor() {
    const editing = this.editing;
    if (!editing) return;
    this.editing = null;
    const hadFocus = editing.form.contains(document.activeElement);
    editing.form.remove();
    if (editing.body) editing.body.hidden = false;
    editing.row.classList.remove("is-editing");
    if (hadFocus) editing.returnTo?.focus();
    if (editing.row.matches(":hover")) this.placeToolbar(editing.row);
  }

  /**
   * Up in an empty box: edit the reader's last message there (the timeline's, or the open
   * thread's). True when an editor opened.
   * @param {"main" | "thread"} where
   * @param {HTMLElement} box
   */
  editLast(where, box) {
    if (where === "thread") {
      const thread = this.thread;
      if (!thread) return false;
      const seqs = [thread.root, ...this.model.threadOf(thread.root)].reverse();
      for (const seq of seqs) {
        const state = this.model.get(seq);
        if (state?.author === this.me && !state.deleted) {
          return this.canEdit(state) && this.startEdit(seq, thread.rows.get(seq), box);
        }
      }
      return false;
    }
    const seqs = this.timeline.model.seqs;
    for (let index = seqs.length - 1, seen = 0; index >= 0 && seen < 500; index -= 1, seen += 1) {
      const item = this.timeline.model.get(seqs[index]);
      if (!item || item.type !== "message" || !isRow(item)) continue;
      const state = this.model.get(seqs[index]);
      if (state?.author === this.me && !state.deleted) {
        return this.canEdit(state) && this.startEdit(state.seq, this.timeline.rows.get(state.seq), box);
      }
    }
    return false;
  }

  /**
   * The room's own composer: Up edits the last message, `@` offers names.
   * @param {HTMLTextAreaElement} box
   */
  bindComposer(box) {
    this.mentions.attach(box);
    box.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowUp" || box.value !== "" || this.mentions.isOpen) return;
      if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
      if (this.editLast("main", box)) event.preventDefault();
    });
  }

  // -- the thread panel -------------------------------------------------------------------------

  bindThread() {
    byIdButton("thread-close").addEventListener("click", () => this.closeThread());
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && !event.defaultPrevented) {
        event.preventDefault();
        this.closeThread();
      }
    });
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || !this.thread || event.defaultPrevented) return;
      const active = document.activeElement;
      if (!active || active === document.body) this.closeThread();
    });
    this.threadOlder.addEventListener("click", () => this.loadThread(true));
    this.mentions.attach(this.threadBox);
    this.threadBox.addEventListener("keydown", (event) => {
      if (event.isComposing || event.keyCode === 229) return;
      if (event.key === "Enter" && !event.shiftKey && !event.altKey && !event.ctrlKey) {
        event.preventDefault();
        this.threadForm.requestSubmit();
      } else if (event.key === "ArrowUp" && this.threadBox.value === "") {
        if (this.editLast("thread", this.threadBox)) event.preventDefault();
      }
    });
    this.threadBox.addEventListener("input", () => {
      this.threadBox.style.height = "auto";
      this.threadBox.style.height = `${this.threadBox.scrollHeight}px`;
    });
    this.threadForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendReply();
    });
  }

  /**
   * Open the thread of the root message `root` beside the timeline.
   * @param {number} root
   */
  async openThread(root) {
    if (this.thread?.root === root) {
      this.threadBox.focus();
      return;
    }
    this.closeThread({ focus: false });
    this.thread = { root, rows: new Map(), hasMore: false, loading: false };
    this.panel.hidden = false;
    this.panel.dataset.root = String(root);
    this.panel.parentElement?.classList.add("has-thread");
    this.threadError.hidden = true;
    this.updateThreadComposer();
    this.renderThread();
    this.threadBox.focus();
    await this.loadThread(false);
  }

  /**
   * Load the thread (or its older replies) with `history` {thread}.
   * @param {boolean} older
   */
  async loadThread(older) {
    const thread = this.thread;
    if (!thread || thread.loading) return;
    thread.loading = true;
    this.threadStatus.textContent = older ? "Loading older replies…" : "Loading the thread…";
    const first = this.model.threadOf(thread.root)[0];
    /** @type {Frame} */
    const frame = {
      type: "history",
      room: this.slug,
      thread: thread.root,
      limit: this.options.historyPage,
    };
    if (older && first !== undefined) frame.before = first;
    const reply = await this.socket.request(frame);
    thread.loading = false;
    if (this.thread !== thread) return;
    if (reply.type !== "history") {
      this.threadStatus.textContent = `Could not load the thread: ${errorText(reply)}`;
      return;
    }
    this.threadStatus.textContent = "";
    const height = this.threadScroll.scrollHeight;
    for (const item of /** @type {ConversationItem[]} */ (reply.items ?? [])) {
      this.model.load(item);
    }
    thread.hasMore = Boolean(reply.has_more);
    this.renderThread();
    if (older) {
      this.threadScroll.scrollTop += this.threadScroll.scrollHeight - height;
    } else {
      this.threadScroll.scrollTop = this.threadScroll.scrollHeight;
    }
  }

  /** Show the open thread: its root, then the replies held, in order. */
  renderThread() {
    const thread = this.thread;
    if (!thread) return;
    const scroll = this.threadScroll;
    const stick = scroll.scrollHeight - scroll.scrollTop - scroll.clientHeight < 60;
    const seqs = [thread.root, ...this.model.threadOf(thread.root)];
    const rows = [];
    for (const seq of seqs) {
      const state = this.model.get(seq);
      if (!state) continue;
      let row = thread.rows.get(seq);
      if (!row) {
        row = renderItem(
          {
            type: "message",
            seq,
            author: { username: state.author },
            body: state.body,
            ts: state.ts ?? undefined,
            attachment: state.attachment,
          },
          { me: this.me },
        );
        row.dataset.seq = String(seq);
        row.classList.toggle("thread-panel__root", seq === thread.root);
        thread.rows.set(seq, row);
      }
      this.fill(row, state);
      rows.push(row);
    }
    const list = this.threadList;
    rows.forEach((row, index) => {
      if (list.children[index] !== row) list.insertBefore(row, list.children[index] ?? null);
    });
    while (list.children.length > rows.length) list.lastElementChild?.remove();
    this.threadOlder.hidden = !thread.hasMore;
    const root = this.model.get(thread.root);
    const count = root ? root.replies : 0;
    const heading = document.getElementById("thread-heading");
    if (heading) heading.textContent = count ? `Thread · ${count} ${count === 1 ? "reply" : "replies"}` : "Thread";
    if (stick) scroll.scrollTop = scroll.scrollHeight;
  }

  /** @param {{focus?: boolean}} [options] */
  closeThread({ focus = true } = {}) {
    const thread = this.thread;
    if (!thread) return;
    if (this.editing && this.threadList.contains(this.editing.row)) this.closeEditor();
    if (this.threadList.contains(this.toolbar)) this.hideToolbar();
    this.picker.close();
    this.mentions.close();
    this.thread = null;
    this.panel.hidden = true;
    delete this.panel.dataset.root;
    this.panel.parentElement?.classList.remove("has-thread");
    this.threadList.replaceChildren();
    this.threadStatus.textContent = "";
    if (focus) {
      const row = this.timeline.rows.get(thread.root);
      const back = row?.querySelector(".item__replies:not([hidden])") ?? row?.querySelector(".item__more");
      if (back instanceof HTMLElement) back.focus();
    }
  }

  /** The thread's box opens for members only. */
  updateThreadComposer() {
    const root = this.thread ? this.model.get(this.thread.root) : null;
    const open = this.options.canPost() && !root?.deleted;
    this.threadBox.disabled = !open;
    const send = this.threadForm.querySelector("button[type=submit]");
    if (send instanceof HTMLButtonElement) send.disabled = !open;
    this.threadBox.placeholder = open ? "Reply…" : "Only members can reply.";
  }

  async sendReply() {
    const thread = this.thread;
    const box = this.threadBox;
    const body = box.value;
    if (!thread || !body.trim() || !this.options.canPost()) return;
    const length = codePointLength(body);
    if (length > this.options.maxBody) {
      this.threadError.textContent = `At most ${this.options.maxBody} characters (this one has ${length}).`;
      this.threadError.hidden = false;
      return;
    }
    const client_id = newClientId();
    box.readOnly = true;
    this.threadError.hidden = true;
    const reply = await this.socket.request({
      type: "send",
      room: this.slug,
      body,
      client_id,
      thread: thread.root,
    });
    box.readOnly = false;
    if (reply.type !== "ack") {
      this.threadError.textContent = `Not sent: ${errorText(reply)}`;
      this.threadError.hidden = false;
      return;
    }
    if (box.value === body) box.value = "";
    box.style.height = "auto";
    this.threadScroll.scrollTop = this.threadScroll.scrollHeight;
    this.options.show([
      /** @type {Item} */ ({
        type: "message",
        room: this.slug,
        seq: reply.seq,
        id: reply.id,
        author: { username: this.me },
        body,
        ts: reply.ts,
        client_id,
        thread: thread.root,
      }),
    ]);
    box.focus();
  }

  // -- jumping to a message ---------------------------------------------------------------------

  /**
   * Scroll to the message `seq` and flash it; a reply opens its thread there. False when the
   * page does not hold it.
   * @param {number} seq
   */
  async highlight(seq) {
    const state = this.model.get(seq);
    if (state?.thread) {
      await this.openThread(state.thread);
      const row = this.thread?.rows.get(seq);
      if (row) flash(row);
      return Boolean(row);
    }
    const row = this.timeline.rows.get(seq);
    if (!row) return false;
    flash(row);
    return true;
  }
}

/** @param {HTMLElement} row */
function flash(row) {
  row.classList.remove("is-jump-target");
  void row.offsetWidth; // start the animation again
  row.classList.add("is-jump-target");
  row.scrollIntoView({ block: "center" });
}

/** @param {string} id */
function byIdButton(id) {
  return /** @type {HTMLButtonElement} */ (document.getElementById(id));
}
