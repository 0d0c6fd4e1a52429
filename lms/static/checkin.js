// Self check-in display: poll the status every few seconds so that the code, the QR
// code and the list of who has checked in stay current without reloading the page.
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root || !window.fetch) { return; }
  var url = root.getAttribute("data-status-url");
  var template = document.getElementById("checkin-late-label");
  var late = template.content ? template.content.textContent : template.textContent;
  var lastCode = null;

  function render(state) {
    document.getElementById("checkin-open").hidden = !state.open;
    document.getElementById("checkin-closed").hidden = state.open;
    if (state.code !== lastCode) {
      lastCode = state.code;
      document.getElementById("checkin-code").textContent = state.code;
      if (state.qr) { document.getElementById("checkin-qr").src = state.qr; }
    }
    document.getElementById("checkin-count").textContent = String(state.checked_in.length);
    var list = document.getElementById("checkin-list");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    state.checked_in.forEach(function (person) {
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(person.name + " "));
      var when = document.createElement("span");
      when.className = "muted";
      when.textContent = person.time + (person.late ? " · " + late : "");
      item.appendChild(when);
      list.appendChild(item);
    });
  }

  function poll() {
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (state) { render(state); }
        var wait = state ? Math.min(5, state.refresh_in) : 15;
        window.setTimeout(poll, Math.max(1, wait) * 1000);
      })
      .catch(function () { window.setTimeout(poll, 15000); });
  }
  window.setTimeout(poll, 3000);
}());
