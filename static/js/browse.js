// Browse page niceties; the page works without them (plain GET form and links).
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var form = document.getElementById("browse-form");
  if (!form) { return; }
  // Sort and the in-stock box apply as soon as they change.
  // (The compare picks belong to another form and must not reload the page.)
  form.querySelectorAll(".auto-submit, input[type=checkbox]:not([form])").forEach(function (el) {
    el.addEventListener("change", function () { form.requestSubmit ? form.requestSubmit() : form.submit(); });
  });
  // Keep shared URLs short: leave empty fields out of the query string.
  form.addEventListener("submit", function () {
    form.querySelectorAll("input, select").forEach(function (el) {
      if (el.name && el.value === "") { el.disabled = true; }
    });
    // The default sort need not be spelled out.
    // (Without a job length, sorting by the job's price has nothing to rank by.)
    var sort = form.querySelector("select[name=sort]");
    var hours = form.querySelector("input[name=duration_hours]");
    var noHours = !hours || hours.value === "";
    if (sort && (sort.value === "unit_price" || (noHours && sort.value.indexOf("effective_price") !== -1))) {
      sort.disabled = true;
    }
    var perPage = form.querySelector("select[name=per_page]");
    if (perPage && perPage.value === "20") { perPage.disabled = true; }
  });
  // Coming back with the back button can restore disabled fields from the cache; re-enable them.
  window.addEventListener("pageshow", function () {
    form.querySelectorAll("[disabled]").forEach(function (el) { el.disabled = false; });
  });
  // The column picker: the buyer's choice per kind of listing, kept in this browser.
  var table = document.getElementById("offers-table");
  if (!table) { return; }
  var storeKey = "browse-columns:" + table.dataset.view;
  var words = function (text) { return text ? text.split(" ") : []; };
  var locked = words(table.dataset.locked), hiddenByDefault = words(table.dataset.hidden);
  var chosen = {};
  try { chosen = JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { chosen = {}; }
  var shown = function (key) {
    if (locked.indexOf(key) !== -1) { return true; }
    return key in chosen ? chosen[key] : hiddenByDefault.indexOf(key) === -1;
  };
  var apply = function () {
    words(table.dataset.columns).forEach(function (key) { table.classList.toggle("hide-" + key, !shown(key)); });
  };
  document.querySelectorAll(".col-picker input[data-col]").forEach(function (box) {
    var key = box.dataset.col;
    box.checked = shown(key);
    box.addEventListener("change", function () {
      chosen[key] = box.checked;
      try { window.localStorage.setItem(storeKey, JSON.stringify(chosen)); } catch (e) { /* private mode: this page only */ }
      apply();
    });
  });
  apply();
  // The picker's list closes on a click outside it, or on Escape.
  var picker = document.querySelector(".col-picker");
  if (picker) {
    document.addEventListener("click", function (event) {
      if (picker.open && !picker.contains(event.target)) { picker.open = false; }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && picker.open) { picker.open = false; }
    });
  }
})();
