// @ts-check
// Timeline rows from the server's markup only. The room page renders each item's row with
// parley/_item.html and each kind once more, empty, in a <template> (parley/_item_templates.html);
// a row for an item that arrives later is a clone of its kind's template. Either way fillItem()
// puts the item in it with text and attributes, and the message's words as the server's
// sanitised `html` (message_html.js, the one place that does): times in the reader's time zone
// and locale, the file's size for people, the author's avatar.

import { avatarColour, avatarInitial } from "./avatar.js";
import { fullTimestamp, shortTimeOfDay, timeOfDay } from "./time_format.js";
import { fileLabel } from "./file_labels.js";
import { showMessageHtml } from "./message_html.js";
import { eventText } from "./room_rights.js";
import { authorIsBot, authorKey, authorLabel, authorName } from "./timeline_model.js";

/** @typedef {import("./timeline_model.js").Item} Item */
/** @typedef {import("./timeline_model.js").Attachment} Attachment */

// Shown inline (an <img>); the server serves only these inline, and only when the bytes match.
export const PREVIEW_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/** The <template> ids of the rows (parley/_item_templates.html). */
export const TEMPLATE = Object.freeze({
  message: "item-template-message",
  join: "item-template-join",
  leave: "item-template-leave",
  attachment: "item-template-attachment",
  reaction: "reaction-template",
  edit: "edit-template",
  dayDivider: "day-divider-template",
  newMarker: "new-marker-template",
});

/**
 * A copy of the element in the page's <template id>.
 * @param {string} id
 * @param {Document} [doc]
 * @returns {HTMLElement}
 */
export function cloneTemplate(id, doc = document) {
  const template = doc.getElementById(id);
  const element =
    template instanceof HTMLTemplateElement ? template.content.firstElementChild : null;
  if (!element) throw new Error(`parley: the page has no <template id="${id}">`);
  return /** @type {HTMLElement} */ (element.cloneNode(true));
}

/**
 * A new row for `item` (also a pending message, which has no seq yet): its kind's template,
 * filled. An event of a kind without a template reads "<user> <kind>", as the server has it.
 * @param {Item} item
 * @param {{me: string, doc?: Document}} options
 * @returns {HTMLElement}
 */
export function renderItem(item, { me, doc = document }) {
  if (item.type === "message") {
    return fillItem(cloneTemplate(TEMPLATE.message, doc), item, { me, doc });
  }
  const known =
    item.kind === "join" ? TEMPLATE.join : item.kind === "leave" ? TEMPLATE.leave : null;
  const el = cloneTemplate(known ?? TEMPLATE.join, doc);
  if (!known) {
    el.classList.replace("item--join", `item--${item.kind}`);
    const what = el.querySelector(".item__what");
    if (what) what.textContent = String(item.kind ?? "event");
  }
  return fillItem(el, item, { me, doc });
}

/**
 * Fill a row (rendered by the server, or cloned from a template) with `item`.
 * @param {HTMLElement} el
 * @param {Item} item
 * @param {{me: string, doc?: Document}} options
 * @returns {HTMLElement}
 */
export function fillItem(el, item, { me, doc = document }) {
  const name = authorName(item);
  const author = el.querySelector(".item__author");
  const time = el.querySelector(".item__time");
  const short = el.classList.contains("is-continuation");
  if (time instanceof HTMLTimeElement) fillTime(time, item.ts, { short });
  if (item.type !== "message") {
    if (author) author.textContent = name ?? "A deleted user";
    // The room's own events (rename, read_only, …) and removals read as room_rights.js says.
    const what = el.querySelector(".item__what");
    if (what) what.textContent = eventText(item);
    return el;
  }
  el.classList.toggle("is-mine", name !== null && name === me);
  el.dataset.author = authorKey(item) ?? "";
  // The name shown (an incoming webhook's display name, else the username; _item.html the same).
  const label = authorLabel(item);
  const avatar = el.querySelector(":scope > .item__avatar");
  if (avatar instanceof HTMLElement) fillAvatar(avatar, label, authorPicture(item));
  if (author) {
    author.textContent = label ?? "deleted user";
    author.classList.toggle("is-deleted", name === null);
    if (name !== null && label !== name) author.setAttribute("title", name);
    else author.removeAttribute("title");
    // profile_card.js opens the card of the person named here.
    const meta = author.closest(".item__meta");
    if (meta instanceof HTMLElement) {
      if (name !== null) meta.dataset.username = name;
      else delete meta.dataset.username;
    }
  }
  const bot = el.querySelector(":scope > .item__meta > .item__bot");
  if (bot instanceof HTMLElement) bot.hidden = !authorIsBot(item);
  const text = typeof item.body === "string" ? item.body : "";
  const attachment = isAttachment(item.attachment) ? item.attachment : null;
  const body = el.querySelector(":scope > .item__body");
  if (body instanceof HTMLElement) {
    const words = body.querySelector(".item__text");
    if (text || !attachment) {
      // A pending message (no seq yet) has no html: its body shows as text until the ack.
      const html = item.seq >= 1 ? item.html : null;
      showMessageHtml(words instanceof HTMLElement ? words : body, { html, body: text, me });
    } else {
      body.remove(); // a file without words
    }
  }
  if (attachment) {
    let box = el.querySelector(":scope > .attachment");
    if (!(box instanceof HTMLElement)) {
      box = cloneTemplate(TEMPLATE.attachment, doc);
      el.append(box);
    }
    fillAttachment(/** @type {HTMLElement} */ (box), attachment);
  }
  return el;
}

/**
 * The author's initial on their colour (avatar.js), or their uploaded picture (`picture`: its
 * URL); "?" on the default colour for a deleted account.
 * @param {HTMLElement} el
 * @param {string | null} name
 * @param {string | null} [picture]
 */
export function fillAvatar(el, name, picture = null) {
  for (const c of [...el.classList]) if (c.startsWith("avatar--c")) el.classList.remove(c);
  if (name !== null) el.classList.add(`avatar--c${avatarColour(name)}`);
  el.classList.toggle("avatar--image", Boolean(picture));
  if (picture) {
    const img = el.ownerDocument.createElement("img");
    img.src = picture;
    img.alt = "";
    img.loading = "lazy";
    el.replaceChildren(img);
  } else {
    el.textContent = avatarInitial(name);
  }
}

/**
 * The URL of the author's uploaded picture, or null: only Parley's own /avatars/ paths.
 * @param {Item} item
 * @returns {string | null}
 */
export function authorPicture(item) {
  const user = item.type === "message" ? item.author : null;
  const url = user && typeof user.avatar === "string" ? user.avatar : "";
  return url.startsWith("/avatars/") ? url : null;
}

/**
 * Local time of day in the <time> (the locale's 12 or 24 hours), with the full local timestamp
 * in its title; `short` drops "AM"/"PM" (the margin of a continued row).
 * @param {HTMLTimeElement} el
 * @param {string | undefined} iso
 * @param {{short?: boolean}} [options]
 */
export function fillTime(el, iso, { short = false } = {}) {
  const text = short ? shortTimeOfDay(iso) : timeOfDay(iso);
  if (!iso || !text) {
    el.textContent = "";
    el.removeAttribute("datetime");
    el.removeAttribute("title");
    return;
  }
  if (el.dateTime !== iso) el.dateTime = iso;
  if (el.textContent !== text) el.textContent = text;
  el.title = fullTimestamp(iso);
}

/**
 * Show the row as the first of its author's group (avatar, name, time) or as one continuing it
 * (is-continuation: the time alone, in the margin).
 * @param {HTMLElement} el
 * @param {boolean} continued
 */
export function setContinued(el, continued) {
  if (el.classList.contains("is-continuation") === continued) return;
  el.classList.toggle("is-continuation", continued);
  const time = el.querySelector(":scope > .item__meta > .item__time");
  if (time instanceof HTMLTimeElement && time.dateTime) {
    fillTime(time, time.dateTime, { short: continued });
  }
}

/**
 * @param {unknown} value
 * @returns {value is Attachment}
 */
function isAttachment(value) {
  if (!value || typeof value !== "object") return false;
  return typeof (/** @type {{url?: unknown}} */ (value).url) === "string";
}

/**
 * The attachment's address if it is on this site (it always is); null for anything else.
 * @param {string} url
 * @param {string} [origin]
 * @returns {string | null}
 */
export function sameOriginUrl(url, origin = window.location.origin) {
  try {
    const parsed = new URL(url, origin);
    return parsed.origin === origin ? parsed.href : null;
  } catch {
    return null;
  }
}

/**
 * A file in the timeline: name, size and type, a download link; an inline preview for images
 * (the template has one; a file that is not an image loses it).
 * @param {HTMLElement} box  the .attachment element
 * @param {Attachment} attachment
 */
export function fillAttachment(box, attachment) {
  const name = typeof attachment.name === "string" && attachment.name ? attachment.name : "file";
  const type = typeof attachment.content_type === "string" ? attachment.content_type : "";
  const href = sameOriginUrl(attachment.url);
  const image = href !== null && PREVIEW_TYPES.has(type);
  box.classList.toggle("attachment--image", image);

  const preview = box.querySelector(".attachment__preview");
  if (preview instanceof HTMLAnchorElement) {
    const img = preview.querySelector("img");
    if (image && img) {
      if (preview.href !== href) preview.href = href;
      if (img.src !== href) img.src = href;
      img.alt = name;
    } else {
      preview.remove();
    }
  }
  const label = box.querySelector(".attachment__name");
  if (label) {
    label.textContent = name;
    if (href === null) label.removeAttribute("href");
    else if (label instanceof HTMLAnchorElement && label.href !== href) label.href = href;
    label.toggleAttribute("download", href !== null && !image);
  }
  const info = box.querySelector(".attachment__info");
  if (info) info.textContent = fileLabel({ type, name, size: attachment.size }); // "PDF, 1.2 MB"
}

/**
 * A `profile` frame's `user` (docs/protocol.md, "Profiles"): the rows of their messages under
 * `root` show their new name and picture. Rows a program wrote keep theirs: an incoming
 * webhook's messages are named by the webhook, not by its user's profile.
 * @param {ParentNode} root
 * @param {{username?: unknown, display_name?: unknown, avatar?: unknown} | null | undefined} user
 */
export function renameAuthor(root, user) {
  if (!user || typeof user.username !== "string") return;
  const username = user.username;
  const shown = typeof user.display_name === "string" ? user.display_name : "";
  const label = shown || username;
  const avatar = typeof user.avatar === "string" ? user.avatar : "";
  const url = avatar.startsWith("/avatars/") ? avatar : null;
  const rows = root.querySelectorAll(`.item__meta[data-username="${CSS.escape(username)}"]`);
  for (const meta of rows) {
    const bot = meta.querySelector(":scope > .item__bot");
    if (bot instanceof HTMLElement && !bot.hidden) continue;
    const author = meta.querySelector(".item__author");
    if (author) {
      author.textContent = label;
      if (label !== username) author.setAttribute("title", username);
      else author.removeAttribute("title");
    }
    const picture = meta.parentElement?.querySelector(":scope > .item__avatar");
    if (picture instanceof HTMLElement) fillAvatar(picture, label, url);
  }
}
