// @ts-check
// What the server tells every page's script: its close codes by name and the limits the client
// must respect. base.html renders them with json_script as #client-config (client_config in
// parley/web/views.py), so no number here is a copy of the server's.

/**
 * @typedef {object} ClientConfig
 * @property {Record<string, number>} closeCodes  every close code of the server, by name
 *   (UNAUTHENTICATED, SESSION_ENDED, SERVICE_RESTART, RIGHTS_CHANGED, RATE_LIMITED…)
 * @property {number} historyMax  the largest `limit` a `history` request may ask for
 * @property {number} historyPage  the items of a page: the one a room opens with, each older one
 * @property {number} maxBody  the longest message body, in code points
 * @property {number} typingShowSeconds  how long a `typing` frame is shown
 */

/**
 * The JSON in the json_script element `id`, or `fallback` if it is missing or broken.
 * @template T
 * @param {string} id
 * @param {T} fallback
 * @param {Pick<Document, "getElementById">} [doc]
 * @returns {any | T}
 */
export function readJsonScript(id, fallback, doc = globalThis.document) {
  const el = doc?.getElementById(id);
  if (!el) return fallback;
  try {
    return JSON.parse(el.textContent ?? "");
  } catch {
    return fallback;
  }
}

/** @type {ClientConfig | null} */
let cached = null;

/**
 * The page's client config, read once.
 * @param {Pick<Document, "getElementById">} [doc]
 * @returns {ClientConfig}
 */
export function clientConfig(doc = globalThis.document) {
  if (cached === null) {
    const config = readJsonScript("client-config", null, doc);
    if (!config || typeof config.closeCodes !== "object") {
      throw new Error("parley: the page has no #client-config (see client_config in views.py)");
    }
    cached = /** @type {ClientConfig} */ (config);
  }
  return cached;
}
