/*
 * Behaviours every page may use, declared in the markup (the Content-Security-
 * Policy allows no inline scripts or handlers):
 *   data-print                  — a button that prints the page;
 *   data-autosubmit             — a select that submits its form on change
 *                                 (data-clear="name" empties that field first);
 *   data-navigate               — a select whose value is a page to open;
 *   data-confirm="question"     — a button or form that asks before it goes;
 *   data-width="42"             — an element as wide as that percentage;
 *   data-height="320"           — an element that many pixels high.
 */
(function () {
  "use strict";

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
