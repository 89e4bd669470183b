// @ts-check
// A question before something that cannot be undone (leaving a private room: only an invitation
// lets one back in), asked in the page's <dialog id="confirm-dialog"> (_confirm_dialog.html):
// modal, Escape or Cancel says no, and focus goes back where it was.

/**
 * Ask; resolves true only when the person pressed the confirming button.
 * @param {{title: string, text?: string, confirm?: string, cancel?: string,
 *   dialog?: HTMLDialogElement | null}} question  `confirm`: the button's words ("Leave")
 * @returns {Promise<boolean>}
 */
export function confirmAction({
  title,
  text = "",
  confirm = "OK",
  cancel = "Cancel",
  dialog = /** @type {HTMLDialogElement | null} */ (document.getElementById("confirm-dialog")),
}) {
  // A page without the dialog still asks, plainly.
  if (!dialog || typeof dialog.showModal !== "function") {
    return Promise.resolve(window.confirm(text ? `${title}\n\n${text}` : title));
  }
  if (dialog.open) dialog.close("cancel"); // an earlier question is answered "no"
  const titleEl = dialog.querySelector("#confirm-title");
  const textEl = dialog.querySelector("#confirm-text");
  const ok = /** @type {HTMLButtonElement} */ (dialog.querySelector("[data-confirm-ok]"));
  const no = /** @type {HTMLButtonElement} */ (dialog.querySelector("[data-confirm-cancel]"));
  if (titleEl) titleEl.textContent = title;
  if (textEl) {
    textEl.textContent = text;
    /** @type {HTMLElement} */ (textEl).hidden = !text;
  }
  ok.textContent = confirm;
  no.textContent = cancel;
  const before = document.activeElement;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener(
      "close",
      () => {
        resolve(dialog.returnValue === "confirm");
        if (before instanceof HTMLElement && before.isConnected) before.focus();
      },
      { once: true },
    );
    // A tap on the backdrop (the dialog box itself, outside its form) says no too.
    const controller = new AbortController();
    dialog.addEventListener("close", () => controller.abort(), { once: true });
    dialog.addEventListener(
      "click",
      (event) => event.target === dialog && dialog.close("cancel"),
      { signal: controller.signal },
    );
    dialog.showModal();
    no.focus();
  });
}
