// @ts-check
// The account menu (<details class="user-menu">, _user_menu.html) on every page: a <details>
// opens and closes by itself; this adds what a menu is expected to do besides: Escape closes it
// (focus back on its button) and so does a click or tap anywhere else. Loaded by base.html.

/**
 * @param {Document | HTMLElement} root
 * @param {{signal?: AbortSignal}} [options]
 */
export function bindUserMenus(root = document, { signal } = {}) {
  const openMenus = () =>
    /** @type {HTMLDetailsElement[]} */ ([...root.querySelectorAll("details.user-menu[open]")]);
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Escape") return;
      for (const menu of openMenus()) {
        menu.open = false;
        menu.querySelector("summary")?.focus();
      }
    },
    { signal },
  );
  document.addEventListener(
    "pointerdown",
    (event) => {
      for (const menu of openMenus()) {
        if (!menu.contains(/** @type {Node} */ (event.target))) menu.open = false;
      }
    },
    { signal },
  );
}

bindUserMenus();
