// telewywiad interview runner: autosave status, retry until saved, live skip logic, call timer.
// Nothing typed is kept in localStorage (shared phones): unsaved values stay on screen and are retried.
(function () {
  "use strict";
  var form = document.querySelector("[data-interview]");
  if (!form) { return; }

  var clientId = (function () {
    var bytes = new Uint8Array(8);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  })();
  var retries = new Map(); // .answer-state element -> {timer, attempt}
  var sent = new Map();    // .answer-state element -> snapshot of the values sent
  var confirmed = new Map(); // .answer-state element -> snapshot the server stored or kept
  var inFlight = 0;

  var initial = new Map(); // .answer-state element -> snapshot as the page came
  function msg(name) { return form.getAttribute("data-msg-" + name) || ""; }
  function stateOf(elt) { return elt && elt.classList && elt.classList.contains("answer-state") ? elt : null; }
  function blockOf(state) {
    var id = state.getAttribute("data-for");
    return id === "notes" ? document.getElementById("notes") : document.getElementById(id);
  }
  function snapshot(state) {
    var block = blockOf(state);
    if (!block) { return ""; }
    return Array.prototype.filter.call(block.querySelectorAll("input:not([type=hidden]), textarea, select"), function (el) {
      return !((el.type === "checkbox" || el.type === "radio") && !el.checked);
    }).map(function (el) { return el.name + "=" + el.value; }).join("\u0001");
  }
  function setStatus(state, kind, text) {
    var status = state.querySelector(".save-status");
    if (!status) {
      status = document.createElement("p");
      status.className = "save-status";
      state.insertBefore(status, state.firstChild);
    }
    status.setAttribute("data-state", kind);
    status.textContent = text;
  }
  function markUnsaved(state, unsaved) {
    // "kept": the server holds the value for after the next login, so leaving the page loses nothing.
    var block = blockOf(state);
    if (block) { block.setAttribute("data-unsaved", unsaved === "kept" ? "kept" : unsaved ? "true" : "false"); }
  }
  function expiredAndKept(xhr) {
    var header = xhr && xhr.getResponseHeader("HX-Trigger");
    if (!header || header.indexOf("tw:session-expired") < 0) { return false; }
    try { return !!(JSON.parse(header)["tw:session-expired"] || {}).kept; } catch (e) { return false; }
  }

  document.querySelectorAll(".answer-state[hx-post]").forEach(function (state) { initial.set(state, snapshot(state)); });

  // Typing or choosing marks the answer as not yet saved; the browser then warns before leaving (app.js).
  form.addEventListener("input", function (event) {
    var block = event.target.closest(".q, #notes");
    var state = block && block.querySelector(".answer-state");
    if (!state || event.target.type === "hidden") { return; }
    markUnsaved(state, true);
    if (!retries.has(state)) { setStatus(state, "saving", msg("saving")); }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var state = stateOf(event.detail.elt);
    if (!state) { return; }
    event.detail.parameters.client_id = clientId;
    sent.set(state, snapshot(state));
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var state = stateOf(event.detail.elt);
    if (!state) { return; }
    inFlight += 1;
    if (!retries.has(state)) { setStatus(state, "saving", msg("saving")); }
  });

  // 409/422 are answers, not failures: show them in place (read-only interview, removed member).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (stateOf(event.detail.elt) && (status === 409 || status === 422 || status === 400 && event.detail.xhr.responseText.indexOf("data-refused") >= 0)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function refreshToken() {
    // After logging in again (in another tab) the session has a new CSRF token: read it from the page.
    return fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
      .then(function (html) {
        var match = /name="csrf-token" content="([^"]+)"/.exec(html);
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (match && meta) { meta.setAttribute("content", match[1]); }
      })
      .catch(function () { /* still offline: the next retry tries again */ });
  }

  function scheduleRetry(state, status, kept) {
    var entry = retries.get(state) || { timer: null, attempt: 0 };
    if (entry.timer) { window.clearTimeout(entry.timer); }
    entry.attempt += 1;
    var delay = Math.min(kept ? 30000 : 10000, 1000 * Math.pow(2, entry.attempt - 1));
    entry.timer = window.setTimeout(function () {
      entry.timer = null;
      var before = (status === 400 || status === 401) ? refreshToken() : Promise.resolve();
      before.then(function () { window.htmx.trigger(state, "tw:retry"); });
    }, delay);
    retries.set(state, entry);
    if (kept) {
      // Timed out, but the server keeps what was sent for this worker: it is stored after the next login.
      markUnsaved(state, sent.get(state) === snapshot(state) ? "kept" : true);
      setStatus(state, "kept", msg("kept"));
    } else {
      markUnsaved(state, true);
      setStatus(state, "failed", msg("failed"));
    }
  }

  document.addEventListener("htmx:afterRequest", function (event) {
    var state = stateOf(event.detail.elt);
    if (!state) { return; }
    inFlight = Math.max(0, inFlight - 1);
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (event.detail.successful || status === 409 || status === 422) {
      var entry = retries.get(state);
      if (entry && entry.timer) { window.clearTimeout(entry.timer); }
      retries.delete(state);
      var unchanged = sent.get(state) === snapshot(state);
      if (event.detail.successful) { confirmed.set(state, sent.get(state)); }
      markUnsaved(state, !(unchanged && event.detail.successful));
      if (!unchanged) { setStatus(state, "saving", msg("saving")); }
      return;
    }
    if (status === 403 || status === 404) { setStatus(state, "failed", msg("failed")); return; }
    var kept = status === 401 && expiredAndKept(xhr);
    if (kept) { confirmed.set(state, sent.get(state)); }
    scheduleRetry(state, status, kept); // network down, server error, session expired (401), stale token (400)
  });

  // Logging in again from the time-out banner: first send what was typed in the last moment (the server keeps
  // it for after the login), then go.
  var loginLink = document.getElementById("session-login-link");
  if (loginLink) {
    loginLink.addEventListener("click", function (event) {
      var waiting = [];
      document.querySelectorAll(".answer-state[hx-post]").forEach(function (state) {
        var now = snapshot(state);
        if (now !== (confirmed.has(state) ? confirmed.get(state) : initial.get(state))) { waiting.push(state); }
      });
      if (!waiting.length && inFlight === 0) { return; }
      event.preventDefault();
      var href = loginLink.getAttribute("href");
      waiting.forEach(function (state) { window.htmx.trigger(state, "tw:retry"); });
      var started = Date.now();
      (function go() {
        if ((inFlight === 0 && Date.now() - started > 300) || Date.now() - started > 5000) { window.location.assign(href); return; }
        window.setTimeout(go, 100);
      })();
    });
  }

  // Back online, or back on this tab (after logging in again in another one): retry everything waiting, now.
  function retryNow() {
    if (!retries.size) { return; }
    retries.forEach(function (entry) {
      if (entry.timer) { window.clearTimeout(entry.timer); }
      entry.timer = null;
    });
    refreshToken().then(function () {
      retries.forEach(function (entry, state) { window.htmx.trigger(state, "tw:retry"); });
    });
  }
  window.addEventListener("online", retryNow);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { retryNow(); }
  });

  // After a swap: mark the field invalid (aria-invalid) or valid again, as the server said.
  document.addEventListener("htmx:afterSwap", function (event) {
    var state = stateOf(event.detail.target);
    if (state) {
      var block = blockOf(state);
      var invalid = !!state.querySelector("[data-invalid]");
      if (block && block.classList.contains("q")) {
        block.classList.toggle("field-invalid", invalid);
        block.querySelectorAll("input:not([type=hidden]), textarea, select, fieldset").forEach(function (el) {
          if (invalid) { el.setAttribute("aria-invalid", "true"); } else { el.removeAttribute("aria-invalid"); }
        });
        var errorId = "err-" + block.id;
        block.querySelectorAll("[aria-describedby]").forEach(function (el) {
          var ids = el.getAttribute("aria-describedby").split(" ").filter(function (id) { return id && id !== errorId; });
          if (invalid) { ids.push(errorId); }
          el.setAttribute("aria-describedby", ids.join(" "));
        });
      }
    } else if (event.detail.target && event.detail.target.classList && event.detail.target.classList.contains("q-group")) {
      var members = event.detail.target.querySelectorAll(".member");
      var last = members.length ? members[members.length - 1].querySelector("input:not([type=hidden]), textarea, select") : null;
      if (last && event.detail.requestConfig && /add:/.test(String(event.detail.requestConfig.parameters && event.detail.requestConfig.parameters._action))) { last.focus(); }
    }
  });

  // Skip logic applied live: show or hide only the blocks whose relevance changed; no field is replaced.
  var visibilitySeq = 0;
  document.body.addEventListener("tw:visibility", function (event) {
    var map = event.detail || {};
    var seq = typeof map._seq === "number" ? map._seq : 0;
    if (seq && seq < visibilitySeq) { return; }  // a late reply: a newer save already set what is shown
    if (seq) { visibilitySeq = seq; }
    Object.keys(map).forEach(function (id) {
      if (id === "elt" || id === "_seq") { return; }
      var block = document.getElementById(id);
      if (block && block.hidden === !!map[id]) { block.hidden = !map[id]; }
    });
  });

  // Leaving the section while something is not saved: stay, retry, and say so.
  form.addEventListener("submit", function (event) {
    if (!form.querySelector("[data-unsaved='true']") || !form.hasAttribute("action")) { return; }
    if (!window.navigator.onLine || retries.size > 0) {
      event.preventDefault();
      var note = document.getElementById("save-wait");
      if (note) { note.textContent = msg("wait"); note.hidden = false; }
      retries.forEach(function (entry, state) { window.htmx.trigger(state, "tw:retry"); });
    }
  });

  // Flags banner: it loads once and an autosave sends it again out of band only when the fired flags change
  // (or after a decision in the panel). A refresh keeps the panel as the worker left it (open or closed), and a
  // new flag is announced (aria-live) instead of moving the question being answered.
  var flagsOpen = null;
  var flagsSeen = null;
  function flagsBeforeSwap(event) {
    if (event.detail.target && event.detail.target.id === "flags-panel") {
      var box = document.getElementById("flags-box");
      flagsOpen = box ? box.open : null;
      if (box) { flagsSeen = parseInt(box.getAttribute("data-fired"), 10) || 0; }
    }
  }
  document.addEventListener("htmx:beforeSwap", flagsBeforeSwap);
  document.addEventListener("htmx:oobBeforeSwap", flagsBeforeSwap);
  function flagsAfterSwap(event) {
    if (!event.detail.target || event.detail.target.id !== "flags-panel") { return; }
    var box = document.getElementById("flags-box");
    if (!box) { return; }
    if (flagsOpen !== null) { box.open = flagsOpen || box.open; }
    var fired = parseInt(box.getAttribute("data-fired"), 10) || 0;
    var announce = document.getElementById("flags-announce");
    if (announce && flagsSeen !== null && fired > flagsSeen) {
      announce.textContent = (announce.getAttribute("data-msg-new") || "").replace("{n}", String(fired));
    }
    flagsSeen = fired;
  }
  document.addEventListener("htmx:afterSwap", flagsAfterSwap);
  document.addEventListener("htmx:oobAfterSwap", flagsAfterSwap);

  // Notes at hand: the top link opens the notes panel.
  document.querySelectorAll("a[href='#notes']").forEach(function (link) {
    link.addEventListener("click", function () {
      var notes = document.getElementById("notes");
      if (notes) { notes.open = true; }
    });
  });

  // Call timer from the interview's start.
  var timer = document.querySelector(".call-timer");
  if (timer) {
    var started = Date.parse(timer.getAttribute("data-started") + (/[zZ+]/.test(timer.getAttribute("data-started").slice(19)) ? "" : "Z"));
    var value = timer.querySelector(".call-timer-value");
    var tick = function () {
      var seconds = Math.max(0, Math.floor((Date.now() - started) / 1000));
      var h = Math.floor(seconds / 3600), m = Math.floor(seconds / 60) % 60, s = seconds % 60;
      value.textContent = (h ? h + ":" : "") + (h && m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
    };
    tick();
    window.setInterval(tick, 1000);
  }
})();
