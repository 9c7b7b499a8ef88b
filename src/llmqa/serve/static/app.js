// llmqa review: keyboard shortcuts and the analyst's name. Nothing else runs on the page.
(function () {
  "use strict";
  var nameBox = document.getElementById("analyst");
  var saved = window.localStorage.getItem("llmqa-analyst");
  if (nameBox && !nameBox.value && saved) { nameBox.value = saved; }
  function syncName() {
    var value = nameBox ? nameBox.value.trim() : "";
    window.localStorage.setItem("llmqa-analyst", value);
    document.querySelectorAll(".analyst-field").forEach(function (f) { f.value = value; });
  }
  if (nameBox) { nameBox.addEventListener("input", syncName); syncName(); }

  var page = document.body.getAttribute("data-page");
  var selected = -1;
  function rows() { return document.querySelectorAll("#queue tbody tr"); }
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    selected = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r) { r.classList.remove("selected"); });
    all[selected].classList.add("selected");
    all[selected].scrollIntoView({block: "nearest"});
  }
  function follow(id) { var a = document.getElementById(id); if (a) { a.click(); } }

  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey ||
        event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (page === "item") {
      if (key === "j") { follow("next"); return; }
      if (key === "k") { follow("prev"); return; }
      var button = document.querySelector('#decide button[data-key="' + key + '"]');
      if (button) {
        syncName();
        event.preventDefault();
        button.click();
      }
    } else if (page === "queue") {
      if (key === "j") { select(selected + 1); }
      else if (key === "k") { select(selected - 1); }
      else if (key === "Enter" || key === "o") {
        var all = rows();
        if (selected >= 0 && all[selected]) { all[selected].querySelector("a.open").click(); }
      }
    }
  });
})();
