// Small progressive enhancements; every page works without JavaScript.
// The Content-Security-Policy is script-src 'self': no inline <script>, no onclick/onchange
// attributes. Behaviour is declared with data attributes and wired up here.
(function () {
  "use strict";

  // <select data-autosubmit> (or any input): submit its form as soon as the value changes.
  document.addEventListener("change", function (evt) {
    var field = evt.target;
    if (!(field instanceof Element) || !field.hasAttribute("data-autosubmit") || !field.form) {
      return;
    }
    if (typeof field.form.requestSubmit === "function") {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });

  // <button data-confirm="…"> / <a data-confirm="…">: ask before going on.
  document.addEventListener("click", function (evt) {
    var target = evt.target instanceof Element ? evt.target.closest("[data-confirm]") : null;
    if (target && !window.confirm(target.getAttribute("data-confirm"))) {
      evt.preventDefault();
      evt.stopImmediatePropagation();
    }
  }, true);

  // Forms: disable the submit button after the first submit so a double tap on a slow
  // phone connection does not post twice (for 5 s). Opt out with data-allow-resubmit.
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || form.hasAttribute("data-allow-resubmit")) {
      return;
    }
    // getAttribute: a field named "method" would shadow form.method (DOM named access).
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    window.setTimeout(function () {
      if (evt.defaultPrevented) { return; }
      var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
      buttons.forEach(function (btn) { btn.disabled = true; });
      // A response that is a download leaves the page in place: give the buttons back.
      window.setTimeout(function () {
        buttons.forEach(function (btn) { btn.disabled = false; });
      }, 5000);
    }, 0);
  });

  // htmx: show the shared error banner when a request fails; hide it on the next success.
  function errorBox() { return document.getElementById("htmx-error"); }
  document.addEventListener("htmx:responseError", function () {
    var box = errorBox();
    if (box) { box.classList.remove("d-none"); }
  });
  document.addEventListener("htmx:sendError", function () {
    var box = errorBox();
    if (box) { box.classList.remove("d-none"); }
  });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var box = errorBox();
    if (box && evt.detail && evt.detail.successful) { box.classList.add("d-none"); }
  });

  // A long navigation bar scrolls sideways on narrow desktops: keep the current entry in view.
  document.addEventListener("DOMContentLoaded", function () {
    var bar = document.querySelector(".cl-nav-main");
    var active = bar && bar.querySelector(".nav-link.active");
    if (active && bar.scrollWidth > bar.clientWidth) {
      var offset = active.getBoundingClientRect().left - bar.getBoundingClientRect().left;
      bar.scrollLeft += offset - (bar.clientWidth - active.offsetWidth) / 2;
    }
  });

  // Back/forward cache: re-enable buttons disabled by the submit guard above.
  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) { return; }
    document.querySelectorAll("form button[disabled]").forEach(function (btn) {
      btn.disabled = false;
    });
  });
})();
