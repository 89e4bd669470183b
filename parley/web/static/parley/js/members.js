// The members list of a room page, kept current from `subscribed` and join/leave events.
//
// `subscribed` gives the members as of its `last_seq`; an event only counts when it is newer
// than that and newer than the last event applied for the same user, so backlog replays and
// gap fills that arrive late never undo a newer state.

export class Members {
  constructor(list, { me, count = null, initial = [], baseSeq = 0 }) {
    this.list = list;
    this.count = count;
    this.me = me;
    this.names = new Set(initial);
    this.baseSeq = baseSeq;
    this.seqByUser = new Map();
    this.render();
  }

  has(username) {
    return this.names.has(username);
  }

  reset(usernames, lastSeq) {
    this.names = new Set(usernames);
    this.baseSeq = lastSeq;
    this.seqByUser.clear();
    this.render();
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
      li.textContent = name;
      li.dataset.username = name;
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
