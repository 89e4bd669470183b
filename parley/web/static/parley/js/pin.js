// @ts-check
// Keeps a scrolled timeline at its newest item while its size changes, if the reader was there.
//
// On a phone the timeline shrinks when the keyboard opens or the phone turns; an image or a
// longer message changes what it holds. A scroll box keeps its scrollTop through all of that,
// so the newest items would slip below the fold. Whether the reader was at the bottom is taken
// from their own scrolling (and from the page's, through remember()), never measured after the
// resize, which has already moved the bottom away: a reader at the bottom stays at the bottom,
// and a reader scrolled up keeps exactly their place.
//
// Besides the boxes' own sizes, the window's and the visual viewport's resizes count: when a
// phone's keyboard opens, the page (interactive-widget=resizes-content) or only the visual
// viewport shrinks, and the box's ResizeObserver may report after the browser has already
// painted the newest message under the keyboard. `signal` (or dispose()) ends all of it with
// the room view.

export class BottomPin {
  /**
   * `scroller`: the scroll box; `content`: elements inside it whose size changes count too.
   * @param {HTMLElement} scroller
   * @param {{content?: Element[], slack?: number, signal?: AbortSignal}} [options]
   */
  constructor(scroller, { content = [], slack = 80, signal } = {}) {
    this.scroller = scroller;
    this.slack = slack; // this close to the bottom counts as at the bottom (px)
    this.pinned = true;
    this.height = scroller.clientHeight;
    this.remember();
    this.stop = new AbortController();
    const listening = { signal: this.stop.signal };
    signal?.addEventListener("abort", () => this.dispose(), { once: true });
    scroller.addEventListener("scroll", () => this.scrolled(), { passive: true, ...listening });
    this.observer = new ResizeObserver(() => this.resized());
    for (const el of [scroller, ...content]) this.observer.observe(el);
    window.addEventListener("resize", () => this.resized(), listening);
    // The visual viewport (an on-screen keyboard) can shrink without a layout resize.
    window.visualViewport?.addEventListener("resize", () => this.resized(), listening);
  }

  dispose() {
    this.stop.abort();
    this.observer.disconnect();
  }

  isAtBottom() {
    const { scrollHeight, scrollTop, clientHeight } = this.scroller;
    return scrollHeight - scrollTop - clientHeight < this.slack;
  }

  /** Note where the reader is now (after the page itself scrolled the box). */
  remember() {
    this.pinned = this.isAtBottom();
    this.height = this.scroller.clientHeight;
  }

  scrolled() {
    // A scroll the resize caused says nothing about the reader: resized() handles it.
    if (this.scroller.clientHeight === this.height) this.pinned = this.isAtBottom();
  }

  resized() {
    this.height = this.scroller.clientHeight;
    if (this.pinned) this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
