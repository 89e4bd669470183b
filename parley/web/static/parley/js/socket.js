// @ts-check
// The Parley socket client: one WebSocket per page at /ws/, shared by every room on the page.
//
// What it guarantees to its users:
// - request(frame) gives the frame a fresh `ref` and resolves with the frame that echoes it
//   (the reply or an `error`). It never rejects: if the socket drops or nothing answers in
//   time it resolves with a client-made error frame, code "disconnected" or "timeout".
// - every frame from the server also goes to the listeners of its type (on("message", fn)),
//   whether or not it answered a request, and to on("*", fn).
// - watch(room, {after, onSubscribed}) subscribes to a room now and again after every
//   reconnect, each time with `after` = the caller's last seq (or the last seq seen here).
// - it reconnects by itself (afterClose): exponential backoff with jitter, at once after a
//   server restart (SERVICE_RESTART) or a change of the user's rights (RIGHTS_CHANGED), never
//   after UNAUTHENTICATED or SESSION_ENDED: both leave it "signed-out", and the page stays (with
//   what was being written) and offers to sign in. A ping every 25 s; no pong within 10 s counts
//   as a dead connection.
// - it does not wait out a long backoff while the user is looking: coming back online, the tab
//   shown again, the window focused or the page restored from the bfcache try at once (wake()),
//   one attempt at a time, and the backoff goes on growing if that attempt fails.
// - state changes ("connecting", "live", "reconnecting", "offline", "signed-out") go to
//   on("state", fn) with {state, retryAt}.
//
// The close codes are the server's, by name, from the page's config (config.js).

import { clientConfig } from "./config.js";

/**
 * A frame from the server: its `type`, and whatever else that type carries.
 * @typedef {{type: string, ref?: string, room?: string, [key: string]: any}} Frame
 */

/**
 * What to do after the socket closed with `code`: "signed-out" (stay closed until the user
 * signs in again), "at-once" (reconnect now, with a little jitter), or "backoff" (everything
 * else, RATE_LIMITED included: come back later and later).
 * @param {number} code
 * @param {Record<string, number>} codes  the server's close codes by name
 * @returns {"signed-out" | "at-once" | "backoff"}
 */
export function afterClose(code, codes) {
  if (code === codes.UNAUTHENTICATED || code === codes.SESSION_ENDED) return "signed-out";
  if (code === codes.SERVICE_RESTART || code === codes.RIGHTS_CHANGED) return "at-once";
  return "backoff";
}

// The client's own code for a socket it gives up on (a dead one): it never reaches the server.
const DROPPED = 4000;

/** @typedef {"connecting" | "live" | "reconnecting" | "offline" | "signed-out"} SocketState */

export const State = Object.freeze({
  CONNECTING: /** @type {SocketState} */ ("connecting"),
  LIVE: /** @type {SocketState} */ ("live"),
  RECONNECTING: /** @type {SocketState} */ ("reconnecting"),
  OFFLINE: /** @type {SocketState} */ ("offline"),
  SIGNED_OUT: /** @type {SocketState} */ ("signed-out"),
});

/**
 * @typedef {object} SocketOptions
 * @property {string} [url]
 * @property {Record<string, number>} [closeCodes]  the server's (default: the page's config)
 * @property {number} [minDelay]
 * @property {number} [maxDelay]
 * @property {number} [pingInterval]
 * @property {number} [pongTimeout]
 * @property {number} [requestTimeout]
 * @property {number} [stableAfter]
 * @property {number} [offlinePongTimeout]
 * @property {number} [wakeGap]
 */

const DEFAULTS = {
  minDelay: 500,
  maxDelay: 30000,
  pingInterval: 25000,
  pongTimeout: 10000,
  requestTimeout: 20000,
  // A connection that closes sooner than this after opening does not reset the backoff,
  // so a server that accepts and drops at once is not hammered.
  stableAfter: 5000,
  // The browser said it went offline while the socket looked open: a pong must come this soon.
  offlinePongTimeout: 3000,
  // Wake-ups (focus, visibility, pageshow) closer together than this make one attempt.
  wakeGap: 1000,
};

/**
 * The page's socket address.
 * @param {{protocol: string, host: string}} [loc]
 */
export function socketUrl(loc = window.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/`;
}

/**
 * The login page, coming back to this one.
 * @param {{pathname: string, search: string}} [loc]
 */
export function loginUrl(loc = window.location) {
  return `/accounts/login/?next=${encodeURIComponent(loc.pathname + loc.search)}`;
}

/**
 * Backoff delay for the given attempt (0-based): half fixed, half random ("equal jitter").
 * @param {number} attempt
 * @param {{minDelay: number, maxDelay: number}} [delays]
 * @param {() => number} [random]
 */
export function backoffDelay(attempt, { minDelay, maxDelay } = DEFAULTS, random = Math.random) {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * @typedef {object} Watch
 * @property {(() => number | null) | null} after
 * @property {((reply: Frame) => void) | null} onSubscribed
 * @property {number} lastSeq
 */

/**
 * A request awaiting the frame that echoes its ref.
 * @typedef {{resolve: (frame: Frame) => void, timer: ReturnType<typeof setTimeout>}} Waiting
 */

export class ParleySocket {
  /** @param {SocketOptions} [options] */
  constructor(options = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.url = this.options.url || socketUrl();
    this.codes = this.options.closeCodes ?? clientConfig().closeCodes;
    /** @type {SocketState} */
    this.state = State.CONNECTING;
    /** @type {number | null} */
    this.retryAt = null;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.attempt = 0;
    this.nextRef = 1;
    /** @type {Map<string, Waiting>} by ref */
    this.pending = new Map();
    /** @type {Map<string, Set<(detail: any) => void>>} */
    this.listeners = new Map();
    /** @type {Map<string, Watch>} */
    this.rooms = new Map();
    this.stopped = false;
    this.openedAt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.reconnectTimer = undefined;
    /** @type {ReturnType<typeof setInterval> | undefined} */
    this.pingTimer = undefined;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.pongTimer = undefined;
    /** When wake() last tried a connection (ms), so a burst of events makes one attempt. */
    this.wokeAt = -Infinity;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => {
      // Keep a socket that still works, but make it prove so soon: the browser going offline
      // often leaves a dead socket that would otherwise pass for live until the next ping.
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) this.setState(State.OFFLINE);
      else this.ping(this.options.offlinePongTimeout);
    };
    this.onWake = () => {
      if (typeof document === "undefined" || document.visibilityState !== "hidden") this.wake();
    };
  }

  start() {
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    // The user is back (the tab shown again, the window focused, the page restored from the
    // back/forward cache): a connection that waits out its backoff would keep them looking at
    // a stale page for up to maxDelay.
    window.addEventListener("focus", this.onWake);
    window.addEventListener("pageshow", this.onWake);
    document.addEventListener("visibilitychange", this.onWake);
    this.connect();
    return this;
  }

  /** Close for good (page teardown). */
  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    window.removeEventListener("focus", this.onWake);
    window.removeEventListener("pageshow", this.onWake);
    document.removeEventListener("visibilitychange", this.onWake);
    clearTimeout(this.reconnectTimer);
    this.drop(this.codes.NORMAL);
  }

  // -- listeners ------------------------------------------------------------------------------

  /**
   * Call `fn` with every frame of `type` ("*": every frame; "state", "close": the socket's
   * own events); returns a function that stops it.
   * @param {string} type
   * @param {(detail: any) => void} fn
   * @returns {() => void}
   */
  on(type, fn) {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  /**
   * @param {string} type
   * @param {unknown} detail
   */
  emit(type, detail) {
    for (const key of [type, "*"]) {
      for (const fn of this.listeners.get(key) || []) {
        try {
          fn(detail);
        } catch (error) {
          console.error("parley: listener for", type, "failed", error);
        }
      }
    }
  }

  /**
   * @param {SocketState} state
   * @param {number | null} [retryAt]
   */
  setState(state, retryAt = null) {
    if (this.state === state && this.retryAt === retryAt) return;
    this.state = state;
    this.retryAt = retryAt;
    this.emit("state", { state, retryAt });
  }

  get isLive() {
    return this.state === State.LIVE;
  }

  // -- sending --------------------------------------------------------------------------------

  /**
   * Send without waiting for an answer; false if the socket is not open.
   * @param {object} frame
   */
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /**
   * Send `frame` with a fresh ref; resolves with the reply or error frame that echoes it.
   * @param {object} frame
   * @param {{timeout?: number}} [options]
   * @returns {Promise<Frame>}
   */
  request(frame, { timeout = this.options.requestTimeout } = {}) {
    const ref = String(this.nextRef++);
    return new Promise((resolve) => {
      if (!this.send({ ...frame, ref })) {
        resolve(clientError("disconnected", "Not connected.", ref));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        resolve(clientError("timeout", "No answer from the server.", ref));
      }, timeout);
      this.pending.set(ref, { resolve, timer });
    });
  }

  // -- rooms ----------------------------------------------------------------------------------

  /**
   * Keep `room` subscribed across reconnects. `after()` returns the last seq the caller holds
   * (without it: the highest seq this socket has seen in that room); `onSubscribed(reply)`
   * gets each `subscribed` (or error) reply.
   * @param {string} room
   * @param {Partial<Pick<Watch, "after" | "onSubscribed">>} [options]
   */
  watch(room, { after = null, onSubscribed = null } = {}) {
    /** @type {Watch} */
    const entry = { after, onSubscribed, lastSeq: 0 };
    this.rooms.set(room, entry);
    if (this.isLive) this.subscribe(room, entry);
  }

  /**
   * @param {string} room
   * @param {{unsubscribe?: boolean}} [options]
   */
  unwatch(room, { unsubscribe = true } = {}) {
    this.rooms.delete(room);
    if (unsubscribe && this.isLive) this.request({ type: "unsubscribe", room });
  }

  /**
   * @param {string} room
   * @param {Watch} entry
   */
  async subscribe(room, entry) {
    /** @type {{type: string, room: string, after?: number}} */
    const frame = { type: "subscribe", room };
    const after = entry.after ? entry.after() : entry.lastSeq;
    if (Number.isInteger(after) && /** @type {number} */ (after) >= 0) {
      frame.after = /** @type {number} */ (after);
    }
    const reply = await this.request(frame);
    if (this.rooms.get(room) !== entry) return;
    if (entry.onSubscribed) entry.onSubscribed(reply);
  }

  // -- connection -----------------------------------------------------------------------------

  connect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    if (navigator.onLine === false) {
      this.setState(State.OFFLINE);
      return;
    }
    this.setState(State.CONNECTING);
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      console.error("parley: cannot open the socket", error);
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => this.handleOpen(ws));
    ws.addEventListener("message", (event) => this.handleMessage(ws, event));
    ws.addEventListener("close", (event) => this.handleClose(ws, event.code));
    // An `error` is always followed by `close`; nothing to do here.
  }

  /** @param {WebSocket} ws */
  handleOpen(ws) {
    if (ws !== this.ws) return;
    this.openedAt = Date.now();
    this.setState(State.LIVE);
    this.startPing();
    for (const [room, entry] of this.rooms) this.subscribe(room, entry);
  }

  /**
   * @param {WebSocket} ws
   * @param {MessageEvent} event
   */
  handleMessage(ws, event) {
    if (ws !== this.ws || typeof event.data !== "string") return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      console.warn("parley: a frame that is not JSON", event.data.slice(0, 200));
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "pong") this.gotPong();
    if ((frame.type === "message" || frame.type === "event") && Number.isInteger(frame.seq)) {
      const entry = this.rooms.get(frame.room);
      if (entry && frame.seq > entry.lastSeq) entry.lastSeq = frame.seq;
    }
    const waiting = frame.ref === undefined ? undefined : this.pending.get(frame.ref);
    if (waiting) {
      this.pending.delete(frame.ref);
      clearTimeout(waiting.timer);
      waiting.resolve(frame);
    }
    this.emit(frame.type, frame);
  }

  /**
   * @param {WebSocket} ws
   * @param {number | undefined} code
   */
  handleClose(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopPing();
    this.failPending();
    if (this.openedAt && Date.now() - this.openedAt >= this.options.stableAfter) this.attempt = 0;
    this.openedAt = 0;
    this.emit("close", { code });
    if (this.stopped) return;
    switch (afterClose(code ?? 0, this.codes)) {
      case "signed-out":
        this.setState(State.SIGNED_OUT);
        return;
      case "at-once":
        // The server is restarting, or the user's rights changed (a new socket is judged by the
        // new ones): come back at once (a little jitter spreads the crowd).
        this.attempt = 0;
        this.scheduleReconnect(Math.round(Math.random() * 250));
        return;
      default:
        this.scheduleReconnect();
    }
  }

  /**
   * Forget the current socket at once (a dead one may take minutes to report its close).
   * @param {number} [code]
   */
  drop(code = DROPPED) {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close(code);
    } catch {
      // already closing
    }
    this.handleClose(ws, code);
  }

  /** @param {number | null} [delay] */
  scheduleReconnect(delay = null) {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    if (navigator.onLine === false) {
      this.setState(State.OFFLINE);
      return;
    }
    if (delay === null) {
      delay = backoffDelay(this.attempt, this.options);
      this.attempt += 1;
    }
    this.setState(State.RECONNECTING, Date.now() + delay);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Try now instead of waiting for the backoff (the "retry now" button, coming online). */
  reconnectNow() {
    if (this.stopped || this.state === State.SIGNED_OUT) return;
    // One attempt at a time: a socket still opening (or open) is left to finish.
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.connect();
  }

  /**
   * The user came back to the page: if it is waiting to reconnect (or was offline), try now.
   * The attempt counter stays as it is, so a failure goes on backing off from where it was;
   * several wake events at once (focus and visibilitychange come together) make one attempt.
   * @returns {boolean} whether it tried
   */
  wake() {
    if (this.state !== State.RECONNECTING && this.state !== State.OFFLINE) return false;
    const now = Date.now();
    if (now - this.wokeAt < this.options.wakeGap) return false;
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return false;
    this.wokeAt = now;
    this.reconnectNow();
    return this.state === State.CONNECTING;
  }

  failPending() {
    for (const [ref, { resolve, timer }] of this.pending) {
      clearTimeout(timer);
      resolve(clientError("disconnected", "The connection was lost.", ref));
    }
    this.pending.clear();
  }

  // -- keepalive ------------------------------------------------------------------------------

  startPing() {
    this.stopPing();
    this.pingTimer = setInterval(() => this.ping(), this.options.pingInterval);
  }

  stopPing() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
  }

  /** @param {number} [timeout] */
  ping(timeout = this.options.pongTimeout) {
    if (!this.send({ type: "ping" })) return;
    if (this.pongTimer) return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = undefined;
      console.warn("parley: no pong in time; reconnecting");
      this.drop();
    }, timeout);
  }

  gotPong() {
    clearTimeout(this.pongTimer);
    this.pongTimer = undefined;
  }
}

/**
 * An error frame made here, for a request the server could not answer.
 * @param {string} code
 * @param {string} message
 * @param {string} ref
 * @returns {Frame}
 */
function clientError(code, message, ref) {
  return { type: "error", code, message, ref, client: true };
}
