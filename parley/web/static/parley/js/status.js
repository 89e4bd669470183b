// @ts-check
// How the page shows its connection: a small indicator in the header, a full-width banner at
// the top of the page's column while the connection is not live, and the state on <html> for
// what goes stale without it (connection_state.js: presence dots grey, their labels say so).
//
// The indicator's markup (server-rendered, parley/_connection.html; it lives in #room-view and
// is bound again for each room, so bindIndicator takes a signal):
//   <div class="conn" data-conn data-state="connecting" hidden>
//     <span class="conn__dot" aria-hidden="true"></span>
//     <span class="conn__label" aria-hidden="true">Connecting…</span>
//     <span class="conn__announce visually-hidden" role="status"></span>
//     <button type="button" class="conn__retry" hidden>Retry now</button>
//   </div>
// It stays hidden without JavaScript; its label ticks every second while waiting.
//
// The banner is built here once per page (bindConnection, outside #room-view so a room switch
// keeps it) at the top of #main. Its visible text ticks too, so it is aria-hidden: a separate
// polite status line says each state once. Screen readers hear the banner, not the indicator.
// It does not show during the page's first connection unless that takes FIRST_CONNECT_GRACE_MS
// (a page that opens live should not flash "Connecting"), and says "Back online" briefly when
// the connection comes back after it showed.

import { CONNECTION_ATTRIBUTE, relabelPresence } from "./connection_state.js";
import { State, loginUrl } from "./socket.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

export const FIRST_CONNECT_GRACE_MS = 2000;
export const BACK_ONLINE_MS = 2500;

/**
 * What the indicator says for `state` (a countdown while waiting to reconnect).
 * @param {string} state
 * @param {number | null} retryAt
 * @param {number} [now]
 * @returns {string}
 */
export function describeState(state, retryAt, now = Date.now()) {
  switch (state) {
    case State.LIVE:
      return "Live";
    case State.CONNECTING:
      return "Connecting…";
    case State.RECONNECTING: {
      const seconds = secondsUntil(retryAt, now);
      return seconds > 0 ? `Reconnecting in ${seconds} s` : "Reconnecting…";
    }
    case State.OFFLINE:
      return "Offline";
    case State.SIGNED_OUT:
      return "Signed out";
    default:
      return state;
  }
}

/**
 * @param {number | null} retryAt
 * @param {number} now
 */
function secondsUntil(retryAt, now) {
  return Math.max(0, Math.ceil(((retryAt ?? now) - now) / 1000));
}

/**
 * @typedef {object} Banner
 * @property {"lost" | "offline" | "signed-out" | "back"} kind
 * @property {string} text  what it shows (may tick)
 * @property {string} announce  what a screen reader hears, once per state
 * @property {"retry" | "sign-in" | null} action
 */

/**
 * What the banner shows, or null for no banner.
 * @param {object} page
 * @param {string} page.state  the socket's state
 * @param {number | null} page.retryAt
 * @param {boolean} page.everLive  the page has been live since it opened
 * @param {boolean} page.waitedLong  the first connection has taken FIRST_CONNECT_GRACE_MS
 * @param {boolean} page.backOnline  live again after a banner, within BACK_ONLINE_MS
 * @param {number} [now]
 * @returns {Banner | null}
 */
export function bannerFor({ state, retryAt, everLive, waitedLong, backOnline }, now = Date.now()) {
  switch (state) {
    case State.LIVE:
      return backOnline
        ? { kind: "back", text: "Back online.", announce: "Back online.", action: null }
        : null;
    case State.SIGNED_OUT:
      return {
        kind: "signed-out",
        text: "Signed out: sign in to send.",
        announce: "Signed out: sign in to send.",
        action: "sign-in",
      };
    case State.OFFLINE:
      return {
        kind: "offline",
        text: "You are offline. Messages you write are kept and sent when you are back.",
        announce: "You are offline. Messages you write are kept and sent when you are back.",
        action: null,
      };
    case State.CONNECTING:
    case State.RECONNECTING: {
      if (!everLive && !waitedLong) return null;
      const lead = everLive ? "Connection lost." : "Cannot connect.";
      const seconds = state === State.RECONNECTING ? secondsUntil(retryAt, now) : 0;
      return {
        kind: "lost",
        text: seconds > 0 ? `${lead} Reconnecting in ${seconds} s…` : `${lead} Reconnecting…`,
        announce: `${lead} Reconnecting.`,
        action: "retry",
      };
    }
    default:
      return null;
  }
}

/** @type {WeakMap<ParleySocket, HTMLElement>} the banner bound to each socket */
const bound = new WeakMap();

/**
 * The banner's element: the page's [data-conn-banner] if it has one, else one made at the top
 * of #main (or the body).
 * @param {Document} doc
 */
function bannerElement(doc) {
  const existing = doc.querySelector("[data-conn-banner]");
  if (existing instanceof HTMLElement) return existing;
  const banner = doc.createElement("div");
  banner.className = "conn-banner";
  banner.dataset.connBanner = "";
  const bar = doc.createElement("div");
  bar.className = "conn-banner__bar";
  bar.hidden = true;
  const text = doc.createElement("p");
  text.className = "conn-banner__text";
  text.setAttribute("aria-hidden", "true");
  const retry = doc.createElement("button");
  retry.type = "button";
  retry.className = "conn-banner__retry button button--secondary";
  retry.textContent = "Retry now";
  const signIn = doc.createElement("a");
  signIn.className = "conn-banner__sign-in button";
  signIn.textContent = "Sign in";
  const announce = doc.createElement("p");
  announce.className = "conn-banner__announce visually-hidden";
  announce.setAttribute("role", "status");
  announce.setAttribute("aria-live", "polite");
  bar.append(text, retry, signIn);
  banner.append(bar, announce);
  const column = doc.getElementById("main") ?? doc.body;
  column.prepend(banner);
  return banner;
}

/**
 * Show the connection of `socket` on the page for as long as the page lives: the banner, and
 * the state on <html> (data-connection). Binding the same socket again does nothing.
 * @param {ParleySocket} socket
 * @param {Document} [doc]
 * @returns {HTMLElement} the banner
 */
export function bindConnection(socket, doc = document) {
  const already = bound.get(socket);
  if (already) return already;
  const banner = bannerElement(doc);
  bound.set(socket, banner);
  const bar = /** @type {HTMLElement} */ (banner.querySelector(".conn-banner__bar"));
  const text = /** @type {HTMLElement} */ (banner.querySelector(".conn-banner__text"));
  const announce = /** @type {HTMLElement} */ (banner.querySelector(".conn-banner__announce"));
  const retry = /** @type {HTMLButtonElement} */ (banner.querySelector(".conn-banner__retry"));
  const signIn = /** @type {HTMLAnchorElement} */ (banner.querySelector(".conn-banner__sign-in"));

  const openedAt = Date.now();
  let everLive = false;
  let shown = false;
  let backUntil = 0;
  /** @type {string | null} */
  let announced = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const render = () => {
    const { state, retryAt } = socket;
    const now = Date.now();
    if (state === State.LIVE) {
      if (!everLive) everLive = true;
      else if (shown && !backUntil) backUntil = now + BACK_ONLINE_MS;
    } else {
      backUntil = 0;
    }
    doc.documentElement.setAttribute(CONNECTION_ATTRIBUTE, state);
    relabelPresence(doc, state === State.LIVE);

    const view = bannerFor(
      {
        state,
        retryAt,
        everLive,
        waitedLong: now - openedAt >= FIRST_CONNECT_GRACE_MS,
        backOnline: backUntil > now,
      },
      now,
    );
    if (!view) {
      // The focus was on the banner's button: it must not fall to the body when it goes.
      if (bar.contains(doc.activeElement)) doc.getElementById("main")?.focus();
      bar.hidden = true;
      shown = false;
      backUntil = 0;
    } else {
      bar.hidden = false;
      shown = view.kind !== "back";
      banner.dataset.state = view.kind;
      if (text.textContent !== view.text) text.textContent = view.text;
      retry.hidden = view.action !== "retry";
      signIn.hidden = view.action !== "sign-in";
      if (view.action === "sign-in") signIn.href = loginUrl();
    }
    const heard = view ? view.announce : "";
    if (announced !== heard) {
      announced = heard;
      announce.textContent = heard;
    }

    // Tick while counting down; wake up when the first-connect grace or "Back online" ends.
    clearTimeout(timer);
    timer = undefined;
    if (view?.kind === "lost" && state === State.RECONNECTING) timer = setTimeout(render, 1000);
    else if (view?.kind === "back") timer = setTimeout(render, backUntil - now);
    else if (!view && !everLive && state !== State.LIVE) {
      timer = setTimeout(render, Math.max(0, openedAt + FIRST_CONNECT_GRACE_MS - now));
    }
  };

  retry.addEventListener("click", () => socket.reconnectNow());
  // Rooms change without a reload: come back to the one open when the link is followed.
  signIn.addEventListener("click", () => {
    signIn.href = loginUrl();
  });
  socket.on("state", render);
  render();
  return banner;
}

/**
 * Show `socket`'s state in `element` (the [data-conn] markup above) until `signal` aborts (the
 * room view is gone); binds the page's banner too (once per socket).
 * @param {ParleySocket} socket
 * @param {Element | null} element
 * @param {{signal?: AbortSignal}} [options]
 * @returns {() => void} stops it
 */
export function bindIndicator(socket, element, { signal } = {}) {
  bindConnection(socket);
  if (!(element instanceof HTMLElement) || signal?.aborted) return () => {};
  const label = element.querySelector(".conn__label") || element;
  const retry = /** @type {HTMLButtonElement | null} */ (element.querySelector(".conn__retry"));
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  element.hidden = false;

  const render = () => {
    const { state, retryAt } = socket;
    element.dataset.state = state;
    const text = describeState(state, retryAt);
    if (label.textContent !== text) label.textContent = text;
    if (retry) {
      retry.hidden = !(state === State.RECONNECTING || state === State.SIGNED_OUT);
      retry.textContent = state === State.SIGNED_OUT ? "Sign in" : "Retry now";
    }
    clearInterval(ticker);
    ticker = state === State.RECONNECTING ? setInterval(render, 1000) : undefined;
  };

  const onRetry = () => {
    if (socket.state === State.SIGNED_OUT) window.location.assign(loginUrl());
    else socket.reconnectNow();
  };
  retry?.addEventListener("click", onRetry);
  const off = socket.on("state", render);
  render();
  const dispose = () => {
    off();
    clearInterval(ticker);
    retry?.removeEventListener("click", onRetry);
  };
  signal?.addEventListener("abort", dispose, { once: true });
  return dispose;
}
