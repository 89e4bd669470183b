// The room page: the live timeline, history, the members list and the composer, the sidebar
// of the user's rooms, typing, presence, read state and file uploads.
//
// The server renders the latest items; this module takes over from the same data
// (#initial-items), subscribes with `after` = the last seq it holds, and from then on keeps the
// timeline whole: every seq shown once, in order, gaps filled with `history`.
//
// Read state: while the room is visible and scrolled to its end, the page reports the last seq
// it shows with a `read` frame (at most one per READ_EVERY_MS, and only when that moves the
// pointer); the server answers every connection of the user with `read`, which clears badges
// in other tabs too.
//
// The "New messages" marker: drawn when the page opens (or resubscribes after a reconnect) with
// the pointer below the newest message, before the first message above the pointer. It stays where
// it is while the page is open, also once those messages are read, so the reader keeps their
// bearings; it moves only when new messages arrive unread (tab hidden, or scrolled up) after
// everything at the old place was read, and it is gone when the page is left. With more unread
// than the page came with, the page first loads back to the first unread (`history` with
// `before`, up to UNREAD_LOAD_MAX items) and opens there, as Slack does.
//
// Sending: sender.js (one message at a time per room, in typed order, kept in the outbox). When
// the session ends (socket closed 4401/4403, e.g. logged out in another tab) the page shows the
// user offline and signed out, and what is written waits in the outbox with "Sign in to send".
// A reader at the newest message stays there when the timeline changes size (pin.js).

import { reportActivity } from "./activity.js";
import { Members, presenceOf } from "./members.js";
import { Outbox } from "./outbox.js";
import { BottomPin } from "./pin.js";
import { Sender } from "./sender.js";
import { ParleySocket, State } from "./socket.js";
import { bindIndicator } from "./status.js";
import { codePointLength } from "./text.js";
import { Timeline } from "./timeline.js";
import { TypingIndicator, TypingNotifier } from "./typing.js";
import { UnreadTracker } from "./unread.js";
import { Uploader, bindDropZone } from "./uploads.js";

const HISTORY_PAGE = 50;
const HISTORY_MAX = 200;
// Missing more than this many items: show the newest page instead of loading them all; the
// rest is one scroll up away.
const JUMP_THRESHOLD = 1000;
// Opened with more unread than the page holds: load back to the first unread if it is at most
// this many items back (beyond, "New messages" is drawn once scrolling up reaches it), with a
// few read items above it for context.
const UNREAD_LOAD_MAX = 1000;
const UNREAD_CONTEXT = 10;
// Items published by the server reach the socket in order, but an ack may overtake the item
// before it: wait a moment before asking for a "missing" one.
const GAP_GRACE_MS = 300;
const NEAR_BOTTOM_PX = 80;
const NEAR_TOP_PX = 150;
// At most one `read` frame this often.
const READ_EVERY_MS = 2000;

function readJson(id, fallback) {
  const el = document.getElementById(id);
  if (!el) return fallback;
  try {
    return JSON.parse(el.textContent);
  } catch {
    return fallback;
  }
}

const data = readJson("room-data", null);
if (data) start(data, readJson("initial-items", []));

function start(room, initialItems) {
  const $ = (selector) => document.querySelector(selector);
  const scroller = $("#timeline-scroll");
  const list = $("#timeline");
  const pendingList = $("#pending");
  const composer = $("#composer");
  const textarea = $("#id_body");
  const sendButton = composer.querySelector("button[type=submit]");
  const composerNote = $("#composer-note");
  const counter = $("#composer-counter");
  const joinForm = $("#join-form");
  const leaveForm = $("#leave-form");
  const notice = $("#room-notice");
  const olderButton = $("#load-older");
  const olderStatus = $("#older-status");
  const startMarker = $("#timeline-start");
  const jumpButton = $("#jump-latest");
  const membersList = $("#members");
  const log = $("#timeline-log");
  const chat = $("#room-chat");
  const typingLine = $("#typing");
  const fileInput = $("#id_file");
  const sidebar = $("#sidebar");
  const sidebarToggle = $("#sidebar-toggle");

  const me = room.username;
  const slug = room.slug;
  const socket = new ParleySocket();
  const sender = new Sender({
    socket,
    outbox: new Outbox(Outbox.keyFor(me, slug)),
    room: slug,
    me,
    list: pendingList,
    onAck: showAcked,
    onEdit(body) {
      if (!textarea.value.trim()) {
        textarea.value = body;
        resizeComposer();
        updateCounter();
      }
      textarea.focus();
    },
  });
  const timeline = new Timeline(list, { me, highWater: room.lastSeq || 0 });
  const rendered = membersList.querySelectorAll("li[data-username]");
  const members = new Members(membersList, {
    me,
    count: $("#member-count"),
    initial: [...rendered].map((li) => li.dataset.username),
    baseSeq: room.lastSeq || 0,
  });

  let hasMore = (room.firstSeq || 0) > 1;
  let olderLoading = null; // the `history` page being loaded above the first item
  let subscribedOnce = false;
  // Opened with the first unread above what the page holds: not reading (nor reporting read)
  // until the page has loaded back to it.
  let findingUnread = false;
  let knownLast = room.lastSeq || 0;
  let fillTimer = null;
  let fillDue = 0;
  let filling = false;
  let fillAgain = false;
  let closed = false; // removed from the room, or it is gone: nothing more to do here
  let leaving = false;
  let unseen = 0;
  const baseTitle = document.title;
  // The user's read pointer as the server last told it, and the highest seq reported since.
  let lastRead = room.lastRead || 0;
  let readSent = lastRead;
  let readTimer = null;
  let readHeld = 0; // the seq a held-back report will carry
  let readAt = -Infinity;

  const typing = new TypingIndicator(typingLine, { me });
  // A key pressed while the composer still has text (a held-back frame checks again).
  const typingNotifier = new TypingNotifier(
    () =>
      textarea.value.trim() !== "" &&
      isMember() &&
      !closed &&
      socket.send({ type: "typing", room: slug }),
  );
  const unread = new UnreadTracker(socket, {
    me,
    // This room needs no badge while it is read here, or read without being a member (no
    // pointer, nothing unread).
    reading: (name) => name === slug && (!isMember() || isReading()),
    onChange: (tracker) => {
      const dot = sidebarToggle?.querySelector("[data-unread-elsewhere]");
      if (dot) dot.hidden = tracker.unreadElsewhere(slug) === 0;
    },
  });
  for (const row of sidebar ? sidebar.querySelectorAll("[data-unread-room]") : []) {
    const name = row.dataset.unreadRoom;
    unread.track(name, {
      count: Number.parseInt(row.dataset.unread, 10) || 0,
      lastSeq: Number.parseInt(row.dataset.lastSeq, 10) || 0,
      // This room is subscribed below (with `after`); the others only for their counts.
      follow: name !== slug && row.dataset.member === "true",
    });
  }
  if (!unread.has(slug)) {
    unread.track(slug, { count: room.unread || 0, lastSeq: room.lastSeq || 0 });
  }

  // -- the timeline ---------------------------------------------------------------------------

  // The reader at the newest item stays there when the timeline changes size (see pin.js).
  const pin = new BottomPin(scroller, { content: [log] });

  // Rebuilding what the server rendered (same items, local times, grouping) is not news.
  busy(() => {
    list.replaceChildren();
    timeline.insertMany(initialItems);
    for (const item of initialItems) sender.settleIfMine(item);
    if (room.isMember && room.unread > 0 && lastRead < (room.lastSeq || 0)) {
      timeline.setNewMarker(lastRead);
      findingUnread = !timeline.holdsAfter(lastRead);
    }
  });
  scrollToBottom();
  showMarker();
  unread.render(slug);

  /** Run `fn` with the log marked busy, so screen readers do not read out bulk inserts. */
  function busy(fn) {
    log.setAttribute("aria-busy", "true");
    try {
      return fn();
    } finally {
      requestAnimationFrame(() => log.removeAttribute("aria-busy"));
    }
  }

  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
    jumpButton.hidden = true;
    pin.remember();
  }

  /** If the first unread item is above the view, bring it to the top (the reader starts there). */
  function showMarker() {
    const item = timeline.markerItem;
    if (!item) return;
    const offset = item.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    if (offset < 0) {
      scroller.scrollTop += offset - 8;
      jumpButton.hidden = false;
      pin.remember();
    }
  }

  /**
   * Opened with more unread than the page came with: page back to the first unread, so that
   * "New messages" is drawn before it, and start the reader there.
   */
  async function loadBackToMarker() {
    const after = timeline.markerAfter;
    try {
      if (after === null || timeline.first === null || timeline.holdsAfter(after)) return;
      if (timeline.first - after > UNREAD_LOAD_MAX) return;
      while (!timeline.holdsAfter(after) && hasMore) {
        const limit = Math.min(HISTORY_MAX, timeline.first - after - 1 + UNREAD_CONTEXT);
        if (!(await loadOlder(limit))) return;
      }
      showMarker();
    } finally {
      findingUnread = false;
      reportRead();
    }
  }

  /** Show items (live, backlog, or a gap fill); keep the reader's place. */
  function showItems(items, { live = true } = {}) {
    const stick = isNearBottom();
    // Only an item that goes in above the newest one can move what the reader is looking at.
    const newest = timeline.last ?? 0;
    const above = items.some((item) => item.seq < newest);
    const anchor = stick || !above ? null : firstVisibleItem();
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    let newFromOthers = 0;
    let firstFromOthers = null;
    for (const item of items) {
      if (item.room !== undefined && item.room !== slug) continue;
      sender.settleIfMine(item);
      if (!timeline.insert(item)) continue;
      if (item.type === "event") {
        members.apply(item.kind, item.user?.username, item.seq);
        if (item.kind === "leave") typing.stop(item.user?.username);
      }
      if (item.type === "message") typing.stop(item.author?.username);
      if (live && item.type === "message" && item.author?.username !== me) {
        newFromOthers += 1;
        if (firstFromOthers === null) firstFromOthers = item.seq;
      }
      if (item.seq > knownLast) knownLast = item.seq;
    }
    // Unread news while nobody reads: mark where it starts (unless the marker still marks
    // something unread).
    if (firstFromOthers !== null && !(stick && isVisible()) && isMember()) {
      if (timeline.markerAfter === null || timeline.markerAfter < lastRead) {
        timeline.setNewMarker(Math.min(lastRead, firstFromOthers - 1));
      }
    }
    updateMembership();
    if (stick) {
      scrollToBottom();
    } else {
      // Items inserted above what the reader is looking at (a gap fill) must not move it.
      if (anchor) scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
      pin.remember();
      if (newFromOthers) jumpButton.hidden = false;
    }
    if (newFromOthers && document.hidden) {
      unseen += newFromOthers;
      document.title = `(${unseen}) ${baseTitle}`;
    }
    if (timeline.last !== null && knownLast > timeline.highWater) scheduleFill(GAP_GRACE_MS);
    reportRead();
  }

  // -- read state -----------------------------------------------------------------------------

  function isVisible() {
    return document.visibilityState === "visible";
  }

  /** The room is on screen and scrolled to its end: what it shows is read. */
  function isReading() {
    return !closed && !findingUnread && isVisible() && isNearBottom();
  }

  /** Report the last seq shown as read: throttled, and only when it moves the pointer. */
  function reportRead() {
    unread.render(slug);
    if (!isMember() || !socket.isLive || !isReading()) return;
    const seq = timeline.highWater;
    if (seq <= Math.max(lastRead, readSent)) return;
    const wait = readAt + READ_EVERY_MS - Date.now();
    if (wait > 0) {
      readHeld = seq;
      if (readTimer === null) {
        readTimer = setTimeout(() => {
          readTimer = null;
          readHeld = 0;
          reportRead();
        }, wait);
      }
      return;
    }
    sendRead(seq);
  }

  function sendRead(seq) {
    readAt = Date.now();
    readSent = seq;
    socket.send({ type: "read", room: slug, seq });
  }

  /** Send a report the throttle is holding back, at once. */
  function flushRead() {
    if (readTimer === null) return;
    clearTimeout(readTimer);
    readTimer = null;
    const seq = readHeld;
    readHeld = 0;
    if (seq > Math.max(lastRead, readSent) && socket.isLive) sendRead(seq);
  }

  function firstVisibleItem() {
    const top = scroller.getBoundingClientRect().top;
    for (const el of list.children) {
      if (el.getBoundingClientRect().bottom > top) return el;
    }
    return null;
  }

  document.addEventListener("visibilitychange", () => {
    if (!document.hidden && unseen) {
      unseen = 0;
      document.title = baseTitle;
    }
    if (document.hidden) flushRead();
    else reportRead();
  });
  window.addEventListener("focus", () => reportRead());
  // Leaving the page (another room in the sidebar): what was read while the throttle held the
  // report back is reported now, not lost with the page.
  window.addEventListener("pagehide", () => flushRead());

  jumpButton.addEventListener("click", () => {
    scrollToBottom();
    reportRead();
  });
  scroller.addEventListener(
    "scroll",
    () => {
      if (isNearBottom()) jumpButton.hidden = true;
      if (scroller.scrollTop < NEAR_TOP_PX) loadOlder();
      reportRead();
    },
    { passive: true },
  );
  olderButton.addEventListener("click", () => loadOlder());

  function renderOlderState() {
    olderButton.hidden = !hasMore;
    startMarker.hidden = hasMore;
    timeline.setStartShown(!hasMore);
  }
  renderOlderState();

  /**
   * Load a page of older items above the first one shown; resolves true once they are in (a
   * page already on its way is not asked for twice: its promise is returned).
   */
  function loadOlder(limit = HISTORY_PAGE) {
    if (olderLoading) return olderLoading;
    if (!hasMore || closed || !socket.isLive) return Promise.resolve(false);
    olderLoading = fetchOlder(limit);
    return olderLoading;
  }

  async function fetchOlder(limit) {
    olderButton.disabled = true;
    olderStatus.textContent = "Loading older messages…";
    const before = timeline.first ?? timeline.highWater + 1;
    const reply = await socket.request({ type: "history", room: slug, before, limit });
    olderLoading = null;
    olderButton.disabled = false;
    if (reply.type !== "history") {
      olderStatus.textContent = reply.client ? "" : `Could not load older items: ${reply.message}`;
      return false;
    }
    olderStatus.textContent = "";
    // Keep what the reader sees where it is while older items go in above it.
    const height = scroller.scrollHeight;
    const top = scroller.scrollTop;
    busy(() => {
      for (const item of reply.items) {
        sender.settleIfMine(item);
        timeline.insert(item);
        if (item.type === "event") members.apply(item.kind, item.user?.username, item.seq);
      }
    });
    scroller.scrollTop = top + (scroller.scrollHeight - height);
    pin.remember();
    hasMore = reply.has_more && reply.items.length > 0;
    renderOlderState();
    fillViewport();
    return true;
  }

  /** A short timeline cannot be scrolled to its top: load older items until it can. */
  function fillViewport() {
    if (hasMore && scroller.scrollHeight <= scroller.clientHeight + NEAR_TOP_PX) loadOlder();
  }

  // -- gaps -----------------------------------------------------------------------------------

  function scheduleFill(delay) {
    const due = Date.now() + delay;
    if (fillTimer !== null && fillDue <= due) return;
    clearTimeout(fillTimer);
    fillDue = due;
    fillTimer = setTimeout(() => {
      fillTimer = null;
      fillGaps();
    }, delay);
  }

  /** Fetch every seq between the cursor and the newest known one with `history`. */
  async function fillGaps() {
    if (filling) {
      fillAgain = true;
      return;
    }
    filling = true;
    try {
      do {
        fillAgain = false;
        while (!closed && socket.isLive) {
          const target = Math.max(knownLast, timeline.last ?? 0);
          if (target <= timeline.highWater) break;
          if (target - timeline.highWater > JUMP_THRESHOLD) {
            if (!(await jumpToNewest())) break;
            continue;
          }
          const hole = timeline.highWater + 1;
          const upper = timeline.nextShownAfter(timeline.highWater) ?? target + 1;
          const limit = Math.min(HISTORY_MAX, upper - hole);
          const reply = await socket.request({ type: "history", room: slug, before: upper, limit });
          if (reply.type !== "history") break; // resubscribing after a reconnect resumes it
          const returned = new Set(reply.items.map((item) => item.seq));
          const before = timeline.highWater;
          busy(() => showItems(reply.items, { live: false }));
          // `history` answers with the newest items below `upper`: a seq in the answered range
          // that is not in it does not exist (an admin deleted it).
          const lowest = reply.has_more ? Math.min(...returned) : hole;
          for (let seq = Math.max(hole, lowest); seq < upper; seq += 1) {
            if (!returned.has(seq)) timeline.markAbsent(seq, seq);
          }
          if (timeline.highWater === before && !reply.items.some((i) => i.seq >= hole)) break;
        }
      } while (fillAgain && !closed);
    } finally {
      filling = false;
    }
  }

  /** Far behind: show the newest page and let the reader scroll back for the rest. */
  async function jumpToNewest() {
    const reply = await socket.request({ type: "history", room: slug, limit: HISTORY_PAGE });
    if (reply.type !== "history" || !reply.items.length) return false;
    const seqs = reply.items.map((item) => item.seq);
    const low = Math.min(...seqs);
    const high = Math.max(...seqs);
    timeline.dropBelow(low);
    timeline.highWater = low - 1;
    busy(() => showItems(reply.items, { live: false }));
    timeline.markAbsent(low, high);
    if (knownLast < high) knownLast = high;
    hasMore = reply.has_more;
    renderOlderState();
    scrollToBottom();
    return true;
  }

  // -- the socket -----------------------------------------------------------------------------

  bindIndicator(socket, $("[data-conn]"));

  socket.on("typing", (frame) => {
    if (frame.room === slug && !closed) typing.saw(frame.user?.username);
  });
  socket.on("presence", (frame) => {
    if (frame.room === slug) members.setPresence(frame.user?.username, presenceOf(frame));
  });
  socket.on("read", (frame) => {
    if (frame.room !== slug || !Number.isInteger(frame.seq)) return;
    if (frame.seq > lastRead) lastRead = frame.seq;
    if (frame.seq > readSent) readSent = frame.seq;
  });

  socket.on("message", (frame) => frame.room === slug && showItems([frame]));
  socket.on("event", (frame) => frame.room === slug && showItems([frame]));
  socket.on("backlog_truncated", (frame) => {
    if (frame.room !== slug) return;
    if (Number.isInteger(frame.last_seq) && frame.last_seq > knownLast) knownLast = frame.last_seq;
    scheduleFill(0);
  });
  socket.on("unsubscribed", (frame) => {
    if (frame.room === slug && frame.reason === "removed") {
      closeRoom(
        leaving
          ? "You left this private room. Only its members can read it."
          : "You were removed from this room. Only its members can read it.",
      );
    }
  });
  socket.on("state", ({ state }) => {
    // The session ended (logged out in another tab, say): the user is not online through this
    // page any more.
    if (state === State.SIGNED_OUT && members.knowsPresence) members.setPresence(me, "offline");
    updateComposer();
  });

  socket.watch(slug, {
    after: () => timeline.highWater,
    onSubscribed(reply) {
      if (reply.type === "subscribed") {
        members.reset(reply.members || [], reply.last_seq);
        if (Number.isInteger(reply.last_read)) {
          lastRead = reply.last_read;
          readSent = lastRead; // a `read` lost with the old connection is sent again
          // Back after a reconnect with news: mark where it starts (see the top of this file).
          const news = Number.isInteger(reply.unread) && reply.unread > 0;
          if (news && (timeline.markerAfter === null || timeline.markerAfter < lastRead)) {
            timeline.setNewMarker(lastRead);
          }
        }
        updateMembership();
        // The backlog that follows covers up to last_seq; check a little later that it did.
        if (reply.last_seq > knownLast) knownLast = reply.last_seq;
        scheduleFill(1500);
        sender.resume();
        if (!subscribedOnce) loadBackToMarker();
        subscribedOnce = true;
        fillViewport();
        reportRead();
      } else if (reply.code === "room_not_found") {
        closeRoom("This room no longer exists, or you can no longer see it.");
      } else if (!reply.client) {
        showNotice(`Could not open the live room: ${reply.message}`);
      }
    },
  });
  socket.start();

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function closeRoom(text) {
    closed = true;
    typing.clear();
    socket.unwatch(slug, { unsubscribe: false });
    showNotice(text);
    joinForm.hidden = true;
    leaveForm.hidden = true;
    updateComposer();
    sender.close("Not sent: you can no longer post here.");
  }

  // -- membership -----------------------------------------------------------------------------

  function isMember() {
    return members.has(me);
  }

  function updateMembership() {
    if (closed) return;
    joinForm.hidden = isMember();
    leaveForm.hidden = !isMember();
    updateComposer();
  }

  function updateComposer() {
    const member = isMember() && !closed;
    textarea.disabled = !member;
    sendButton.disabled = !member;
    fileInput.disabled = !member;
    composer.classList.toggle("is-disabled", !member);
    let note = "Enter sends, Shift+Enter adds a line.";
    if (closed) note = "You cannot send messages here.";
    else if (!member) note = "Join the room to send messages.";
    else if (socket.state === State.SIGNED_OUT) note = "Signed out: sign in again to send.";
    else if (!socket.isLive) note = "Offline: sent once reconnected.";
    composerNote.textContent = note;
  }

  for (const [form, type] of [
    [joinForm, "join"],
    [leaveForm, "leave"],
  ]) {
    form.addEventListener("submit", async (event) => {
      if (!socket.isLive) return; // the plain form post does it
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      leaving = type === "leave";
      const reply = await socket.request({ type, room: slug });
      button.disabled = false;
      if (reply.type === "joined" || reply.type === "left") {
        // The join/leave event updates the members list; do not wait for it to flip the form.
        members.set(me, reply.type === "joined");
        // Present here, of course (once the server has told presence at all).
        if (reply.type === "joined" && members.knowsPresence) members.setPresence(me, "online");
        showNotice("");
        updateMembership();
        (reply.type === "joined" ? textarea : joinForm.querySelector("button"))?.focus();
      } else if (reply.client) {
        form.submit();
      } else {
        leaving = false; // refused (an owner may not leave): a later removal is not this
        showNotice(reply.message || `Could not ${type} the room.`);
      }
    });
  }

  // -- sending --------------------------------------------------------------------------------

  sender.restore();
  updateComposer();

  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = textarea.value;
    if (!body.trim() || !isMember() || closed) return;
    const length = codePointLength(body);
    if (length > room.maxBody) {
      composerNote.textContent = `At most ${room.maxBody} characters (this one has ${length}).`;
      return;
    }
    sender.add(body);
    textarea.value = "";
    typingNotifier.sent();
    resizeComposer();
    updateCounter();
    scrollToBottom();
  });

  textarea.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || event.isComposing || event.keyCode === 229) return;
    if (event.shiftKey || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    composer.requestSubmit();
  });
  textarea.addEventListener("input", () => {
    resizeComposer();
    updateCounter();
    if (textarea.value.trim()) typingNotifier.input();
  });

  function resizeComposer() {
    textarea.style.height = "auto";
    textarea.style.height = `${textarea.scrollHeight}px`;
  }

  function updateCounter() {
    const length = codePointLength(textarea.value);
    const near = length > room.maxBody * 0.9;
    counter.hidden = !near;
    counter.textContent = near ? `${length} / ${room.maxBody}` : "";
    counter.classList.toggle("is-over", length > room.maxBody);
  }

  function showAcked(ack, entry) {
    // A re-sent message stored long ago is answered with its old seq: it belongs to history
    // not yet loaded, and showing it here would leave a hole that paging up skips.
    if (timeline.first !== null && ack.seq < timeline.first) return;
    showItems(
      [
        {
          type: "message",
          room: slug,
          seq: ack.seq,
          id: ack.id,
          author: { username: me },
          body: entry.body,
          ts: ack.ts,
          client_id: ack.client_id,
        },
      ],
      { live: true },
    );
  }

  // -- files ----------------------------------------------------------------------------------

  const uploader = new Uploader({
    url: room.uploadUrl,
    maxBytes: room.maxUpload,
    statusList: $("#uploads"),
    errorEl: $("#upload-error"),
    onItem(item) {
      if (item.room !== slug) return;
      scrollToBottom();
      showItems([item]);
    },
  });
  fileInput.addEventListener("change", () => {
    const files = [...fileInput.files];
    fileInput.value = ""; // choosing the same file again is a new upload
    if (isMember() && !closed) uploader.add(files);
  });
  bindDropZone(chat, {
    enabled: () => isMember() && !closed,
    onFiles: (files) => uploader.add(files),
  });

  // -- the sidebar ------------------------------------------------------------------------------

  if (sidebar && sidebarToggle) {
    sidebarToggle.hidden = false;
    const setOpen = (open, { focus = false } = {}) => {
      sidebar.classList.toggle("is-open", open);
      sidebarToggle.setAttribute("aria-expanded", String(open));
      if (open && focus) sidebar.querySelector("a")?.focus();
    };
    sidebarToggle.addEventListener("click", () => {
      setOpen(!sidebar.classList.contains("is-open"), { focus: true });
    });
    sidebar.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
        setOpen(false);
        sidebarToggle.focus();
      }
    });
    // A click beside the open drawer closes it.
    document.addEventListener("pointerdown", (event) => {
      if (!sidebar.classList.contains("is-open")) return;
      if (sidebar.contains(event.target) || sidebarToggle.contains(event.target)) return;
      setOpen(false);
    });
  }

  reportActivity(socket);

  // Narrow screens start with the members list folded.
  const details = $("#members-details");
  if (details && window.matchMedia("(max-width: 47.99rem)").matches) details.open = false;
}
