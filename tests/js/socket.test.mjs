// The socket's decisions: what each close code of the server means, and the backoff.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
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
