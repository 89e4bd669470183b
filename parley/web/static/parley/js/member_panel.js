// @ts-check
// A big room's member panel (docs/protocol.md "Big rooms"): loads the next page as the list is
// scrolled to its end (or "Show more members" is pressed), searches with "Find a member", and
// watches presence while the panel is open. Small rooms keep the whole list as before: nothing
// here shows or sends for them.
//
// The panel is open when its list is on screen: the <details> open, and the column not hidden
// (a thread or search panel takes its place; on a phone it is folded at first). While it is, the
// socket asks for presence (`presence_watch`); having started watching, the first page is asked
// again and replaces what is shown, since changes before the watch were not sent. The server
// forgets a watch with its socket: after a reconnect's `subscribed` it is asked again.
//
// The count is announced (role="status") only after what the reader did: the answer to their
// query or to "more"; presence changes and joins change the numbers shown silently.

import { PresenceWatch, memberQuery } from "./member_pages.js";

/** How long typing pauses before the query goes. */
export const MEMBER_SEARCH_DELAY_MS = 250;
/** Load the next page when the end of the list is this close (pixels). */
const NEAR_END_PX = 120;

/**
 * The words under the search box (and announced after the reader's action).
 * @param {{query: string, shown: number, total: number}} list
 */
export function memberSummary({ query, shown, total }) {
  const all = total.toLocaleString("en");
  if (query) return total === 1 ? `1 member matches “${query}”` : `${all} members match “${query}”`;
  return shown >= total ? `All ${all} members` : `Showing ${shown.toLocaleString("en")} of ${all}`;
}

/**
 * Bind the panel of #room-view to `members` and the socket.
 * @param {object} options
 * @param {import("./socket.js").ParleySocket} options.socket
 * @param {string} options.slug
 * @param {import("./members.js").Members} options.members
 * @param {AbortSignal} options.signal
 * @param {Document} [options.doc]
 */
export function bindMemberPanel({ socket, slug, members, signal, doc = document }) {
  /** @param {string} id */
  const byId = (id) => /** @type {HTMLElement} */ (doc.getElementById(id));
  const details = /** @type {HTMLDetailsElement} */ (byId("members-details"));
  const column = /** @type {HTMLElement} */ (details.closest(".room__members"));
  const find = byId("member-find");
  const input = /** @type {HTMLInputElement} */ (byId("member-query"));
  const summary = byId("member-summary");
  const moreButton = /** @type {HTMLButtonElement} */ (byId("members-more"));
  const announcer = byId("member-announce");
  const pages = members.pages;
  const watch = new PresenceWatch();
  let subscribed = false; // on the socket now: a watch needs the subscription
  let stopped = false;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let typingTimer;

  function isOpen() {
    return details.open && column.getClientRects().length > 0;
  }

  /** @param {import("./member_pages.js").MembersRequest | null} request @param {boolean} said */
  async function ask(request, said) {
    if (!request) return;
    const reply = await socket.request({ type: "members", room: slug, ...request });
    if (stopped) return;
    if (reply.type !== "members") {
      pages.fail(request);
      if (said) announce(reply.message || "Could not load the members.");
      return;
    }
    members.takePage(request, reply);
    if (said && pages.pending === null) announce(summary.textContent ?? "");
    loadIfAtEnd();
  }

  /** @param {string} text */
  function announce(text) {
    // The same words again are said again only if the region changes: clear it first.
    announcer.textContent = "";
    requestAnimationFrame(() => {
      announcer.textContent = text;
    });
  }

  function loadMore(said = false) {
    if (!members.big || !isOpen() || !socket.isLive) return;
    ask(pages.more(), said);
  }

  function loadIfAtEnd() {
    const end = column.scrollTop + column.clientHeight >= column.scrollHeight - NEAR_END_PX;
    if (end) loadMore();
  }

  function syncWatch() {
    const wanted = !stopped && members.big && subscribed && socket.isLive && isOpen();
    const send = watch.sync(wanted);
    if (send === null) return;
    socket.request({ type: "presence_watch", room: slug, watch: send }).then((reply) => {
      if (stopped || !send || reply.type !== "presence_watch" || !watch.watching) return;
      ask(pages.refresh(), false);
    });
  }

  /** What shows for a big room, after each render of the list. */
  function show() {
    find.hidden = !members.big;
    const list = pages.shown;
    moreButton.hidden = !members.big || !pages.hasMore;
    summary.textContent = members.big
      ? memberSummary({ query: list.query, shown: list.names.length, total: list.total })
      : "";
  }
  members.onRender = show;
  show();

  input.addEventListener(
    "input",
    () => {
      clearTimeout(typingTimer);
      const query = memberQuery(input.value);
      if (!query) {
        // Cleared: the list held before comes back at once.
        if (!pages.query) return;
        pages.setQuery("");
        members.render();
        announce(summary.textContent ?? "");
        return;
      }
      typingTimer = setTimeout(() => ask(pages.setQuery(query), true), MEMBER_SEARCH_DELAY_MS);
    },
    { signal },
  );
  moreButton.addEventListener("click", () => loadMore(true), { signal });
  column.addEventListener("scroll", loadIfAtEnd, { passive: true, signal });
  details.addEventListener(
    "toggle",
    () => {
      syncWatch();
      if (details.open) loadIfAtEnd();
    },
    { signal },
  );
  // The column hides and shows with the thread and search panels and the screen's width.
  const resized = new ResizeObserver(() => syncWatch());
  resized.observe(column);
  signal.addEventListener("abort", () => resized.disconnect());
  const offState = socket.on("state", () => {
    if (!socket.isLive) {
      subscribed = false;
      watch.lost();
    }
  });
  signal.addEventListener("abort", offState);

  return {
    /** After each `subscribed` reply (members.reset() has run). */
    subscribed() {
      subscribed = true;
      // A query typed before a reconnect is asked again by the watch's refresh when open.
      syncWatch();
      if (isOpen()) loadIfAtEnd();
    },
    /** The view is left, or the room is gone: stop watching (the subscription stays). */
    stop({ tell = true } = {}) {
      if (stopped) return;
      stopped = true;
      clearTimeout(typingTimer);
      if (tell && watch.watching && socket.isLive) {
        socket.send({ type: "presence_watch", room: slug, watch: false });
      }
      watch.lost();
    },
  };
}
