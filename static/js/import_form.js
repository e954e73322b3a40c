// Show only the upload fields that the chosen kind of file needs.
(function () {
  function update() {
    var chosen = document.querySelector('input[name="kind"]:checked');
    var kind = chosen ? chosen.value : "";
    document.querySelectorAll("[data-for-kinds]").forEach(function (el) {
      el.hidden = el.dataset.forKinds.split(" ").indexOf(kind) === -1;
    });
  }
  document.querySelectorAll('input[name="kind"]').forEach(function (el) { el.addEventListener("change", update); });
  update();
})();
