// @ts-check
// The profile card: a click on a message's author (.item__author in .item__meta[data-username])
// or a member's name (#members li[data-username] .members__name) opens a card of them, read from
// GET /api/v1/users/<username> (docs/api.md, "Users"): picture or initial, display name,
// @username, BOT badge, status, local time in their time zone, "Do not disturb until …", and a
// "Message" button that opens the direct room through the /messages/new/ form.

import { avatarColour, avatarInitial } from "./avatar.js";
import { dndText, localTime } from "./profile_text.js";

/**
 * @typedef {{username: string, display_name: string, avatar: string | null, bot: boolean,
 *   status: {emoji: string, text: string}, time_zone: string, dnd_until: string | null}} Profile
 */

/** @param {string} tag @param {string} [cls] @param {string} [text] */
function make(tag, cls, text) {
  const el = document.createElement(tag);
  if (cls) el.className = cls;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** @param {Profile} profile @param {string} me */
function render(profile, me) {
  const card = make("div", "profile-card__body");
  const avatar = make("span", "avatar avatar--large");
  const shown = profile.display_name || profile.username;
  if (profile.avatar && profile.avatar.startsWith("/avatars/")) {
    const img = /** @type {HTMLImageElement} */ (make("img"));
    img.src = profile.avatar;
    img.alt = "";
    avatar.classList.add("avatar--image");
    avatar.append(img);
  } else {
    avatar.classList.add(`avatar--c${avatarColour(shown)}`);
    avatar.textContent = avatarInitial(shown);
  }
  avatar.setAttribute("aria-hidden", "true");
  const names = make("div", "profile-card__names");
  const title = make("h2", "profile-card__name", shown);
  title.id = "profile-card-title";
  if (profile.bot) title.append(" ", make("span", "badge badge--bot", "BOT"));
  names.append(title, make("p", "profile-card__username muted", `@${profile.username}`));
  const head = make("div", "profile-card__head");
  head.append(avatar, names);
  card.append(head);
  const status = [profile.status.emoji, profile.status.text].filter(Boolean).join(" ");
  if (status) card.append(make("p", "profile-card__status", status));
  const time = localTime(profile.time_zone);
  if (time) card.append(make("p", "profile-card__time muted", time));
  const dnd = dndText(profile.dnd_until);
  if (dnd) card.append(make("p", "profile-card__dnd", dnd));
  if (profile.username !== me) {
    const form = /** @type {HTMLFormElement} */ (make("form", "profile-card__actions"));
    form.method = "post";
    form.action = "/messages/new/";
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const csrf = /** @type {HTMLInputElement} */ (make("input"));
    csrf.type = "hidden";
    csrf.name = "csrfmiddlewaretoken";
    csrf.value = token instanceof HTMLInputElement ? token.value : csrfCookie();
    const user = /** @type {HTMLInputElement} */ (make("input"));
    user.type = "hidden";
    user.name = "users";
    user.value = profile.username;
    form.append(csrf, user, make("button", "button", "Message"));
    card.append(form);
  }
  return card;
}

function csrfCookie() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** The one card of the page, made on first use. */
function cardDialog() {
  let dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("profile-card"));
  if (!dialog) {
    dialog = /** @type {HTMLDialogElement} */ (make("dialog", "profile-card"));
    dialog.id = "profile-card";
    dialog.setAttribute("aria-labelledby", "profile-card-title");
    // A click on the backdrop (the dialog itself, outside its body) closes it.
    dialog.addEventListener("click", (event) => {
      if (event.target === dialog) dialog?.close();
    });
    document.body.append(dialog);
  }
  return dialog;
}

/**
 * Open the card of `username`.
 * @param {string} username
 * @param {string} me  the reader's username (no "Message" button on their own card)
 */
export async function openProfileCard(username, me) {
  const dialog = cardDialog();
  const close = make("button", "profile-card__close", "×");
  close.setAttribute("aria-label", "Close");
  close.addEventListener("click", () => dialog.close());
  dialog.replaceChildren(close, make("p", "muted", "Loading…"));
  if (!dialog.open) dialog.showModal();
  let response;
  try {
    response = await fetch(`/api/v1/users/${encodeURIComponent(username)}`, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  } catch {
    response = null;
  }
  if (!response || !response.ok) {
    const gone = response?.status === 404;
    dialog.replaceChildren(close, make("p", "", gone ? "No such user." : "Could not load it."));
    return;
  }
  dialog.replaceChildren(close, render(await response.json(), me));
}

/** Who reads the page: the account menu's name. */
function reader() {
  return document.querySelector(".account__user")?.textContent?.trim() ?? "";
}

document.addEventListener("click", (event) => {
  const target = /** @type {HTMLElement} */ (event.target);
  if (!(target instanceof HTMLElement)) return;
  const author = target.closest(".item__author")?.closest(".item__meta[data-username]");
  const member = target.closest("#members li[data-username] .members__name")?.closest("li");
  const named = author ?? member;
  if (!(named instanceof HTMLElement) || !named.dataset.username) return;
  event.preventDefault();
  openProfileCard(named.dataset.username, reader());
});
