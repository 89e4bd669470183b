// Parley's service worker, served as /sw.js (parley/web/pwa.py) so that its scope is the whole
// site. A classic script, not a module: every browser that pushes runs it.
//
// push: the server's payload (docs/protocol.md, "Web Push": JSON {title, body, url, room, seq})
// becomes a notification tagged with its room (a newer one replaces the older), and the app
// icon's badge counts the notifications shown. notificationclick: an open Parley tab is focused
// and taken to the message (/rooms/<slug>/?seq=N); with none, a new window opens there.
// pushsubscriptionchange: the browser renewed the subscription; the server gets the new one.
//
// The handlers' work is in plain functions on self.parley, which the browser tests call
// directly where headless Chromium cannot receive a real push (tests/e2e/browser) and
// tests/js/service_worker.test.mjs runs in a fake worker scope.

"use strict";

const ICON = "/static/parley/img/icon-192.png";
const KEY_URL = "/push/key";
const SUBSCRIPTIONS_URL = "/push/subscriptions";

/**
 * Only a path of this site may be opened: a payload naming another origin opens the home page.
 * @param {unknown} url
 * @param {string} origin
 */
function sameOriginUrl(url, origin) {
  try {
    const target = new URL(typeof url === "string" && url ? url : "/", origin);
    return target.origin === origin ? target.href : new URL("/", origin).href;
  } catch {
    return new URL("/", origin).href;
  }
}

/**
 * The notification a push payload shows: [title, options].
 * @param {any} payload
 * @param {string} origin
 */
function notificationFromPush(payload, origin) {
  const data = payload && typeof payload === "object" ? payload : {};
  const title = typeof data.title === "string" && data.title ? data.title : "Parley";
  const room = typeof data.room === "string" ? data.room : "";
  return [
    title,
    {
      body: typeof data.body === "string" ? data.body : "",
      tag: room || undefined,
      icon: ICON,
      badge: ICON,
      data: { url: sameOriginUrl(data.url, origin), room, seq: data.seq },
    },
  ];
}

/** The push event's JSON, or {} when it has none or it is not JSON. */
function payloadOf(event) {
  try {
    return event.data ? event.data.json() : {};
  } catch {
    return {};
  }
}

async function showPush(payload) {
  const [title, options] = notificationFromPush(payload, self.location.origin);
  await self.registration.showNotification(title, options);
  await updateBadge();
}

/** The app icon counts the notifications still shown, where the browser has a badge. */
async function updateBadge() {
  if (typeof self.navigator.setAppBadge !== "function") return;
  try {
    const shown = await self.registration.getNotifications();
    if (shown.length) await self.navigator.setAppBadge(shown.length);
    else await self.navigator.clearAppBadge();
  } catch {
    // No badge for a site that is not installed: nothing to show.
  }
}

/**
 * Focus a Parley tab and take it to `url`, or open a window there. Returns the client.
 * @param {string} url
 */
async function openMessage(url) {
  const target = sameOriginUrl(url, self.location.origin);
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const ours = windows.filter((client) => new URL(client.url).origin === self.location.origin);
  ours.sort((a, b) => Number(b.focused) - Number(a.focused));
  for (const client of ours) {
    let shown = client;
    try {
      shown = await client.focus();
    } catch {
      // Focusing needs the click's user activation; without it the tab still goes there.
    }
    try {
      return (await shown.navigate(target)) ?? shown;
    } catch {
      // Not controlled by this worker (opened before it was installed): try the next one.
    }
  }
  return self.clients.openWindow(target);
}

async function onNotificationClick(event) {
  const notification = event.notification;
  notification.close();
  const url = notification.data && notification.data.url;
  const client = await openMessage(url || "/");
  await updateBadge();
  return client;
}

/** The CSRF token of the session, which the worker can read only through cookieStore. */
async function csrfToken() {
  try {
    const cookie = self.cookieStore ? await self.cookieStore.get("csrftoken") : null;
    return cookie ? cookie.value : "";
  } catch {
    return "";
  }
}

function base64UrlBytes(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (char) => char.charCodeAt(0));
}

async function sendSubscription(method, body) {
  return fetch(SUBSCRIPTIONS_URL, {
    method,
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": await csrfToken() },
    body: JSON.stringify(body),
  });
}

async function onSubscriptionChange(event) {
  let fresh = event.newSubscription || null;
  if (!fresh) {
    const answer = await fetch(KEY_URL);
    if (!answer.ok) return null;
    const { key } = await answer.json();
    fresh = await self.registration.pushManager.subscribe({
      userVisibleOnly: true,
      applicationServerKey: base64UrlBytes(key),
    });
  }
  if (event.oldSubscription) {
    const old = { endpoint: event.oldSubscription.endpoint };
    await sendSubscription("DELETE", old).catch(() => null);
  }
  const { endpoint, keys } = fresh.toJSON();
  await sendSubscription("POST", { endpoint, keys: { p256dh: keys.p256dh, auth: keys.auth } });
  return fresh;
}

self.parley = {
  notificationFromPush,
  showPush,
  openMessage,
  onNotificationClick,
  onSubscriptionChange,
};

self.addEventListener("install", () => self.skipWaiting());
// Pages open before the worker was installed become its clients, so a click can navigate them.
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("push", (event) => event.waitUntil(showPush(payloadOf(event))));
self.addEventListener("notificationclick", (event) => event.waitUntil(onNotificationClick(event)));
self.addEventListener("notificationclose", (event) => event.waitUntil(updateBadge()));
self.addEventListener("pushsubscriptionchange", (event) =>
  event.waitUntil(onSubscriptionChange(event).catch(() => null)),
);
