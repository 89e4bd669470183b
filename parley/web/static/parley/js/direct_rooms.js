// @ts-check
// New direct conversations join the page's list as they are made: the server tells each of
// their people with a `dm` frame (docs/protocol.md, "Direct messages"). The row is the server's
// own markup (a <template> of the same include that renders the others), filled with text and
// attributes only, then counted live like the rows the page came with.

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */
/** @typedef {import("./unread.js").UnreadTracker} UnreadTracker */

/**
 * The title of a direct room for `me`: the other people's names (or mine, alone).
 * @param {string[]} users
 * @param {string} me
 */
export function directTitle(users, me) {
  const others = users.filter((name) => name !== me);
  return (others.length ? others : [me]).join(", ");
}

/**
 * Add a row to `list` for each direct room a `dm` frame names that the page does not list yet.
 * @param {ParleySocket} socket
 * @param {UnreadTracker} unread
 * @param {{me: string, list: HTMLElement | null, template: HTMLTemplateElement | null,
 *   empty?: HTMLElement | null}} where  `empty`: the "No conversations yet" line, hidden or removed
 */
export function listNewDirectRooms(socket, unread, { me, list, template, empty = null }) {
  if (!list || !template) return;
  socket.on("dm", (/** @type {{room?: unknown, users?: unknown}} */ frame) => {
    const slug = typeof frame.room === "string" ? frame.room : "";
    const users = Array.isArray(frame.users) ? frame.users.map(String) : [];
    if (!slug || list.querySelector(`[data-unread-room="${CSS.escape(slug)}"]`)) return;
    const row = /** @type {HTMLElement | null} */ (
      /** @type {DocumentFragment} */ (template.content.cloneNode(true)).firstElementChild
    );
    if (!row) return;
    row.dataset.unreadRoom = slug;
    if (row.hasAttribute("data-room")) row.dataset.room = slug;
    const link = row.querySelector("a");
    if (link) link.href = `/rooms/${encodeURIComponent(slug)}/`;
    const name = row.querySelector("[data-direct-name]");
    if (name) name.textContent = directTitle(users, me);
    if (empty) empty.hidden = true;
    list.prepend(row);
    unread.track(slug, { follow: true });
  });
}
