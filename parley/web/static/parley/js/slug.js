// @ts-check
// A room's address made from its name, as the new-room form suggests it: the server's slug
// rule (parley/core/text.py SLUG_RE) is 1 to `max` lowercase letters, digits and dashes,
// starting and ending with a letter or digit. No DOM.

/**
 * "Café Team — 2024!" -> "cafe-team-2024". Accents are dropped (é -> e); anything else that
 * is not a letter or digit becomes one dash; "" when nothing is left (a name of only emoji).
 * @param {string} name
 * @param {number} [max]  the slug's maximum length
 * @returns {string}
 */
export function slugFromName(name, max = 50) {
  const plain = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return plain.slice(0, max).replace(/-+$/, "");
}

/**
 * Follows the name until the person types an address of their own; emptying the address
 * hands it back to the name.
 */
export class SlugFollower {
  /** @param {number} max */
  constructor(max) {
    this.max = max;
    /** The last address this made: while the field still shows it, the name leads. */
    this.suggested = "";
  }

  /**
   * The address to show after the name changed to `name`, the field showing `current`; null
   * to leave the field alone (the person wrote their own).
   * @param {string} name
   * @param {string} current
   * @returns {string | null}
   */
  onName(name, current) {
    if (current !== "" && current !== this.suggested) return null;
    this.suggested = slugFromName(name, this.max);
    return this.suggested;
  }
}
