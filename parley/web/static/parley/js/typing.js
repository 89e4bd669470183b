// "ada is typing…": sending `typing` frames while the composer is used, and showing who else
// is typing in the room.
//
// The client sends at most one `typing` frame every SEND_EVERY_MS while its user types. The
// server passes it to the room's other subscribers (never back to the typist's own
// connections); each name shown expires SHOW_FOR_MS after its last frame, and goes at once when
// that person's message arrives. The user's own name is never shown, whatever comes in.

export const SEND_EVERY_MS = 3000;
export const SHOW_FOR_MS = 6000;

export function typingText(names) {
  if (names.length === 0) return "";
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  return "Several people are typing…";
}

/**
 * Calls `send()` on input, at most once per SEND_EVERY_MS (the server drops more frequent
 * ones). After a message is sent (`sent()`), the receivers have cleared the indicator: typing
 * on right away is reported as soon as the interval allows, instead of at the next key after
 * it. `send()` returns false when nothing could be sent (offline): the next key tries again.
 */
export class TypingNotifier {
  constructor(send, { every = SEND_EVERY_MS, now = () => Date.now() } = {}) {
    this.send = send;
    this.every = every;
    this.now = now;
    this.lastSent = -Infinity;
    this.afterMessage = false;
    this.timer = null;
  }

  input() {
    const wait = this.lastSent + this.every - this.now();
    if (wait <= 0) return this.fire();
    if (this.afterMessage && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.fire();
      }, wait);
    }
    return false;
  }

  fire() {
    clearTimeout(this.timer);
    this.timer = null;
    if (this.send() === false) return false;
    this.lastSent = this.now();
    this.afterMessage = false;
    return true;
  }

  /** A message was sent: nothing is being typed now. */
  sent() {
    clearTimeout(this.timer);
    this.timer = null;
    this.afterMessage = true;
  }
}

/** The "… is typing…" line of a room (an aria-live="polite" element). */
export class TypingIndicator {
  constructor(element, { me, showFor = SHOW_FOR_MS } = {}) {
    this.element = element;
    this.me = me;
    this.showFor = showFor;
    this.timers = new Map(); // username -> timeout, in the order they started typing
  }

  /** A `typing` frame from `username`. */
  saw(username) {
    if (typeof username !== "string" || !username || username === this.me) return;
    const known = this.timers.has(username);
    clearTimeout(this.timers.get(username));
    const timer = setTimeout(() => this.stop(username), this.showFor);
    if (known) this.timers.set(username, timer);
    else {
      this.timers.set(username, timer);
      this.render();
    }
  }

  /** `username` stopped (their message arrived, they left): off the line at once. */
  stop(username) {
    if (!this.timers.has(username)) return;
    clearTimeout(this.timers.get(username));
    this.timers.delete(username);
    this.render();
  }

  clear() {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.render();
  }

  get names() {
    return [...this.timers.keys()];
  }

  render() {
    const text = typingText(this.names);
    if (this.element.textContent !== text) this.element.textContent = text;
    this.element.classList.toggle("is-active", text !== "");
  }
}
