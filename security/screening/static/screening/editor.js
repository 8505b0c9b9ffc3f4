// 错敏词检查 on the page editor: loads the findings of the latest version above the form,
// and puts the cursor on a finding's exact words in its field when its text is clicked.
(function () {
  "use strict";
  var match = window.location.pathname.match(/\/pages\/(\d+)\/edit\/$/);
  if (!match) { return; }
  var form = document.getElementById("page-edit-form") || document.querySelector("form[data-edit-form]") || document.querySelector("main form");
  if (!form) { return; }
  var base = window.location.pathname.replace(/pages\/\d+\/edit\/$/, "");
  var url = base + "screening/pages/" + match[1] + "/?fragment=1";

  function nth(haystack, needle, n) {
    var at = -1;
    for (var i = 0; i <= n; i += 1) {
      at = haystack.indexOf(needle, at + 1);
      if (at < 0) { return -1; }
    }
    return at;
  }

  function locate(item) {
    var field = item.getAttribute("data-field");
    var text = item.getAttribute("data-text");
    var occurrence = parseInt(item.getAttribute("data-occurrence") || "0", 10);
    var wrapper = form.querySelector('[data-contentpath="' + field + '"]');
    var input = form.querySelector('input[name="' + field + '"]:not([type=hidden]), textarea[name="' + field + '"]');
    if (input) {
      var at = nth(input.value, text, occurrence);
      if (at < 0) { at = input.value.indexOf(text); }
      input.scrollIntoView({ block: "center" });
      input.focus();
      if (at >= 0) { input.setSelectionRange(at, at + text.length); }
      return;
    }
    var scope = wrapper || form;
    var editable = scope.querySelectorAll("[contenteditable=true]");
    var nodes = [];
    var whole = "";
    editable.forEach(function (root) {
      var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      var node;
      while ((node = walker.nextNode())) {
        nodes.push({ node: node, start: whole.length });
        whole += node.nodeValue;
      }
    });
    var found = nth(whole, text, occurrence);
    if (found < 0) { found = whole.indexOf(text); }
    if (found < 0) { scope.scrollIntoView({ block: "center" }); return; }
    var range = document.createRange();
    var end = found + text.length;
    nodes.forEach(function (entry) {
      var length = entry.node.nodeValue.length;
      if (found >= entry.start && found <= entry.start + length) { range.setStart(entry.node, found - entry.start); }
      if (end >= entry.start && end <= entry.start + length) { range.setEnd(entry.node, end - entry.start); }
    });
    var element = range.startContainer.parentElement;
    if (element) { element.scrollIntoView({ block: "center" }); }
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
    .then(function (response) { return response.ok ? response.text() : ""; })
    .then(function (html) {
      if (!html) { return; }
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var panel = holder.firstElementChild;
      form.parentNode.insertBefore(panel, form);
      panel.addEventListener("click", function (event) {
        var button = event.target.closest(".screening-locate");
        if (button) { locate(button.closest(".screening-finding")); }
      });
    });
})();
