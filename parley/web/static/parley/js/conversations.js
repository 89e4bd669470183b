// @ts-check
// The conversation features of the room page, wired together: each message as it is now
// (edited, deleted, reactions, replies: conversation_model.js holds it, conversation_view.js
// shows it), the message actions (message_actions.js, allowed by message_rules.js), reactions
// and the emoji picker (reactions.js), the inline editor and deletion (message_editor.js), the
// thread panel (thread_panel.js), the `@` autocomplete of every box (mention_picker.js), and
// starting a direct conversation (direct_start.js).
//
// room.js hands every item of the room to apply() (live, backlog, history, gap fills, the page's
// own) in the order it gets them; items this page makes after an ack (an edit, a deletion, a
// reply) go through room.js's show(), so the timeline holds their seq as well.

import { Conversation } from "./conversation_model.js";
import { fillConversation } from "./conversation_view.js";
import { startDirect } from "./direct_start.js";
import { EmojiPicker } from "./emoji_picker.js";
import { MentionPicker } from "./mention_picker.js";
import { MessageActions } from "./message_actions.js";
import { MessageEditor } from "./message_editor.js";
import { canDelete, canEdit, canMessage } from "./message_rules.js";
import { Reactions } from "./reactions.js";
import { ThreadPanel } from "./thread_panel.js";
import { isRow } from "./timeline_model.js";

/** @typedef {import("./conversation_model.js").ConversationItem} ConversationItem */
/** @typedef {import("./conversation_model.js").MessageState} MessageState */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./timeline.js").Timeline} Timeline */
/** @typedef {import("./timeline_model.js").Item} Item */

// How far back Up in the empty composer looks for the reader's last message.
const EDIT_LAST_REACH = 500;

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
   * @param {(body: string, root: number) => void} options.sendReply  into the outbox
   * @param {(root: number | null) => void} options.onThreadShown  the thread panel's root
   * @param {(text: string) => void} options.notify  the page's notice ("" clears it)
   * @param {AbortSignal} options.signal  the room view's lifetime
   */
  constructor(options) {
    this.options = options;
    const { socket, slug, me, timeline, notify } = options;
    this.me = me;
    this.timeline = timeline;
    this.model = new Conversation();
    /** @param {string} id */
    const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
    const model = this.model;
    const who = () => ({ me, canPost: options.canPost() });
    /** @param {MessageState} state */
    const mayEdit = (state) =>
      canEdit(state, { ...who(), editWindowSeconds: options.editWindowSeconds });
    /** @param {MessageState} state */
    const mayDelete = (state) => canDelete(state, { ...who(), canModerate: options.canModerate });

    const { signal } = options;
    this.picker = new EmojiPicker(byId("emoji-picker"), { url: options.emojiUrl, signal });
    this.mentions = new MentionPicker(
      byId("mention-list"),
      () => options.names().filter((name) => name !== me),
      { signal },
    );
    this.reactions = new Reactions({
      socket,
      slug,
      me,
      model,
      picker: this.picker,
      canPost: options.canPost,
      refresh: (seq) => this.refresh(seq),
      notify,
    });
    this.actions = new MessageActions(byId("message-actions"), {
      state: (seq) => model.get(seq),
      inThread: (row) => this.thread.list.contains(row),
      pickerOpen: () => this.picker.isOpen,
      tip: byId("reaction-tip"),
      may: {
        react: options.canPost,
        edit: mayEdit,
        delete: mayDelete,
        dm: (name) => canMessage(name, { me, ...options }),
      },
      on: {
        react: (seq, emoji) => this.reactions.toggle(seq, emoji),
        moreReactions: (seq, button) => this.reactions.choose(seq, button),
        openThread: (seq) => this.thread.open(seq),
        edit: (seq, row, returnTo) => this.editor.start(seq, row, returnTo),
        delete: (seq) => this.editor.delete(seq),
        dm: (name) => this.startDm(name),
      },
    });
    this.editor = new MessageEditor({
      socket,
      slug,
      me,
      model,
      mentions: this.mentions,
      maxBody: options.maxBody,
      canEdit: mayEdit,
      canDelete: mayDelete,
      show: options.show,
      notify,
      hideToolbar: () => this.actions.hide(),
      placeToolbar: (row) => this.actions.place(row),
    });
    this.thread = new ThreadPanel({
      socket,
      slug,
      me,
      model,
      mentions: this.mentions,
      historyPage: options.historyPage,
      maxBody: options.maxBody,
      canPost: options.canPost,
      fill: (row, state) => this.fill(row, state),
      send: options.sendReply,
      onShown: options.onThreadShown,
      editLast: (box) => this.editLastInThread(box),
      onClose: (list) => {
        this.editor.closeIn(list);
        this.actions.hideIn(list);
        this.picker.close();
      },
      signal,
      backTo: (root) => {
        const row = timeline.rows.get(root);
        const back =
          row?.querySelector(".item__replies:not([hidden])") ?? row?.querySelector(".item__more");
        return back instanceof HTMLElement ? back : null;
      },
    });

    for (const list of [timeline.list, this.thread.list]) this.actions.bindList(list);
    // The "last reply 5 min ago" lines age.
    const ageing = setInterval(() => {
      for (const [seq, state] of model.messages) if (state.replies) this.refresh(seq);
    }, 60 * 1000);
    signal.addEventListener("abort", () => clearInterval(ageing));
  }

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
    this.thread.changed(seq, state);
    if (this.editor.seq === seq && state.deleted) this.editor.close();
  }

  /**
   * @param {HTMLElement} row
   * @param {MessageState} state
   */
  fill(row, state) {
    fillConversation(row, state, { me: this.me, reactions: this.model.reactionsOf(state.seq, this.me) });
    this.actions.refresh(row);
  }

  /**
   * Open (made on first use) the direct room with `name` and go there.
   * @param {string} name
   */
  startDm(name) {
    return startDirect(this.options.socket, name, this.options.notify);
  }

  /** The thread's composer follows the room's (a member, signed in, the room open). */
  updateThreadComposer() {
    this.thread.updateComposer();
  }

  /**
   * Up in the empty thread box: edit the reader's last message of the open thread.
   * @param {HTMLElement} box
   */
  editLastInThread(box) {
    const root = this.thread.root;
    if (root === null) return false;
    const seqs = [root, ...this.model.threadOf(root)].reverse();
    return this.editor.startLast(seqs, (seq) => this.thread.row(seq), box);
  }

  /**
   * Up in the empty composer: edit the reader's last message of the timeline.
   * @param {HTMLElement} box
   */
  editLastInTimeline(box) {
    const timeline = this.timeline;
    const seqs = timeline.model.seqs;
    /** @type {number[]} */
    const mine = [];
    for (let index = seqs.length - 1; index >= 0 && seqs.length - index <= EDIT_LAST_REACH; index -= 1) {
      const item = timeline.model.get(seqs[index]);
      if (item && item.type === "message" && isRow(item) && this.model.has(seqs[index])) {
        mine.push(seqs[index]);
      }
    }
    return this.editor.startLast(mine, (seq) => timeline.rows.get(seq), box);
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
      if (this.editLastInTimeline(box)) event.preventDefault();
    });
  }

  /**
   * Scroll to the message `seq` and flash it; a reply opens its thread there. False when the
   * page does not hold it.
   * @param {number} seq
   */
  async highlight(seq) {
    const state = this.model.get(seq);
    if (state?.thread) {
      await this.thread.open(state.thread);
      const row = this.thread.row(seq);
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
