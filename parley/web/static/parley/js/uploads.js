// @ts-check
// File uploads into a room: the attach button (a real <input type=file>) and drag and drop.
//
// Each file is POSTed on its own to /rooms/<slug>/files/ (multipart field `file`, the CSRF
// token in X-CSRFToken). send(body, files) sends a message's words with its files: the first
// file carries the text (optional field `body`), so words and file are one message as in Slack;
// the others follow as messages of their own. add(files) uploads files without words. The answer (201) carries the message item, which also arrives over the
// socket; the timeline shows it once, by seq. A refused file stores nothing: its error is shown
// and nothing is added. Files over the limit are refused here before any byte is sent.

import { fileSize } from "./file_labels.js";

/**
 * The CSRF token: the `csrftoken` cookie, or a token rendered in one of the page's forms.
 * @param {Document} [doc]
 * @returns {string}
 */
export function csrfToken(doc = document) {
  for (const part of doc.cookie ? doc.cookie.split(";") : []) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  const input = doc.querySelector("input[name=csrfmiddlewaretoken]");
  return input instanceof HTMLInputElement ? input.value : "";
}

/**
 * What to tell the user when the server refused `name` with `status` and error `error`.
 * @param {number} status
 * @param {{message?: unknown, retry_after?: unknown} | null} error
 * @param {{name: string, maxBytes: number}} about
 * @returns {string}
 */
export function refusalText(status, error, { name, maxBytes }) {
  const lead = `“${name}” was not uploaded.`;
  const message = error && typeof error.message === "string" ? error.message : "";
  switch (status) {
    case 413:
      return `${lead} That file is over the ${fileSize(maxBytes)} limit.`;
    case 429: {
      const wait = Math.max(1, Math.ceil(Number(error?.retry_after) || 1));
      return `${lead} Too many uploads at once: try again in ${wait} s.`;
    }
    case 403:
      return `${lead} ${message || "Only members of this room can share files in it."}`;
    case 404:
      return `${lead} This room no longer exists, or you can no longer see it.`;
    default:
      return `${lead} ${message || `The server answered ${status}.`}`;
  }
}

export class Uploader {
  /**
   * url: the room's upload address; maxBytes: the server's limit; onItem(item): a stored file's
   * message item; statusList: where "Uploading…" lines go; errorEl: the alert for refusals.
   * @param {object} options
   * @param {string} options.url
   * @param {number} options.maxBytes
   * @param {(item: import("./timeline_model.js").Item) => void} options.onItem
   * @param {HTMLElement} options.statusList
   * @param {HTMLElement | null} options.errorEl
   */
  constructor({ url, maxBytes, onItem, statusList, errorEl }) {
    this.url = url;
    this.maxBytes = maxBytes;
    this.onItem = onItem;
    this.statusList = statusList;
    this.errorEl = errorEl;
    /** @type {Promise<void>} */
    this.queue = Promise.resolve();
  }

  /**
   * Upload `files` one after another.
   * @param {Iterable<File>} files
   */
  add(files) {
    this.send("", files);
    return this.queue;
  }

  /**
   * Upload `files` one after another, the first with `body` as its message's text. Resolves
   * whether the text was stored: if not, the caller offers it back for sending again.
   * @param {string} body
   * @param {Iterable<File>} files
   * @returns {Promise<boolean>}
   */
  send(body, files) {
    const list = [...files];
    if (!list.length) return Promise.resolve(!body);
    this.showError("");
    /** @type {Promise<boolean>} */
    let textStored = Promise.resolve(true);
    list.forEach((file, index) => {
      const line = this.statusLine(file);
      const text = index === 0 ? body : "";
      const stored = this.queue.then(() => this.upload(file, line, text));
      if (index === 0) textStored = stored.then((ok) => ok || !text);
      this.queue = stored.then(() => undefined);
    });
    return textStored;
  }

  /**
   * A "Waiting to upload…" line for `file`.
   * @param {File} file
   */
  statusLine(file) {
    const li = document.createElement("p");
    li.className = "uploads__item";
    const text = document.createElement("span");
    text.textContent = `Waiting to upload ${file.name} (${fileSize(file.size)})…`;
    li.append(text);
    this.statusList.append(li);
    return { li, text };
  }

  /**
   * Resolves whether the file was stored.
   * @param {File} file
   * @param {{li: HTMLElement, text: HTMLElement}} line
   * @param {string} [body]  the message's text
   * @returns {Promise<boolean>}
   */
  async upload(file, line, body = "") {
    /** @type {string[]} */
    const errors = [];
    try {
      if (this.maxBytes && file.size > this.maxBytes) {
        errors.push(refusalText(413, null, { name: file.name, maxBytes: this.maxBytes }));
        return false;
      }
      line.li.classList.add("is-active");
      line.text.textContent = `Uploading ${file.name} (${fileSize(file.size)})…`;
      const progress = document.createElement("progress");
      progress.className = "uploads__progress";
      progress.setAttribute("aria-label", `Uploading ${file.name}`);
      line.li.append(progress);
      const form = new FormData();
      form.append("file", file, file.name);
      if (body) form.append("body", body);
      let response;
      try {
        response = await fetch(this.url, {
          method: "POST",
          body: form,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        });
      } catch {
        errors.push(`“${file.name}” was not uploaded: the connection was lost. Try again.`);
        return false;
      }
      let payload = null;
      try {
        payload = await response.json();
      } catch {
        payload = null;
      }
      if (response.status === 201 && payload && payload.item) {
        this.onItem(payload.item);
        return true;
      }
      const error = payload && typeof payload.error === "object" ? payload.error : null;
      const about = { name: file.name, maxBytes: this.maxBytes };
      errors.push(refusalText(response.status, error, about));
      return false;
    } finally {
      line.li.remove();
      if (errors.length) this.showError(errors.join(" "));
    }
  }

  /** @param {string} text */
  showError(text) {
    if (!this.errorEl) return;
    this.errorEl.textContent = text;
    this.errorEl.hidden = !text;
  }
}

/**
 * Files dropped on `zone` go to `onFiles(files)` while `enabled()`; the zone gets `is-dropping`
 * while files are dragged over it. Files dropped elsewhere in the page do nothing (instead of
 * the browser opening them in place of the chat).
 * `signal` ends the page-wide listeners with the room view.
 * @param {HTMLElement} zone
 * @param {{enabled: () => boolean, onFiles: (files: FileList) => void, signal?: AbortSignal}} options
 */
export function bindDropZone(zone, { enabled, onFiles, signal }) {
  let depth = 0;
  /** @param {DragEvent} event */
  const hasFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  /** @param {boolean} on */
  const setDropping = (on) => zone.classList.toggle("is-dropping", on);

  zone.addEventListener("dragenter", (event) => {
    if (!hasFiles(event) || !enabled()) return;
    event.preventDefault();
    depth += 1;
    setDropping(true);
  });
  zone.addEventListener("dragover", (event) => {
    if (!hasFiles(event) || !enabled()) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
  });
  zone.addEventListener("dragleave", (event) => {
    if (!hasFiles(event)) return;
    depth = Math.max(0, depth - 1);
    if (depth === 0) setDropping(false);
  });
  zone.addEventListener("drop", (event) => {
    if (!hasFiles(event)) return;
    event.preventDefault();
    depth = 0;
    setDropping(false);
    if (enabled() && event.dataTransfer) onFiles(event.dataTransfer.files);
  });
  for (const type of /** @type {const} */ (["dragover", "drop"])) {
    window.addEventListener(type, (event) => {
      if (hasFiles(event) && !zone.contains(/** @type {Node | null} */ (event.target))) {
        event.preventDefault();
        if (event.dataTransfer) event.dataTransfer.dropEffect = "none";
      }
    }, { signal });
  }
}
