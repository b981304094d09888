// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("htmx:responseError", function (evt) {
  var box = document.getElementById("htmx-error");
  if (box) { box.classList.remove("d-none"); }
});
