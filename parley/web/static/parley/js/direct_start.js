// @ts-check
// Starting a direct conversation: `dm` {users: [name]} opens (made on first use) the direct
// room with that person, and the page goes there. From a message's "Message <name>" action and
// from the members list's message button.

import { errorText } from "./message_rules.js";
import { openRoom } from "./room_switch.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

/**
 * Open the direct room with `name` and go there; `notify` tells why not.
 * @param {ParleySocket} socket
 * @param {string} name
 * @param {(text: string) => void} notify
 */
export async function startDirect(socket, name, notify) {
  const reply = await socket.request({ type: "dm", users: [name] });
  if (reply.type === "dm" && typeof reply.room === "string") {
    openRoom(`/rooms/${encodeURIComponent(reply.room)}/`);
  } else {
    notify(`Could not start a conversation with ${name}: ${errorText(reply)}`);
  }
}

/**
 * The members list's message buttons (.members__dm) start a conversation with their member.
 * @param {HTMLElement} list  #members
 * @param {(name: string) => void} start
 */
export function bindMemberMessages(list, start) {
  list.addEventListener("click", (event) => {
    const button = /** @type {HTMLElement} */ (event.target).closest(".members__dm");
    const row = button?.closest("li[data-username]");
    if (row instanceof HTMLElement && row.dataset.username) start(row.dataset.username);
  });
}
