// Show only the scope fields that the chosen role uses.
(function () {
  var role = document.getElementById("id_role");
  if (!role) return;
  function update() {
    var staff = role.value === "analyst" || role.value === "approver";
    document.querySelectorAll("[data-scope=staff]").forEach(function (el) { el.hidden = !staff; });
    document.querySelectorAll("[data-scope=operator]").forEach(function (el) { el.hidden = role.value !== "operator"; });
  }
  role.addEventListener("change", update);
  update();
})();
