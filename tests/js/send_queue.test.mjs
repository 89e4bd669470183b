// Sending: one message at a time, in typed order, through refusals, retries and reloads.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { Outbox } from "../../parley/web/static/parley/js/outbox.js";
import {
  SendQueue,
  nextToSend,
  pendingStatus,
  refusalPlan,
  retryWait,
} from "../../parley/web/static/parley/js/send_queue.js";
import { FakeClock, settled } from "./fake_clock.mjs";

/** A socket whose `send` requests wait until the test answers them. */
class FakeSocket {
  constructor() {
    this.isLive = true;
    this.sent = [];
    this.waiting = [];
    this.seq = 100;
  }
  request(frame) {
    this.sent.push(frame.body);
    return new Promise((resolve) => this.waiting.push({ frame, resolve }));
  }
  /** Answer the oldest request waiting with `reply` (an ack by default). */
  async answer(reply = null) {
    const { frame, resolve } = this.waiting.shift();
    resolve(reply ?? { type: "ack", client_id: frame.client_id, seq: ++this.seq, ts: "" });
    await settled();
  }
}

function setup({ outbox = new Outbox("k", { storage: null }), me = "ada" } = {}) {
  const socket = new FakeSocket();
  const clock = new FakeClock();
  const acked = [];
  const settledIds = [];
  const queue = new SendQueue({
    socket,
    outbox,
    room: "lobby",
    me,
    clock,
    onAck: (ack, entry) => acked.push(entry.body),
    onSettle: (p) => settledIds.push(p.entry.client_id),
  });
  return { socket, clock, queue, outbox, acked, settledIds };
}

describe("order", () => {
  test("the oldest entry not failed for good goes next", () => {
    const entries = [
      { client_id: "c", body: "", created: 3, failed: null },
      { client_id: "a", body: "", created: 1, failed: { code: "invalid" } },
      { client_id: "b", body: "", created: 2, failed: null },
    ];
    assert.equal(nextToSend(entries)?.client_id, "b");
    assert.equal(nextToSend([]), null);
  });

  test("one send at a time, each after the ack of the one before", async () => {
    const { socket, queue, acked } = setup();
    queue.add("one");
    queue.add("two");
    queue.add("three");
    assert.deepEqual(socket.sent, ["one"]);
    await socket.answer();
    assert.deepEqual(socket.sent, ["one", "two"]);
    await socket.answer();
    await socket.answer();
    assert.deepEqual(socket.sent, ["one", "two", "three"]);
    assert.deepEqual(acked, ["one", "two", "three"]);
    assert.equal(queue.pending.size, 0);
  });

  test("a rate-limited message holds back the later ones until it is sent", async () => {
    const { socket, clock, queue, acked } = setup();
    queue.add("first");
    queue.add("second");
    await socket.answer({ type: "error", code: "rate_limited", retry_after: 2 });
    const first = [...queue.pending.values()][0];
    assert.equal(first.note, "Sending too fast: retrying in 2 s.");
    assert.deepEqual(socket.sent, ["first"], "the second waits behind the first");
    clock.advance(1999);
    assert.deepEqual(socket.sent, ["first"]);
    clock.advance(1);
    await settled();
    assert.deepEqual(socket.sent, ["first", "first"]);
    await socket.answer();
    await socket.answer();
    assert.deepEqual(acked, ["first", "second"]);
  });

  test("no answer in time, or no storing now: tried again, still in order", async () => {
    const { socket, clock, queue } = setup();
    queue.add("first");
    queue.add("second");
    await socket.answer({ type: "error", code: "timeout", client: true });
    clock.advance(3000);
    await settled();
    await socket.answer({ type: "error", code: "unavailable" });
    assert.match([...queue.pending.values()][0].note ?? "", /retrying in 4 s/);
    clock.advance(4000);
    await settled();
    assert.deepEqual(socket.sent, ["first", "first", "first"]);
  });

  test("one refused for good lets the later ones go on and waits for its writer", async () => {
    const { socket, queue, acked, outbox } = setup();
    queue.add("too long");
    queue.add("fine");
    await socket.answer({ type: "error", code: "invalid", message: "Too long." });
    assert.deepEqual(socket.sent, ["too long", "fine"]);
    await socket.answer();
    assert.deepEqual(acked, ["fine"]);
    const [failed] = queue.pending.values();
    assert.deepEqual(failed.entry.failed, { code: "invalid", message: "Too long." });
    assert.deepEqual(outbox.get(failed.entry.client_id)?.failed, failed.entry.failed);

    queue.retry(failed.entry.client_id);
    assert.deepEqual(socket.sent, ["too long", "fine", "too long"]);
  });

  test("a lost connection leaves the message for the next subscribe", async () => {
    const { socket, queue } = setup();
    queue.add("first");
    await socket.answer({ type: "error", code: "disconnected", client: true });
    assert.equal(queue.pending.size, 1);
    queue.resume();
    assert.deepEqual(socket.sent, ["first", "first"]);
  });

  test("nothing goes while offline; resume sends what waits, oldest first", () => {
    const { socket, queue } = setup();
    socket.isLive = false;
    queue.add("a");
    queue.add("b");
    assert.deepEqual(socket.sent, []);
    socket.isLive = true;
    queue.resume();
    assert.deepEqual(socket.sent, ["a"]);
  });

  test("after a reload the outbox's messages are sent oldest first", () => {
    const outbox = new Outbox("k", { storage: null });
    outbox.add({ client_id: "late", body: "typed second", created: 20, failed: null });
    outbox.add({ client_id: "early", body: "typed first", created: 10, failed: null });
    const { socket, queue } = setup({ outbox });
    queue.resume();
    assert.deepEqual(socket.sent, ["typed first"]);
  });
});

describe("settling", () => {
  test("our message in the timeline (from another tab) settles it; the next goes", () => {
    const { socket, queue, outbox } = setup();
    socket.isLive = false;
    const first = queue.add("from another tab");
    queue.add("next");
    socket.isLive = true;
    queue.settleIfMine({
      type: "message",
      seq: 9,
      author: { username: "ada" },
      client_id: first.client_id,
    });
    assert.equal(outbox.get(first.client_id), null);
    assert.deepEqual(socket.sent, ["next"]);
  });

  test("someone else's item with the same client_id settles nothing", () => {
    const { queue } = setup();
    const entry = queue.add("mine");
    queue.settleIfMine({
      type: "message",
      seq: 9,
      author: { username: "bob" },
      client_id: entry.client_id,
    });
    assert.equal(queue.pending.size, 1);
  });

  test("an ack that arrives before the request's answer settles once", async () => {
    const { socket, queue, acked, settledIds } = setup();
    const entry = queue.add("hello");
    queue.confirm({ client_id: entry.client_id, seq: 5 });
    await socket.answer({ type: "ack", client_id: entry.client_id, seq: 5 });
    assert.deepEqual(acked, ["hello"]);
    assert.deepEqual(settledIds, [entry.client_id]);
  });

  test("a closed room sends nothing more; its messages can be discarded", () => {
    const { socket, queue, outbox } = setup();
    socket.isLive = false;
    const entry = queue.add("too late");
    queue.close("Not sent: you can no longer post here.");
    socket.isLive = true;
    queue.resume();
    assert.deepEqual(socket.sent, []);
    queue.discard(entry.client_id);
    assert.equal(queue.pending.size, 0);
    assert.deepEqual(outbox.list(), []);
  });
});

describe("what a pending message says", () => {
  const p = (over = {}) => ({
    entry: { client_id: "c", body: "b", created: 1, failed: null },
    timer: null,
    note: null,
    attempts: 0,
    ...over,
  });
  const live = { closedText: null, signedOut: false, live: true };

  test("sending, a note while it waits, the connection, signing in", () => {
    assert.equal(pendingStatus(p(), live).text, "Sending…");
    assert.equal(
      pendingStatus(p({ note: "Sending too fast: retrying in 3 s." }), live).text,
      "Sending too fast: retrying in 3 s.",
    );
    assert.equal(pendingStatus(p(), { ...live, live: false }).text, "Waiting for the connection…");
    assert.deepEqual(pendingStatus(p(), { ...live, live: false, signedOut: true }), {
      text: "Sign in to send",
      actions: [],
      signIn: true,
    });
  });

  test("failed for good: why, with Retry, Edit and Discard; a closed room: Discard", () => {
    const failed = p({
      entry: {
        client_id: "c",
        body: "b",
        created: 1,
        failed: { code: "invalid", message: "Too long." },
      },
    });
    assert.deepEqual(pendingStatus(failed, live), {
      text: "Not sent (invalid): Too long.",
      actions: ["retry", "edit", "discard"],
      signIn: false,
    });
    assert.deepEqual(pendingStatus(p(), { ...live, closedText: "Closed." }).actions, ["discard"]);
  });

  test("retry waits follow the server's retry_after, within bounds", () => {
    assert.equal(retryWait(2.5), 2.5);
    assert.equal(retryWait(10_000), 300);
    assert.equal(retryWait("soon"), 5);
    assert.equal(retryWait(-1), 5);
    assert.deepEqual(refusalPlan({ code: "unavailable" }, 10), {
      retryIn: 30,
      note: "The server cannot store it now; retrying in 30 s.",
    });
    assert.deepEqual(refusalPlan({ code: "forbidden" }, 1), { fail: true });
  });
});

describe("replies in a thread", () => {
  test("a reply is sent with its thread, in its turn among the room's messages", async () => {
    const { socket, queue, acked } = setup();
    queue.add("in the room");
    const reply = queue.add("in the thread", { thread: 7 });
    assert.equal(reply.thread, 7);
    assert.equal(socket.waiting[0].frame.thread, undefined, "a room message has no thread");
    await socket.answer();
    assert.deepEqual(socket.waiting[0].frame, {
      type: "send",
      room: "lobby",
      body: "in the thread",
      client_id: reply.client_id,
      thread: 7,
    });
    await socket.answer();
    assert.deepEqual(acked, ["in the room", "in the thread"]);
  });

  test("the outbox keeps the thread: after a reload it goes again with the same client_id", async () => {
    const outbox = new Outbox("k", { storage: null });
    const before = setup({ outbox });
    before.socket.isLive = false;
    const typed = before.queue.add("typed offline", { thread: 12 });
    assert.deepEqual(outbox.list(), [typed]);

    const after = setup({ outbox }); // the page again, over the same outbox
    after.queue.resume();
    const { frame } = after.socket.waiting[0];
    assert.equal(frame.client_id, typed.client_id);
    assert.equal(frame.thread, 12);
    assert.equal(frame.body, "typed offline");
  });

  test("a lost connection or a refusal sends the same reply again, thread and client_id kept", async () => {
    const { socket, clock, queue, acked } = setup();
    const typed = queue.add("hello thread", { thread: 3 });
    await socket.answer({ type: "error", code: "disconnected", client: true });
    assert.equal(socket.waiting.length, 0, "waits for the next `subscribed`");
    queue.resume();
    await socket.answer({ type: "error", code: "unavailable" });
    clock.advance(30_000); // its backoff
    await settled();
    const { frame } = socket.waiting[0];
    assert.equal(frame.client_id, typed.client_id);
    assert.equal(frame.thread, 3);
    await socket.answer();
    assert.deepEqual(acked, ["hello thread"]);
  });

  test("the ack hands the entry with its thread to the timeline", async () => {
    const outbox = new Outbox("k", { storage: null });
    const socket = new FakeSocket();
    const seen = [];
    const queue = new SendQueue({
      socket,
      outbox,
      room: "lobby",
      me: "ada",
      clock: new FakeClock(),
      onAck: (ack, entry) => seen.push({ seq: ack.seq, thread: entry.thread }),
    });
    queue.add("reply", { thread: 40 });
    await socket.answer();
    assert.deepEqual(seen, [{ seq: 101, thread: 40 }]);
    assert.deepEqual(outbox.list(), []);
  });
});
