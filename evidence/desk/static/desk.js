// The editor's desk: keyboard shortcuts, as progressive enhancement (every action
// is a plain form that works without this file). Single-key shortcuts can be turned
// off (WCAG 2.1.4): the choice is kept in this browser. No key acts while typing.
(function () {
  "use strict";
  var STORE = "evidence-desk-single-keys";
  function enabled() {
    try { return window.localStorage.getItem(STORE) !== "off"; } catch (e) { return true; }
  }
  function typing(target) {
    // A checkbox, radio or button takes no text: keys still move through the queue
    // after the editor has just turned the shortcuts on.
    var name = target && target.tagName ? target.tagName.toLowerCase() : "";
    var kind = name === "input" ? (target.type || "text").toLowerCase() : "";
    var untyped = ["checkbox", "radio", "button", "submit", "reset"].indexOf(kind) >= 0;
    return (name === "input" && !untyped) || name === "textarea" || name === "select" ||
      (target && target.isContentEditable);
  }
  function items() {
    return Array.prototype.slice.call(document.querySelectorAll("a.desk-item-link"));
  }
  function move(step) {
    var list = items();
    if (!list.length) { return; }
    var at = list.indexOf(document.activeElement);
    var next = at < 0 ? (step > 0 ? 0 : list.length - 1)
      : Math.max(0, Math.min(list.length - 1, at + step));
    list[next].focus();
  }
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("desk-keys");
    if (toggle) {
      toggle.checked = enabled();
      toggle.addEventListener("change", function () {
        try { window.localStorage.setItem(STORE, toggle.checked ? "on" : "off"); } catch (e) { }
      });
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target) || !enabled()) {
      return;
    }
    if (event.key === "j") { move(1); event.preventDefault(); }
    else if (event.key === "k") { move(-1); event.preventDefault(); }
    else if (event.key === "o") {
      if (document.activeElement && document.activeElement.classList.contains("desk-item-link")) {
        document.activeElement.click();
        event.preventDefault();
      }
    }
  });
}());
