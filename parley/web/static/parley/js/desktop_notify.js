// @ts-check
// Desktop notifications from the open tab (the Notification API): a `message` frame that is for
// the user (notify_rules.js shouldNotify: a mention, a direct message, a room at level "all";
// never the user's own, never what they are looking at) shows one, tagged with its room so a
// newer one replaces the older. A click brings the tab forward and opens the message there
// (/rooms/<slug>/?seq=N, message_jump.js). With the sound on (a per-browser choice, stored in
// localStorage by the user menu's toggle) a short chime plays too.
//
// Permission is never asked here: notify_setup.js asks from the user's click. While the tab is
// open the server sends no Web Push (docs/protocol.md), so the two never double up.

import { notificationFor, shouldNotify } from "./notify_rules.js";

/** @typedef {import("./socket.js").ParleySocket} ParleySocket */

export const SOUND_KEY = "parley.notify.sound";

/**
 * Is the notification sound on in this browser? (Off until the user turns it on.)
 * @param {Pick<Storage, "getItem"> | null} [storage]
 */
export function soundOn(storage = safeStorage()) {
  return storage?.getItem(SOUND_KEY) === "on";
}

/**
 * @param {boolean} on
 * @param {Pick<Storage, "setItem"> | null} [storage]
 */
export function setSound(on, storage = safeStorage()) {
  try {
    storage?.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // Storage full or refused (private mode): the choice lasts as long as the page.
  }
}

/** localStorage, or null where the browser refuses it. */
function safeStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export class DesktopNotifier {
  /**
   * @param {ParleySocket} socket
   * @param {object} options
   * @param {string} options.me
   * @param {(room: string) => string} options.levelOf  the user's level there ("" unknown)
   * @param {(room: string) => boolean} options.isDirect
   * @param {(room: string) => string} options.roomName
   * @param {() => string | null} options.openRoom  the slug of the room open on the page
   * @param {{icon?: string, sound?: string}} [options.assets]  URLs of the icon and the chime
   */
  constructor(socket, { me, levelOf, isDirect, roomName, openRoom, assets = {} }) {
    this.options = { me, levelOf, isDirect, roomName, openRoom };
    this.assets = assets;
    /** @type {Map<string, number>} the newest seq notified per room: a replay notifies once */
    this.notified = new Map();
    /** @type {HTMLAudioElement | null} */
    this.audio = null;
    this.off = socket.on("message", (frame) => this.consider(frame));
  }

  /**
   * A `message` frame: show a notification if it is for the user. Returns whether it did.
   * @param {any} frame
   */
  consider(frame) {
    const N = globalThis.Notification;
    if (typeof N !== "function" || N.permission !== "granted") return false;
    if (typeof frame?.room !== "string" || !Number.isInteger(frame.seq)) return false;
    const { me, levelOf, isDirect, roomName, openRoom } = this.options;
    const room = frame.room;
    if (frame.seq <= (this.notified.get(room) ?? 0)) return false;
    const direct = isDirect(room);
    const looking = document.visibilityState === "visible" && document.hasFocus();
    const context = { me, level: levelOf(room), direct, open: openRoom(), looking };
    if (!shouldNotify(frame, context)) return false;
    this.notified.set(room, frame.seq);
    this.show(notificationFor(frame, { roomName: roomName(room), direct }));
    return true;
  }

  /**
   * @param {import("./notify_rules.js").NotificationText} text
   */
  show({ title, body, tag, url }) {
    /** @type {Notification} */
    let shown;
    try {
      shown = new Notification(title, { body, tag, icon: this.assets.icon, data: { url } });
    } catch {
      // Chrome on Android allows notifications only from a service worker: the push covers it.
      return;
    }
    // The browser's own action (bringing the tab forward) is kept; the tab then goes there.
    shown.addEventListener("click", () => {
      shown.close();
      window.focus();
      window.location.assign(url);
    });
    if (soundOn()) this.chime();
  }

  chime() {
    if (!this.assets.sound) return;
    this.audio ??= new Audio(this.assets.sound);
    this.audio.currentTime = 0;
    // Autoplay rules may refuse a sound before the user touched the page: a silent notification.
    this.audio.play().catch(() => {});
  }

  dispose() {
    this.off();
  }
}
