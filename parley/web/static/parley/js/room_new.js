// @ts-check
// The new-room form: the address follows the name as it is typed, until the person edits the
// address themselves. Without this script the address is simply typed.

import { SlugFollower } from "./slug.js";

const name = /** @type {HTMLInputElement | null} */ (document.getElementById("id_name"));
const slug = /** @type {HTMLInputElement | null} */ (document.getElementById("id_slug"));

if (name && slug) {
  const follower = new SlugFollower(slug.maxLength > 0 ? slug.maxLength : 50);
  // A name typed before this script ran, or a form shown again after an error with no
  // address: the address catches up; one the person wrote stays.
  if (slug.value === "" && name.value) slug.value = follower.onName(name.value, "") ?? "";
  name.addEventListener("input", () => {
    const next = follower.onName(name.value, slug.value);
    if (next !== null) slug.value = next;
  });
}
