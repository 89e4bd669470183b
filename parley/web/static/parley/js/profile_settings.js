// @ts-check
// The profile settings page: a time zone not chosen yet starts as the browser's own (the person
// still saves it; nothing is sent without them).

const form = document.getElementById("profile-form");
const select = /** @type {HTMLSelectElement | null} */ (document.getElementById("id_time_zone"));
if (form && select && !form.dataset.timeZoneSaved && !select.value) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && Array.from(select.options).some((option) => option.value === zone)) {
    select.value = zone;
  }
}
