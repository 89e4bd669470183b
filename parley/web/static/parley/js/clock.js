// @ts-check
// Time for the logic modules: the real clock in the page, a fake one in tests/js/, so that
// throttles, retries and expiries are tested without waiting.

/**
 * @typedef {object} Clock
 * @property {() => number} now  milliseconds since the epoch
 * @property {(fn: () => void, ms: number) => unknown} setTimeout
 * @property {(timer: unknown) => void} clearTimeout  (null and unknown timers are ignored)
 */

/** @type {Clock} */
export const realClock = Object.freeze({
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (timer) => clearTimeout(/** @type {any} */ (timer)),
});
