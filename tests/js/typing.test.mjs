// Typing: the line's words, each name's expiry, and the sender's throttle.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  TypingNames,
  TypingNotifier,
  typingText,
} from "../../parley/web/static/parley/js/typing.js";
import { FakeClock } from "./fake_clock.mjs";

function names() {
  const clock = new FakeClock();
  const shown = [];
  const typing = new TypingNames({
    me: "ada",
    showFor: 6000,
    clock,
    onChange: (n) => shown.push(n.join(",")),
  });
  return { typing, clock, shown };
}

describe("who is typing", () => {
  test("a name shows at its first frame and goes showFor after its last", () => {
    const { typing, clock, shown } = names();
    typing.saw("bob");
    clock.advance(5000);
    typing.saw("bob"); // typing on: shown longer, nothing to redraw
    clock.advance(5999);
    assert.deepEqual(typing.names, ["bob"]);
    clock.advance(1);
    assert.deepEqual(typing.names, []);
    assert.deepEqual(shown, ["bob", ""]);
  });

  test("one's own name never shows", () => {
    const { typing, shown } = names();
    typing.saw("ada");
    typing.saw("");
    typing.saw(undefined);
    assert.deepEqual(typing.names, []);
    assert.deepEqual(shown, []);
  });

  test("a message from the typist takes the name off at once", () => {
    const { typing, clock } = names();
    typing.saw("bob");
    typing.saw("carol");
    typing.stop("bob");
    assert.deepEqual(typing.names, ["carol"]);
    assert.equal(clock.waiting, 1);
  });

  test("the line names one, two, then several", () => {
    assert.equal(typingText([]), "");
    assert.equal(typingText(["bob"]), "bob is typing…");
    assert.equal(typingText(["bob", "carol"]), "bob and carol are typing…");
    assert.equal(typingText(["bob", "carol", "dan"]), "Several people are typing…");
  });
});

describe("TypingNotifier", () => {
  test("at most one frame per interval while typing", () => {
    const clock = new FakeClock();
    let frames = 0;
    const notifier = new TypingNotifier(() => (frames += 1) > 0, { every: 3000, clock });
    assert.equal(notifier.input(), true);
    clock.advance(1000);
    assert.equal(notifier.input(), false);
    clock.advance(2000);
    assert.equal(notifier.input(), true);
    assert.equal(frames, 2);
  });

  test("after a message, typing on is reported as soon as the interval allows", () => {
    const clock = new FakeClock();
    let frames = 0;
    const notifier = new TypingNotifier(() => (frames += 1) > 0, { every: 3000, clock });
    notifier.input();
    notifier.sent();
    clock.advance(500);
    notifier.input(); // too soon: held, not dropped
    assert.equal(frames, 1);
    clock.advance(2500);
    assert.equal(frames, 2);
  });

  test("a frame that could not go (offline) is tried at the next key", () => {
    const clock = new FakeClock();
    let online = false;
    let frames = 0;
    const notifier = new TypingNotifier(() => online && (frames += 1) > 0, { clock });
    assert.equal(notifier.input(), false);
    online = true;
    assert.equal(notifier.input(), true);
    assert.equal(frames, 1);
  });
});
