// Our own small script. The site works without it; it only smooths things where JS is on.
// (No inline scripts anywhere: the Content Security Policy forbids them.)
document.addEventListener("DOMContentLoaded", () => {
  // After an htmx swap, move focus to the new feedback so keyboard and screen-reader users
  // hear what changed.
  document.body.addEventListener("htmx:afterSettle", () => {
    const target = document.querySelector("[data-focus-after-swap]");
    if (target) {
      target.removeAttribute("data-focus-after-swap");
      target.focus();
    }
  });
});
