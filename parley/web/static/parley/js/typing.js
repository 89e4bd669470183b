// @ts-check
// "ada is typing…" as data: when to send `typing` frames while the composer is used, and who
// else is typing in the room. No DOM: room.js shows the line.
//
// The client sends at most one `typing` frame every SEND_EVERY_MS while its user types. The
// server passes it to the room's other subscribers (never back to the typist's own
// connections); each name shown expires `showFor` ms after its last frame (the server's
// `typingShowSeconds`, config.js), and goes at once when that person's message arrives. The
// user's own name is never shown, whatever comes in.

import { realClock } from "./clock.js";

/** @typedef {import("./clock.js").Clock} Clock */

export const SEND_EVERY_MS = 3000;

/**
 * The line for the people typing, in the order they started.
 * @param {string[]} names
 */
export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

/**
 * Calls `send()` on input, at most once per `every` ms (the server drops more frequent ones).
 * After a message is sent (`sent()`), the receivers have cleared the indicator: typing on right
 * away is reported as soon as the interval allows, instead of at the next key after it.
 * `send()` returns false when nothing could be sent (offline): the next key tries again.
 */
export class TypingNotifier {
  /**
   * @param {() => boolean} send
   * @param {{every?: number, clock?: Clock}} [options]
   */
  constructor(send, { every = SEND_EVERY_MS, clock = realClock } = {}) {
    this.send = send;
    this.every = every;
    this.clock = clock;
    this.lastSent = -Infinity;
    this.afterMessage = false;
    /** @type {unknown} */
    this.timer = null;
  }

  /** A key in the composer; true if a frame went now. */
  input() {
    const wait = this.lastSent + this.every - this.clock.now();
    if (wait <= 0) return this.fire();
    if (this.afterMessage && this.timer === null) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        this.fire();
      }, wait);
    }
    return false;
  }

  fire() {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.send() === false) return false;
    this.lastSent = this.clock.now();
    this.afterMessage = false;
    return true;
  }

  /** A message was sent: nothing is being typed now. */
  sent() {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.afterMessage = true;
  }
}

/** Who else is typing in a room: each name for `showFor` ms after their last `typing` frame. */
export class TypingNames {
  /**
   * `onChange(names)` follows every change of who is shown.
   * @param {object} options
   * @param {string} options.me
   * @param {number} options.showFor
   * @param {(names: string[]) => void} [options.onChange]
   * @param {Clock} [options.clock]
   */
  constructor({ me, showFor, onChange = () => {}, clock = realClock }) {
    this.me = me;
    this.showFor = showFor;
    this.onChange = onChange;
    this.clock = clock;
    /** @type {Map<string, unknown>} username -> expiry timer, in the order they started */
    this.timers = new Map();
  }

  /**
   * A `typing` frame from `username`.
   * @param {unknown} username
   */
  saw(username) {
    if (typeof username !== "string" || !username || username === this.me) return;
    const known = this.timers.has(username);
    this.clock.clearTimeout(this.timers.get(username));
    this.timers.set(
      username,
      this.clock.setTimeout(() => this.stop(username), this.showFor),
    );
    if (!known) this.onChange(this.names);
  }

  /**
   * `username` stopped (their message arrived, they left): off the line at once.
   * @param {unknown} username
   */
  stop(username) {
    if (typeof username !== "string" || !this.timers.has(username)) return;
    this.clock.clearTimeout(this.timers.get(username));
    this.timers.delete(username);
    this.onChange(this.names);
  }

  clear() {
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.onChange(this.names);
  }

  /** @returns {string[]} */
  get names() {
    return [...this.timers.keys()];
  }
}
