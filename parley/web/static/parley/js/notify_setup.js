// @ts-check
// Notifications in the user menu of every signed-in page (_user_menu.html, [data-notify-setup]):
// the service worker is registered, and the "Enable desktop notifications" button asks for the
// permission (only from that click, never on page load), then subscribes this browser to Web
// Push (web_push.js). The button is hidden once notifications are granted (it comes back if the
// user turned push off on this device) and replaced by an explanation when they are blocked; the
// sound toggle is a per-browser choice (desktop_notify.js). Logging out drops this browser's
// push subscription first, so a shared computer stops receiving the user's messages.

import { SOUND_KEY, setSound, soundOn } from "./desktop_notify.js";
import {
  PUSH_OFF_KEY,
  currentSubscription,
  pushSubscribe,
  pushSupported,
  pushUnsubscribe,
  registerWorker,
} from "./web_push.js";

/** How long logging out waits for the push subscription to be dropped. */
const LOGOUT_WAIT_MS = 1500;

const TEXT = Object.freeze({
  on: "Desktop notifications are on.",
  tabOnly:
    "Notifications show while Parley is open in a tab; " +
    "this browser cannot receive them when it is closed.",
  serverOff: "Notifications show while Parley is open in a tab (this server has no Web Push).",
  refused:
    "Notifications show while Parley is open in a tab; " +
    "the server refused this browser's push address.",
  pushOff: "Notifications show while Parley is open in a tab; push to this device is off.",
  denied:
    "Notifications are blocked for this site. To get them, allow notifications for it " +
    "in your browser's site settings, then reload.",
  unsupported: "This browser cannot show notifications.",
});

/**
 * @param {ParentNode} [root]
 */
export function bindNotifySetup(root = document) {
  const box = /** @type {HTMLElement | null} */ (root.querySelector("[data-notify-setup]"));
  if (!box) return;
  /** @param {string} name */
  const part = (name) => /** @type {HTMLElement | null} */ (box.querySelector(`[data-${name}]`));
  const enable = /** @type {HTMLButtonElement | null} */ (part("notify-enable"));
  const pushOff = /** @type {HTMLButtonElement | null} */ (part("push-off"));
  const status = part("notify-status");
  const sound = /** @type {HTMLInputElement | null} */ (part("notify-sound"));
  box.hidden = false;
  const registered = registerWorker();

  /** @param {string} text */
  const say = (text) => {
    if (status) {
      status.textContent = text;
      status.hidden = text === "";
    }
  };
  const pushIsOff = () => stored(() => localStorage.getItem(PUSH_OFF_KEY)) === "on";

  async function render() {
    const N = globalThis.Notification;
    if (typeof N !== "function") {
      if (enable) enable.hidden = true;
      if (sound) sound.closest("label")?.setAttribute("hidden", "");
      say(TEXT.unsupported);
      return;
    }
    const permission = N.permission;
    const subscribed = (await currentSubscription(await registered)) !== null;
    if (enable) {
      enable.hidden = !(permission === "default" || (permission === "granted" && pushIsOff()));
    }
    if (pushOff) pushOff.hidden = !(permission === "granted" && subscribed);
    if (permission === "denied") say(TEXT.denied);
    else if (permission === "granted" && pushIsOff()) say(TEXT.pushOff);
    else if (permission === "granted" && subscribed) say(TEXT.on);
    else if (permission === "granted" && !status?.textContent) say(TEXT.on);
    else if (permission === "default") say("");
  }

  enable?.addEventListener("click", async () => {
    const permission = await Notification.requestPermission();
    if (permission !== "granted") {
      await render();
      return;
    }
    stored(() => localStorage.removeItem(PUSH_OFF_KEY));
    const outcome = pushSupported() ? await pushSubscribe(await registered) : null;
    if (!outcome) say(TEXT.tabOnly);
    else if (outcome.ok) say(TEXT.on);
    else if (outcome.reason === "unavailable") say(TEXT.serverOff);
    else say(outcome.reason === "refused" ? TEXT.refused : TEXT.tabOnly);
    await render();
  });

  pushOff?.addEventListener("click", async () => {
    stored(() => localStorage.setItem(PUSH_OFF_KEY, "on"));
    await pushUnsubscribe(await registered);
    say(TEXT.pushOff);
    await render();
  });

  if (sound) {
    sound.checked = soundOn();
    sound.addEventListener("change", () => setSound(sound.checked));
    // Another tab changed it: this one follows.
    window.addEventListener("storage", (event) => {
      if (event.key === SOUND_KEY) sound.checked = soundOn();
    });
  }

  for (const form of document.querySelectorAll("form.user-menu__form")) {
    form.addEventListener("submit", (event) => {
      const logout = /** @type {HTMLFormElement} */ (event.currentTarget);
      if (logout.dataset.pushDropped === "true") return;
      event.preventDefault();
      logout.dataset.pushDropped = "true";
      const timeout = new Promise((resolve) => setTimeout(resolve, LOGOUT_WAIT_MS));
      const dropped = registered.then((registration) => pushUnsubscribe(registration));
      Promise.race([dropped, timeout])
        .catch(() => null)
        // submit(), not requestSubmit(): no second submit event, and Chromium was seen to
        // drop a requestSubmit() made after the first one was cancelled.
        .then(() => logout.submit());
    });
  }

  render();
}

/**
 * `use(localStorage)`, or null where the browser refuses storage (some private modes).
 * @template T
 * @param {() => T} use
 * @returns {T | null}
 */
function stored(use) {
  try {
    return use();
  } catch {
    return null;
  }
}

bindNotifySetup();
