// Behaviour that would otherwise be inline handlers or javascript: links, which the
// Content-Security-Policy forbids.

// A <select data-autosubmit> submits its form when it changes.
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});

// A link with data-back goes back in the history when there is one (its href otherwise).
document.addEventListener("click", function (event) {
  const link = event.target instanceof Element ? event.target.closest("a[data-back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
