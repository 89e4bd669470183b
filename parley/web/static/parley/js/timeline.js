// A room's timeline in the page: items kept sorted by seq, each shown once.
//
// The DOM has one <li data-seq> per item, in seq order, inside `list`. Grouping (consecutive
// messages of one author within 5 minutes) and day separators depend on the previous item, so
// each insert re-decorates the new element and the one after it.
//
// `highWater` is the cursor the room resumes from: every seq up to it is shown or known not to
// exist (an item deleted by an admin leaves a hole in the numbering). Anything shown above it is
// past a gap that still has to be filled.
//
// The "New messages" marker is a divider inside the first message whose seq is above
// `markerAfter` (the reader's pointer when it was set); it follows inserts, so it finds its
// place when the first unread message arrives or is paged in later. While the items right after
// the pointer are not in the page yet (more unread than the page holds), it is not drawn at all:
// the first message shown would not be the first unread.

import { humanSize, renderText } from "./text.js";

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

  li.append(meta);
  const text = typeof item.body === "string" ? item.body : "";
  const attachment = isAttachment(item.attachment) ? item.attachment : null;
  if (text || !attachment) {
    const body = document.createElement("div");
    body.className = "item__body";
    renderText(body, text);
    li.append(body);
  }
  if (attachment) li.append(attachmentElement(attachment));
  return li;
}

// Shown inline (an <img>); the server serves only these inline, and only when the bytes match.
export const PREVIEW_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

function isAttachment(value) {
  return Boolean(value) && typeof value === "object" && typeof value.url === "string";
}

/** The attachment's address if it is on this site (it always is); null for anything else. */
export function sameOriginUrl(url, origin = window.location.origin) {
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === origin ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A file in the timeline: name, size and type; an inline preview for images. */
export function attachmentElement(attachment) {
  const name = typeof attachment.name === "string" && attachment.name ? attachment.name : "file";
  const type = typeof attachment.content_type === "string" ? attachment.content_type : "";
  const href = sameOriginUrl(attachment.url);
  const image = href !== null && PREVIEW_TYPES.has(type);

  const box = document.createElement("div");
  box.className = image ? "attachment attachment--image" : "attachment";
  if (image) {
    const link = document.createElement("a");
    link.className = "attachment__preview";
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener";
    const img = document.createElement("img");
    img.className = "attachment__image";
    img.alt = name;
    img.loading = "lazy";
    img.decoding = "async";
    img.src = href;
    link.append(img);
    box.append(link);
  }
  const meta = document.createElement("p");
  meta.className = "attachment__meta";
  const label = document.createElement(href === null ? "span" : "a");
  label.className = "attachment__name";
  label.textContent = name;
  if (href !== null) {
    label.href = href;
    if (!image) label.setAttribute("download", "");
  }
  const info = document.createElement("span");
  info.className = "attachment__info muted";
  info.textContent = [humanSize(attachment.size), type].filter(Boolean).join(" · ");
  meta.append(label, " ", info);
  box.append(meta);
  return box;
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
    this.markerAfter = null; // the "New messages" marker goes before the first seq above it
    this.marker = null;
    this.startShown = false; // the room's first item is shown: nothing older to page in
  }

  /** Whether the items right after `seq` are in the page (not still to be paged in). */
  holdsAfter(seq) {
    return this.startShown || (this.first !== null && this.first <= seq + 1);
  }

  /** Tell whether the room's first item is shown (no older history to load). */
  setStartShown(shown) {
    if (this.startShown === shown) return;
    this.startShown = shown;
    this.placeMarker();
  }

  /** Draw "New messages" before the first message with seq > `afterSeq` (now or once it comes). */
  setNewMarker(afterSeq) {
    this.markerAfter = afterSeq;
    if (!this.marker) {
      this.marker = document.createElement("div");
      this.marker.className = "new-marker";
      this.marker.setAttribute("role", "separator");
      const label = document.createElement("span");
      label.textContent = "New messages";
      this.marker.append(label);
    }
    this.placeMarker();
  }

  clearNewMarker() {
    this.markerAfter = null;
    this.placeMarker();
  }

  /** The element the marker is in, or null. */
  get markerItem() {
    return this.marker?.parentElement ?? null;
  }

  placeMarker() {
    if (!this.marker) return;
    const old = this.marker.parentElement;
    let target = null;
    if (this.markerAfter !== null && this.holdsAfter(this.markerAfter)) {
      // Membership events are not unread: the marker goes before the first message.
      for (let index = this.indexFor(this.markerAfter + 1); index < this.seqs.length; index += 1) {
        const { item, el } = this.bySeq.get(this.seqs[index]);
        if (item.type === "message") {
          target = el;
          break;
        }
      }
    }
    if (target === old) return;
    if (target) {
      const day = target.querySelector(":scope > .day-separator");
      target.insertBefore(this.marker, day ? day.nextSibling : target.firstChild);
    } else {
      this.marker.remove();
    }
    for (const el of [old, target]) {
      const seq = el ? Number(el.dataset.seq) : Number.NaN;
      if (this.bySeq.has(seq)) this.decorate(this.indexFor(seq));
    }
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
    if (this.markerAfter !== null) this.placeMarker();
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
    this.placeMarker();
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
      !el.querySelector(":scope > .new-marker") &&
      prev?.type === "message" &&
      !newDay &&
      authorName(item) !== null &&
      authorName(item) === authorName(prev) &&
      date - prevDate >= 0 &&
      date - prevDate < GROUP_MS;
    el.classList.toggle("is-continuation", grouped);
  }
}
