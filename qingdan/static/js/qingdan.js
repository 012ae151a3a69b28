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

// A long list of checkboxes (<div class="filterable">, grouped under headings) gets a
// search box (<input class="choice-filter" data-filter-for="id">, hidden without
// script): typing narrows the list to the matching names; ticked ones stay in view,
// and a heading with nothing left under it is hidden.
function narrowChoices(box) {
  const list = document.getElementById(box.getAttribute("data-filter-for"));
  if (!list) {
    return;
  }
  const wanted = box.value.trim().toLowerCase();
  list.querySelectorAll("input[type=checkbox]").forEach(function (input) {
    const option = input.closest("div");
    const text = (option.textContent || "").toLowerCase();
    option.hidden = Boolean(wanted) && !input.checked && !text.includes(wanted);
  });
  Array.from(list.children).forEach(function (group) {
    const options = group.querySelectorAll(":scope > div");
    if (options.length) {
      group.hidden = Array.from(options).every(function (option) { return option.hidden; });
    }
  });
}
document.addEventListener("input", function (event) {
  const box = event.target;
  if (box instanceof HTMLInputElement && box.classList.contains("choice-filter")) {
    narrowChoices(box);
  }
});
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input.choice-filter").forEach(function (box) {
    box.hidden = false;
  });
});
