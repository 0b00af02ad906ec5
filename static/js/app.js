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
  // A plain form post that goes ahead carries the typed values itself (the runner's "Dalej" sends every answer
  // of the section): leaving through it is not leaving with unsaved changes.
  var posting = false;
  document.addEventListener("submit", function (event) {
    dirty.delete(event.target);
    if (!event.defaultPrevented) {
      posting = true;
      window.setTimeout(function () { posting = false; }, 15000);  // a post that returned a download
    }
  });
  window.addEventListener("pageshow", function () { posting = false; });
  window.addEventListener("beforeunload", function (event) {
    if (posting) { return; }
    if (dirty.size > 0 || document.querySelector("[data-unsaved='true']")) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  // A field's maxlength would silently cut a longer pasted text. Never cut: paste it whole and say it is too
  // long (the server refuses it with the same message, and the text stays on screen to be shortened).
  function limitNote(field) {
    var id = field.id ? field.id + "-too-long" : "";
    var note = id ? document.getElementById(id) : null;
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var over = !isNaN(max) && field.value.length > max;
    if (!over) { if (note) { note.remove(); } return; }
    if (!note) {
      note = document.createElement("p");
      note.className = "error too-long";
      note.setAttribute("role", "alert");
      if (id) { note.id = id; }
      field.insertAdjacentElement("afterend", note);
    }
    note.textContent = (document.body.getAttribute("data-msg-too-long") || "")
      .replace("{count}", String(field.value.length)).replace("{max}", String(max));
  }
  document.addEventListener("paste", function (event) {
    var field = event.target;
    if (!field || !field.matches || !field.matches("input[maxlength], textarea[maxlength]")) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    var max = parseInt(field.getAttribute("maxlength"), 10);
    var start = field.selectionStart || 0, end = field.selectionEnd || 0;
    if (isNaN(max) || field.value.length - (end - start) + text.length <= max) { return; }
    event.preventDefault();
    field.setRangeText(text, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
  });
  document.addEventListener("input", function (event) {
    if (event.target && event.target.matches && event.target.matches("input[maxlength], textarea[maxlength]")) {
      limitNote(event.target);
    }
  });

  window.telewywiad = { csrfToken: csrfToken };
})();
