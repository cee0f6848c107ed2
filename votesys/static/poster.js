// A poster's "Print" button (no inline script: the Content-Security-Policy forbids it).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
