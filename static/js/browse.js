// Browse page niceties; the page works without them (plain GET form and links).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("browse-form");
  if (!form) { return; }
  // Sort and the in-stock box apply as soon as they change.
  // (The compare picks belong to another form and must not reload the page.)
  form.querySelectorAll("select.auto-submit, input[type=checkbox]:not([form])").forEach(function (el) {
    el.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  });
  // Keep shared URLs short: leave empty fields out of the query string.
  form.addEventListener("submit", function () {
    form.querySelectorAll("input, select").forEach(function (el) {
      if (el.name && el.value === "") { el.disabled = true; }
    });
    // The default sort need not be spelled out.
    var sort = form.querySelector("select[name=sort]");
    if (sort && sort.value === "unit_price") { sort.disabled = true; }
  });
  // Coming back with the back button can restore disabled fields from the cache; re-enable them.
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("[disabled]").forEach(function (el) { el.disabled = false; });
  });
})();
