// The live transcript of an online interview: polls transcript/ with If-None-Match
// (an unchanged transcript answers 304, cheaply) and redraws the list when it changed.
(function () {
  "use strict";
  var list = document.getElementById("transcript");
  if (!list || !list.dataset.live || !window.fetch) return;
  var url = list.dataset.poll;
  var etag = null;
  var INTERVAL = 1000;

  function draw(entries) {
    var fragment = document.createDocumentFragment();
    entries.forEach(function (e) {
      var li = document.createElement("li");
      li.className = "transcript__entry transcript__entry--" + e.role;
      li.dataset.id = e.id;
      var who = document.createElement("strong");
      who.textContent = e.speaker + "：";
      var text = document.createElement("span");
      text.textContent = e.text; // text, never markup
      li.appendChild(who);
      li.appendChild(text);
      fragment.appendChild(li);
    });
    if (entries.length) {
      list.replaceChildren(fragment);
    }
  }

  function poll() {
    var headers = etag ? { "If-None-Match": etag } : {};
    fetch(url, { headers: headers, credentials: "same-origin", cache: "no-cache" })
      .then(function (r) {
        if (r.status === 200) {
          etag = r.headers.get("ETag");
          return r.json().then(function (data) {
            draw(data.entries);
            if (data.state === "archived") return false;
            return true;
          });
        }
        return true;
      })
      .catch(function () { return true; })
      .then(function (again) { if (again !== false) setTimeout(poll, INTERVAL); });
  }
  poll();
})();
