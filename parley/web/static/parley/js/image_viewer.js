// @ts-check
// Images of the timeline open in the page's viewer (#image-viewer, _image_viewer.html) instead
// of a new tab: the full image, its name, a download link. Escape closes it (the <dialog>'s
// own cancel), Left/Right (and the ‹ › buttons) move to the previous/next image of the room as
// loaded now, and focus goes back to the thumbnail that opened it.
//
// Clicks are delegated to `root`, so rows added later (live, older pages) need nothing; a click
// with a modifier key or the middle button still opens the image in a new tab, as a link does.

const PREVIEW = ".attachment--image .attachment__preview";

/**
 * The images `root` shows, in timeline order.
 * @param {ParentNode} root
 * @returns {HTMLAnchorElement[]}
 */
function previews(root) {
  return /** @type {HTMLAnchorElement[]} */ ([...root.querySelectorAll(PREVIEW)]).filter(
    (a) => a.href,
  );
}

/**
 * The file name shown with a preview.
 * @param {HTMLAnchorElement} preview
 */
function nameOf(preview) {
  const box = preview.closest(".attachment");
  const label = box?.querySelector(".attachment__name")?.textContent?.trim();
  return label || preview.querySelector("img")?.alt || "image";
}

/**
 * Open images found under `root` in the viewer. Returns a dispose function (so does aborting
 * `signal`): the viewer outlives a room view, its listeners must not.
 * @param {ParentNode & EventTarget} root
 * @param {{signal?: AbortSignal, dialog?: HTMLDialogElement | null}} [options]
 * @returns {() => void}
 */
export function bindImageViewer(root, { signal, dialog } = {}) {
  const doc = /** @type {Document} */ (root instanceof Document ? root : root.ownerDocument);
  const viewer =
    dialog ?? /** @type {HTMLDialogElement | null} */ (doc.getElementById("image-viewer"));
  const stop = new AbortController();
  signal?.addEventListener("abort", () => stop.abort(), { once: true });
  if (!viewer) return () => stop.abort();
  const on = { signal: stop.signal };
  /** @param {string} id */
  const part = (id) => /** @type {HTMLElement} */ (viewer.querySelector(`#${id}`));
  const image = /** @type {HTMLImageElement} */ (part("image-viewer-image"));
  const name = part("image-viewer-name");
  const count = part("image-viewer-count");
  const download = /** @type {HTMLAnchorElement} */ (part("image-viewer-download"));
  const prev = /** @type {HTMLButtonElement} */ (part("image-viewer-prev"));
  const next = /** @type {HTMLButtonElement} */ (part("image-viewer-next"));

  /** @type {HTMLAnchorElement | null} */
  let opener = null;
  /** @type {HTMLAnchorElement | null} */
  let current = null;

  /** @param {HTMLAnchorElement} preview */
  function show(preview) {
    current = preview;
    const all = previews(root);
    const index = all.indexOf(preview);
    const title = nameOf(preview);
    image.src = preview.href;
    image.alt = title;
    name.textContent = title;
    count.textContent = all.length > 1 ? `${index + 1} of ${all.length}` : "";
    download.href = preview.href;
    download.download = title;
    download.setAttribute("aria-label", `Download ${title}`);
    prev.disabled = index <= 0;
    next.disabled = index < 0 || index >= all.length - 1;
  }

  /** @param {number} step */
  function move(step) {
    if (!current) return;
    const all = previews(root);
    const target = all[all.indexOf(current) + step];
    if (target) show(target);
  }

  root.addEventListener(
    "click",
    (event) => {
      const mouse = /** @type {MouseEvent} */ (event);
      if (mouse.button !== 0 || mouse.ctrlKey || mouse.metaKey || mouse.shiftKey || mouse.altKey)
        return;
      const preview = /** @type {Element} */ (event.target).closest?.(PREVIEW);
      if (!(preview instanceof HTMLAnchorElement) || !preview.href) return;
      event.preventDefault();
      opener = preview;
      show(preview);
      if (!viewer.open) viewer.showModal();
      part("image-viewer-close").focus();
    },
    on,
  );
  viewer.addEventListener(
    "keydown",
    (event) => {
      if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
        event.preventDefault();
        move(event.key === "ArrowLeft" ? -1 : 1);
      }
    },
    on,
  );
  prev.addEventListener("click", () => move(-1), on);
  next.addEventListener("click", () => move(1), on);
  part("image-viewer-close").addEventListener("click", () => viewer.close(), on);
  // A click on the dark space around the image closes, as in every image viewer.
  viewer.addEventListener(
    "click",
    (event) => {
      if (event.target === viewer || event.target === part("image-viewer-image")?.parentElement)
        viewer.close();
    },
    on,
  );
  viewer.addEventListener(
    "close",
    () => {
      image.removeAttribute("src");
      current = null;
      if (opener?.isConnected) opener.focus({ preventScroll: true });
      opener = null;
    },
    on,
  );
  stop.signal.addEventListener("abort", () => viewer.open && viewer.close(), { once: true });
  return () => stop.abort();
}
