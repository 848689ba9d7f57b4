// The stall: kind-specific fields, live price preview, registry type-ahead, job progress.
// Everything here is an enhancement: the pages work without it.
(function () {
  "use strict";

  function debounce(fn, ms) {
    let timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  function offerForm(form) {
    const kind = form.querySelector("[name=kind]:not([type=hidden])") || form.querySelector("[name=kind]");
    const output = document.getElementById("price-preview");

    function showKindFields() {
      const chosen = kind.value;
      form.querySelectorAll(".kind-field").forEach(function (el) {
        const kinds = (el.dataset.kinds || "").split(" ");
        el.classList.toggle("hidden", kinds.indexOf(chosen) === -1);
      });
    }

    const preview = debounce(function () {
      const body = new FormData(form);
      if (form.querySelector("[name=kind][type=hidden]")) body.set("kind", form.querySelector("[name=kind][type=hidden]").value);
      const token = form.querySelector("[name=csrf_token]");
      fetch(form.dataset.previewUrl, {
        method: "POST", body: body, credentials: "same-origin",
        headers: token ? { "X-CSRFToken": token.value } : {},
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (data.ok) {
          output.textContent = data.text;
          output.classList.remove("invalid");
        } else {
          const priceFields = ["price", "input_price", "output_price", "currency", "price_unit", "gpu_count", "vcpus", "gpu_model", "off_peak_rate", "off_peak_hours"];
          const first = priceFields.map(function (f) { return data.errors[f]; }).filter(Boolean)[0];
          output.textContent = first ? first[0] : "—";
          output.classList.add("invalid");
        }
      }).catch(function () { /* the server check on save still applies */ });
    }, 250);

    form.querySelectorAll("input[data-lookup-url]").forEach(function (input) {
      const list = document.getElementById(input.getAttribute("list"));
      const lookup = debounce(function () {
        const url = input.dataset.lookupUrl + "?q=" + encodeURIComponent(input.value);
        fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
          list.replaceChildren.apply(list, data.items.map(function (item) {
            const option = document.createElement("option");
            option.value = item.value;
            option.textContent = item.label;
            return option;
          }));
        }).catch(function () {});
      }, 150);
      input.addEventListener("input", lookup);
    });

    kind.addEventListener("change", showKindFields);
    form.addEventListener("input", preview);
    form.addEventListener("change", preview);
    showKindFields();
    preview();
  }

  function jobStatus(box) {
    const bar = document.getElementById("job-progress");
    const status = document.getElementById("job-status");
    if (["done", "failed"].indexOf(status.dataset.status) !== -1) return;
    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        bar.max = Math.max(data.total, 1);
        bar.value = data.processed;
        document.getElementById("job-processed").textContent = data.processed;
        document.getElementById("job-total").textContent = data.total;
        status.textContent = data.status_label;
        if (data.status === "done" || data.status === "failed") {
          window.location.assign(data.next || window.location.href);
        } else {
          setTimeout(poll, 500);
        }
      }).catch(function () { setTimeout(poll, 2000); });
    }
    poll();
  }

  const form = document.getElementById("offer-form");
  if (form) offerForm(form);
  const job = document.getElementById("job");
  if (job) jobStatus(job);
})();
