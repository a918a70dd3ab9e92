// Progress of a batch of parchments: polls the server while parchments are being rendered, moves the bar and,
// once every parchment is rendered, reloads the page so each row shows its PDF. A failed render is said as it
// is (a worker retries it); polling slows down while nothing moves, never stops before the end.
(function () {
  "use strict";
  var card = document.getElementById("batch");
  if (!card) { return; }
  var bar = document.getElementById("batch-bar");
  var done = document.getElementById("batch-done");
  var state = document.getElementById("batch-state");
  var meter = card.querySelector("[role=progressbar]");
  // The bar's width is set here, not by a style attribute: the Content-Security-Policy refuses inline styles.
  show({ done: parseInt(card.dataset.done, 10) || 0, total: parseInt(card.dataset.total, 10) || 0, failed: 0 }, true);
  var delay = 500;
  var last = -1;
  function show(data, initial) {
    done.textContent = data.done;
    bar.style.width = (data.total ? Math.round(100 * data.done / data.total) : 100) + "%";
    meter.setAttribute("aria-valuenow", data.done);
    if (data.done >= data.total) {
      bar.classList.remove("progress-bar-animated", "progress-bar-striped");
      bar.classList.add("bg-success");
      state.textContent = "Lot terminé.";
    } else if (initial) {
      return;  // the server wrote the state's sentence
    } else if (data.failed) {
      state.textContent = data.failed + (data.failed > 1 ? " échecs : un worker les reprend ; sinon, relancez-les."
        : " échec : un worker le reprend ; sinon, relancez-le.");
    } else {
      state.textContent = "Production en cours…";
    }
  }
  function poll() {
    fetch(card.dataset.progressUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { setTimeout(poll, 5000); return; }
        show(data);
        if (data.done >= data.total) { window.location.reload(); return; }
        delay = data.done === last ? Math.min(delay * 1.5, 5000) : 500;
        last = data.done;
        setTimeout(poll, delay);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  if (parseInt(done.textContent, 10) < parseInt(meter.getAttribute("aria-valuemax"), 10)) {
    setTimeout(poll, delay);
  }
})();
