// Keyboard shortcuts on the review page: space reveals the definition, 1–4 rate the card.
// The page works without this script (the buttons are a plain form).
document.addEventListener("keydown", (event) => {
  if (event.target.closest("input, textarea, select") || event.ctrlKey || event.metaKey || event.altKey) return;
  const card = document.getElementById("review-card");
  if (!card) return;
  if (event.key === " " && !event.target.closest("summary, button, a")) {
    const details = card.querySelector("details.reveal");
    if (details) {
      event.preventDefault();
      details.open = !details.open;
    }
    return;
  }
  const button = card.querySelector(`button[data-key="${event.key}"]`);
  if (button) {
    event.preventDefault();
    button.click();
  }
});
