// Unread counts per room, kept live over the page's one socket (the room page's sidebar, the
// home page's cards).
//
// A badge is any element with data-unread-room="<slug>" that holds [data-unread-badge] (hidden
// at 0) and [data-unread-count]. The server is the source of truth: the page is rendered with
// its counts, every `subscribed` carries `unread` (messages after the user's read pointer), and
// a `read` frame tells every connection of the user where the pointer went. In between, each
// `message` above the last seq known here adds one, unless it is the user's own (sending moves
// the pointer to it) or the room is being read on this page right now.
//
// A `read` that stops short of the newest message known here (another tab read up to an older
// point) cannot be counted locally: the room is subscribed again (without `after`, which is
// harmless) and its `subscribed` brings the server's number.

const RESYNC_DELAY_MS = 300;

export function badgeText(count) {
  return count > 999 ? "999+" : String(count);
}

/** Show `count` in every badge of `room` on the page. */
export function renderBadges(room, count, root = document) {
  const selector = `[data-unread-room="${CSS.escape(room)}"]`;
  for (const holder of root.querySelectorAll(selector)) {
    if (holder.dataset.unread === String(count)) continue; // unchanged (called on every scroll)
    holder.dataset.unread = String(count);
    const badge = holder.querySelector("[data-unread-badge]");
    const number = holder.querySelector("[data-unread-count]");
    if (number) number.textContent = badgeText(count);
    if (badge) badge.hidden = count <= 0;
  }
}

export class UnreadTracker {
  /**
   * `reading(room)` says whether the page shows that room, visible and scrolled to its end (or
   * otherwise needs no count for it): its badge then shows 0 and new messages do not count
   * (the page reports them read).
   */
  constructor(socket, { me, reading = () => false, onChange = null } = {}) {
    this.socket = socket;
    this.me = me;
    this.reading = reading;
    this.onChange = onChange;
    this.rooms = new Map(); // slug -> {count, lastSeq, lastRead, follow}
    this.resyncTimers = new Map();
    socket.on("subscribed", (frame) => this.onSubscribed(frame));
    socket.on("message", (frame) => this.onMessage(frame));
    socket.on("read", (frame) => this.onRead(frame));
    socket.on("unsubscribed", (frame) => {
      // Removed from a private room: nothing more of it comes, and nothing of it is unread.
      const state = this.rooms.get(frame.room);
      if (frame.reason !== "removed" || !state) return;
      state.count = 0;
      if (state.follow) {
        state.follow = false;
        this.socket.unwatch(frame.room, { unsubscribe: false });
      }
      this.render(frame.room);
    });
  }

  /**
   * Count `room` from the page's numbers. With `follow`, subscribe to it (and again after
   * every reconnect) without `after`: only its live items are wanted.
   */
  track(room, { count = 0, lastSeq = 0, follow = false } = {}) {
    const known = this.rooms.get(room);
    const state = known || { count, lastSeq, lastRead: null, follow: false };
    this.rooms.set(room, state);
    if (follow && !state.follow) {
      state.follow = true;
      this.socket.watch(room, { after: () => null });
    }
    this.render(room);
  }

  untrack(room) {
    const state = this.rooms.get(room);
    if (!state) return;
    if (state.follow) this.socket.unwatch(room);
    this.rooms.delete(room);
    clearTimeout(this.resyncTimers.get(room));
    this.resyncTimers.delete(room);
    renderBadges(room, 0);
    this.changed();
  }

  has(room) {
    return this.rooms.has(room);
  }

  /** The number shown for `room`. */
  shown(room) {
    const state = this.rooms.get(room);
    if (!state || this.reading(room)) return 0;
    return state.count;
  }

  /** Rooms other than `except` with something unread. */
  unreadElsewhere(except) {
    let total = 0;
    for (const room of this.rooms.keys()) if (room !== except) total += this.shown(room);
    return total;
  }

  render(room) {
    if (!this.rooms.has(room)) return;
    renderBadges(room, this.shown(room));
    this.changed();
  }

  changed() {
    if (this.onChange) this.onChange(this);
  }

  onSubscribed(frame) {
    const state = this.rooms.get(frame.room);
    if (!state) return;
    if (Number.isInteger(frame.last_seq)) state.lastSeq = frame.last_seq;
    if (Number.isInteger(frame.last_read)) state.lastRead = frame.last_read;
    if (Number.isInteger(frame.unread) && frame.unread >= 0) state.count = frame.unread;
    this.render(frame.room);
  }

  onMessage(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || !Number.isInteger(frame.seq) || frame.seq <= state.lastSeq) return;
    state.lastSeq = frame.seq;
    if (frame.author?.username === this.me) {
      state.count = 0; // sending moves the sender's pointer to the message
      state.lastRead = frame.seq;
    } else if (!this.reading(frame.room)) {
      state.count += 1;
    }
    this.render(frame.room);
  }

  onRead(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || !Number.isInteger(frame.seq)) return;
    state.lastRead = Math.max(state.lastRead ?? 0, frame.seq);
    if (frame.seq >= state.lastSeq) {
      state.count = 0;
      this.render(frame.room);
    } else {
      this.resync(frame.room);
    }
  }

  /** Ask the server for the room's count again (a new `subscribed`). */
  resync(room) {
    if (this.resyncTimers.has(room)) return;
    const timer = setTimeout(() => {
      this.resyncTimers.delete(room);
      if (this.rooms.has(room) && this.socket.isLive) {
        this.socket.request({ type: "subscribe", room });
      }
    }, RESYNC_DELAY_MS);
    this.resyncTimers.set(room, timer);
  }
}
