// Messages not yet acknowledged, per user and room, kept in localStorage so that a reload or a
// lost connection never loses one. Each entry keeps its client_id for life: re-sending it is
// idempotent on the server, so "sent twice" can only ever mean "stored once".
//
// Entry: {client_id, body, created (ms), failed: null | {code, message}}

export class Outbox {
  constructor(key) {
    this.key = key;
    this.memory = [];
    this.storage = null;
    try {
      const probe = `${key}:probe`;
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      this.storage = window.localStorage;
    } catch {
      this.storage = null; // private mode or storage full: keep them in memory only
    }
  }

  static keyFor(username, room) {
    return `parley:outbox:${username}:${room}`;
  }

  list() {
    if (!this.storage) return this.memory.slice();
    try {
      const entries = JSON.parse(this.storage.getItem(this.key) || "[]");
      return Array.isArray(entries) ? entries.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  save(entries) {
    if (!this.storage) {
      this.memory = entries.slice();
      return;
    }
    try {
      if (entries.length) this.storage.setItem(this.key, JSON.stringify(entries));
      else this.storage.removeItem(this.key);
    } catch {
      this.memory = entries.slice();
      this.storage = null;
    }
  }

  get(clientId) {
    return this.list().find((entry) => entry.client_id === clientId) || null;
  }

  add(entry) {
    const entries = this.list().filter((e) => e.client_id !== entry.client_id);
    entries.push(entry);
    this.save(entries);
  }

  update(clientId, patch) {
    const entries = this.list();
    const entry = entries.find((e) => e.client_id === clientId);
    if (!entry) return null;
    Object.assign(entry, patch);
    this.save(entries);
    return entry;
  }

  remove(clientId) {
    const entries = this.list();
    const kept = entries.filter((e) => e.client_id !== clientId);
    if (kept.length !== entries.length) this.save(kept);
  }
}

function isEntry(entry) {
  return (
    entry &&
    typeof entry.client_id === "string" &&
    typeof entry.body === "string" &&
    entry.client_id.length > 0 &&
    entry.client_id.length <= 64
  );
}

/** A fresh client_id; crypto.randomUUID needs a secure context, so fall back to getRandomValues. */
export function newClientId() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const parts = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...parts, hex.slice(20)].join("-");
}
