// @ts-check
// Who is ticked on the "Add people" page, kept across searches: a search replaces the people
// listed, never the choice. No DOM (room_people.js draws it).

export class PeopleChoice {
  /** @param {Iterable<string>} [chosen] */
  constructor(chosen = []) {
    /** @type {Set<string>} */
    this.chosen = new Set(chosen);
  }

  /**
   * @param {string} name
   * @param {boolean} on
   */
  set(name, on) {
    if (on) this.chosen.add(name);
    else this.chosen.delete(name);
  }

  /** @param {string} name */
  has(name) {
    return this.chosen.has(name);
  }

  /**
   * The chosen people the listed ones (`listed`) do not show, by name: drawn apart so they
   * stay visible, and are posted, while another search is on screen.
   * @param {Iterable<string>} listed
   * @returns {string[]}
   */
  elsewhere(listed) {
    const shown = new Set(listed);
    return [...this.chosen].filter((name) => !shown.has(name)).sort();
  }

  /** What the submit button will do, for the status line. */
  summary() {
    const count = this.chosen.size;
    if (count === 0) return "No one chosen yet.";
    return `${count} ${count === 1 ? "person" : "people"} chosen.`;
  }
}

/**
 * The page's own address searching for `query` (no `q` for an empty one).
 * @param {string} path  e.g. "/rooms/team/people/"
 * @param {string} query
 */
export function searchUrl(path, query) {
  const trimmed = query.trim();
  return trimmed ? `${path}?${new URLSearchParams({ q: trimmed })}` : path;
}
