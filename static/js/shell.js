// Every page: the ☰ menu on narrow screens and in-place "add to compare". Without this file
// the menu is simply shown and the compare forms post and come back (see compare/tray_views.py).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  ready(function () {
    var toggle = document.querySelector(".menu-toggle");
    var bar = document.querySelector(".topbar");
    if (toggle && bar) {
      toggle.addEventListener("click", function () {
        var open = bar.classList.toggle("nav-open");
        toggle.setAttribute("aria-expanded", open ? "true" : "false");
      });
    }

    cardTables();

    // On a phone the browse filters start folded, so the results come first.
    if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches) {
      document.querySelectorAll("details.facet-drawer").forEach(function (drawer) { drawer.open = false; });
    }

    // Forms marked .tray-form post to the compare tray; ask for JSON and swap the header part.
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.classList || !form.classList.contains("tray-form") || !window.fetch) { return; }
      // The comparison page itself re-renders: let it reload.
      if (form.dataset.reload === "1") { return; }
      event.preventDefault();
      var body = new FormData(form);
      if (event.submitter && event.submitter.name) { body.append(event.submitter.name, event.submitter.value); }
      fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (answer) {
          var tray = document.getElementById("compare-tray");
          if (tray && answer.html) {
            var wasOpen = tray.open;
            tray.outerHTML = answer.html;
            tray = document.getElementById("compare-tray");
            if (wasOpen && tray) { tray.open = true; }
          }
          say(answer.message, answer.error ? "error" : "success");
        })
        .catch(function () { form.submit(); });
    });
  });

  // Tables become cards on a phone (market.css, "table.data.cards"): each cell is labelled with its
  // column's heading. The browse results have their own card layout; the comparison scrolls in its box.
  function cardTables() {
    document.querySelectorAll("table.data, table.lines").forEach(function (table) {
      if (table.classList.contains("compare-table")) { return; }
      if (table.classList.contains("offers")) { labelOfferCells(table); return; }
      var heads = table.querySelectorAll("thead tr:last-child > *");
      if (!heads.length) { return; }
      var labels = Array.prototype.map.call(heads, function (th) { return th.textContent.replace(/\s+/g, " ").trim(); });
      table.querySelectorAll("tbody tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column]) { cell.setAttribute("data-label", labels[column]); }
          column += cell.colSpan || 1;
        });
      });
      table.classList.add("cards");
    });
  }

  // The browse cards keep their own layout; the cells that are bare words or numbers (minimum
  // term, listed price, stock, the job's figures) get their column's heading as a label.
  function labelOfferCells(table) {
    var labels = {};
    table.querySelectorAll("thead th").forEach(function (th) {
      var key = Array.prototype.find.call(th.classList, function (c) { return c.indexOf("c-") === 0; });
      var link = th.querySelector("a.sort");
      var text = (link ? link.firstChild.textContent : th.textContent).replace(/\s+/g, " ").trim();
      if (key && text) { labels[key] = text; }
    });
    ["c-term", "c-listed", "c-stock", "c-ppt", "c-effective", "c-total", "c-input", "c-cached", "c-output"].forEach(function (key) {
      if (!labels[key]) { return; }
      table.querySelectorAll("tbody td." + key).forEach(function (cell) { cell.setAttribute("data-label", labels[key]); });
    });
  }

  function say(message, category) {
    if (!message) { return; }
    var main = document.getElementById("main");
    if (!main) { return; }
    var old = document.getElementById("tray-message");
    if (old) { old.remove(); }
    var note = document.createElement("div");
    note.id = "tray-message";
    note.className = "flash flash-" + category;
    note.setAttribute("role", "status");
    note.textContent = message;
    main.insertBefore(note, main.firstChild);
  }
})();
