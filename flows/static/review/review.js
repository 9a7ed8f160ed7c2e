// Keyboard shortcuts of the review app. Served from /static (the CSP allows no inline script) and kept small:
// every action is a real link or form, so the app also works with the script blocked.
(function () {
  "use strict";

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function follow(id) {
    var link = document.getElementById(id);
    if (link) { window.location.assign(link.href); }
  }

  function submitWith(form, key) {
    if (!form) { return; }
    var button = form.querySelector('button[data-key="' + key + '"]');
    if (button) { form.requestSubmit(button); }
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (help) { help.hidden = !help.hidden; }
  }

  // --- queue page: a selected row that j/k move; Enter/o open it; a/r review it ---------------------------------
  var rows = Array.prototype.slice.call(document.querySelectorAll("#queue tr.row"));
  var table = document.getElementById("queue");
  var selected = table ? Math.min(parseInt(table.dataset.selected || "0", 10) || 0, rows.length - 1) : -1;

  function select(i) {
    if (!rows.length) { return; }
    selected = Math.max(0, Math.min(i, rows.length - 1));
    rows.forEach(function (row, k) {
      row.classList.toggle("selected", k === selected);
      row.setAttribute("aria-selected", k === selected ? "true" : "false");
    });
    rows[selected].scrollIntoView({block: "nearest"});
  }
  if (rows.length) { select(selected); }
  rows.forEach(function (row, k) {
    row.addEventListener("click", function (e) {
      if (e.target.closest("a, button, form")) { return; }
      select(k);
    });
  });

  function onQueueKey(key) {
    if (key === "j") { if (selected === rows.length - 1) { follow("next-page"); } else { select(selected + 1); } }
    else if (key === "k") { if (selected === 0) { follow("prev-page"); } else { select(selected - 1); } }
    else if ((key === "Enter" || key === "o") && rows[selected]) { window.location.assign(rows[selected].dataset.href); }
    else if ((key === "a" || key === "r") && rows[selected]) { submitWith(rows[selected].querySelector("form"), key); }
    else { return false; }
    return true;
  }

  // --- record page: j/k next/previous, a/r approve/reject with the note, n note, u queue ------------------------
  function onRecordKey(key) {
    if (key === "j") { follow("next"); }
    else if (key === "k") { follow("prev"); }
    else if (key === "u") { follow("back"); }
    else if (key === "a" || key === "r") { submitWith(document.getElementById("review"), key); }
    else if (key === "n") { var note = document.getElementById("note"); if (note) { note.focus(); } }
    else { return false; }
    return true;
  }

  var helpButton = document.getElementById("help-toggle");
  if (helpButton) { helpButton.addEventListener("click", toggleHelp); }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.isComposing) { return; }
    if (e.key === "Escape") {
      if (typing(document.activeElement)) { document.activeElement.blur(); }
      var help = document.getElementById("help");
      if (help) { help.hidden = true; }
      return;
    }
    if (typing(e.target)) { return; }  // letters typed into the note or a filter are text, not commands
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    var page = document.body.dataset.page;
    var handled = page === "queue" ? onQueueKey(e.key) : page === "record" ? onRecordKey(e.key) : false;
    if (handled) { e.preventDefault(); }
  });
})();
