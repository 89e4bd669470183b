// The service worker (static/parley/sw.js) in a fake worker scope: what a push shows and where a
// click on its notification leads.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import vm from "node:vm";

const SOURCE = readFileSync(new URL("../../parley/web/static/parley/sw.js", import.meta.url), "utf8");
const ORIGIN = "https://chat.example";

/** A worker scope with `windows` open ({url, focused, controlled}); returns it and its log. */
function worker(windows = []) {
  const log = [];
  const listeners = {};
  const clients = windows.map((w) => ({
    ...w,
    async focus() {
      log.push(["focus", w.url]);
      return this;
    },
    async navigate(url) {
      if (!w.controlled) throw new TypeError("not controlled");
      log.push(["navigate", w.url, url]);
      return this;
    },
  }));
  const self = {
    location: new URL(`${ORIGIN}/sw.js`),
    navigator: {},
    addEventListener: (type, fn) => (listeners[type] = fn),
    registration: {
      showNotification: async (title, options) => log.push(["show", title, options]),
      getNotifications: async () => [],
    },
    clients: {
      matchAll: async () => clients,
      openWindow: async (url) => log.push(["open", url]),
      claim: async () => {},
    },
    skipWaiting: () => {},
  };
  vm.runInNewContext(SOURCE, { self, URL, fetch: () => Promise.reject(new Error("offline")), atob });
  return { self, log, listeners };
}

describe("a push", () => {
  test("shows its title and body, tagged with its room, opening its message", async () => {
    const { self, log } = worker();
    await self.parley.showPush({ title: "bob in Lobby", body: "lunch?", url: "/rooms/lobby/?seq=7", room: "lobby", seq: 7 });
    const [[kind, title, options]] = log;
    assert.equal(kind, "show");
    assert.equal(title, "bob in Lobby");
    assert.equal(options.body, "lunch?");
    assert.equal(options.tag, "lobby");
    assert.equal(options.data.url, `${ORIGIN}/rooms/lobby/?seq=7`);
  });

  test("without a payload still shows a notification (a push must be visible)", async () => {
    const { self, log } = worker();
    await self.parley.showPush({});
    assert.equal(log[0][1], "Parley");
  });

  test("never leads to another site", () => {
    const { self } = worker();
    const [, options] = self.parley.notificationFromPush({ url: "https://evil.example/x" }, ORIGIN);
    assert.equal(options.data.url, `${ORIGIN}/`);
  });

  test("every handler is registered", () => {
    const { listeners } = worker();
    for (const type of ["push", "notificationclick", "pushsubscriptionchange", "install", "activate"]) {
      assert.equal(typeof listeners[type], "function", type);
    }
  });
});

describe("a click on a notification", () => {
  const click = (url) => {
    const closed = [];
    return { closed, notification: { data: { url }, close: () => closed.push(true) } };
  };

  test("takes the open Parley tab to the message", async () => {
    const { self, log } = worker([{ url: `${ORIGIN}/rooms/other/`, focused: false, controlled: true }]);
    const event = click(`${ORIGIN}/rooms/lobby/?seq=7`);
    await self.parley.onNotificationClick(event);
    assert.deepEqual(event.closed, [true]);
    assert.deepEqual(log, [
      ["focus", `${ORIGIN}/rooms/other/`],
      ["navigate", `${ORIGIN}/rooms/other/`, `${ORIGIN}/rooms/lobby/?seq=7`],
    ]);
  });

  test("prefers the focused tab", async () => {
    const { self, log } = worker([
      { url: `${ORIGIN}/a/`, focused: false, controlled: true },
      { url: `${ORIGIN}/b/`, focused: true, controlled: true },
    ]);
    await self.parley.onNotificationClick(click(`${ORIGIN}/rooms/lobby/?seq=7`));
    assert.deepEqual(log[0], ["focus", `${ORIGIN}/b/`]);
  });

  test("opens a window when no Parley tab is open", async () => {
    const { self, log } = worker([{ url: "https://other.example/", focused: true, controlled: false }]);
    await self.parley.onNotificationClick(click(`${ORIGIN}/rooms/lobby/?seq=7`));
    assert.deepEqual(log, [["open", `${ORIGIN}/rooms/lobby/?seq=7`]]);
  });

  test("opens a window when the tab cannot be navigated by the worker", async () => {
    const { self, log } = worker([{ url: `${ORIGIN}/`, focused: true, controlled: false }]);
    await self.parley.onNotificationClick(click(`${ORIGIN}/rooms/lobby/?seq=7`));
    assert.deepEqual(log.at(-1), ["open", `${ORIGIN}/rooms/lobby/?seq=7`]);
  });
});
