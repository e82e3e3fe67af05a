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
  // Every real zone, searchable: a text box with a datalist filled on first use (the
  // list is not in the page, so pages stay light); a zone picked there joins the menu.
  document.querySelectorAll("select[data-zones]").forEach(function (select, index) {
    var id = "zone-search-" + index, listId = id + "-list", loaded = false;
    var wrap = document.createElement("div");
    wrap.className = "zone-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = select.getAttribute("data-search-label");
    var input = document.createElement("input");
    input.type = "search"; input.id = id; input.autocomplete = "off";
    input.setAttribute("list", listId);
    var list = document.createElement("datalist");
    list.id = listId;
    wrap.append(label, input, list);
    select.insertAdjacentElement("afterend", wrap);
    input.addEventListener("focus", function () {
      if (loaded) return;
      loaded = true;
      fetch(select.getAttribute("data-zones")).then(function (r) { return r.json(); }).then(function (zones) {
        zones.forEach(function (z) { list.appendChild(new Option(z[1], z[0])); });
      }).catch(function () { loaded = false; });
    });
    input.addEventListener("change", function () {
      var zone = input.value.trim();
      var known = Array.prototype.some.call(list.options, function (o) { return o.value === zone; });
      if (!known) return;
      var present = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
      if (!present) select.add(new Option(zone.replace(/_/g, " "), zone), 0);
      select.value = zone;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
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
