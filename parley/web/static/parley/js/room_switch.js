// @ts-check
// Opening another room without a reload, as Slack and Zulip do: the page keeps its socket, its
// sidebar and its counts; only #room-view changes. The room's page is fetched as it is (the
// server renders it exactly as for a first visit, so there is one markup of a room), its
// #room-view taken into this document, and the address set with the history API, so Back,
// Forward, reload and a shared link all work. Anything unexpected (an error page, a redirect to
// the login page, the network down) falls back to a plain navigation, which shows it properly.

const ROOM_PATH = /^\/rooms\/([^/]+)\/$/;

/**
 * The slug of a room page's address on this site (null for any other page, e.g. /rooms/new/).
 * @param {string} href
 * @param {string} origin  this page's origin
 * @returns {string | null}
 */
export function roomSlugOf(href, origin) {
  let url;
  try {
    url = new URL(href, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const match = ROOM_PATH.exec(url.pathname);
  if (!match || match[1] === "new") return null;
  return decodeURIComponent(match[1]);
}

/** @type {RoomSwitch | null} */
let installed = null;

/**
 * Open the room at `href`: in place when the page can, else by loading it.
 * @param {string} href
 */
export function openRoom(href) {
  if (installed) installed.go(href);
  else window.location.assign(href);
}

export class RoomSwitch {
  /**
   * `swap(doc, view)` puts the fetched page's #room-view in place of the open one and starts it.
   * @param {object} options
   * @param {(doc: Document, view: HTMLElement) => void} options.swap
   * @param {(slug: string) => boolean} [options.isOpen]  that room is the one shown
   * @param {AbortSignal} [options.signal]
   */
  constructor({ swap, isOpen = () => false, signal }) {
    this.swap = swap;
    this.isOpen = isOpen;
    /** Each go() takes a number: a slow answer for an earlier click is dropped. */
    this.latest = 0;
    installed = this;
    const origin = window.location.origin;
    // The first entry carries state too, so that Back to it is handled here.
    window.history.replaceState({ parleyRoom: true }, "", window.location.href);
    document.addEventListener(
      "click",
      (event) => {
        if (event.defaultPrevented || event.button !== 0) return;
        if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        const target = /** @type {Element | null} */ (event.target);
        const link = target?.closest?.("a[href]");
        if (!(link instanceof HTMLAnchorElement) || link.target || link.hasAttribute("download")) {
          return;
        }
        // Links of the app's own lists; a link in a message opens the usual way.
        if (!link.closest("#sidebar, [data-room-link-list]")) return;
        if (roomSlugOf(link.href, origin) === null) return;
        event.preventDefault();
        this.go(link.href);
      },
      { signal },
    );
    window.addEventListener(
      "popstate",
      () => {
        if (roomSlugOf(window.location.href, origin) === null) window.location.reload();
        else this.go(window.location.href, { push: false });
      },
      { signal },
    );
  }

  /**
   * Open the room at `href`; `push`: a new history entry (false for Back/Forward).
   * @param {string} href
   * @param {{push?: boolean}} [options]
   */
  async go(href, { push = true } = {}) {
    const url = new URL(href, window.location.href);
    const slug = roomSlugOf(url.href, window.location.origin);
    if (slug === null) {
      window.location.assign(url.href);
      return;
    }
    if (push && this.isOpen(slug) && !url.search) return; // already here
    const ticket = ++this.latest;
    let doc;
    try {
      const response = await fetch(url.href, {
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      // Redirected (signed out: the login page) or refused: let the browser show it.
      const landed = new URL(response.url || url.href);
      if (!response.ok || landed.pathname !== url.pathname) throw new Error(String(response.status));
      doc = new DOMParser().parseFromString(await response.text(), "text/html");
    } catch {
      if (ticket === this.latest) window.location.assign(url.href);
      return;
    }
    if (ticket !== this.latest) return; // another room was chosen meanwhile
    const view = doc.getElementById("room-view");
    if (!view) {
      window.location.assign(url.href);
      return;
    }
    if (push) window.history.pushState({ parleyRoom: true }, "", url.href);
    this.swap(doc, view);
  }
}
