// Behaviour that would otherwise be inline handlers, which the Content-Security-Policy
// forbids: a <select data-autosubmit> submits its form when it changes.
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.submit();
  }
});
