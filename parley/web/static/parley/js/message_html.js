// @ts-check
// A message's words in an element: the server's `html` (docs/protocol.md, "Markdown"), which the
// server renders and sanitises once, when the message is written. This is the one place the
// client puts server markup into the page, and only that markup: everything a user typed that
// the server has not rendered (a pending message, an item without `html`) goes in as text.
//
// A mention chip of the reader (<span class="mention" data-user="me">) gets `mention--me`, the
// highlight.

/**
 * Show a message's words in `element`: its `html` from the server, or, when it has none (a
 * message not acknowledged yet; it should not happen otherwise), its `body` as plain text in a
 * <p class="item__plain">.
 * @param {HTMLElement} element
 * @param {{html?: string | null, body?: string | null, me?: string | null}} message
 */
export function showMessageHtml(element, { html, body, me = null }) {
  if (typeof html === "string" && html.trim() !== "") {
    // Sanitised by the server (nh3): no script, handler, style or foreign URL survives it.
    element.innerHTML = html;
    markMyMentions(element, me);
  } else {
    showPlainText(element, typeof body === "string" ? body : "");
  }
}

/**
 * `text` as one plain paragraph (line breaks kept by the CSS), or nothing for no text.
 * @param {HTMLElement} element
 * @param {string} text
 */
export function showPlainText(element, text) {
  if (!text) {
    element.replaceChildren();
    return;
  }
  const p = element.ownerDocument.createElement("p");
  p.className = "item__plain";
  p.textContent = text;
  element.replaceChildren(p);
}

/**
 * Mark the chips that mention `me` (mention--me); the others lose the mark.
 * @param {ParentNode} root
 * @param {string | null} me
 */
export function markMyMentions(root, me) {
  for (const chip of root.querySelectorAll(".mention[data-user]")) {
    const user = chip.getAttribute("data-user");
    chip.classList.toggle("mention--me", me !== null && me !== "" && user === me);
  }
}
