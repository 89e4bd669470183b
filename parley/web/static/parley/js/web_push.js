// @ts-check
// The service worker (/sw.js, scope "/") and this browser's Web Push subscription, against the
// server's contract (docs/protocol.md, "Web Push"): GET /push/key gives the VAPID public key,
// POST /push/subscriptions (session + CSRF) stores {endpoint, keys: {p256dh, auth}}, DELETE
// with {endpoint} removes it. Every step can fail where the browser has no push service
// (headless Chromium, some privacy modes) or the server has no push: each answer says why,
// nothing throws, and the page's own notifications (desktop_notify.js) keep working.

import { csrfToken } from "./uploads.js";

export const WORKER_URL = "/sw.js";
export const KEY_URL = "/push/key";
export const SUBSCRIPTIONS_URL = "/push/subscriptions";
/** Set when the user turned push off on this device: it is not subscribed again by itself. */
export const PUSH_OFF_KEY = "parley.push.off";

/**
 * @typedef {{ok: true}
 *   | {ok: false, reason: "unsupported" | "unavailable" | "refused"}} PushOutcome
 * "unsupported": this browser cannot push; "unavailable": the server has no push (or did not
 * answer); "refused": the server refused the subscription.
 */

/**
 * A base64url string (the VAPID key) as bytes, as pushManager.subscribe wants it.
 * @param {string} text
 * @returns {Uint8Array}
 */
export function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const binary = atob(padded);
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/**
 * The body POST /push/subscriptions takes, from a PushSubscription's JSON.
 * @param {{endpoint?: unknown, keys?: {p256dh?: unknown, auth?: unknown}}} json
 * @returns {{endpoint: string, keys: {p256dh: string, auth: string}} | null}
 */
export function subscriptionBody(json) {
  const { endpoint, keys } = json ?? {};
  if (typeof endpoint !== "string" || typeof keys?.p256dh !== "string") return null;
  if (typeof keys.auth !== "string") return null;
  return { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } };
}

/** Can this browser run a service worker and push at all? */
export function pushSupported() {
  return "serviceWorker" in navigator && "PushManager" in window && window.isSecureContext;
}

/**
 * Register the worker (again: harmless) and return its registration, or null.
 * @returns {Promise<ServiceWorkerRegistration | null>}
 */
export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  try {
    return await navigator.serviceWorker.register(WORKER_URL, { scope: "/" });
  } catch {
    return null;
  }
}

/**
 * @param {string} method
 * @param {unknown} body
 * @param {{keepalive?: boolean}} [options]
 */
function sendJson(method, body, { keepalive = false } = {}) {
  return fetch(SUBSCRIPTIONS_URL, {
    method,
    keepalive,
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      "X-CSRFToken": csrfToken(),
    },
    body: JSON.stringify(body),
  });
}

/** The server's VAPID public key, or null. */
async function serverKey() {
  try {
    const answer = await fetch(KEY_URL, { headers: { Accept: "application/json" } });
    if (!answer.ok) return null;
    const { key } = await answer.json();
    return typeof key === "string" && key ? key : null;
  } catch {
    return null;
  }
}

/**
 * Subscribe this browser to push and give the subscription to the server. Call after the
 * permission was granted (pushManager.subscribe asks for it otherwise).
 * @param {ServiceWorkerRegistration | null} registration
 * @returns {Promise<PushOutcome>}
 */
export async function pushSubscribe(registration) {
  if (!registration?.pushManager) return { ok: false, reason: "unsupported" };
  const key = await serverKey();
  if (!key) return { ok: false, reason: "unavailable" };
  /** @type {PushSubscription} */
  let subscription;
  try {
    subscription = await registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(key),
    });
  } catch {
    // No push service (headless Chromium), or a key of another server left subscribed.
    return { ok: false, reason: "unsupported" };
  }
  const body = subscriptionBody(subscription.toJSON());
  if (!body) return { ok: false, reason: "unsupported" };
  try {
    const answer = await sendJson("POST", body);
    if (answer.ok) return { ok: true };
    await subscription.unsubscribe().catch(() => false);
    return { ok: false, reason: answer.status === 404 ? "unavailable" : "refused" };
  } catch {
    return { ok: false, reason: "unavailable" };
  }
}

/**
 * This browser's push subscription, or null.
 * @param {ServiceWorkerRegistration | null} registration
 */
export async function currentSubscription(registration) {
  try {
    return (await registration?.pushManager?.getSubscription()) ?? null;
  } catch {
    return null;
  }
}

/**
 * Stop push to this browser: the server forgets the endpoint, the browser drops it. Safe to
 * call while the page goes away (logout): the DELETE is sent with keepalive.
 * @param {ServiceWorkerRegistration | null} registration
 * @returns {Promise<boolean>} whether there was a subscription
 */
export async function pushUnsubscribe(registration) {
  const subscription = await currentSubscription(registration);
  if (!subscription) return false;
  await sendJson("DELETE", { endpoint: subscription.endpoint }, { keepalive: true }).catch(
    () => null,
  );
  await subscription.unsubscribe().catch(() => false);
  return true;
}
