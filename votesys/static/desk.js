// The organiser's desk: the quorum banner follows check-ins made at any desk, every 2 s.
(function () {
  "use strict";
  var box = document.getElementById("quorum");
  if (!box || !box.dataset.stateUrl) { return; }
  setInterval(function () {
    fetch(box.dataset.stateUrl, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        ["total", "present", "required"].forEach(function (k) {
          box.querySelector("[data-q=" + k + "]").textContent = s.quorum[k];
        });
        box.className = "quorum " + (s.quorum.met ? "met" : "unmet");
        box.querySelector(".quorum-word").textContent =
          s.quorum.met ? box.dataset.tMet : box.dataset.tUnmet;
      })
      .catch(function () {});
  }, 2000);
})();
