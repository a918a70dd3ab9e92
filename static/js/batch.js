// Progress of a batch of parchments: polls the server until every parchment is rendered, then reloads.
(function () {
  "use strict";
  var card = document.getElementById("batch");
  if (!card) { return; }
  var bar = document.getElementById("batch-bar");
  var done = document.getElementById("batch-done");
  var state = document.getElementById("batch-state");
  function poll() {
    fetch(card.dataset.progressUrl, { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        done.textContent = data.done;
        bar.style.width = (data.total ? Math.round(100 * data.done / data.total) : 100) + "%";
        card.querySelector("[role=progressbar]").setAttribute("aria-valuenow", data.done);
        if (data.done >= data.total) {
          bar.classList.remove("progress-bar-animated", "progress-bar-striped");
          bar.classList.add("bg-success");
          state.textContent = "Lot terminé.";
          if (!card.dataset.reloaded) { card.dataset.reloaded = "1"; window.location.reload(); }
        } else {
          setTimeout(poll, 700);
        }
      });
  }
  if (parseInt(done.textContent, 10) < parseInt(card.querySelector("[role=progressbar]").getAttribute("aria-valuemax"), 10)) {
    setTimeout(poll, 500);
  }
})();
