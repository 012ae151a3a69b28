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

// A formset (<fieldset data-formset="prefix">) grows by one row per click on its
// [data-formset-add] button: the <template data-formset-empty> row, numbered next.
document.addEventListener("click", function (event) {
  const button = event.target instanceof Element ? event.target.closest("[data-formset-add]") : null;
  const set = button ? button.closest("[data-formset]") : null;
  if (!set) {
    return;
  }
  const prefix = set.getAttribute("data-formset");
  const total = set.querySelector(`input[name="${prefix}-TOTAL_FORMS"]`);
  const most = set.querySelector(`input[name="${prefix}-MAX_NUM_FORMS"]`);
  const template = set.querySelector("template[data-formset-empty]");
  const count = parseInt(total.value, 10);
  if (most && count >= parseInt(most.value, 10)) {
    return;
  }
  const html = template.innerHTML.replace(/__prefix__/g, String(count));
  set.querySelector("[data-formset-rows]").insertAdjacentHTML("beforeend", html);
  total.value = String(count + 1);
  const added = set.querySelector("[data-formset-rows] > :last-child textarea, [data-formset-rows] > :last-child input");
  if (added) {
    added.focus();
  }
});

// Fields for one channel only (<div data-shown-for-channel="walk_in">) are hidden while
// the form's channel is another one, unless they show an error.
function showForChannel(form) {
  const channel = form.querySelector("select[name=channel]");
  form.querySelectorAll("[data-shown-for-channel]").forEach(function (part) {
    const wanted = part.getAttribute("data-shown-for-channel");
    part.hidden = Boolean(channel) && channel.value !== wanted && !part.querySelector(".errorlist");
  });
}
document.addEventListener("change", function (event) {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.name === "channel" && field.form) {
    showForChannel(field.form);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(showForChannel);
});
