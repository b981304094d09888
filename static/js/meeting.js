// Meeting mode on the projector: one agenda block at a time, ←/→ (or PageUp/PageDown,
// as presentation clickers send) to move, a countdown per block from its planned
// minutes (kept per block while the page lives, and across reloads in sessionStorage).
// Without JavaScript every block is a link (?block=N) and the page still works.
(function () {
  "use strict";

  var root = document.querySelector(".mm");
  if (!root) { return; }
  var blocks = Array.prototype.slice.call(root.querySelectorAll(".mm-block"));
  var steps = Array.prototype.slice.call(root.querySelectorAll(".mm-step"));
  var clock = root.querySelector(".mm-countdown");
  var prev = root.querySelector("[data-nav=prev]");
  var next = root.querySelector("[data-nav=next]");
  var key = "cl-meeting-" + root.getAttribute("data-meeting");
  var elapsed = {};
  try { elapsed = JSON.parse(window.sessionStorage.getItem(key) || "{}") || {}; } catch (e) { elapsed = {}; }
  var current = parseInt(root.getAttribute("data-current"), 10) || 0;
  var lastTick = Date.now();

  function save() {
    try { window.sessionStorage.setItem(key, JSON.stringify(elapsed)); } catch (e) { /* private mode */ }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function render() {
    var block = blocks[current];
    if (!block || !clock) { return; }
    var planned = parseInt(block.getAttribute("data-minutes"), 10) * 60;
    var left = planned - Math.floor(elapsed[current] || 0);
    var over = left < 0;
    var s = Math.abs(left);
    clock.textContent = (over ? "+" : "") + pad(Math.floor(s / 60)) + ":" + pad(s % 60);
    clock.classList.toggle("over", over);
    clock.classList.toggle("warn", !over && left <= 60);
    clock.setAttribute("aria-label", block.querySelector(".mm-block-title").textContent.trim());
  }

  function show(index) {
    if (index < 0 || index >= blocks.length) { return; }
    current = index;
    lastTick = Date.now();
    blocks.forEach(function (b, i) { b.hidden = i !== index; });
    steps.forEach(function (a, i) {
      a.classList.toggle("active", i === index);
      a.classList.toggle("done", i < index);
      if (i === index) { a.setAttribute("aria-current", "step"); } else { a.removeAttribute("aria-current"); }
    });
    root.setAttribute("data-current", String(index));
    if (prev) { prev.href = "?block=" + Math.max(0, index - 1); }
    if (next) { next.href = "?block=" + Math.min(blocks.length - 1, index + 1); }
    document.querySelectorAll("input[name=position]").forEach(function (input) { input.value = index; });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?block=" + index);
    }
    var stage = root.querySelector(".mm-stage");
    if (stage) { stage.scrollTop = 0; }
    render();
  }

  function typing(target) {
    return target instanceof Element && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (evt) {
    if (evt.altKey || evt.ctrlKey || evt.metaKey || typing(evt.target)) { return; }
    if (evt.key === "ArrowRight" || evt.key === "PageDown") {
      evt.preventDefault();
      show(current + 1);
    } else if (evt.key === "ArrowLeft" || evt.key === "PageUp") {
      evt.preventDefault();
      show(current - 1);
    } else if (evt.key === "Home") {
      evt.preventDefault();
      show(0);
    } else if (evt.key === "End") {
      evt.preventDefault();
      show(blocks.length - 1);
    }
  });

  root.addEventListener("click", function (evt) {
    var link = evt.target instanceof Element ? evt.target.closest(".mm-step, [data-nav]") : null;
    if (!link) { return; }
    evt.preventDefault();
    if (link.hasAttribute("data-step")) {
      show(parseInt(link.getAttribute("data-step"), 10));
    } else {
      show(current + (link.getAttribute("data-nav") === "next" ? 1 : -1));
    }
  });

  window.setInterval(function () {
    var now = Date.now();
    elapsed[current] = (elapsed[current] || 0) + (now - lastTick) / 1000;
    lastTick = now;
    save();
    render();
  }, 1000);

  show(current);
})();
