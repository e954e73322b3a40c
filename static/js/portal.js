/*
 * Behaviours every page may use, declared in the markup (the Content-Security-
 * Policy allows no inline scripts or handlers):
 *   data-print                  — a button that prints the page;
 *   data-autosubmit             — a select that submits its form on change
 *                                 (data-clear="name" empties that field first);
 *   data-navigate               — a select whose value is a page to open;
 *   data-confirm="question"     — a button or form that asks before it goes;
 *   data-width="42"             — an element as wide as that percentage;
 *   data-height="320"           — an element that many pixels high;
 *   data-tip="text"             — a cell that explains itself on a tap, as
 *                                 its title does under a mouse.
 *
 * window.portalFormat formats numbers by the rules of schools/formatting.py:
 * a decimal comma, digits grouped by a no-break space, a true minus, never
 * «−0»; one place drops a «,0» («30 %»), indices keep their places («0,50»).
 */
(function () {
  "use strict";

  function number(value, places) {
    if (value === null || value === undefined || !isFinite(value)) return "—";
    if (places === undefined) places = 1;
    // Half away from zero on the number as written (12,25 → 12,3), as the server does.
    var written = String(Math.abs(value));
    var rounded = written.indexOf("e") < 0
      ? Number(Math.round(Number(written + "e" + places)) + "e-" + places)
      : Math.round(Math.abs(value) * Math.pow(10, places)) / Math.pow(10, places);
    var shown = places <= 1 && rounded === Math.floor(rounded) ? 0 : places;
    var parts = rounded.toFixed(shown).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, "\u00a0");
    var text = parts.length > 1 ? whole + "," + parts[1] : whole;
    return (value < 0 && rounded > 0 ? "\u2212" : "") + text;
  }
  function percent(value, places) {
    return value === null || value === undefined ? "—" : number(value, places) + " %";
  }
  function share(part, whole, places) {
    return whole ? percent(100 * part / whole, places) : "—";
  }
  window.portalFormat = { number: number, percent: percent, share: share };

  function sizes(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = el.getAttribute("data-width") + "%";
    });
    root.querySelectorAll("[data-height]").forEach(function (el) {
      el.style.height = el.getAttribute("data-height") + "px";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  document.addEventListener("click", function (event) {
    var cell = event.target.closest("[data-tip]");
    if (cell && window.bootstrap) {
      window.bootstrap.Tooltip.getOrCreateInstance(cell, {
        title: cell.getAttribute("data-tip"), trigger: "hover focus", placement: "top"
      }).show();
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches("[data-autosubmit]")) {
      var clear = select.getAttribute("data-clear");
      if (clear && select.form.elements[clear]) {
        select.form.elements[clear].value = "";
      }
      select.form.submit();
    } else if (select.matches("[data-navigate]") && select.value) {
      window.location = select.value;
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var asker = event.submitter && event.submitter.closest("[data-confirm]");
    var question = (asker || form).getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () { sizes(document); });
  document.addEventListener("htmx:load", function (event) { sizes(event.target); });
})();
