// Only what htmx cannot do: keep keyboard focus sensible after a swap.
document.addEventListener("htmx:afterSettle", (event) => {
  const root = event.detail.elt;
  if (!(root instanceof Element)) return;
  const target =
    root.querySelector('[aria-invalid="true"]') ||
    root.querySelector(".conflict") ||
    (root.classList.contains("key-result--editing") || root.classList.contains("okr__head--editing")
      ? root.querySelector("input:not([type=hidden]), textarea, select")
      : null);
  if (target) {
    if (!target.hasAttribute("tabindex") && target.classList.contains("conflict")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }
});
