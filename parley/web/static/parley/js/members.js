// The members list of a room page, kept current from `subscribed` and join/leave events, with
// each member's presence (online, idle, offline) from `subscribed` and `presence` frames.
//
// `subscribed` gives the members as of its `last_seq`; an event only counts when it is newer
// than that and newer than the last event applied for the same user, so backlog replays and
// gap fills that arrive late never undo a newer state.
//
// Presence is shown as a coloured dot with its text for screen readers (role="img" and a
// label, so the item's text stays the name). Until the server has said anything about a
// member (a server without presence), no dot is drawn.

export const PRESENCE_TEXT = Object.freeze({
  online: "online",
  idle: "idle",
  offline: "offline",
});

/** "online", "idle" or "offline" from a frame's `online`/`idle`; null if it says nothing. */
export function presenceOf(entry) {
  if (!entry || typeof entry.online !== "boolean") return null;
  if (!entry.online) return "offline";
  return entry.idle === true ? "idle" : "online";
}

export class Members {
  constructor(list, { me, count = null, initial = [], baseSeq = 0 }) {
    this.list = list;
    this.count = count;
    this.me = me;
    this.names = new Set(initial);
    this.baseSeq = baseSeq;
    this.seqByUser = new Map();
    this.presence = new Map(); // username -> "online" | "idle" | "offline"
    this.render();
  }

  has(username) {
    return this.names.has(username);
  }

  /** `entries` are `subscribed.members`: [{username, online?, idle?}…] (or plain names). */
  reset(entries, lastSeq) {
    const names = [];
    for (const entry of entries) {
      const name = typeof entry === "string" ? entry : entry?.username;
      if (typeof name !== "string") continue;
      names.push(name);
      const state = presenceOf(entry);
      if (state) this.presence.set(name, state);
    }
    this.names = new Set(names);
    this.baseSeq = lastSeq;
    this.seqByUser.clear();
    this.render();
  }

  /** A `presence` frame: {user: {username}, online, idle}. */
  setPresence(username, state) {
    if (typeof username !== "string" || !state) return;
    if (this.presence.get(username) === state) return;
    this.presence.set(username, state);
    if (this.names.has(username)) this.render();
  }

  /** Whether the server has said anything about presence (older servers do not). */
  get knowsPresence() {
    return this.presence.size > 0;
  }

  presenceOf(username) {
    return this.presence.get(username) ?? null;
  }

  /** Set one user's membership from a direct answer (`joined`/`left`) ahead of its event. */
  set(username, member) {
    if (this.names.has(username) === member) return;
    if (member) this.names.add(username);
    else this.names.delete(username);
    this.render();
  }

  /** Apply a join/leave event; returns true if the list changed. */
  apply(kind, username, seq) {
    if (typeof username !== "string" || seq <= this.baseSeq) return false;
    if ((this.seqByUser.get(username) ?? 0) >= seq) return false;
    this.seqByUser.set(username, seq);
    const before = this.names.has(username);
    if (kind === "join") this.names.add(username);
    else if (kind === "leave") this.names.delete(username);
    else return false;
    if (before === this.names.has(username)) return false;
    this.render();
    return true;
  }

  render() {
    const sorted = [...this.names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const items = sorted.map((name) => {
      const li = document.createElement("li");
      li.dataset.username = name;
      const state = this.presence.get(name);
      if (state) {
        li.dataset.presence = state;
        const dot = document.createElement("span");
        dot.className = `presence presence--${state}`;
        dot.setAttribute("role", "img");
        dot.setAttribute("aria-label", PRESENCE_TEXT[state]);
        dot.title = PRESENCE_TEXT[state];
        li.append(dot);
      }
      li.append(name);
      if (name === this.me) {
        li.classList.add("is-me");
        const you = document.createElement("span");
        you.className = "muted";
        you.textContent = " (you)";
        li.append(you);
      }
      return li;
    });
    this.list.replaceChildren(...items);
    if (this.count) this.count.textContent = String(sorted.length);
  }
}
