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
// - it reconnects by itself: exponential backoff with jitter, at once after a server restart
//   (1012) or a change of the user's rights (4409), never after 4401 (not signed in) or 4403
//   (the session ended): both leave it "signed-out", and the page stays (with what was being
//   written) and offers to sign in. A ping every 25 s; no pong within 10 s counts as a dead
//   connection.
// - state changes ("connecting", "live", "reconnecting", "offline", "signed-out") go to
//   on("state", fn) with {state, retryAt}.

export const CloseCode = Object.freeze({
  NORMAL: 1000,
  MESSAGE_TOO_BIG: 1009,
  SERVICE_RESTART: 1012,
  UNAUTHENTICATED: 4401,
  SESSION_ENDED: 4403,
  SLOW_READER: 4408,
  RIGHTS_CHANGED: 4409,
});

export const State = Object.freeze({
  CONNECTING: "connecting",
  LIVE: "live",
  RECONNECTING: "reconnecting",
  OFFLINE: "offline",
  SIGNED_OUT: "signed-out",
});

const DEFAULTS = {
  minDelay: 500,
  maxDelay: 30000,
  pingInterval: 25000,
  pongTimeout: 10000,
  requestTimeout: 20000,
  // A connection that closes sooner than this after opening does not reset the backoff,
  // so a server that accepts and drops at once is not hammered.
  stableAfter: 5000,
};

export function socketUrl(loc = window.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/`;
}

export function loginUrl(loc = window.location) {
  return `/accounts/login/?next=${encodeURIComponent(loc.pathname + loc.search)}`;
}

/** Backoff delay for the given attempt (0-based): half fixed, half random ("equal jitter"). */
export function backoffDelay(attempt, { minDelay, maxDelay } = DEFAULTS, random = Math.random) {
  const ceiling = Math.min(maxDelay, minDelay * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class ParleySocket {
  constructor(options = {}) {
    this.options = { ...DEFAULTS, ...options };
    this.url = this.options.url || socketUrl();
    this.state = State.CONNECTING;
    this.retryAt = null;
    this.ws = null;
    this.attempt = 0;
    this.nextRef = 1;
    this.pending = new Map(); // ref -> {resolve, timer}
    this.listeners = new Map(); // type -> Set(fn)
    this.rooms = new Map(); // slug -> {after, onSubscribed, lastSeq}
    this.stopped = false;
    this.openedAt = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.onOnline = () => this.reconnectNow();
    this.onOffline = () => {
      // Keep a socket that still works; only give up on one that is not open.
      if (!this.ws || this.ws.readyState !== WebSocket.OPEN) this.setState(State.OFFLINE);
    };
  }

  start() {
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
    return this;
  }

  /** Close for good (page teardown). */
  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    clearTimeout(this.reconnectTimer);
    this.drop(CloseCode.NORMAL);
  }

  // -- listeners ------------------------------------------------------------------------------

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(fn);
    return () => this.listeners.get(type).delete(fn);
  }

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

  /** Send without waiting for an answer; false if the socket is not open. */
  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Send `frame` with a fresh ref; resolves with the reply or error frame that echoes it. */
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
   */
  watch(room, { after = null, onSubscribed = null } = {}) {
    const entry = { after, onSubscribed, lastSeq: 0 };
    this.rooms.set(room, entry);
    if (this.isLive) this.subscribe(room, entry);
  }

  unwatch(room, { unsubscribe = true } = {}) {
    this.rooms.delete(room);
    if (unsubscribe && this.isLive) this.request({ type: "unsubscribe", room });
  }

  async subscribe(room, entry) {
    const frame = { type: "subscribe", room };
    const after = entry.after ? entry.after() : entry.lastSeq;
    if (Number.isInteger(after) && after >= 0) frame.after = after;
    const reply = await this.request(frame);
    if (this.rooms.get(room) !== entry) return;
    if (entry.onSubscribed) entry.onSubscribed(reply);
  }

  // -- connection -----------------------------------------------------------------------------

  connect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
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

  handleOpen(ws) {
    if (ws !== this.ws) return;
    this.openedAt = Date.now();
    this.setState(State.LIVE);
    this.startPing();
    for (const [room, entry] of this.rooms) this.subscribe(room, entry);
  }

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
    if (frame.ref !== undefined && this.pending.has(frame.ref)) {
      const { resolve, timer } = this.pending.get(frame.ref);
      this.pending.delete(frame.ref);
      clearTimeout(timer);
      resolve(frame);
    }
    this.emit(frame.type, frame);
  }

  handleClose(ws, code) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.stopPing();
    this.failPending();
    if (this.openedAt && Date.now() - this.openedAt >= this.options.stableAfter) this.attempt = 0;
    this.openedAt = 0;
    this.emit("close", { code });
    if (this.stopped) return;
    if (code === CloseCode.UNAUTHENTICATED || code === CloseCode.SESSION_ENDED) {
      this.setState(State.SIGNED_OUT);
      return;
    }
    if (code === CloseCode.SERVICE_RESTART || code === CloseCode.RIGHTS_CHANGED) {
      // The server is restarting, or the user's rights changed (a new socket is judged by the
      // new ones): come back at once (a little jitter spreads the crowd).
      this.attempt = 0;
      this.scheduleReconnect(Math.round(Math.random() * 250));
      return;
    }
    this.scheduleReconnect();
  }

  /** Forget the current socket at once (a dead one may take minutes to report its close). */
  drop(code = 4000) {
    const ws = this.ws;
    if (!ws) return;
    try {
      ws.close(code);
    } catch {
      // already closing
    }
    this.handleClose(ws, code);
  }

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
    if (this.ws && this.ws.readyState <= WebSocket.OPEN) return;
    this.connect();
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
    this.pingTimer = null;
    this.pongTimer = null;
  }

  ping() {
    if (!this.send({ type: "ping" })) return;
    if (this.pongTimer) return;
    this.pongTimer = setTimeout(() => {
      this.pongTimer = null;
      console.warn("parley: no pong in time; reconnecting");
      this.drop();
    }, this.options.pongTimeout);
  }

  gotPong() {
    clearTimeout(this.pongTimer);
    this.pongTimer = null;
  }
}

function clientError(code, message, ref) {
  return { type: "error", code, message, ref, client: true };
}
