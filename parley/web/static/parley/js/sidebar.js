// @ts-check
// The sidebar of the user's rooms on narrow screens: a drawer opened by #sidebar-toggle, closed
// by Escape or a click beside it.

/**
 * @param {HTMLElement} sidebar
 * @param {HTMLElement} toggle
 */
export function bindSidebar(sidebar, toggle) {
  toggle.hidden = false;
  /**
   * @param {boolean} open
   * @param {{focus?: boolean}} [options]
   */
  const setOpen = (open, { focus = false } = {}) => {
    sidebar.classList.toggle("is-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    // The first room, not the brand or the user menu above the lists.
    if (open && focus) sidebar.querySelector(".sidebar__link")?.focus();
  };
  toggle.addEventListener("click", () => {
    setOpen(!sidebar.classList.contains("is-open"), { focus: true });
  });
  sidebar.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && sidebar.classList.contains("is-open")) {
      setOpen(false);
      toggle.focus();
    }
  });
  document.addEventListener("pointerdown", (event) => {
    if (!sidebar.classList.contains("is-open")) return;
    const target = /** @type {Node | null} */ (event.target);
    if (sidebar.contains(target) || toggle.contains(target)) return;
    setOpen(false);
  });
}
