// @ts-check
// Idle presence: tell the server when this tab has had no input for a while.
//
// After IDLE_AFTER_MS without a key, pointer, wheel, touch or focus event in the page, the
// socket sends `activity` {state: "idle"}; the next input sends {state: "active"}. A new
// connection starts active on the server, so an idle tab says so again after a reconnect.

export const IDLE_AFTER_MS = 5 * 60 * 1000;
const INPUT_EVENTS = ["keydown", "pointerdown", "pointermove", "wheel", "touchstart", "focus"];

/**
 * Send `activity` frames over `socket` as this tab goes idle and comes back.
 * @param {import("./socket.js").ParleySocket} socket
 * @param {{idleAfter?: number, target?: EventTarget}} [options]
 * @returns {{readonly idle: boolean}}
 */
export function reportActivity(socket, { idleAfter = IDLE_AFTER_MS, target = window } = {}) {
  let idle = false;
  let lastInput = Date.now();
  /** @type {ReturnType<typeof setTimeout> | null} */
  let timer = null;

  const check = () => {
    const quiet = Date.now() - lastInput;
    if (quiet >= idleAfter) {
      timer = null;
      idle = true;
      socket.send({ type: "activity", state: "idle" });
    } else {
      timer = setTimeout(check, idleAfter - quiet);
    }
  };

  const onInput = () => {
    lastInput = Date.now();
    if (idle) {
      idle = false;
      socket.send({ type: "activity", state: "active" });
    }
    if (timer === null) timer = setTimeout(check, idleAfter);
  };

  for (const type of INPUT_EVENTS) {
    target.addEventListener(type, onInput, { capture: true, passive: true });
  }
  socket.on("state", ({ state }) => {
    if (state === "live" && idle) socket.send({ type: "activity", state: "idle" });
  });
  timer = setTimeout(check, idleAfter);
  return {
    get idle() {
      return idle;
    },
  };
}
