/* Issue every eligible certificate of a cohort one request at a time and show progress.
   Without JavaScript the "Issue all eligible" form posts and the server issues them all. */
(function () {
  "use strict";
  var batch = document.getElementById("cert-issue-all");
  var box = document.getElementById("cert-progress");
  if (!batch || !box || !window.fetch || !window.FormData) { return; }

  batch.addEventListener("submit", function (event) {
    var forms = Array.prototype.slice.call(document.querySelectorAll("form.cert-issue"));
    if (!forms.length) { return; }
    event.preventDefault();
    var button = batch.querySelector("button");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".cert-progress-text");
    var failures = box.querySelector(".cert-failures");
    var reload = box.querySelector(".cert-progress-reload");
    var total = forms.length;
    var done = 0;
    var issued = 0;
    var failed = 0;

    button.disabled = true;
    box.hidden = false;
    bar.max = total;

    function show() {
      bar.value = done;
      text.textContent = box.dataset.progressText
        .replace("{done}", String(done)).replace("{total}", String(total));
    }

    function fail(message) {
      var item = document.createElement("li");
      item.textContent = message;
      failures.appendChild(item);
      failed += 1;
    }

    function next(index) {
      if (index >= total) {
        text.textContent = box.dataset.doneText.replace("{issued}", String(issued));
        reload.hidden = false;
        if (!failed) { window.location.reload(); }
        return;
      }
      fetch(forms[index].action, {
        method: "POST",
        body: new FormData(forms[index]),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().catch(function () {
          return { ok: false, error: box.dataset.errorText };
        });
      }).then(function (answer) {
        if (answer.ok) {
          if (answer.created) { issued += 1; }
        } else {
          fail(answer.error || box.dataset.errorText);
        }
      }, function () {
        fail(box.dataset.errorText);
      }).then(function () {
        done += 1;
        show();
        next(index + 1);
      });
    }

    show();
    next(0);
  });
}());
