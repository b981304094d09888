// Inspection pages: say how many photos a camera button holds once they are chosen.
// (The page works without it; the browser's own file widget is only hidden.)
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var input = evt.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-photo-input")) {
      return;
    }
    var box = input.closest(".photo-input");
    var out = box && box.querySelector("[data-photo-chosen]");
    if (!out) { return; }
    var n = input.files ? input.files.length : 0;
    var lang = (document.documentElement.lang || "").toLowerCase();
    if (n === 0) {
      out.textContent = "";
    } else if (lang.indexOf("zh") === 0) {
      out.textContent = "已选 " + n + " 张照片";
    } else {
      out.textContent = n + (n === 1 ? " photo chosen" : " photos chosen");
    }
  });
})();
