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

// A background import's page: the progress bar follows the job every second; once the job
// has ended the page is loaded again, and the server shows its outcome. Without scripts the
// page has a reload link.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !box.dataset.stateUrl) { return; }
  var bar = document.getElementById("job-bar");
  var text = document.getElementById("job-text");
  function poll() {
    fetch(box.dataset.stateUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { setTimeout(poll, 3000); return; }
        if (s.state !== "queued" && s.state !== "running") {
          window.location.reload();
          return;
        }
        bar.max = s.total || 1;
        if (s.stage === "writing" && !s.done) {
          bar.removeAttribute("value");  // rows being written in one transaction
        } else {
          bar.value = s.done;
        }
        text.textContent = s.progress;
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();

// An open vote's page: the count of ballots follows the hall's state every 2 s, and says
// when every deputy present at the opening has voted. Once the vote is no longer open (an
// organiser closed it at another desk) the page is loaded again.
(function () {
  "use strict";
  var box = document.getElementById("cast-count");
  if (!box || !box.dataset.stateUrl) { return; }
  var cast = box.querySelector("[data-cast]");
  var all = document.getElementById("cast-all");
  var missing = document.getElementById("not-voted");
  // Who has not voted, read again whenever the count moves: names only, as text.
  function refreshNotVoted() {
    if (!missing) { return; }
    fetch(missing.dataset.url, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) {
        if (!d) { return; }
        var list = missing.querySelector("[data-list]");
        list.textContent = "";
        d.not_voted.forEach(function (p) {
          var li = document.createElement("li");
          li.textContent = p.name + " ";
          var code = document.createElement("span");
          code.className = "muted";
          code.textContent = p.code;
          li.appendChild(code);
          list.appendChild(li);
        });
        missing.querySelector("[data-count]").textContent = d.not_voted.length;
      })
      .catch(function () {});
  }
  var timer = setInterval(function () {
    fetch(box.dataset.stateUrl, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (!s) { return; }
        if (!s.vote || String(s.vote.id) !== box.dataset.vote) {
          clearInterval(timer);
          window.location.reload();
          return;
        }
        if (cast.textContent !== String(s.vote.ballots_cast)) { refreshNotVoted(); }
        cast.textContent = s.vote.ballots_cast;
        if (all) { all.hidden = s.vote.ballots_cast < s.vote.present_at_open; }
      })
      .catch(function () {});
  }, 2000);
})();
