/* 长者模式 (适老化): larger type, higher contrast, more spacing, a simpler layout.
   Loaded in <head> without defer: the class is on <html> before the first paint, so the
   page never flashes in the normal size. The choice is kept in this browser's localStorage
   (no cookie: no banner, and the page cache serves the very same HTML to everyone). */
(function () {
  var KEY = "jiyue-elder-mode";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }
  function apply(on) {
    root.classList.toggle("elder-mode", on);
    var buttons = document.querySelectorAll("[data-elder-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", on ? "true" : "false");
    }
  }
  apply(stored());
  document.addEventListener("DOMContentLoaded", function () {
    apply(stored());
    var buttons = document.querySelectorAll("[data-elder-toggle]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener("click", function () {
        var on = !root.classList.contains("elder-mode");
        try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this page only */ }
        apply(on);
      });
    }
  });
})();
