// A room's timeline in the page: items kept sorted by seq, each shown once.
//
// The DOM has one <li data-seq> per item, in seq order, inside `list`. Grouping (consecutive
// messages of one author within 5 minutes) and day separators depend on the previous item, so
// each insert re-decorates the new element and the one after it.
//
// `highWater` is the cursor the room resumes from: every seq up to it is shown or known not to
// exist (an item deleted by an admin leaves a hole in the numbering). Anything shown above it is
// past a gap that still has to be filled.

import { renderText } from "./text.js";

const GROUP_MS = 5 * 60 * 1000;

export function authorName(item) {
  const user = item.type === "message" ? item.author : item.user;
  return user && typeof user.username === "string" ? user.username : null;
}

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
}

export function dayLabel(date, now = new Date()) {
  const today = dayKey(now);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(date) === today) return "Today";
  if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
  return date.toLocaleDateString(undefined, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
  });
}

/** A <time> showing the local time, with the full local timestamp in its title. */
export function timeElement(iso) {
  const el = document.createElement("time");
  el.className = "item__time";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    el.textContent = "";
    return el;
  }
  el.dateTime = iso;
  el.textContent = date.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  el.title = date.toLocaleString(undefined, { dateStyle: "full", timeStyle: "long" });
  return el;
}

/** The element of one message (also used for pending ones, which have no seq yet). */
export function messageElement(item, { me }) {
  const li = document.createElement("li");
  li.className = "item item--message";
  const name = authorName(item);
  if (name !== null && name === me) li.classList.add("is-mine");

  const meta = document.createElement("div");
  meta.className = "item__meta";
  const author = document.createElement("span");
  author.className = "item__author";
  author.textContent = name ?? "deleted user";
  if (name === null) author.classList.add("is-deleted");
  meta.append(author, " ", item.ts ? timeElement(item.ts) : document.createElement("time"));

  const body = document.createElement("div");
  body.className = "item__body";
  renderText(body, item.body ?? "");

  li.append(meta, body);
  return li;
}

const EVENT_TEXT = { join: "joined the room", leave: "left the room" };

export function eventElement(item) {
  const li = document.createElement("li");
  li.className = `item item--event item--${item.kind}`;
  const line = document.createElement("p");
  line.className = "item__line";
  const who = document.createElement("span");
  who.className = "item__author";
  who.textContent = authorName(item) ?? "A deleted user";
  const what = EVENT_TEXT[item.kind] ?? String(item.kind ?? "event");
  line.append(who, ` ${what} `, timeElement(item.ts));
  li.append(line);
  return li;
}

export class Timeline {
  constructor(list, { me, highWater = 0 }) {
    this.list = list;
    this.me = me;
    this.bySeq = new Map(); // seq -> {item, el}
    this.seqs = []; // sorted
    this.absent = new Set(); // seqs known not to exist
    this.highWater = highWater;
  }

  get first() {
    return this.seqs.length ? this.seqs[0] : null;
  }

  get last() {
    return this.seqs.length ? this.seqs[this.seqs.length - 1] : null;
  }

  has(seq) {
    return this.bySeq.has(seq);
  }

  get(seq) {
    return this.bySeq.get(seq)?.item ?? null;
  }

  /** Insert one item; false if its seq is already shown. */
  insert(item) {
    const seq = item.seq;
    if (!Number.isInteger(seq) || seq < 1 || this.bySeq.has(seq)) return false;
    const el = item.type === "message" ? messageElement(item, this) : eventElement(item);
    el.dataset.seq = String(seq);
    const index = this.indexFor(seq);
    const next = this.seqs[index];
    this.list.insertBefore(el, next === undefined ? null : this.bySeq.get(next).el);
    this.seqs.splice(index, 0, seq);
    this.bySeq.set(seq, { item, el });
    this.absent.delete(seq);
    this.decorate(index);
    if (index + 1 < this.seqs.length) this.decorate(index + 1);
    this.advance();
    return true;
  }

  /** Insert many; returns the ones that were new, in seq order. */
  insertMany(items) {
    const added = [];
    for (const item of items) if (this.insert(item)) added.push(item);
    return added;
  }

  markAbsent(from, to) {
    for (let seq = from; seq <= to; seq += 1) if (!this.bySeq.has(seq)) this.absent.add(seq);
    this.advance();
  }

  /** Move the cursor over every seq that is shown or known absent. */
  advance() {
    while (this.bySeq.has(this.highWater + 1) || this.absent.has(this.highWater + 1)) {
      this.highWater += 1;
    }
  }

  /** The smallest seq shown above the cursor (the far side of the first gap), or null. */
  nextShownAfter(seq) {
    const index = this.indexFor(seq + 1);
    return index < this.seqs.length ? this.seqs[index] : null;
  }

  /** Drop every item below `seq` (after a jump to the newest page). */
  dropBelow(seq) {
    while (this.seqs.length && this.seqs[0] < seq) {
      const first = this.seqs.shift();
      this.bySeq.get(first).el.remove();
      this.bySeq.delete(first);
    }
    for (const s of this.absent) if (s < seq) this.absent.delete(s);
    if (this.seqs.length) this.decorate(0);
  }

  indexFor(seq) {
    let lo = 0;
    let hi = this.seqs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid] < seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Day separator and author grouping for the element at `index`, from its predecessor. */
  decorate(index) {
    const { item, el } = this.bySeq.get(this.seqs[index]);
    const prev = index > 0 ? this.bySeq.get(this.seqs[index - 1]).item : null;
    const date = new Date(item.ts);
    const prevDate = prev ? new Date(prev.ts) : null;
    const valid = !Number.isNaN(date.getTime());
    const newDay = valid && (!prevDate || dayKey(prevDate) !== dayKey(date));

    let separator = el.querySelector(":scope > .day-separator");
    if (newDay) {
      if (!separator) {
        separator = document.createElement("div");
        separator.className = "day-separator";
        separator.setAttribute("role", "separator");
        const label = document.createElement("span");
        separator.append(label);
        el.prepend(separator);
      }
      separator.firstChild.textContent = dayLabel(date);
    } else if (separator) {
      separator.remove();
    }

    const grouped =
      item.type === "message" &&
      prev?.type === "message" &&
      !newDay &&
      authorName(item) !== null &&
      authorName(item) === authorName(prev) &&
      date - prevDate >= 0 &&
      date - prevDate < GROUP_MS;
    el.classList.toggle("is-continuation", grouped);
  }
}
