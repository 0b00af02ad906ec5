// telewywiad: small progressive enhancements. No inline handlers (strict CSP); htmx does the rest.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // Every htmx request that changes state carries the CSRF token as a header.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A timed-out session: keep everything on screen and tell the worker plainly.
  document.addEventListener("tw:session-expired", function (event) {
    var banner = document.getElementById("session-banner");
    ["session-login-link", "session-login-tab"].forEach(function (id) {
      var link = document.getElementById(id);
      if (link && event.detail && event.detail.login) { link.setAttribute("href", event.detail.login); }
    });
    if (banner) { banner.hidden = false; }
  });
  // Logged in again (e.g. in another tab): the next request that goes through puts the banner away.
  document.addEventListener("htmx:afterRequest", function (event) {
    var banner = document.getElementById("session-banner");
    if (banner && !banner.hidden && event.detail.successful) { banner.hidden = true; }
  });

  // Forms marked data-unsaved-warning ask before the page is left with changes not yet sent.
  var dirty = new Set();
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-unsaved-warning]");
    if (form) { dirty.add(form); }
  });
  document.addEventListener("submit", function (event) { dirty.delete(event.target); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty.size > 0 || document.querySelector("[data-unsaved='true']")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.telewywiad = { csrfToken: csrfToken };
})();
