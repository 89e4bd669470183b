// @ts-check
// A person's avatar: their initial on a colour chosen from their username, the same on every
// page and in every session (parley/web/templatetags/parley_avatar.py computes the same for the
// rows the server renders). No DOM.

/** How many avatar colours parley.css has (.avatar--c0 … .avatar--c7). */
export const AVATAR_COLOURS = 8;

/**
 * The first letter of `name`, in capitals ("?" for none).
 * @param {string | null | undefined} name
 */
export function avatarInitial(name) {
  const first = name ? Array.from(name.trim())[0] : undefined;
  return first ? first.toLocaleUpperCase() : "?";
}

/**
 * The colour of `name`'s avatar, 0 … AVATAR_COLOURS - 1: a hash of its code points (31 × h + c,
 * modulo 2³²), so that the server can compute it too.
 * @param {string | null | undefined} name
 */
export function avatarColour(name) {
  let hash = 0;
  for (const char of name ?? "") {
    hash = (Math.imul(hash, 31) + /** @type {number} */ (char.codePointAt(0))) >>> 0;
  }
  return hash % AVATAR_COLOURS;
}
