// @ts-check
// The page's connection state as the rest of the page sees it: status.js writes the socket's
// state on <html data-connection="…">, so the stylesheet can grey what is stale while the
// socket is not live (presence dots) and members.js can say so in the dots' labels. No socket
// here, so any module may read it without wiring.

/** The attribute on <html>: `data-connection`. (Not `data-conn`: that names the indicator.) */
export const CONNECTION_ATTRIBUTE = "data-connection";

/**
 * Whether the page's socket is live (true until status.js has said otherwise).
 * @param {Document | undefined} [doc]
 */
export function pageIsLive(doc = globalThis.document) {
  const state = doc?.documentElement?.getAttribute(CONNECTION_ATTRIBUTE);
  return !state || state === "live";
}

/**
 * A presence dot's label: what the server last said, and, while the page is not connected,
 * that it may no longer be true (the server cannot tell this page about changes).
 * @param {string} text  e.g. "online"
 * @param {boolean} live
 */
export function presenceLabel(text, live) {
  return live ? text : `unknown while disconnected (last seen ${text})`;
}

/**
 * Relabel every presence dot in `root` for the page's state now (the rows keep the server's
 * word in data-presence-text, written by members.js).
 * @param {ParentNode} root
 * @param {boolean} live
 */
export function relabelPresence(root, live) {
  for (const dot of root.querySelectorAll(".presence[data-presence-text]")) {
    const label = presenceLabel(dot.getAttribute("data-presence-text") ?? "", live);
    dot.setAttribute("aria-label", label);
    dot.setAttribute("title", label);
  }
}
