// A clock for the logic modules' tests (clock.js's Clock): time moves only when a test says so,
// and due timers run in order as it does.

export class FakeClock {
  constructor(start = 1_000_000) {
    this.time = start;
    this.timers = new Map();
    this.nextId = 1;
    this.now = () => this.time;
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.timers.set(id, { at: this.time + Math.max(0, ms), fn });
      return id;
    };
    this.clearTimeout = (id) => {
      this.timers.delete(id);
    };
  }

  /** Move time on by `ms`, running each timer that falls due, earliest first. */
  advance(ms) {
    const end = this.time + ms;
    for (;;) {
      let next = null;
      for (const [id, timer] of this.timers) {
        if (timer.at <= end && (next === null || timer.at < next.timer.at)) next = { id, timer };
      }
      if (next === null) break;
      this.timers.delete(next.id);
      this.time = next.timer.at;
      next.timer.fn();
    }
    this.time = end;
  }

  /** How many timers are waiting. */
  get waiting() {
    return this.timers.size;
  }
}

/** Let every promise continuation that is ready run (no time passes on any clock). */
export function settled() {
  return new Promise((resolve) => setImmediate(resolve));
}
