// @ts-check
// Files waiting in the composer: one chip each (a thumbnail for images, the name, "PDF, 1.2 MB",
// a ✕ to take it back), sent with the next message. A file the server would refuse (over the
// room's limit, empty) says so on its chip before anything is sent, and is never sent.
//
// Thumbnails are drawn small on a canvas and shown as data: URLs: the page's CSP allows images
// from 'self' and data: only (no blob:), and a 25 MB photo as a data: URL would be wasteful.

import { fileLabel, fileProblem, isPreviewable } from "./file_labels.js";

const THUMB_PX = 96; // drawn at twice the 3rem it shows at, for sharp phone screens

/**
 * @typedef {object} Waiting
 * @property {File} file
 * @property {string} problem  why it cannot be sent, or ""
 * @property {HTMLLIElement} chip
 */

export class FileTray {
  /**
   * @param {HTMLElement} list  the tray (a <ul>), hidden while empty
   * @param {{maxBytes: number, onChange?: () => void}} options
   */
  constructor(list, { maxBytes, onChange = () => {} }) {
    this.list = list;
    this.maxBytes = maxBytes;
    this.onChange = onChange;
    /** @type {Waiting[]} */
    this.waiting = [];
    list.addEventListener("click", (event) => {
      const button = /** @type {Element} */ (event.target).closest(".file-chip__remove");
      if (!button) return;
      const index = this.waiting.findIndex((w) => w.chip.contains(button));
      if (index >= 0) this.remove(index);
    });
  }

  /**
   * Add chips for `files`.
   * @param {Iterable<File>} files
   */
  add(files) {
    for (const file of files) {
      const problem = fileProblem(file, this.maxBytes);
      const chip = this.chip(file, problem);
      this.waiting.push({ file, problem, chip });
      this.list.append(chip);
    }
    this.list.hidden = this.waiting.length === 0;
    this.onChange();
  }

  /** The files to send (refused ones never are). */
  get files() {
    return this.waiting.filter((w) => !w.problem).map((w) => w.file);
  }

  get size() {
    return this.waiting.length;
  }

  /** Whether a chip says its file cannot be sent. */
  get hasProblem() {
    return this.waiting.some((w) => w.problem);
  }

  /** Focus the first refused chip's ✕ (the user must decide about it). */
  focusProblem() {
    const refused = this.waiting.find((w) => w.problem);
    /** @type {HTMLElement | null | undefined} */ (
      refused?.chip.querySelector(".file-chip__remove")
    )?.focus();
  }

  /**
   * Take the chip at `index` away; focus moves to the next chip's ✕, or to `afterEmpty`.
   * @param {number} index
   */
  remove(index) {
    const [gone] = this.waiting.splice(index, 1);
    gone?.chip.remove();
    this.list.hidden = this.waiting.length === 0;
    const next = this.waiting[Math.min(index, this.waiting.length - 1)];
    /** @type {HTMLElement | null | undefined} */ (
      next?.chip.querySelector(".file-chip__remove")
    )?.focus();
    this.onChange();
  }

  /** Empty the tray (the files were sent). */
  clear() {
    for (const w of this.waiting) w.chip.remove();
    this.waiting = [];
    this.list.hidden = true;
    this.onChange();
  }

  /**
   * @param {File} file
   * @param {string} problem
   */
  chip(file, problem) {
    const doc = this.list.ownerDocument;
    const chip = doc.createElement("li");
    chip.className = "file-chip";
    chip.classList.toggle("is-refused", Boolean(problem));
    const thumb = doc.createElement("span");
    thumb.className = "file-chip__thumb";
    thumb.setAttribute("aria-hidden", "true");
    thumb.textContent = badgeText(file);
    if (isPreviewable(file) && !problem) drawThumb(file, thumb);
    const text = doc.createElement("span");
    text.className = "file-chip__text";
    const name = doc.createElement("span");
    name.className = "file-chip__name";
    name.textContent = file.name;
    name.title = file.name;
    const info = doc.createElement("span");
    info.className = "file-chip__info";
    info.textContent = problem ? `${fileLabel(file)} · ${problem}` : fileLabel(file);
    text.append(name, info);
    const remove = doc.createElement("button");
    remove.type = "button";
    remove.className = "file-chip__remove";
    remove.setAttribute("aria-label", `Remove ${file.name}`);
    remove.title = "Remove";
    remove.textContent = "✕";
    chip.append(thumb, text, remove);
    return chip;
  }
}

/**
 * A few letters for a file without a thumbnail: its extension ("PDF"), or a page.
 * @param {File} file
 */
function badgeText(file) {
  const match = /\.([A-Za-z0-9]{1,4})$/.exec(file.name);
  return match ? match[1].toUpperCase() : "📄";
}

/**
 * Replace the badge by a small picture of the image, when the browser can decode it.
 * @param {File} file
 * @param {HTMLElement} thumb
 */
async function drawThumb(file, thumb) {
  try {
    const bitmap = await createImageBitmap(file);
    const scale = THUMB_PX / Math.max(bitmap.width, bitmap.height, 1);
    const canvas = thumb.ownerDocument.createElement("canvas");
    canvas.width = Math.max(1, Math.round(bitmap.width * Math.min(1, scale)));
    canvas.height = Math.max(1, Math.round(bitmap.height * Math.min(1, scale)));
    canvas.getContext("2d")?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    bitmap.close();
    const img = thumb.ownerDocument.createElement("img");
    img.className = "file-chip__image";
    img.alt = "";
    img.src = canvas.toDataURL("image/png");
    thumb.replaceChildren(img);
    thumb.classList.add("has-image");
  } catch {
    // Not decodable here (a broken or unusual image): the badge stays.
  }
}
