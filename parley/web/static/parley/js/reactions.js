// @ts-check
// The reader's reactions: a quick one from the toolbar or a reaction button, any other from the
// emoji picker (emoji_picker.js). Each shows at once (conversation_model.js holds it as
// pending) and the server's answer settles it: kept with its seq, or taken back with a notice.

import { errorText } from "./message_rules.js";
import { newClientId } from "./outbox.js";

/** @typedef {import("./conversation_model.js").Conversation} Conversation */
/** @typedef {import("./emoji_picker.js").EmojiPicker} EmojiPicker */
/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

export class Reactions {
  /**
   * @param {object} options
   * @param {ParleySocket} options.socket
   * @param {string} options.slug
   * @param {string} options.me
   * @param {Conversation} options.model
   * @param {EmojiPicker} options.picker
   * @param {() => boolean} options.canPost
   * @param {(seq: number) => void} options.refresh  show the message again
   * @param {(text: string) => void} options.notify
   */
  constructor(options) {
    this.options = options;
  }

  /**
   * Open the picker next to `button`; the emoji chosen is toggled on `seq`.
   * @param {number} seq
   * @param {HTMLElement} button
   */
  choose(seq, button) {
    this.options.picker.open(button, (emoji) => this.toggle(seq, emoji));
  }

  /**
   * Add or remove the reader's `emoji` on `seq` at once; the server's answer settles it.
   * @param {number} seq
   * @param {string} emoji
   */
  async toggle(seq, emoji) {
    const { socket, slug, me, model, refresh, notify } = this.options;
    if (!emoji) return;
    if (!this.options.canPost()) {
      notify("Join the room to react to messages.");
      return;
    }
    const toggled = model.toggleReaction(seq, emoji, me);
    if (!toggled) return;
    refresh(seq);
    const reply = await socket.request({
      type: "react",
      room: slug,
      target: seq,
      emoji,
      op: toggled.op,
      client_id: newClientId(),
    });
    const ok = reply.type === "ack";
    model.settleReaction(toggled.token, ok, ok ? reply.seq : undefined);
    if (!ok) notify(`Could not react: ${errorText(reply)}`);
    refresh(seq);
  }
}
