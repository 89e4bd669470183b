// Drafts per room: kept across room switches and reloads, per user, and forgotten when stale.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { DraftStore, MAX_AGE_MS } from "../../parley/web/static/parley/js/drafts.js";
import { MemoryStorage } from "./memory_storage.mjs";

describe("DraftStore", () => {
  test("a draft survives a new store over the same storage (a reload)", () => {
    const storage = new MemoryStorage();
    new DraftStore("ada", { storage }).set("ops", "half a thought\nsecond line");
    assert.equal(new DraftStore("ada", { storage }).get("ops"), "half a thought\nsecond line");
  });

  test("each room keeps its own draft", () => {
    const drafts = new DraftStore("ada", { storage: new MemoryStorage() });
    drafts.set("ops", "for ops");
    drafts.set("dev", "for dev");
    assert.equal(drafts.get("ops"), "for ops");
    assert.equal(drafts.get("dev"), "for dev");
    assert.equal(drafts.get("random"), "");
  });

  test("two people on one browser do not see each other's drafts", () => {
    const storage = new MemoryStorage();
    new DraftStore("ada", { storage }).set("ops", "secret plan");
    assert.equal(new DraftStore("bob", { storage }).get("ops"), "");
  });

  test("blank text and clear() remove the draft", () => {
    const storage = new MemoryStorage();
    const drafts = new DraftStore("ada", { storage });
    drafts.set("ops", "x");
    drafts.set("ops", "   \n ");
    assert.equal(storage.data.size, 0);
    drafts.set("ops", "y");
    drafts.clear("ops");
    assert.equal(drafts.get("ops"), "");
    assert.equal(storage.data.size, 0);
  });

  test("a draft older than MAX_AGE_MS is dropped when read", () => {
    const storage = new MemoryStorage();
    let now = 1_000_000;
    const drafts = new DraftStore("ada", { storage, now: () => now });
    drafts.set("ops", "old");
    now += MAX_AGE_MS;
    assert.equal(drafts.get("ops"), "old");
    now += 1;
    assert.equal(drafts.get("ops"), "");
    assert.equal(storage.data.size, 0);
  });

  test("what another program wrote under the key reads as no draft", () => {
    const storage = new MemoryStorage();
    const drafts = new DraftStore("ada", { storage });
    for (const raw of ["not json", "null", '{"text": 5, "at": 1}', '{"text": "x"}', "[]"]) {
      storage.setItem(drafts.key("ops"), raw);
      assert.equal(drafts.get("ops"), "", raw);
    }
  });

  test("no storage, or storage that throws, loses the draft quietly", () => {
    assert.equal(new DraftStore("ada", { storage: null }).get("ops"), "");
    const throwing = {
      getItem() {
        throw new Error("denied");
      },
      setItem() {
        throw new Error("quota");
      },
      removeItem() {
        throw new Error("denied");
      },
    };
    const drafts = new DraftStore("ada", { storage: throwing });
    drafts.set("ops", "x");
    assert.equal(drafts.get("ops"), "");
  });
});
