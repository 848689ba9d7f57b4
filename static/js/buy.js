// The buy page: ask the server for the figures of the buyer's choices as they type. The
// server's quote is the only arithmetic: this script only swaps its answer in.
(function () {
  var form = document.getElementById("buy-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-quote-url");
  var timer = null;
  var asked = 0;

  function refresh() {
    var params = new URLSearchParams();
    ["instances", "hours", "terms", "packs", "start"].forEach(function (name) {
      var field = form.elements[name];
      if (field && field.value !== "") { params.set(name, field.value); }
    });
    var mine = ++asked;
    fetch(url + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null || mine !== asked) { return; }
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#quote");
        var old = document.getElementById("quote");
        if (fresh && old) { old.replaceWith(fresh); }
      })
      .catch(function () { /* the figures shown stay; the cart re-prices on the server anyway */ });
  }

  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 200);
  });
})();
