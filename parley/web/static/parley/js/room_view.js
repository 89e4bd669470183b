// @ts-check
// One room's view: wires the timeline, history, read state, the members list, the composer,
// typing, presence and file uploads of #room-view to the page's socket. room.js (the app) makes
// one when the page opens and another each time the user opens a room without a reload
// (room_switch.js); `dispose()` stops everything this view listens to. The rules live in modules
// without DOM: timeline_model.js (what is held, gaps), history_plan.js (which `history`
// requests), read_state.js (when to send `read`, "New messages"), send_queue.js (sending order
// and retries), member_list.js, unread_counts.js, typing.js; limits and close codes come from
// the server (config.js).
//
// The server renders the latest items; this page keeps those rows (#initial-items is their
// data), subscribes with `after` = the last seq it holds, and from then on keeps the timeline
// whole: every seq shown once, in order, gaps filled with `history`.
//
// The "New messages" marker: drawn when the page opens (or resubscribes after a reconnect) with
// the pointer below the newest message, before the first message above the pointer. It stays where
// it is while the page is open, also once those messages are read, so the reader keeps their
// bearings; it moves only when new messages arrive unread (tab hidden, or scrolled up) after
// everything at the old place was read, and it is gone when the page is left. With more unread
// than the page came with, the page first loads back to the first unread (`history` with
// `before`, up to UNREAD_LOAD_MAX items) and opens there, as Slack does.
//
// When the session ends (socket closed UNAUTHENTICATED/SESSION_ENDED, e.g. logged out in another
// tab) the page shows the user offline and signed out, and what is written waits in the outbox
// with "Sign in to send". A reader at the newest message stays there when the timeline changes
// size (pin.js).
//
// Conversations (conversations.js): every item also goes to the conversation model, which shows
// each message as it is now; replies and changes are held in the timeline (their seqs count for
// gaps) without rows of their own. Replies typed in the thread panel go through the room's
// outbox like the composer's messages (sender.js). /rooms/<slug>/?seq=N opens at message N
// (message_jump.js). The search box in the header and its results panel: search_panel.js.

import { Composer } from "./composer.js";
import { clientConfig } from "./config.js";
import { confirmAction } from "./confirm_dialog.js";
import { bindImageViewer } from "./image_viewer.js";
import { Conversations } from "./conversations.js";
import { bindMemberMessages } from "./direct_start.js";
import { renameAuthor } from "./item_view.js";
import {
  GAP_GRACE_MS,
  GapFiller,
  loadBackLimit,
  shouldLoadBack,
} from "./history_plan.js";
import { presenceChanges } from "./member_list.js";
import { bindMemberPanel } from "./member_panel.js";
import { Members } from "./members.js";
import { MessageJump } from "./message_jump.js";
import { connectNotifyMenu } from "./notify_menu.js";
import { OlderPages } from "./older_pages.js";
import { Outbox } from "./outbox.js";
import { BottomPin } from "./pin.js";
import { ReadReporter, markerForNews, markerOnResubscribe, newsFrom } from "./read_state.js";
import { bindSearch } from "./search_panel.js";
import { Sender } from "./sender.js";
import { State } from "./socket.js";
import { Timeline } from "./timeline.js";
import { isRow } from "./timeline_model.js";
import { TypingNames, TypingNotifier, typingText } from "./typing.js";
import { DraftStore } from "./drafts.js";
import { Uploader, bindDropZone } from "./uploads.js";
import { postRefusal, rightsAfter, roomStateOf } from "./room_rights.js";

/** @typedef {import("./timeline_model.js").Item} Item */
/** @typedef {import("./socket.js").Frame} Frame */

/**
 * The page's #room-data (room_detail in parley/web/views.py).
 * @typedef {object} RoomData
 * @property {string} slug
 * @property {string} name
 * @property {string} username
 * @property {number} lastSeq
 * @property {number} firstSeq
 * @property {boolean} isMember
 * @property {number} maxUpload
 * @property {number} lastRead
 * @property {number} unread
 * @property {string} uploadUrl
 * @property {boolean} [isDirect]
 * @property {string[]} [directUsers]  the other people of a direct room
 * @property {boolean} [canModerate]  may delete others' messages
 * @property {string} [level]  the notification level
 * @property {number} [editWindowSeconds]  0: no limit
 * @property {number | null} [jumpSeq]  open at this message (?seq=N)
 * @property {string} [emojiUrl]
 * @property {{readOnly: boolean, archived: boolean, owner: boolean, moderator: boolean, staff: boolean}} [rights]
 *   who may post (room_rights.js)
 */

const NEAR_BOTTOM_PX = 80;

/**
 * What the app holds of the open room's view.
 * @typedef {object} RoomView
 * @property {string} slug
 * @property {string} name
 * @property {boolean} isDirect
 * @property {() => boolean} isReading  on screen, scrolled to its end: what it shows is read
 * @property {() => void} markRead  everything in the room read now (Escape)
 * @property {() => void} focusComposer
 * @property {() => {seq: number, offset: number} | null} place  the reader's place (null: at the end)
 * @property {(place: {seq: number, offset: number}) => void} restorePlace
 * @property {() => void} dispose  stop listening; what was read is reported
 */

/**
 * Start the view of `room` in the current #room-view.
 * @param {object} options
 * @param {import("./socket.js").ParleySocket} options.socket  the page's one socket
 * @param {import("./unread.js").UnreadTracker} options.unread  the page's unread counts
 * @param {RoomData} options.room  #room-data
 * @param {Item[]} options.initialItems  #initial-items
 * @returns {RoomView}
 */
export function openRoomView({ socket, unread, room, initialItems }) {
  const config = clientConfig();
  // Everything this view adds to the document, the window and the socket goes with it.
  const lifetime = new AbortController();
  const { signal } = lifetime;
  /** @type {(() => void)[]} */
  const offs = [];
  /**
   * @param {string} type
   * @param {(frame: any) => void} fn
   */
  const on = (type, fn) => offs.push(socket.on(type, fn));
  /** @param {string} id */
  const byId = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const scroller = byId("timeline-scroll");
  const list = byId("timeline");
  const joinForm = /** @type {HTMLFormElement} */ (byId("join-form"));
  const leaveForm = /** @type {HTMLFormElement} */ (byId("leave-form"));
  const notice = byId("room-notice");
  const jumpButton = byId("jump-latest");
  const log = byId("timeline-log");
  const typingLine = byId("typing");
  const fileInput = /** @type {HTMLInputElement} */ (byId("id_file"));

  const me = room.username;
  const slug = room.slug;
  // Read-only and archived rooms close the box to those who may not post; live events update it.
  /** @type {import("./room_rights.js").RoomRights} */
  let rights = {
    readOnly: false,
    archived: false,
    owner: false,
    moderator: false,
    staff: false,
    ...room.rights,
    asOf: room.lastSeq || 0,
  };
  const drafts = new DraftStore(me);
  const sender = new Sender({
    socket,
    outbox: new Outbox(Outbox.keyFor(me, slug)),
    room: slug,
    me,
    list: byId("pending"),
    threadList: byId("thread-pending"),
    onAck: showAcked,
    onEdit: (entry) => {
      if (entry.thread === undefined) composer.offer(entry.body);
      else conversations.thread.offer(entry.thread, entry.body);
    },
  });
  // Made before the socket starts: its first state change updates the composer.
  const composer = new Composer({
    form: /** @type {HTMLFormElement} */ (byId("composer")),
    textarea: /** @type {HTMLTextAreaElement} */ (byId("id_body")),
    note: byId("composer-note"),
    counter: byId("composer-counter"),
    fileInput,
    maxBody: config.maxBody,
    canSend: () => isMember() && !closed && !postRefusal(rights),
    onSend: (body, files) => {
      if (!files.length) return sender.add(body);
      // The first file carries the text; if it could not be stored, the text comes back.
      uploader.send(body, files).then((stored) => stored || composer.offer(body));
    },
    tray: byId("composer-files"),
    maxUpload: room.maxUpload,
    signal,
    onSent: () => {
      drafts.clear(slug);
      typingNotifier.sent();
      scrollToBottom();
    },
    onType: () => typingNotifier.input(),
  });
  const timeline = new Timeline(list, { me, highWater: room.lastSeq || 0 });
  const membersList = byId("members");
  const members = new Members(membersList, {
    me,
    count: byId("member-count"),
    initial: [...membersList.querySelectorAll("li[data-username]")].map(
      (li) => /** @type {HTMLElement} */ (li).dataset.username ?? "",
    ),
    baseSeq: room.lastSeq || 0,
    meMember: Boolean(room.isMember),
  });
  // A big room's panel: pages, "Find a member", presence watched while open.
  const memberPanel = bindMemberPanel({ socket, slug, members, signal });

  const conversations = new Conversations({
    socket,
    slug,
    me,
    timeline,
    canModerate: Boolean(room.canModerate),
    editWindowSeconds: room.editWindowSeconds || 0,
    isDirect: Boolean(room.isDirect),
    directUsers: room.directUsers || [],
    emojiUrl: room.emojiUrl || "/emoji.json",
    maxBody: config.maxBody,
    historyPage: config.historyMax,
    canPost: () =>
      isMember() && !closed && !postRefusal(rights) && socket.state !== State.SIGNED_OUT,
    names: () => members.model.sorted(),
    show: (items) => showItems(items, { live: false }),
    sendReply: (body, root) => sender.add(body, { thread: root }),
    onThreadShown: (root) => {
      sender.showThread(root);
      // One panel beside the timeline at a time: a thread opening closes the search.
      if (root !== null) search?.close({ focus: false });
    },
    notify: (text) => {
      showNotice(text);
      if (text) setTimeout(() => notice.textContent === text && showNotice(""), 6000);
    },
    signal,
  });
  conversations.bindComposer(/** @type {HTMLTextAreaElement} */ (byId("id_body")));
  const search = bindSearch({ me, onOpen: () => conversations.thread.close({ focus: false }), signal });
  bindMemberMessages(membersList, (name) => conversations.startDm(name));
  const notifyMenu = connectNotifyMenu(socket, slug, room.level, { signal });
  // Opened at a message far from the newest (?seq=N): the page may show the items around it,
  // not the newest; live rows then wait for a reload ("Jump to the latest messages").
  const jump = new MessageJump({
    socket,
    slug,
    timeline,
    historyPage: config.historyPage,
    historyMax: config.historyMax,
    loadOlder: (limit) => older.load(limit),
    hasOlder: () => older.hasMore,
    replace: (items) =>
      busy(() => {
        timeline.dropBelow(Number.MAX_SAFE_INTEGER);
        for (const item of items) {
          timeline.insert(item);
          conversations.apply(item);
        }
      }),
    onDetached: (reply) => {
      older.set(Boolean(reply.has_more));
      if (reply.has_newer) {
        jumpButton.textContent = "Jump to the latest messages ↓";
        jumpButton.hidden = false;
      }
    },
    highlight: (seq) => conversations.highlight(seq),
    notify: (text) => conversations.options.notify(text),
  });

  let disposed = false; // another room opened: this view is gone
  /** @type {{seq: number, offset: number} | null} where a reader coming back was (until subscribed) */
  let heldPlace = null;
  let closed = false; // removed from the room, or it is gone: nothing more to do here
  let leaving = false;
  let subscribedOnce = false;
  // Opened with the first unread above what the page holds: not reading (nor reporting read)
  // until the page has loaded back to it.
  let findingUnread = false;

  const older = new OlderPages({
    socket,
    slug,
    timeline,
    scroller,
    button: /** @type {HTMLButtonElement} */ (byId("load-older")),
    status: byId("older-status"),
    startMarker: byId("timeline-start"),
    hasMore: (room.firstSeq || 0) > 1,
    historyPage: config.historyPage,
    historyMax: config.historyMax,
    canLoad: () => !disposed && !closed && socket.isLive,
    take: (items) =>
      busy(() => {
        for (const item of items) {
          sender.settleIfMine(item);
          timeline.insert(item);
          conversations.apply(item);
          if (item.type === "event") members.apply(item.kind, item.user?.username, item.seq);
        }
      }),
    onMoved: () => pin.remember(),
  });
  const reads = new ReadReporter({
    lastRead: room.lastRead || 0,
    send: (seq) => socket.send({ type: "read", room: slug, seq }),
    due: () => reportRead(),
  });
  const gaps = new GapFiller({
    timeline,
    room: slug,
    request: (frame) => socket.request(frame),
    show: (items) => busy(() => showItems(items, { live: false })),
    onJump: (reply) => {
      older.set(Boolean(reply.has_more));
      scrollToBottom();
    },
    canFill: () => !disposed && !closed && socket.isLive && !jump.detached,
    historyMax: config.historyMax,
    historyPage: config.historyPage,
    knownLast: room.lastSeq || 0,
  });

  const typing = new TypingNames({
    me,
    showFor: config.typingShowSeconds * 1000,
    onChange: (names) => {
      const text = typingText(names);
      if (typingLine.textContent !== text) typingLine.textContent = text;
      typingLine.classList.toggle("is-active", text !== "");
    },
  });
  // A key pressed while the composer still has text (a held-back frame checks again).
  const typingNotifier = new TypingNotifier(
    () => composer.hasText && isMember() && !closed && socket.send({ type: "typing", room: slug }),
  );
  // The app follows the user's other rooms for their counts; this one is followed here.
  unread.open(slug, { count: room.unread || 0, lastSeq: room.lastSeq || 0, member: room.isMember });

  // -- the timeline ---------------------------------------------------------------------------

  // The reader at the newest item stays there when the timeline changes size (see pin.js).
  const pin = new BottomPin(scroller, { content: [log], signal });
  bindImageViewer(list, { signal });

  // Taking over what the server rendered (the same items, now in local time) is not news.
  busy(() => {
    timeline.adopt(initialItems);
    for (const item of initialItems) {
      sender.settleIfMine(item);
      conversations.apply(item);
    }
    if (room.isMember && room.unread > 0 && reads.lastRead < (room.lastSeq || 0)) {
      timeline.setNewMarker(reads.lastRead);
      findingUnread = !timeline.holdsAfter(reads.lastRead);
    }
  });
  scrollToBottom();
  showMarker();
  unread.render(slug);

  /**
   * Run `fn` with the log marked busy, so screen readers do not read out bulk inserts.
   * @template T
   * @param {() => T} fn
   * @returns {T}
   */
  function busy(fn) {
    log.setAttribute("aria-busy", "true");
    try {
      return fn();
    } finally {
      requestAnimationFrame(() => log.removeAttribute("aria-busy"));
    }
  }

  /**
   * Put the row `seq` `offset` px below the top of the view, as the reader left it.
   * @param {{seq: number, offset: number}} place
   */
  function applyPlace({ seq, offset }) {
    const row = timeline.rows.get(seq);
    if (!row) return;
    const top = row.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += top - offset;
    pin.remember();
    jumpButton.hidden = isNearBottom();
    reportRead();
  }

  function isNearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM_PX;
  }

  function scrollToBottom() {
    scroller.scrollTop = scroller.scrollHeight;
    if (!jump.detached) jumpButton.hidden = true;
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
      const holds = after !== null && timeline.holdsAfter(after);
      if (after === null || !shouldLoadBack({ first: timeline.first, markerAfter: after, holds })) {
        return;
      }
      while (!timeline.holdsAfter(after) && older.hasMore) {
        const first = /** @type {number} */ (timeline.first);
        const limit = loadBackLimit({ first, markerAfter: after, historyMax: config.historyMax });
        if (!(await older.load(limit))) return;
      }
      showMarker();
    } finally {
      findingUnread = false;
      reportRead();
    }
  }

  /**
   * Show items (live, backlog, or a gap fill); keep the reader's place.
   * @param {Item[]} items
   * @param {{live?: boolean}} [options]
   */
  function showItems(items, { live = true } = {}) {
    const stick = isNearBottom();
    // Only an item that goes in above the newest one can move what the reader is looking at.
    const newest = timeline.last ?? 0;
    const above = items.some((item) => item.seq < newest);
    const anchor = stick || !above ? null : firstVisibleItem();
    const anchorTop = anchor ? anchor.getBoundingClientRect().top : 0;
    /** @type {Item[]} */
    const shown = [];
    for (const item of items) {
      if (item.room !== undefined && item.room !== slug) continue;
      sender.settleIfMine(item);
      const inserted = !jump.waits(item.seq) && timeline.insert(item);
      conversations.apply(item);
      if (!inserted) continue;
      shown.push(item);
      if (item.type === "event") {
        const after = rightsAfter(rights, item, me);
        if (after !== rights) {
          rights = after;
          updateComposer();
        }
        members.apply(item.kind, item.user?.username, item.seq);
        if (item.kind === "leave") typing.stop(item.user?.username);
      }
      if (item.type === "message") typing.stop(item.author?.username);
      gaps.see(item.seq);
    }
    // Replies and changes have no row here: not news for this timeline.
    const news = live ? newsFrom(shown.filter(isRow), me) : { count: 0, first: null };
    // Unread news while nobody reads: mark where it starts (unless the marker still marks
    // something unread).
    if (news.first !== null && !(stick && isVisible()) && isMember()) {
      const markerAfter = timeline.markerAfter;
      const lastRead = reads.lastRead;
      const after = markerForNews({ markerAfter, lastRead, firstNews: news.first });
      if (after !== null) timeline.setNewMarker(after);
    }
    updateMembership();
    if (stick) {
      scrollToBottom();
    } else {
      // Items inserted above what the reader is looking at (a gap fill) must not move it.
      if (anchor) scroller.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
      pin.remember();
      if (news.count) jumpButton.hidden = false;
    }
    if (gaps.behind) gaps.schedule(GAP_GRACE_MS);
    reportRead();
  }

  function firstVisibleItem() {
    const top = scroller.getBoundingClientRect().top;
    for (const el of list.querySelectorAll(":scope > [data-seq]")) {
      if (el.getBoundingClientRect().bottom > top) return el;
    }
    return null;
  }

  // -- read state -----------------------------------------------------------------------------

  function isVisible() {
    return document.visibilityState === "visible";
  }

  /** The room is on screen and scrolled to its end: what it shows is read. */
  function isReading() {
    return !disposed && !closed && !findingUnread && !jump.detached && isVisible() && isNearBottom();
  }

  /** Report the last seq shown as read (read_state.js throttles it). */
  function reportRead() {
    unread.render(slug);
    if (!isMember() || !socket.isLive || !isReading()) return;
    reads.report(timeline.highWater);
  }

  document.addEventListener(
    "visibilitychange",
    () => {
      if (document.hidden) reads.flush(socket.isLive);
      else reportRead();
    },
    { signal },
  );
  window.addEventListener("focus", () => reportRead(), { signal });
  // Back after midnight: "Today" is yesterday now.
  document.addEventListener("visibilitychange", () => timeline.relabel(), { signal });
  // Leaving the page (a link to another page): what was read while the throttle held the
  // report back is reported now, not lost with the page.
  window.addEventListener("pagehide", () => reads.flush(socket.isLive), { signal });

  jumpButton.addEventListener("click", () => {
    if (jump.detached) {
      window.location.assign(window.location.pathname);
      return;
    }
    scrollToBottom();
    reportRead();
  });
  scroller.addEventListener(
    "scroll",
    () => {
      if (isNearBottom() && !jump.detached) jumpButton.hidden = true;
      reportRead();
    },
    { passive: true },
  );

  // -- older items ----------------------------------------------------------------------------

  older.render();

  // -- the socket -----------------------------------------------------------------------------

  on("typing", (frame) => {
    if (frame.room === slug && !closed) typing.saw(frame.user?.username);
  });
  on("presence", (frame) => {
    if (frame.room === slug) members.setPresences(presenceChanges(frame, me));
  });
  // About a person, not a room: it comes once per room of theirs the socket follows.
  on("profile", (frame) => {
    if (closed) return;
    members.setProfile(frame.user);
    renameAuthor(document, frame.user);
  });
  on("read", (frame) => {
    if (frame.room === slug && Number.isInteger(frame.seq)) reads.serverRead(frame.seq);
  });

  on("message", (frame) => frame.room === slug && showItems([frame]));
  for (const type of ["edit", "delete", "reaction"]) {
    on(type, (frame) => frame.room === slug && showItems([frame]));
  }
  on("event", (frame) => frame.room === slug && showItems([frame]));
  on("backlog_truncated", (frame) => {
    if (frame.room !== slug) return;
    gaps.see(frame.last_seq);
    gaps.schedule(0);
  });
  on("unsubscribed", (frame) => {
    if (frame.room === slug && frame.reason === "removed") {
      closeRoom(
        leaving
          ? "You left this private room. Only its members can read it."
          : "You were removed from this room. Only its members can read it.",
      );
    }
  });
  on("state", ({ state }) => {
    // The session ended (logged out in another tab, say): the user is not online through this
    // page any more.
    if (state === State.SIGNED_OUT && members.knowsPresence) members.setPresence(me, "offline");
    updateComposer();
  });

  socket.watch(slug, {
    after: () => timeline.highWater,
    onSubscribed(reply) {
      if (reply.type === "subscribed") {
        const total = reply.members_total;
        members.reset(reply.members || [], reply.last_seq, Number.isInteger(total) ? total : undefined);
        memberPanel.subscribed();
        const state = roomStateOf(reply, rights);
        if (state !== rights) {
          rights = state;
          updateComposer();
        }
        if (Number.isInteger(reply.last_read)) {
          reads.resubscribed(reply.last_read);
          // Back after a reconnect with news: mark where it starts (see the top of this file).
          const markerAfter = timeline.markerAfter;
          const lastRead = reads.lastRead;
          const after = markerOnResubscribe({ markerAfter, lastRead, unread: reply.unread });
          if (after !== null) timeline.setNewMarker(after);
        }
        updateMembership();
        // The backlog that follows covers up to last_seq; check a little later that it did.
        gaps.see(reply.last_seq);
        gaps.schedule(1500);
        sender.resume();
        if (!subscribedOnce) {
          loadBackToMarker().then(() => {
            // What the first subscribe brought (a backlog, the marker) may have moved the rows:
            // the reader coming back is put where they were once more.
            if (heldPlace) applyPlace(heldPlace);
            heldPlace = null;
            jump.jumpTo(room.jumpSeq);
          });
        }
        subscribedOnce = true;
        older.fillViewport();
        reportRead();
      } else if (reply.code === "room_not_found") {
        closeRoom("This room no longer exists, or you can no longer see it.");
      } else if (!reply.client) {
        showNotice(`Could not open the live room: ${reply.message}`);
      }
    },
  });

  /** @param {string} text */
  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  /** @param {string} text */
  function closeRoom(text) {
    closed = true;
    typing.clear();
    memberPanel.stop({ tell: false });
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
    // The people of a direct room are fixed: nobody joins or leaves it.
    joinForm.hidden = isMember() || Boolean(room.isDirect);
    leaveForm.hidden = !isMember() || Boolean(room.isDirect);
    notifyMenu?.show(isMember());
    updateComposer();
  }

  function updateComposer() {
    composer.update({
      member: isMember(),
      closed,
      signedOut: socket.state === State.SIGNED_OUT,
      live: socket.isLive,
      refusal: postRefusal(rights),
    });
    conversations.updateThreadComposer();
  }

  for (const [form, type] of /** @type {const} */ ([
    [joinForm, "join"],
    [leaveForm, "leave"],
  ])) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (type === "leave" && form.dataset.private === "true") {
        const yes = await confirmAction({
          title: `Leave ${room.name}?`,
          text: "It is a private room: you can only come back if its owner or a moderator adds you again.",
          confirm: "Leave",
        });
        if (!yes) return;
      }
      if (!socket.isLive) {
        form.submit(); // the plain form post does it
        return;
      }
      const button = /** @type {HTMLButtonElement} */ (form.querySelector("button"));
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
        if (reply.type === "joined") composer.focus();
        else joinForm.querySelector("button")?.focus();
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

  /**
   * Our message, acknowledged: into the timeline (its live item may come before or after).
   * @param {import("./send_queue.js").Ack} ack
   * @param {import("./outbox.js").OutboxEntry} entry
   */
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
          ...(entry.thread === undefined ? {} : { thread: entry.thread }),
        },
      ],
      { live: true },
    );
  }

  // -- files ----------------------------------------------------------------------------------

  const uploader = new Uploader({
    url: room.uploadUrl,
    maxBytes: room.maxUpload,
    statusList: byId("uploads"),
    errorEl: byId("upload-error"),
    onItem(item) {
      if (item.room !== slug) return;
      scrollToBottom();
      showItems([item]);
    },
  });
  bindDropZone(byId("room-chat"), {
    enabled: () => isMember() && !closed,
    onFiles: (files) => composer.addFiles(files),
    signal,
  });

  // -- the draft ------------------------------------------------------------------------------

  // What is typed and not sent stays with the room: across room switches and reloads.
  const box = /** @type {HTMLTextAreaElement} */ (byId("id_body"));
  if (!box.value) {
    box.value = drafts.get(slug);
    if (box.value) composer.resize();
  }
  box.addEventListener("input", () => drafts.set(slug, box.value));

  // -- the rest -------------------------------------------------------------------------------

  // Narrow screens start with the members list folded.
  const details = /** @type {HTMLDetailsElement | null} */ (byId("members-details"));
  if (details && window.matchMedia("(max-width: 47.99rem)").matches) details.open = false;

  return {
    slug,
    name: room.name,
    isDirect: Boolean(room.isDirect),
    isReading: () => !disposed && (!isMember() || isReading()),
    markRead() {
      if (disposed || closed || !isMember() || !socket.isLive) return;
      const last = Math.max(timeline.highWater, unread.lastSeq(slug));
      if (last > reads.pointer) reads.sendNow(last);
    },
    focusComposer: () => composer.focus(),
    place() {
      if (isNearBottom()) return null;
      const row = firstVisibleItem();
      if (!(row instanceof HTMLElement) || !row.dataset.seq) return null;
      const top = row.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
      return { seq: Number(row.dataset.seq), offset: top };
    },
    restorePlace(place) {
      heldPlace = place;
      applyPlace(place);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      drafts.set(slug, box.value);
      reads.flush(socket.isLive);
      typing.clear();
      memberPanel.stop();
      timeline.dispose();
      lifetime.abort();
      for (const off of offs) off();
      socket.unwatch(slug, { unsubscribe: false });
      unread.close(slug, { member: isMember() && !closed });
    },
  };
}
