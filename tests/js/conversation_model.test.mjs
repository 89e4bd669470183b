// Conversations as data: messages as they are now through edits, deletions, reactions and
// replies; replay by state_seq; items that come before their target; optimistic reactions.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  BUFFER_LIMIT,
  Conversation,
  withReaction,
} from "../../parley/web/static/parley/js/conversation_model.js";

const T0 = Date.parse("2026-03-10T12:00:00Z");
const ts = (seq) => new Date(T0 + seq * 1000).toISOString();

function message(seq, { author = "ada", body = `m${seq}`, ...rest } = {}) {
  return {
    type: "message",
    seq,
    author: { username: author },
    body,
    html: `<p>${body}</p>`,
    ts: ts(seq),
    ...rest,
  };
}

const reply = (seq, thread, options = {}) => message(seq, { ...options, thread });

const edit = (seq, target, body, user = "ada") => ({
  type: "edit",
  seq,
  target,
  body,
  html: `<p>${body}</p>`,
  user: { username: user },
  ts: ts(seq),
});

const del = (seq, target, user = "ada") => ({
  type: "delete",
  seq,
  target,
  user: { username: user },
  ts: ts(seq),
});

const react = (seq, target, emoji, op, user) => ({
  type: "reaction",
  seq,
  target,
  emoji,
  op,
  user: { username: user },
  ts: ts(seq),
});

/** The confirmed reactions as [emoji, users] pairs, short to compare. */
const pairs = (conversation, seq) =>
  conversation.get(seq).reactions.map((r) => [r.emoji, r.users]);

/** What the page shows, short to compare. */
const shown = (conversation, seq, me = "ada") =>
  conversation.reactionsOf(seq, me).map((r) => [r.emoji, r.count, r.mine]);

describe("loading messages", () => {
  test("a live message is its state, with nothing changed yet", () => {
    const conversation = new Conversation();
    const attachment = { url: "/files/1/a.png", name: "a.png" };
    assert.deepEqual(conversation.load(message(4, { mentions: ["bob"], attachment })), [4]);
    assert.deepEqual(conversation.get(4), {
      seq: 4,
      ts: ts(4),
      author: "ada",
      body: "m4",
      html: "<p>m4</p>",
      mentions: ["bob"],
      edited: null,
      deleted: false,
      reactions: [],
      replies: 0,
      lastReplyTs: null,
      stateSeq: 4,
      thread: null,
      attachment,
    });
  });

  test("a snapshot carries its state, and stateSeq is the larger of seq and state_seq", () => {
    const conversation = new Conversation();
    conversation.load(
      message(4, {
        body: "edited",
        edited: ts(9),
        reactions: [{ emoji: "👍", users: ["bob", "cy"] }],
        replies: 2,
        last_reply_ts: ts(8),
        state_seq: 9,
      }),
    );
    const state = conversation.get(4);
    assert.equal(state.edited, ts(9));
    assert.deepEqual(pairs(conversation, 4), [["👍", ["bob", "cy"]]]);
    assert.equal(state.replies, 2);
    assert.equal(state.lastReplyTs, ts(8));
    assert.equal(state.stateSeq, 9);
    conversation.load(message(5, { state_seq: 0 }));
    assert.equal(conversation.get(5).stateSeq, 5);
  });

  test("a deleted message in a snapshot", () => {
    const conversation = new Conversation();
    conversation.load(message(4, { body: "", html: "", deleted: true, state_seq: 6 }));
    assert.equal(conversation.get(4).deleted, true);
    assert.equal(conversation.get(4).attachment, null);
    assert.deepEqual(conversation.reactionsOf(4, "ada"), []);
  });

  test("a newer snapshot replaces what is held; an older one is ignored", () => {
    const conversation = new Conversation();
    const v2 = message(4, { body: "v2", edited: ts(7), state_seq: 7 });
    conversation.load(message(4));
    assert.deepEqual(conversation.load(v2), [4]);
    assert.equal(conversation.get(4).body, "v2");
    const v1 = message(4, { body: "v1", edited: ts(5), state_seq: 5 });
    assert.deepEqual(conversation.load(v1), []);
    assert.equal(conversation.get(4).body, "v2");
    assert.deepEqual(conversation.load(message(4)), []);
    assert.equal(conversation.get(4).body, "v2");
    // The same state again (a duplicate) is taken: nothing is lost.
    assert.deepEqual(conversation.load(v2), [4]);
    assert.equal(conversation.get(4).stateSeq, 7);
  });

  test("what is not a message is not loaded", () => {
    const conversation = new Conversation();
    assert.deepEqual(conversation.load({ type: "event", kind: "join", seq: 3 }), []);
    assert.deepEqual(conversation.load({ type: "message", seq: 0 }), []);
    assert.equal(conversation.apply({ type: "event", kind: "join", seq: 3 }), false);
    assert.equal(conversation.apply({ type: "edit", seq: 3, target: "1" }), false);
    assert.equal(conversation.has(3), false);
  });
});

describe("edits, deletions and reactions", () => {
  test("an edit changes body, html and mentions, and marks the message edited", () => {
    const conversation = new Conversation();
    conversation.load(message(1, { mentions: ["bob"] }));
    assert.deepEqual(conversation.apply({ ...edit(3, 1, "hi @cy"), mentions: ["cy"] }), [1]);
    const state = conversation.get(1);
    assert.equal(state.body, "hi @cy");
    assert.equal(state.html, "<p>hi @cy</p>");
    assert.deepEqual(state.mentions, ["cy"]);
    assert.equal(state.edited, ts(3));
    assert.equal(state.stateSeq, 3);
    conversation.apply(edit(4, 1, "plain"));
    assert.deepEqual(conversation.get(1).mentions, []);
  });

  test("an item at or below the target's stateSeq is already included: skipped", () => {
    const conversation = new Conversation();
    conversation.load(message(1, { body: "now", edited: ts(5), state_seq: 5 }));
    assert.equal(conversation.apply(edit(4, 1, "before")), false);
    assert.equal(conversation.apply(edit(5, 1, "now")), false);
    assert.equal(conversation.get(1).body, "now");
    conversation.apply(edit(6, 1, "after"));
    assert.equal(conversation.apply(edit(6, 1, "after")), false);
    assert.equal(conversation.get(1).body, "after");
  });

  test("the reader's own edit, shown from its ack without html, gets it from the server's item", () => {
    const conversation = new Conversation();
    conversation.load(message(1));
    const local = { ...edit(5, 1, "**now**"), html: undefined, client_id: "c1" };
    assert.deepEqual(conversation.apply(local), [1]);
    assert.equal(conversation.get(1).html, "");
    const server = { ...edit(5, 1, "**now**"), html: "<p><strong>now</strong></p>", mentions: ["cy"] };
    assert.deepEqual(conversation.apply(server), [1]);
    assert.equal(conversation.get(1).html, "<p><strong>now</strong></p>");
    assert.deepEqual(conversation.get(1).mentions, ["cy"]);
    assert.equal(conversation.get(1).stateSeq, 5);
    // Once more (a backlog): nothing changes.
    assert.equal(conversation.apply(server), false);
  });

  test("a deletion erases text, html, mentions, reactions and attachment; replies stay", () => {
    const conversation = new Conversation();
    conversation.load(message(1, { mentions: ["bob"], attachment: { url: "/files/1/x" } }));
    conversation.apply(react(2, 1, "👍", "add", "bob"));
    conversation.apply(reply(3, 1));
    assert.deepEqual(conversation.apply(del(4, 1)), [1]);
    const state = conversation.get(1);
    assert.deepEqual(
      [state.deleted, state.body, state.html, state.mentions, state.reactions, state.attachment],
      [true, "", "", [], [], null],
    );
    assert.equal(state.replies, 1);
    assert.equal(state.stateSeq, 4);
  });

  test("edits and reactions after a deletion change nothing", () => {
    const conversation = new Conversation();
    conversation.load(message(1));
    conversation.apply(del(2, 1));
    assert.equal(conversation.apply(edit(3, 1, "back")), false);
    assert.equal(conversation.apply(react(4, 1, "👍", "add", "bob")), false);
    assert.equal(conversation.get(1).body, "");
    assert.deepEqual(conversation.get(1).reactions, []);
    assert.equal(conversation.toggleReaction(1, "👍", "ada"), null);
  });

  test("reactions keep the order each emoji was first added; a user is never there twice", () => {
    const conversation = new Conversation();
    conversation.load(message(1));
    conversation.apply(react(2, 1, "👍", "add", "bob"));
    conversation.apply(react(3, 1, "🎉", "add", "cy"));
    conversation.apply(react(4, 1, "👍", "add", "cy"));
    conversation.apply(react(5, 1, "👍", "add", "cy"));
    assert.deepEqual(pairs(conversation, 1), [["👍", ["bob", "cy"]], ["🎉", ["cy"]]]);
    conversation.apply(react(6, 1, "👍", "remove", "bob"));
    conversation.apply(react(7, 1, "🎉", "remove", "ada"));
    assert.deepEqual(pairs(conversation, 1), [["👍", ["cy"]], ["🎉", ["cy"]]]);
    // An emoji left with no users goes away; added again, it goes last.
    conversation.apply(react(8, 1, "👍", "remove", "cy"));
    assert.deepEqual(pairs(conversation, 1), [["🎉", ["cy"]]]);
    conversation.apply(react(9, 1, "👍", "add", "ada"));
    assert.deepEqual(pairs(conversation, 1), [["🎉", ["cy"]], ["👍", ["ada"]]]);
    assert.deepEqual(conversation.reactionsOf(1, "ada"), [
      { emoji: "🎉", count: 1, users: ["cy"], mine: false },
      { emoji: "👍", count: 1, users: ["ada"], mine: true },
    ]);
  });

  test("withReaction never changes its argument", () => {
    const reactions = [{ emoji: "👍", users: ["bob"] }];
    withReaction(reactions, "👍", "add", "cy");
    withReaction(reactions, "👍", "remove", "bob");
    withReaction(reactions, "🎉", "add", "cy");
    assert.deepEqual(reactions, [{ emoji: "👍", users: ["bob"] }]);
  });
});

describe("replies and threads", () => {
  test("a reply is a message of its own and counts on its root", () => {
    const conversation = new Conversation();
    conversation.load(message(1));
    assert.deepEqual(conversation.apply(reply(2, 1, { author: "bob" })), [2, 1]);
    conversation.apply(reply(5, 1));
    assert.equal(conversation.get(2).thread, 1);
    assert.equal(conversation.get(2).author, "bob");
    assert.equal(conversation.get(1).replies, 2);
    assert.equal(conversation.get(1).lastReplyTs, ts(5));
    assert.equal(conversation.get(1).stateSeq, 5);
    assert.deepEqual(conversation.threadOf(1), [2, 5]);
    assert.deepEqual(conversation.threadOf(2), []);
  });

  test("threadOf is in seq order whatever order the replies came in", () => {
    const conversation = new Conversation();
    for (const seq of [9, 3, 7]) conversation.load(reply(seq, 1));
    conversation.load(reply(3, 1));
    assert.deepEqual(conversation.threadOf(1), [3, 7, 9]);
  });

  test("replay from a snapshot skips what it includes: no reply is counted twice", () => {
    const conversation = new Conversation();
    // The page: the root as it is now, then the items after it, all included in it.
    const page = [
      message(1, {
        body: "v2",
        edited: ts(4),
        reactions: [{ emoji: "👍", users: ["bob"] }],
        replies: 2,
        last_reply_ts: ts(5),
        state_seq: 5,
      }),
      reply(2, 1),
      react(3, 1, "👍", "add", "bob"),
      edit(4, 1, "v2"),
      reply(5, 1),
    ];
    for (const item of page) conversation.apply(item);
    // Again, as a resubscribe would.
    for (const item of page) conversation.apply(item);
    const state = conversation.get(1);
    assert.equal(state.replies, 2);
    assert.equal(state.body, "v2");
    assert.deepEqual(pairs(conversation, 1), [["👍", ["bob"]]]);
    assert.deepEqual(conversation.threadOf(1), [2, 5]);
    // What comes after the snapshot counts.
    conversation.apply(reply(6, 1));
    assert.equal(conversation.get(1).replies, 3);
  });

  test("a live reply seen again in a backlog is not counted twice", () => {
    const conversation = new Conversation();
    conversation.load(message(1));
    conversation.apply(reply(2, 1));
    conversation.apply(reply(2, 1));
    assert.equal(conversation.get(1).replies, 1);
  });
});

describe("items that come before their target", () => {
  test("they wait, and are applied in seq order when the target is loaded", () => {
    const conversation = new Conversation();
    assert.deepEqual(conversation.apply(react(12, 1, "🎉", "add", "cy")), []);
    assert.deepEqual(conversation.apply(edit(11, 1, "v1")), []);
    assert.deepEqual(conversation.apply(react(10, 1, "👍", "add", "bob")), []);
    assert.deepEqual(conversation.apply(edit(13, 2, "other")), []);
    assert.deepEqual(conversation.apply(reply(14, 1)), [14]);
    assert.equal(conversation.has(1), false);
    assert.deepEqual(conversation.load(message(1)), [1]);
    const state = conversation.get(1);
    assert.equal(state.body, "v1");
    assert.deepEqual(pairs(conversation, 1), [["👍", ["bob"]], ["🎉", ["cy"]]]);
    assert.equal(state.replies, 1);
    assert.equal(state.stateSeq, 14);
    // The item for message 2 still waits.
    assert.deepEqual([...conversation.buffered.keys()], [13]);
    conversation.load(message(2));
    assert.equal(conversation.get(2).body, "other");
    assert.equal(conversation.buffered.size, 0);
  });

  test("a snapshot that already includes them skips them", () => {
    const conversation = new Conversation();
    conversation.apply(reply(5, 1));
    conversation.apply(react(6, 1, "👍", "add", "bob"));
    conversation.apply(reply(7, 1));
    // Fetched after 6, before 7: includes the first reply and the reaction.
    conversation.load(
      message(1, {
        reactions: [{ emoji: "👍", users: ["bob"] }],
        replies: 1,
        last_reply_ts: ts(5),
        state_seq: 6,
      }),
    );
    const state = conversation.get(1);
    assert.equal(state.replies, 2);
    assert.equal(state.lastReplyTs, ts(7));
    assert.deepEqual(pairs(conversation, 1), [["👍", ["bob"]]]);
  });

  test("an item that waits twice (a reply seen twice) counts once", () => {
    const conversation = new Conversation();
    conversation.apply(reply(5, 1));
    conversation.apply(reply(5, 1));
    conversation.load(message(1));
    assert.equal(conversation.get(1).replies, 1);
  });

  test("the buffer keeps the newest items only", () => {
    const conversation = new Conversation({ bufferLimit: 3 });
    for (const seq of [11, 15, 12, 14, 13]) {
      conversation.apply(react(seq, 1, "👍", "add", `u${seq}`));
    }
    assert.equal(conversation.buffered.size, 3);
    conversation.load(message(1));
    assert.deepEqual(pairs(conversation, 1), [["👍", ["u13", "u14", "u15"]]]);
  });

  test(`by default the buffer holds ${BUFFER_LIMIT} items`, () => {
    const conversation = new Conversation();
    for (let seq = 10; seq < 10 + BUFFER_LIMIT + 5; seq += 1) {
      conversation.apply(react(seq, 1 + (seq % 3), "👍", "add", `u${seq}`));
    }
    assert.equal(conversation.buffered.size, BUFFER_LIMIT);
    assert.equal(Math.min(...conversation.buffered.keys()), 15);
  });
});

describe("optimistic reactions", () => {
  function held() {
    const conversation = new Conversation();
    conversation.load(message(1, { author: "bob" }));
    return conversation;
  }

  test("a toggle shows at once; the item, then the ack: counted once throughout", () => {
    const conversation = held();
    const { op, token } = conversation.toggleReaction(1, "👍", "ada");
    assert.equal(op, "add");
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    assert.deepEqual(pairs(conversation, 1), []);
    assert.deepEqual(conversation.apply(react(2, 1, "👍", "add", "ada")), [1]);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    assert.equal(conversation.pending.length, 0);
    assert.deepEqual(conversation.settleReaction(token, true, 2), []);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
  });

  test("the ack, then the item: counted once throughout", () => {
    const conversation = held();
    const { token } = conversation.toggleReaction(1, "👍", "ada");
    conversation.settleReaction(token, true, 2);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    assert.equal(conversation.pending.length, 1);
    conversation.apply(react(2, 1, "👍", "add", "ada"));
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    assert.equal(conversation.pending.length, 0);
  });

  test("the ack without a seq keeps the op until the item comes", () => {
    const conversation = held();
    const { token } = conversation.toggleReaction(1, "👍", "ada");
    conversation.settleReaction(token, true);
    assert.equal(conversation.pending.length, 1);
    conversation.apply(react(2, 1, "👍", "add", "ada"));
    assert.equal(conversation.pending.length, 0);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
  });

  test("a snapshot that includes the acked op ends it; the item then is skipped", () => {
    const conversation = held();
    const { token } = conversation.toggleReaction(1, "👍", "ada");
    conversation.settleReaction(token, true, 3);
    conversation.load(
      message(1, { author: "bob", reactions: [{ emoji: "👍", users: ["ada"] }], state_seq: 3 }),
    );
    assert.equal(conversation.pending.length, 0);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    assert.equal(conversation.apply(react(3, 1, "👍", "add", "ada")), false);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
  });

  test("someone else's reaction in between is counted with the pending one", () => {
    const conversation = held();
    const { token } = conversation.toggleReaction(1, "👍", "ada");
    conversation.apply(react(2, 1, "👍", "add", "bob"));
    assert.deepEqual(shown(conversation, 1), [["👍", 2, true]]);
    assert.deepEqual(conversation.reactionsOf(1, "ada")[0].users, ["bob", "ada"]);
    conversation.settleReaction(token, true, 3);
    conversation.apply(react(3, 1, "👍", "add", "ada"));
    assert.deepEqual(shown(conversation, 1), [["👍", 2, true]]);
    assert.deepEqual(conversation.reactionsOf(1, "bob"), [
      { emoji: "👍", count: 2, users: ["bob", "ada"], mine: true },
    ]);
  });

  test("a refused op goes, and the display goes back", () => {
    const conversation = held();
    conversation.apply(react(2, 1, "👍", "add", "ada"));
    const { op, token } = conversation.toggleReaction(1, "👍", "ada");
    assert.equal(op, "remove");
    assert.deepEqual(shown(conversation, 1), []);
    assert.deepEqual(conversation.settleReaction(token, false), [1]);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    const added = conversation.toggleReaction(1, "🎉", "ada");
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true], ["🎉", 1, true]]);
    conversation.settleReaction(added.token, false);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    // A token settled already, or unknown, changes nothing.
    assert.deepEqual(conversation.settleReaction(added.token, false), []);
  });

  test("add then remove before any answer, in every order of the answers", () => {
    const conversation = held();
    const add = conversation.toggleReaction(1, "👍", "ada");
    const remove = conversation.toggleReaction(1, "👍", "ada");
    assert.deepEqual([add.op, remove.op], ["add", "remove"]);
    assert.deepEqual(shown(conversation, 1), []);
    conversation.apply(react(2, 1, "👍", "add", "ada"));
    assert.deepEqual(shown(conversation, 1), []);
    conversation.settleReaction(remove.token, true, 3);
    conversation.settleReaction(add.token, true, 2);
    conversation.apply(react(3, 1, "👍", "remove", "ada"));
    assert.deepEqual(shown(conversation, 1), []);
    assert.equal(conversation.pending.length, 0);
  });

  test("the same op made on another device first: shown once, the refusal changes nothing", () => {
    const conversation = held();
    const { token } = conversation.toggleReaction(1, "👍", "ada");
    conversation.apply(react(2, 1, "👍", "add", "ada"));
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
    conversation.settleReaction(token, false);
    assert.deepEqual(shown(conversation, 1), [["👍", 1, true]]);
  });

  test("no toggle on a message not held; nothing shown on a deleted one", () => {
    const conversation = held();
    assert.equal(conversation.toggleReaction(9, "👍", "ada"), null);
    conversation.toggleReaction(1, "👍", "ada");
    conversation.apply(del(2, 1, "bob"));
    assert.deepEqual(conversation.reactionsOf(1, "ada"), []);
    assert.deepEqual(conversation.reactionsOf(9, "ada"), []);
  });
});

// A random room history, and a plain reference of its state at any seq, to check that every way
// the client can receive it ends in the same state.

function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const USERS = ["ada", "bob", "cy"];
const EMOJI = ["👍", "🎉", "❤️"];

/** The messages after `items`, folded the plain way: seq → state, root → reply seqs. */
function reference(items) {
  const states = new Map();
  const threads = new Map();
  for (const item of items) {
    if (item.type === "message") {
      states.set(item.seq, {
        seq: item.seq,
        ts: item.ts,
        author: item.author.username,
        body: item.body,
        html: item.html,
        mentions: item.mentions ?? [],
        edited: null,
        deleted: false,
        reactions: [],
        replies: 0,
        lastReplyTs: null,
        stateSeq: item.seq,
        thread: item.thread ?? null,
        attachment: item.attachment ?? null,
      });
      if (item.thread) {
        const root = states.get(item.thread);
        root.replies += 1;
        root.lastReplyTs = item.ts;
        root.stateSeq = item.seq;
        threads.set(item.thread, [...(threads.get(item.thread) ?? []), item.seq]);
      }
      continue;
    }
    const state = states.get(item.target);
    state.stateSeq = item.seq;
    if (item.type === "edit") {
      Object.assign(state, { body: item.body, html: item.html, mentions: item.mentions ?? [] });
      state.edited = item.ts;
    } else if (item.type === "delete") {
      Object.assign(state, { deleted: true, body: "", html: "", mentions: [], reactions: [] });
      state.attachment = null;
    } else {
      const user = item.user.username;
      const entry = state.reactions.find((r) => r.emoji === item.emoji);
      if (item.op === "add") {
        if (entry) entry.users.push(user);
        else state.reactions.push({ emoji: item.emoji, users: [user] });
      } else {
        entry.users.splice(entry.users.indexOf(user), 1);
        if (!entry.users.length) state.reactions.splice(state.reactions.indexOf(entry), 1);
      }
    }
  }
  return { states, threads };
}

/** `count` valid items, as the server would store them. */
function randomHistory(random, count) {
  const items = [];
  const pick = (list) => list[Math.floor(random() * list.length)];
  for (let seq = 1; seq <= count; seq += 1) {
    const { states } = reference(items);
    const alive = [...states.values()].filter((s) => !s.deleted);
    const roots = alive.filter((s) => s.thread === null);
    const roll = random();
    const user = pick(USERS);
    if (!alive.length || roll < 0.3 || (roll < 0.45 && !roots.length)) {
      const mention = random() < 0.3 ? pick(USERS) : null;
      const upload = random() < 0.1;
      const body = upload ? "" : mention ? `hi @${mention} ${seq}` : `m${seq}`;
      items.push({
        ...message(seq, { author: user, body }),
        ...(mention && !upload ? { mentions: [mention] } : {}),
        ...(upload ? { html: "", attachment: { url: `/files/${seq}/f.png`, name: "f.png" } } : {}),
      });
    } else if (roll < 0.45) {
      items.push(reply(seq, pick(roots).seq, { author: user }));
    } else if (roll < 0.6) {
      const target = pick(alive);
      const mention = random() < 0.3 ? pick(USERS) : null;
      items.push({
        ...edit(seq, target.seq, mention ? `@${mention} ${seq}` : `e${seq}`, target.author),
        ...(mention ? { mentions: [mention] } : {}),
      });
    } else if (roll < 0.68) {
      items.push(del(seq, pick(alive).seq, user));
    } else {
      const target = pick(alive);
      const emoji = pick(EMOJI);
      const has = target.reactions.some((r) => r.emoji === emoji && r.users.includes(user));
      items.push(react(seq, target.seq, emoji, has ? "remove" : "add", user));
    }
  }
  return items;
}

/** A message as the database shows it after `items`, with only the state fields that apply. */
function snapshotOf(state, original) {
  const frame = { ...original, body: state.body, html: state.html };
  delete frame.mentions;
  delete frame.attachment;
  if (state.mentions.length) frame.mentions = state.mentions;
  if (state.attachment) frame.attachment = state.attachment;
  if (state.edited) frame.edited = state.edited;
  if (state.deleted) frame.deleted = true;
  if (state.reactions.length) frame.reactions = structuredClone(state.reactions);
  if (state.replies) {
    Object.assign(frame, { replies: state.replies, last_reply_ts: state.lastReplyTs });
  }
  if (state.stateSeq > state.seq) frame.state_seq = state.stateSeq;
  return frame;
}

/** The items from seq `from` to `to` (both included) as a history page fetched at seq `at`. */
function page(items, from, to, at) {
  const { states } = reference(items.slice(0, at));
  return items.slice(from - 1, to).map((item) => {
    if (item.type === "message") return snapshotOf(states.get(item.seq), item);
    // The edits of a message deleted since lose their text.
    if (item.type === "edit" && states.get(item.target).deleted) {
      return { ...item, body: "", html: "" };
    }
    return item;
  });
}

function feed(conversation, items) {
  for (const item of items) conversation.apply(item);
}

function assertSame(conversation, items, label) {
  const { states, threads } = reference(items);
  assert.equal(conversation.messages.size, states.size, label);
  for (const [seq, state] of states) {
    assert.deepEqual(conversation.get(seq), state, `${label}: message ${seq}`);
  }
  for (const [root, replies] of threads) {
    assert.deepEqual(conversation.threadOf(root), replies, `${label}: thread ${root}`);
  }
  assert.equal(conversation.buffered.size, 0, `${label}: nothing left waiting`);
}

describe("every way of receiving a room ends in the same state", () => {
  const N = 160;
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`seed ${seed}`, () => {
      const random = prng(seed);
      const items = randomHistory(random, N);
      const at = (low) => low + Math.floor(random() * (N - low + 1));

      const live = new Conversation();
      feed(live, items);
      assertSame(live, items, "all live");

      for (let round = 0; round < 6; round += 1) {
        const k = 1 + Math.floor(random() * (N - 1));
        const fetched = at(k);

        const snapshotFirst = new Conversation();
        feed(snapshotFirst, page(items, 1, k, k));
        feed(snapshotFirst, items.slice(k));
        assertSame(snapshotFirst, items, `snapshot at ${k}, then live`);

        const laterSnapshot = new Conversation();
        feed(laterSnapshot, page(items, 1, k, fetched));
        feed(laterSnapshot, items.slice(k));
        assertSame(laterSnapshot, items, `page to ${k} fetched at ${fetched}, then live`);

        const snapshotLast = new Conversation();
        feed(snapshotLast, items.slice(k));
        feed(snapshotLast, page(items, 1, k, fetched));
        assertSame(snapshotLast, items, `live after ${k}, then the page fetched at ${fetched}`);

        // Older pages one after the other, newest first, as scrolling back loads them.
        const pagedBack = new Conversation();
        const cut = 1 + Math.floor(random() * (k - 1 || 1));
        feed(pagedBack, items.slice(k));
        feed(pagedBack, page(items, cut + 1, k, at(k)));
        feed(pagedBack, page(items, 1, cut, at(k)));
        assertSame(pagedBack, items, `live after ${k}, pages back to ${cut} and to 1`);

        // A page fetched before the newest items and answered after them: an older state.
        feed(pagedBack, page(items, 1, k, fetched));
        assertSame(pagedBack, items, `the page to ${k} fetched at ${fetched} again, late`);

        // The whole room again on top (a reload's page, a resubscribe's backlog): no change.
        feed(pagedBack, page(items, 1, N, N));
        feed(pagedBack, items);
        assertSame(pagedBack, items, "everything again");
      }
    });
  }
});
