// @ts-check
// User text: its length as the server counts it. No DOM. (Links in a message are the server's
// Markdown rendering now: message_html.js shows its html.)

/**
 * Length in Unicode code points, as the server counts it.
 * @param {string} text
 */
export function codePointLength(text) {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}
