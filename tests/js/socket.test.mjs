// The socket's decisions: what each close code of the server means, and the backoff.
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, mock, test } from "node:test";

import {
  ParleySocket,
  State,
  afterClose,
  backoffDelay,
  loginUrl,
  socketUrl,
} from "../../parley/web/static/parley/js/socket.js";

// The server's CloseCode as the page's #client-config carries it (parley/wire/codes.py).
const CODES = {
  NORMAL: 1000,
  MESSAGE_TOO_BIG: 1009,
  SERVICE_RESTART: 1012,
  UNAUTHENTICATED: 4401,
  SESSION_ENDED: 4403,
  SLOW_READER: 4408,
  RIGHTS_CHANGED: 4409,
  RATE_LIMITED: 4429,
};

describe("after a close", () => {
  test("not signed in, or the session ended: stay signed out", () => {
    assert.equal(afterClose(CODES.UNAUTHENTICATED, CODES), "signed-out");
    assert.equal(afterClose(CODES.SESSION_ENDED, CODES), "signed-out");
  });

  test("a restart or changed rights: back at once", () => {
    assert.equal(afterClose(CODES.SERVICE_RESTART, CODES), "at-once");
    assert.equal(afterClose(CODES.RIGHTS_CHANGED, CODES), "at-once");
  });

  test("rate limited, a slow reader, anything else: back off", () => {
    for (const code of [CODES.RATE_LIMITED, CODES.SLOW_READER, CODES.MESSAGE_TOO_BIG, 1006, 4000]) {
      assert.equal(afterClose(code, CODES), "backoff", String(code));
    }
  });

  test("the codes are the server's, by name, not numbers of the client's", () => {
    const moved = { ...CODES, SESSION_ENDED: 4499 };
    assert.equal(afterClose(4499, moved), "signed-out");
    assert.equal(afterClose(4403, moved), "backoff");
  });
});

describe("backoff", () => {
  test("doubles from minDelay up to maxDelay, with up to half of it random", () => {
    const delays = { minDelay: 500, maxDelay: 30000 };
    assert.equal(
      backoffDelay(0, delays, () => 0),
      250,
    );
    assert.equal(
      backoffDelay(0, delays, () => 1),
      500,
    );
    assert.equal(
      backoffDelay(3, delays, () => 1),
      4000,
    );
    assert.equal(
      backoffDelay(20, delays, () => 0),
      15000,
    );
    assert.equal(
      backoffDelay(20, delays, () => 1),
      30000,
    );
  });
});

describe("addresses", () => {
  test("the socket follows the page's scheme and host", () => {
    assert.equal(socketUrl({ protocol: "https:", host: "chat.example" }), "wss://chat.example/ws/");
    assert.equal(
      socketUrl({ protocol: "http:", host: "localhost:8000" }),
      "ws://localhost:8000/ws/",
    );
  });

  test("signing in comes back to this page", () => {
    assert.equal(
      loginUrl({ pathname: "/rooms/lobby/", search: "" }),
      "/accounts/login/?next=%2Frooms%2Flobby%2F",
    );
  });
});

// -- the socket itself, against a fake WebSocket, window and clock --------------------------

class FakeWebSocket extends EventTarget {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeWebSocket[]} every socket made, oldest first */
  static made = [];

  constructor(url) {
    super();
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    FakeWebSocket.made.push(this);
  }

  send(data) {
    this.sent.push(JSON.parse(data));
  }

  close(code = 1000) {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.readyState = FakeWebSocket.CLOSED;
    this.dispatchEvent(Object.assign(new Event("close"), { code }));
  }

  /** The server accepts. */
  accept() {
    this.readyState = FakeWebSocket.OPEN;
    this.dispatchEvent(new Event("open"));
  }

  /** The connection fails (refused, or dropped): the browser's 1006. */
  fail() {
    this.close(1006);
  }

  /** @param {object} frame */
  receive(frame) {
    this.dispatchEvent(Object.assign(new Event("message"), { data: JSON.stringify(frame) }));
  }
}

/** A page for the socket: window, document (visibility), navigator.onLine, WebSocket. */
function fakePage() {
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
  const nav = { onLine: true };
  const saved = {};
  for (const [name, value] of Object.entries({
    window: win,
    document: doc,
    navigator: nav,
    WebSocket: FakeWebSocket,
  })) {
    saved[name] = Object.getOwnPropertyDescriptor(globalThis, name);
    Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  FakeWebSocket.made = [];
  return {
    win,
    doc,
    nav,
    get ws() {
      return FakeWebSocket.made.at(-1);
    },
    get sockets() {
      return FakeWebSocket.made.length;
    },
    restore() {
      for (const [name, descriptor] of Object.entries(saved)) {
        if (descriptor) Object.defineProperty(globalThis, name, descriptor);
        else delete globalThis[name];
      }
    },
  };
}

describe("the socket comes back when the user does", () => {
  /** @type {ReturnType<typeof fakePage>} */
  let page;
  /** @type {ParleySocket} */
  let socket;

  beforeEach(() => {
    mock.timers.enable({ apis: ["setTimeout", "setInterval", "Date"], now: 1_000_000 });
    // The backoff's random half: always all of it, so delays are known.
    mock.method(Math, "random", () => 1);
    page = fakePage();
    socket = new ParleySocket({ url: "ws://test/ws/", closeCodes: CODES }).start();
  });

  afterEach(() => {
    socket.stop();
    page.restore();
    mock.timers.reset();
    mock.restoreAll();
  });

  /** Let `n` attempts fail in a row, each after its backoff; returns the last delay (ms). */
  function failAttempts(n) {
    let delay = 0;
    for (let i = 0; i < n; i++) {
      page.ws.fail();
      assert.equal(socket.state, State.RECONNECTING);
      delay = socket.retryAt - Date.now();
      mock.timers.tick(delay);
      assert.equal(socket.state, State.CONNECTING);
    }
    page.ws.fail();
    return socket.retryAt - Date.now();
  }

  test("after the backoff grew, focusing the window connects at once", () => {
    page.ws.accept();
    assert.equal(socket.state, State.LIVE);
    const waiting = failAttempts(5);
    assert.equal(waiting, 16000, "the sixth wait is 16 s");
    const before = page.sockets;

    page.win.dispatchEvent(new Event("focus"));

    assert.equal(page.sockets, before + 1, "a new socket, now");
    assert.equal(socket.state, State.CONNECTING);
    page.ws.accept();
    assert.equal(socket.state, State.LIVE);
  });

  test("the tab shown again, or restored from the bfcache, connects at once", () => {
    for (const [target, type] of [
      [page.doc, "visibilitychange"],
      [page.win, "pageshow"],
    ]) {
      failAttempts(3);
      const before = page.sockets;
      mock.timers.tick(1000); // past the wake gap of the previous round
      target.dispatchEvent(new Event(type));
      assert.equal(page.sockets, before + 1, type);
      assert.equal(socket.state, State.CONNECTING, type);
    }
  });

  test("a hidden tab does not count as coming back", () => {
    failAttempts(3);
    const before = page.sockets;
    page.doc.visibilityState = "hidden";
    page.doc.dispatchEvent(new Event("visibilitychange"));
    assert.equal(page.sockets, before);
    assert.equal(socket.state, State.RECONNECTING);
  });

  test("focus, visibility and pageshow together make one attempt, not a storm", () => {
    failAttempts(4);
    const before = page.sockets;
    page.win.dispatchEvent(new Event("focus"));
    page.doc.dispatchEvent(new Event("visibilitychange"));
    page.win.dispatchEvent(new Event("pageshow"));
    page.win.dispatchEvent(new Event("focus"));
    assert.equal(page.sockets, before + 1);
  });

  test("a wake-up that fails goes on backing off from where it was", () => {
    const waited = failAttempts(4);
    assert.equal(waited, 8000);
    page.win.dispatchEvent(new Event("focus"));
    page.ws.fail();
    assert.equal(socket.retryAt - Date.now(), 16000, "longer, not back to the first delay");
    // Focusing again at once does nothing (one attempt per wake gap)…
    page.win.dispatchEvent(new Event("focus"));
    assert.equal(socket.state, State.RECONNECTING);
    // …a second later it tries again.
    mock.timers.tick(1000);
    page.win.dispatchEvent(new Event("focus"));
    assert.equal(socket.state, State.CONNECTING);
  });

  test("focus while live, connecting or signed out changes nothing", () => {
    const first = page.sockets;
    page.win.dispatchEvent(new Event("focus")); // connecting
    assert.equal(page.sockets, first);
    page.ws.accept();
    page.win.dispatchEvent(new Event("focus")); // live
    assert.equal(page.sockets, first);
    page.ws.close(CODES.SESSION_ENDED);
    assert.equal(socket.state, State.SIGNED_OUT);
    page.win.dispatchEvent(new Event("focus"));
    page.win.dispatchEvent(new Event("online"));
    assert.equal(page.sockets, first);
    assert.equal(socket.state, State.SIGNED_OUT);
  });

  test("offline waits without a timer, and coming online connects at once", () => {
    page.ws.accept();
    page.nav.onLine = false;
    page.ws.fail();
    assert.equal(socket.state, State.OFFLINE);
    mock.timers.tick(60_000);
    const before = page.sockets;
    assert.equal(socket.state, State.OFFLINE, "no attempts while offline");
    page.nav.onLine = true;
    page.win.dispatchEvent(new Event("online"));
    assert.equal(page.sockets, before + 1);
    page.ws.accept();
    assert.equal(socket.state, State.LIVE);
  });

  test("going offline with an open socket checks it soon: no pong, offline", () => {
    page.ws.accept();
    page.nav.onLine = false;
    page.win.dispatchEvent(new Event("offline"));
    assert.equal(socket.state, State.LIVE, "it may still work");
    assert.deepEqual(page.ws.sent.at(-1), { type: "ping" });
    mock.timers.tick(3000);
    assert.equal(socket.state, State.OFFLINE);
  });

  test("going offline with a socket that answers keeps it live", () => {
    page.ws.accept();
    page.win.dispatchEvent(new Event("offline"));
    page.ws.receive({ type: "pong" });
    mock.timers.tick(10_000);
    assert.equal(socket.state, State.LIVE);
  });

  test("stop() leaves no listeners behind", () => {
    socket.stop();
    const before = page.sockets;
    socket.state = State.RECONNECTING;
    page.win.dispatchEvent(new Event("focus"));
    page.doc.dispatchEvent(new Event("visibilitychange"));
    page.win.dispatchEvent(new Event("online"));
    assert.equal(page.sockets, before);
  });
});
