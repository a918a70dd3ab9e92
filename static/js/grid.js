// A/NA grid: keyboard entry and the blocks' status computed live by the server (cqp.rules).
(function () {
  "use strict";
  var form = document.getElementById("grid-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-grid-row]"));
  var timer = null;
  var sent = 0;  // only the answer to the latest request is shown

  function radios(row) { return row.querySelectorAll("input[type=radio]"); }
  function focusRow(index) {
    var row = rows[index];
    if (!row) { return; }
    var checked = row.querySelector("input[type=radio]:checked") || radios(row)[0];
    if (checked && !checked.disabled) { checked.focus(); }
  }
  function paint(row) {
    var checked = row.querySelector("input[type=radio]:checked");
    row.classList.toggle("table-success", !!checked && checked.value === "A");
    row.classList.toggle("table-danger", !!checked && checked.value === "NA");
  }
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var ticket = ++sent;
      fetch(form.dataset.statusUrl, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || ticket !== sent) { return; }
          Object.keys(data.blocks).forEach(function (pk) {
            var target = document.getElementById("status-" + pk);
            if (target) { target.innerHTML = data.blocks[pk]; }
          });
        });
    }, 120);
  }

  rows.forEach(function (row, index) {
    row.addEventListener("change", function () { paint(row); refresh(); });
    row.addEventListener("keydown", function (event) {
      if (event.target.type === "text") { return; }
      var key = event.key.toLowerCase();
      var value = (key === "a" || key === "1") ? "A" : (key === "n" || key === "2") ? "NA" : null;
      if (value) {
        var input = row.querySelector("input[type=radio][value='" + value + "']");
        if (input && !input.disabled) {
          input.checked = true;
          paint(row);
          refresh();
          focusRow(index + 1);
        }
        event.preventDefault();
      } else if (event.key === "ArrowDown") {
        focusRow(index + 1); event.preventDefault();
      } else if (event.key === "ArrowUp") {
        focusRow(index - 1); event.preventDefault();
      }
    });
  });
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var next = form.querySelector("button[value=submit_next]") || form.querySelector("button[value=submit]");
      if (next) { event.preventDefault(); next.click(); }
    }
  });
  if (rows.length) { focusRow(0); }
})();
