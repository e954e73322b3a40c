// Live derived figures of a report form: shares of a whole and the summary panel.
// Works on the edit form (inputs) and on the read-only view (<output data-value>).
(function () {
  var node = document.getElementById("form-config");
  if (!node) return;
  var config = JSON.parse(node.textContent);

  function number(name) {
    var input = document.querySelector('[name="' + name + '"]');
    var raw = input ? input.value : (document.querySelector('[data-field="' + name + '"]') || {}).dataset;
    if (raw && typeof raw === "object") raw = raw.value;
    if (raw === undefined || raw === null) return null;
    raw = String(raw).replace(/[\s\u00a0]/g, "").replace(",", ".");
    if (raw === "") return null;
    var value = Number(raw);
    return isFinite(value) ? value : null;
  }

  var percent = window.portalFormat.share;

  function update() {
    config.parts.forEach(function (pair) {
      var target = document.querySelector('[data-share-for="' + pair[0] + '"]');
      if (!target) return;
      var part = number(pair[0]), whole = number(pair[1]);
      target.classList.remove("text-danger");
      if (part === null || whole === null) { target.textContent = ""; return; }
      if (part > whole) {
        target.textContent = "больше, чем «" + config.labels[pair[1]] + "»";
        target.classList.add("text-danger");
      } else if (whole > 0) {
        target.textContent = percent(part, whole) + " от «" + config.labels[pair[1]] + "»";
      } else {
        target.textContent = "";
      }
    });
    config.derived.forEach(function (item, index) {
      var target = document.querySelector('[data-derived="' + index + '"]');
      if (!target) return;
      var den = number(item.denominator), num = 0, complete = true;
      item.numerator.forEach(function (term) {
        var value = number(term[0]);
        if (value === null) complete = false; else num += term[1] * value;
      });
      target.textContent = complete && den ? percent(num, den) : "—";
    });
  }

  document.addEventListener("input", update);
  update();
})();
