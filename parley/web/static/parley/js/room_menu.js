// @ts-check
// The room header's ⋯ menu (#room-menu in _room_header.html): Settings (owners), the
// notification level (notify_menu.js sends the choice) and Leave. A menu button in the ARIA
// sense: arrows move between the items, Escape and a click elsewhere close it, and focus goes
// back to the button. The items come and go with membership (room_view.js hides #leave-form and
// #notify-menu), so the button hides itself while the menu would be empty.

/** The event notify_menu.js fires on its root once a level was chosen and accepted. */
export const CHOSEN_EVENT = "notify-chosen";

/**
 * @param {HTMLElement} root  #room-menu
 * @param {{signal?: AbortSignal}} [options]  aborting removes the document listeners
 * @returns {{open: (focus?: "first" | "last" | "checked") => void, close: (options?: {focusButton?: boolean}) => void, readonly isOpen: boolean} | null}
 */
export function bindRoomMenu(root, { signal } = {}) {
  const button = /** @type {HTMLButtonElement | null} */ (root.querySelector("#room-menu-button"));
  const list = /** @type {HTMLElement | null} */ (root.querySelector("#room-menu-list"));
  if (!button || !list) return null;

  /** The items a person can reach now: not inside anything hidden. */
  const items = () =>
    /** @type {HTMLElement[]} */ (
      [...list.querySelectorAll('[role="menuitem"], [role="menuitemradio"]')].filter(
        (item) => !item.closest("[hidden]") || item.closest("[hidden]") === list,
      )
    );

  const syncButton = () => {
    button.hidden = items().length === 0;
    if (button.hidden) close();
  };

  /** @param {"first" | "last" | "checked"} [focus] */
  function open(focus = "first") {
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const all = items();
    const checked = all.find((item) => item.getAttribute("aria-checked") === "true");
    const target =
      focus === "last" ? all.at(-1) : focus === "checked" ? (checked ?? all[0]) : all[0];
    target?.focus();
  }

  /** @param {{focusButton?: boolean}} [options] */
  function close({ focusButton = false } = {}) {
    if (list.hidden) return;
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    const error = list.querySelector("#notify-error");
    if (error instanceof HTMLElement) error.hidden = true;
    if (focusButton) button.focus();
  }

  button.addEventListener("click", () => (list.hidden ? open() : close()));
  button.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      open(event.key === "ArrowDown" ? "first" : "last");
    }
  });

  list.addEventListener("keydown", (event) => {
    const all = items();
    const index = all.indexOf(/** @type {HTMLElement} */ (document.activeElement));
    /** @param {number} to */
    const move = (to) => {
      event.preventDefault();
      all[(to + all.length) % all.length]?.focus();
    };
    switch (event.key) {
      case "Escape":
        event.preventDefault();
        event.stopPropagation(); // the page's own Escape (e.g. closing a panel) is not meant
        close({ focusButton: true });
        break;
      case "ArrowDown":
        move(index + 1);
        break;
      case "ArrowUp":
        move(index < 0 ? -1 : index - 1);
        break;
      case "Home":
        move(0);
        break;
      case "End":
        move(-1);
        break;
      case "Tab":
        close();
        break;
    }
  });

  // Settings navigates and Leave submits: the menu closes either way. A level stays open until
  // the server accepted it (a refusal shows in the menu), then notify_menu.js says so.
  list.addEventListener("click", (event) => {
    const item = /** @type {Element} */ (event.target).closest('[role="menuitem"]');
    if (item) close({ focusButton: item.matches("button") });
  });
  root.addEventListener(CHOSEN_EVENT, () => close({ focusButton: true }));

  document.addEventListener(
    "pointerdown",
    (event) => {
      if (!list.hidden && !root.contains(/** @type {Node} */ (event.target))) close();
    },
    { signal },
  );
  // Moving focus out (a click is covered above; this is the keyboard and the screen reader).
  root.addEventListener("focusout", (event) => {
    const to = /** @type {Node | null} */ (event.relatedTarget);
    if (to && !root.contains(to)) close();
  });

  const watcher = new MutationObserver(syncButton);
  watcher.observe(list, { attributes: true, attributeFilter: ["hidden"], subtree: true });
  signal?.addEventListener("abort", () => watcher.disconnect(), { once: true });
  syncButton();

  return {
    open,
    close,
    get isOpen() {
      return !list.hidden;
    },
  };
}
