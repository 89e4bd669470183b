// The outbox: what is kept across reloads, and what is not trusted from storage.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Outbox, newClientId } from "../../parley/web/static/parley/js/outbox.js";
import { MemoryStorage } from "./memory_storage.mjs";

const entry = (id, created, body = `body ${id}`) => ({
  client_id: id,
  body,
  created,
  failed: null,
});

describe("Outbox", () => {
  test("entries survive a new Outbox over the same storage (a reload)", () => {
    const storage = new MemoryStorage();
    const key = Outbox.keyFor("ada", "lobby");
    new Outbox(key, { storage }).add(entry("a", 1));
    new Outbox(key, { storage }).add(entry("b", 2));
    assert.deepEqual(
      new Outbox(key, { storage }).list().map((e) => e.client_id),
      ["a", "b"],
    );
  });

  test("each user and room has its own key", () => {
    assert.notEqual(Outbox.keyFor("ada", "lobby"), Outbox.keyFor("bob", "lobby"));
    assert.notEqual(Outbox.keyFor("ada", "lobby"), Outbox.keyFor("ada", "ops"));
  });

  test("adding a client_id again replaces it; update and remove find it by id", () => {
    const outbox = new Outbox("k", { storage: new MemoryStorage() });
    outbox.add(entry("a", 1, "first"));
    outbox.add(entry("a", 1, "second"));
    assert.equal(outbox.list().length, 1);
    assert.equal(outbox.get("a")?.body, "second");
    outbox.update("a", { failed: { code: "invalid", message: "too long" } });
    assert.deepEqual(outbox.get("a")?.failed, { code: "invalid", message: "too long" });
    assert.equal(outbox.update("missing", { body: "x" }), null);
    outbox.remove("a");
    assert.deepEqual(outbox.list(), []);
  });

  test("the key is removed from storage once the outbox is empty", () => {
    const storage = new MemoryStorage();
    const outbox = new Outbox("k", { storage });
    outbox.add(entry("a", 1));
    outbox.remove("a");
    assert.equal(storage.getItem("k"), null);
  });

  test("entries that are not entries, and broken JSON, are ignored", () => {
    const storage = new MemoryStorage();
    storage.setItem(
      "k",
      JSON.stringify([
        entry("ok", 1),
        { client_id: "", body: "x" },
        { client_id: "x".repeat(65), body: "x" },
        { body: "no id" },
        null,
      ]),
    );
    assert.deepEqual(
      new Outbox("k", { storage }).list().map((e) => e.client_id),
      ["ok"],
    );
    storage.setItem("k", "{not json");
    assert.deepEqual(new Outbox("k", { storage }).list(), []);
  });

  test("a storage that refuses writes falls back to memory, losing nothing", () => {
    const storage = new MemoryStorage();
    storage.setItem = () => {
      throw new Error("QuotaExceededError");
    };
    const outbox = new Outbox("k", { storage });
    outbox.add(entry("a", 1));
    outbox.add(entry("b", 2));
    assert.deepEqual(
      outbox.list().map((e) => e.client_id),
      ["a", "b"],
    );
  });

  test("without storage (outside a browser) it keeps entries in memory", () => {
    const outbox = new Outbox("k");
    assert.equal(outbox.storage, null);
    outbox.add(entry("a", 1));
    assert.deepEqual(
      outbox.list().map((e) => e.client_id),
      ["a"],
    );
  });
});

describe("newClientId", () => {
  test("a version 4 UUID, fresh each time", () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const a = newClientId();
    assert.match(a, uuid);
    assert.notEqual(newClientId(), a);
  });

  test("without randomUUID (not a secure context) it is made from random bytes", () => {
    const crypto = { getRandomValues: (bytes) => bytes.fill(0xff) };
    assert.equal(newClientId(crypto), "ffffffff-ffff-4fff-bfff-ffffffffffff");
  });
});

describe("a reply's entry", () => {
  test("keeps its thread across a reload; a thread that is not a seq makes it not an entry", () => {
    const storage = new MemoryStorage();
    new Outbox("k", { storage }).add({ ...entry("r", 1), thread: 9 });
    assert.deepEqual(new Outbox("k", { storage }).list(), [{ ...entry("r", 1), thread: 9 }]);
    storage.setItem(
      "k",
      JSON.stringify([
        { ...entry("zero", 1), thread: 0 },
        { ...entry("text", 2), thread: "9" },
        { ...entry("ok", 3), thread: 4 },
      ]),
    );
    assert.deepEqual(
      new Outbox("k", { storage }).list().map((e) => e.client_id),
      ["ok"],
    );
  });
});
