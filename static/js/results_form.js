// Result rows: add rows from the empty-form template, show the «2» share and quality live.
(function () {
  function number(input) {
    if (!input) return null;
    var raw = String(input.value).replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (raw === "") return null;
    var value = Number(raw);
    return isFinite(value) ? value : null;
  }
  var pct = window.portalFormat.share;

  // The mean mark follows from the «2»–«5» counts (ВПР, ОГЭ, ЕГЭ базовый): shown,
  // not typed — the server computes it the same way (ResultRowForm.row).
  function updateMean(field) {
    var mean = field("mean_score"), procedure = field("procedure"), level = field("level");
    if (!mean) return;
    var usesMarks = !procedure || procedure.value !== "ЕГЭ" || (level && level.value === "базовый");
    var marks = ["mark2", "mark3", "mark4", "mark5"].map(function (m) { return number(field(m)); });
    var total = marks.reduce(function (a, b) { return a + (b || 0); }, 0);
    var computed = usesMarks && total > 0 && marks.every(function (v) { return v !== null; });
    if (computed) {
      var weighted = marks.reduce(function (a, b, i) { return a + (i + 2) * b; }, 0);
      mean.value = window.portalFormat.number(weighted / total, 2);
      mean.title = "Рассчитан по отметкам «2»–«5»";
    } else if (mean.readOnly) {
      mean.value = "";
      mean.title = "";
    }
    mean.readOnly = computed;
  }

  function updateRow(row) {
    var cell = row.querySelector(".derived-cell");
    var field = function (name) { return row.querySelector('[name$="-' + name + '"]'); };
    updateMean(field);
    if (!cell || !field("participants")) return;
    var n = number(field("participants"));
    if (!n) { cell.textContent = ""; return; }
    var m2 = number(field("mark2")), m4 = number(field("mark4")), m5 = number(field("mark5"));
    var failed = number(field("failed_minimum"));
    var parts = [];
    if (m2 !== null) parts.push("«2»: " + pct(m2, n));
    else if (failed !== null) parts.push("ниже порога: " + pct(failed, n));
    if (m4 !== null && m5 !== null) parts.push("кач.: " + pct(m4 + m5, n));
    var marks = ["mark2", "mark3", "mark4", "mark5"].map(function (m) { return number(field(m)); });
    if (marks.every(function (v) { return v !== null; })) {
      var sum = marks.reduce(function (a, b) { return a + b; }, 0);
      if (sum !== n) parts.push("сумма отметок " + sum + " ≠ " + n);
    }
    cell.textContent = parts.join(" · ");
    cell.classList.toggle("text-danger", /≠/.test(cell.textContent));
  }

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.dataset.addRow;
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var html = document.getElementById(prefix + "-empty").innerHTML.replace(/__prefix__/g, total.value);
      document.querySelector("#" + prefix + "-table tbody").insertAdjacentHTML("beforeend", html);
      total.value = Number(total.value) + 1;
    });
  });
  document.addEventListener("input", function (event) {
    var row = event.target.closest && event.target.closest(".result-row");
    if (row) updateRow(row);
  });
  document.querySelectorAll(".result-row").forEach(updateRow);
})();
