// @ts-check
// The connection indicator: shows a ParleySocket's state in an element, with a countdown
// while it waits to reconnect and a "Retry now" button.
//
// Markup (server-rendered, see base templates):
//   <div class="conn" data-conn data-state="connecting" hidden>
//     <span class="conn__dot" aria-hidden="true"></span>
//     <span class="conn__label" aria-hidden="true">Connecting…</span>
//     <span class="conn__announce visually-hidden" role="status"></span>
//     <button type="button" class="conn__retry" hidden>Retry now</button>
//   </div>
// It stays hidden without JavaScript. The visible label ticks every second while waiting; the
// screen-reader announcement changes only with the state, so it does not chatter.

import { State, loginUrl } from "./socket.js";

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
      const seconds = Math.max(0, Math.ceil(((retryAt ?? now) - now) / 1000));
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
 * Show `socket`'s state in `element` (the [data-conn] markup above), from now on.
 * @param {import("./socket.js").ParleySocket} socket
 * @param {Element | null} element
 */
export function bindIndicator(socket, element) {
  if (!(element instanceof HTMLElement)) return;
  const label = element.querySelector(".conn__label") || element;
  const announce = element.querySelector(".conn__announce");
  const retry = /** @type {HTMLButtonElement | null} */ (element.querySelector(".conn__retry"));
  /** @type {ReturnType<typeof setInterval> | undefined} */
  let ticker;
  /** @type {string | null} */
  let announced = null;
  element.hidden = false;

  const render = () => {
    const { state, retryAt } = socket;
    element.dataset.state = state;
    const text = describeState(state, retryAt);
    if (label.textContent !== text) label.textContent = text;
    if (announce && announced !== state) {
      announced = state;
      announce.textContent = `Connection: ${describeState(state, null).replace(/ in \d+ s$/, "")}`;
    }
    if (retry) {
      retry.hidden = !(state === State.RECONNECTING || state === State.SIGNED_OUT);
      retry.textContent = state === State.SIGNED_OUT ? "Sign in" : "Retry now";
    }
    clearInterval(ticker);
    ticker = state === State.RECONNECTING ? setInterval(render, 1000) : undefined;
  };

  if (retry) {
    retry.addEventListener("click", () => {
      if (socket.state === State.SIGNED_OUT) window.location.assign(loginUrl());
      else socket.reconnectNow();
    });
  }
  socket.on("state", render);
  render();
}
