// @ts-check
// The "Add people" page, nicer than its plain forms: the list follows the search box as one
// types (the page's own GET search, fetched), and ticked people stay ticked, shown under
// "Chosen" while another search is on screen, until the one "Add people" submit.

import { PeopleChoice, searchUrl } from "./people_choice.js";

const DEBOUNCE_MS = 200;

const search = /** @type {HTMLFormElement | null} */ (
  document.querySelector("[data-people-search]")
);
const form = /** @type {HTMLFormElement | null} */ (document.querySelector("[data-people-form]"));
const box = /** @type {HTMLInputElement | null} */ (document.getElementById("id_q"));
const summary = document.getElementById("people-summary");

/** @param {ParentNode} root */
function checkboxes(root) {
  return /** @type {HTMLInputElement[]} */ ([
    ...root.querySelectorAll("input[type=checkbox][name=users]"),
  ]);
}

if (search && form && box) {
  const path = search.getAttribute("action") ?? window.location.pathname;
  const choice = new PeopleChoice(checkboxes(form).filter((c) => c.checked).map((c) => c.value));
  /** @type {AbortController | null} */
  let pending = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;

  const results = () => /** @type {HTMLElement} */ (document.getElementById("people-results"));
  const chosenList = () => /** @type {HTMLElement} */ (document.getElementById("people-chosen"));

  /** The chosen people this search does not list, as ticked boxes under "Chosen". */
  const drawChosen = () => {
    const listed = checkboxes(results()).map((c) => c.value);
    const list = chosenList();
    for (const label of [...list.querySelectorAll("label")]) label.remove();
    for (const name of choice.elsewhere(listed)) {
      const label = document.createElement("label");
      label.className = "people-list__person";
      const input = document.createElement("input");
      input.type = "checkbox";
      input.name = "users";
      input.value = name;
      input.checked = true;
      label.append(input, ` ${name}`);
      list.append(label);
    }
    list.hidden = list.querySelectorAll("label").length === 0;
    if (summary) summary.textContent = choice.summary();
  };

  form.addEventListener("change", (event) => {
    const input = /** @type {HTMLInputElement} */ (event.target);
    if (input.name !== "users") return;
    choice.set(input.value, input.checked);
    // A box unticked under "Chosen" goes; the listed ones stay where they are.
    if (!input.checked && input.closest("#people-chosen")) drawChosen();
    else if (summary) summary.textContent = choice.summary();
  });

  /** Fetch the page for `query` and put its list of people in place of this one's. */
  const find = async () => {
    pending?.abort();
    const controller = new AbortController();
    pending = controller;
    const url = searchUrl(path, box.value);
    results().setAttribute("aria-busy", "true");
    try {
      const response = await fetch(url, { signal: controller.signal, credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById("people-results");
      if (!fresh || controller.signal.aborted) return;
      for (const input of checkboxes(fresh)) input.checked = choice.has(input.value);
      results().replaceWith(document.importNode(fresh, true));
      drawChosen();
      // The post goes back to this search if the server refuses it.
      form.action = url;
      window.history.replaceState(null, "", url);
    } catch (error) {
      // An aborted search was replaced by a newer one; on any other failure the plain
      // Search button still works.
      if (/** @type {Error} */ (error).name !== "AbortError") search.submit();
    } finally {
      if (pending === controller) {
        pending = null;
        results().setAttribute("aria-busy", "false");
      }
    }
  };

  box.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(find, DEBOUNCE_MS);
  });
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    find();
  });
  drawChosen();
  // Typed before this script ran (it loads after the page shows): search for it now.
  if (box.value.trim() !== (search.dataset.query ?? "")) find();
}
