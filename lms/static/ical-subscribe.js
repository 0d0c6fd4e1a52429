// Calendar pages: copy buttons for the feed addresses, and a confirmation before a
// feed address is replaced or switched off. Loaded as a file (the CSP forbids inline
// scripts); without JavaScript the addresses can still be selected and copied by hand.
(function () {
  "use strict";

  function showStatus(button, text) {
    var status = button.parentNode.parentNode.querySelector(".copy-status");
    if (status) { status.textContent = text; }
  }

  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy"));
    if (!input) { return; }
    var done = function () { showStatus(button, button.getAttribute("data-copied")); };
    var fallback = function () {
      input.focus();
      input.select();
      try { if (document.execCommand("copy")) { done(); } } catch (e) { /* selected: copy by hand */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });

  // A page that shows a new address answers the POST that created it: reloading must not
  // send that form again (and replace the address), so the address bar gets the page's own.
  var shown = document.querySelector("[data-page-url]");
  if (shown && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", shown.getAttribute("data-page-url"));
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
}());
