/* A running job's page: ask for its state every second and a half and move the bar;
   reload once it has finished (the page then shows the outcome). Without JavaScript the
   page refreshes itself (meta refresh). */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.finished === "yes" || !window.fetch) { return; }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.parentNode.removeChild(refresh); }
  var bar = box.querySelector(".job-bar");

  function look() {
    fetch(box.dataset.url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        if (bar && state.total) {
          bar.max = state.total;
          bar.value = state.done + state.failed;
        }
        if (!bar && state.total !== null) { window.location.reload(); return; }
        var count = box.querySelector(".job-count");
        if (count && state.total !== null && count.dataset.template) {
          count.textContent = count.dataset.template
            .replace("{done}", String(state.done)).replace("{total}", String(state.total));
        }
        window.setTimeout(look, 1500);
      }, function () { window.setTimeout(look, 5000); });
  }
  window.setTimeout(look, 1500);
}());
