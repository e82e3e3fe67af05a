// Sign-up and profile helpers, both optional (the forms work without them): the
// browser's own time zone preselected, and a show/hide button for a password.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-detect-zone]").forEach(function (select) {
    var zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
    if (!zone) return;
    var found = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!found) select.add(new Option(zone.replace(/_/g, " "), zone), 0);
    select.value = zone;
  });
  document.querySelectorAll("input[data-show]").forEach(function (input) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary small password-toggle";
    button.textContent = input.getAttribute("data-show");
    button.setAttribute("aria-pressed", "false");
    button.setAttribute("aria-controls", input.id);
    input.insertAdjacentElement("afterend", button);
    button.addEventListener("click", function () {
      var shown = input.type === "text";
      input.type = shown ? "password" : "text";
      button.textContent = input.getAttribute(shown ? "data-show" : "data-hide");
      button.setAttribute("aria-pressed", shown ? "false" : "true");
    });
  });
});
