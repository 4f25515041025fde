// Guess the learner's time zone from the browser, where the form still shows the default.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector('select[name="time_zone"]');
  if (!select || select.value !== "UTC" || select.dataset.touched) return;
  let zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch {
    return;
  }
  if (zone && [...select.options].some((option) => option.value === zone)) {
    select.value = zone;
  }
});
