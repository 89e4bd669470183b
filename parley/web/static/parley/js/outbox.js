// @ts-check
// Messages not yet acknowledged, per user and room, kept in localStorage so that a reload or a
// lost connection never loses one. Each entry keeps its client_id for life: re-sending it is
// idempotent on the server, so "sent twice" can only ever mean "stored once".

/**
 * One message in the outbox.
 * @typedef {object} OutboxEntry
 * @property {string} client_id
 * @property {string} body
 * @property {number} created  when it was typed (ms since the epoch)
 * @property {{code: string, message?: string} | null} failed  refused for good, and why
 * @property {number} [thread]  a reply: the seq of its thread's root
 */

/**
 * The part of the Web Storage API the outbox uses.
 * @typedef {Pick<Storage, "getItem" | "setItem" | "removeItem">} StorageLike
 */

export class Outbox {
  /**
   * @param {string} key  the storage key (Outbox.keyFor)
   * @param {{storage?: StorageLike | null}} [options]  without it, the page's localStorage if
   *   it works; null keeps the entries in memory only
   */
  constructor(key, { storage } = {}) {
    this.key = key;
    /** @type {OutboxEntry[]} */
    this.memory = [];
    this.storage = storage === undefined ? workingLocalStorage(key) : storage;
  }

  /**
   * @param {string} username
   * @param {string} room
   */
  static keyFor(username, room) {
    return `parley:outbox:${username}:${room}`;
  }

  /** @returns {OutboxEntry[]} */
  list() {
    if (!this.storage) return this.memory.slice();
    try {
      const entries = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(entries) ? entries.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  /** @param {OutboxEntry[]} entries */
  save(entries) {
    if (!this.storage) {
      this.memory = entries.slice();
      return;
    }
    try {
      if (entries.length) this.storage.setItem(this.key, JSON.stringify(entries));
      else this.storage.removeItem(this.key);
    } catch {
      this.memory = entries.slice(); // storage full: keep them in memory from now on
      this.storage = null;
    }
  }

  /**
   * @param {string} clientId
   * @returns {OutboxEntry | null}
   */
  get(clientId) {
    return this.list().find((entry) => entry.client_id === clientId) || null;
  }

  /** @param {OutboxEntry} entry */
  add(entry) {
    const entries = this.list().filter((e) => e.client_id !== entry.client_id);
    entries.push(entry);
    this.save(entries);
  }

  /**
   * @param {string} clientId
   * @param {Partial<OutboxEntry>} patch
   * @returns {OutboxEntry | null}
   */
  update(clientId, patch) {
    const entries = this.list();
    const entry = entries.find((e) => e.client_id === clientId);
    if (!entry) return null;
    Object.assign(entry, patch);
    this.save(entries);
    return entry;
  }

  /** @param {string} clientId */
  remove(clientId) {
    const entries = this.list();
    const kept = entries.filter((e) => e.client_id !== clientId);
    if (kept.length !== entries.length) this.save(kept);
  }
}

/**
 * The page's localStorage if it can be written; null in private mode, when it is full, and
 * outside a browser.
 * @param {string} key
 * @returns {StorageLike | null}
 */
function workingLocalStorage(key) {
  try {
    const storage = globalThis.localStorage;
    const probe = `${key}:probe`;
    storage.setItem(probe, "1");
    storage.removeItem(probe);
    return storage;
  } catch {
    return null;
  }
}

/**
 * @param {any} entry
 * @returns {entry is OutboxEntry}
 */
function isEntry(entry) {
  return (
    entry &&
    typeof entry.client_id === "string" &&
    typeof entry.body === "string" &&
    entry.client_id.length > 0 &&
    entry.client_id.length <= 64 &&
    (entry.thread === undefined || (Number.isInteger(entry.thread) && entry.thread > 0))
  );
}

/**
 * A fresh client_id; crypto.randomUUID needs a secure context, so fall back to getRandomValues.
 * @param {Crypto} [crypto]
 * @returns {string}
 */
export function newClientId(crypto = globalThis.crypto) {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join("-");
}
