// Our own small script. The site works without it; it only smooths things where JS is on.
// (No inline scripts anywhere: the Content Security Policy forbids them.)
document.addEventListener("DOMContentLoaded", () => {
  // After an htmx swap, move focus to the new content so keyboard and screen-reader users follow.
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail.target;
    const heading = target.querySelector("[data-focus-after-swap]");
    if (heading) heading.focus();
  });
});
