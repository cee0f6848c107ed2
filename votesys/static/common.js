// Behaviour shared by every page: confirmation prompts and print buttons (no inline handlers,
// so the Content-Security-Policy can forbid inline script).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  var el = event.target.closest ? event.target.closest("[data-print]") : null;
  if (el) { window.print(); }
});
// Characters left on a long text field (data-max-chars): its counter (id "<field>-count")
// holds the words in data-left / data-over, "{n}" standing for the number. Counted as the
// server counts: line ends as one character, spaces at either end left out.
function countCharacters(field) {
  var counter = document.getElementById(field.id + "-count");
  if (!counter || !counter.dataset.left) { return; }
  var left = parseInt(field.dataset.maxChars, 10) - Array.from(field.value.replace(/\r\n?/g, "\n").trim()).length;
  var words = left >= 0 ? counter.dataset.left : counter.dataset.over;
  counter.textContent = words.replace("{n}", String(Math.abs(left)));
  counter.classList.toggle("over", left < 0);
}
document.addEventListener("input", function (event) {
  if (event.target.dataset && event.target.dataset.maxChars) { countCharacters(event.target); }
});
Array.prototype.forEach.call(document.querySelectorAll("[data-max-chars]"), countCharacters);
