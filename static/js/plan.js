/* Planner: the model boxes suggest models as you type, from GET /api/v1/token-models
   (names, aliases and family words in both languages), into the shared datalist. */
(function () {
  "use strict";
  var list = document.getElementById("token-model-options");
  if (!list) return;
  var timer = null;
  var last = "";

  function fill(items) {
    while (list.firstChild) list.removeChild(list.firstChild);
    items.forEach(function (m) {
      var option = document.createElement("option");
      option.value = m.id;
      option.textContent = m.name + (m.aliases.length ? " · " + m.aliases.slice(0, 3).join(" · ") : "");
      list.appendChild(option);
    });
  }

  function suggest(input) {
    var q = input.value.trim();
    if (!q || q === last) return;
    last = q;
    fetch(input.dataset.typeahead + "?q=" + encodeURIComponent(q), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (data) { if (q === last) fill(data.items); })
      .catch(function () { /* the server-rendered list stays */ });
  }

  document.querySelectorAll("input[data-typeahead]").forEach(function (input) {
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { suggest(input); }, 150);
    });
  });
})();
