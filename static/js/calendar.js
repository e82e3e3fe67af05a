// Drag a session onto a free time to move it (wide screens, a mouse). Optional: without
// it, a session's page moves it. The drop posts the session page's own move form
// (booking.staff.pages.sessions.session_move) with back=calendar, so the server checks
// the move and a refusal is shown with its reasons, as for any move.
document.addEventListener("DOMContentLoaded", function () {
  var cal = document.querySelector(".cal");
  var form = document.getElementById("cal-move");
  if (!cal || !form) return;
  var dragged = null;
  cal.querySelectorAll(".cal-session[data-move]").forEach(function (item) {
    item.addEventListener("dragstart", function (event) {
      dragged = item;
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", item.getAttribute("data-move"));
      cal.classList.add("dragging");
    });
    item.addEventListener("dragend", function () {
      cal.classList.remove("dragging");
      dragged = null;
    });
  });
  cal.querySelectorAll(".cal-free").forEach(function (cell) {
    cell.addEventListener("dragover", function (event) {
      if (!dragged) return;
      event.preventDefault();
      cell.classList.add("drop-over");
    });
    cell.addEventListener("dragleave", function () { cell.classList.remove("drop-over"); });
    cell.addEventListener("drop", function (event) {
      if (!dragged) return;
      event.preventDefault();
      var prefix = dragged.getAttribute("data-prefix");
      form.action = dragged.getAttribute("data-move");
      [["start", cell.getAttribute("data-start")], ["therapist", cell.getAttribute("data-therapist")]].forEach(function (pair) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = prefix + "-" + pair[0];
        input.value = pair[1];
        form.appendChild(input);
      });
      cal.setAttribute("aria-busy", "true");
      form.submit();
    });
  });
});
