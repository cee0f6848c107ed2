// The deputy's tablet: wait for the vote to open, hold the "for" limit on the ballot,
// and make the cast button impossible to press twice.
(function () {
  "use strict";

  // Waiting screen: ask for the state with what we know; the server answers when the open
  // vote or our part in it changes (or after a while), and we reload on a change. One
  // request waits at a time; a failed one is retried after 2 s.
  var home = document.getElementById("tablet-home");
  if (home) {
    var known = home.dataset.vote + "|" + home.dataset.voted;
    var wait = function () {
      fetch(home.dataset.stateUrl + "?wait=" + encodeURIComponent(known),
            { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) { setTimeout(wait, 2000); return; }
          var now = (s.vote || "") + "|" + (s.voted ? "y" : "n");
          if (now !== known) { window.location.reload(); } else { wait(); }
        })
        .catch(function () { setTimeout(wait, 2000); });  // the hall network may blink
    };
    wait();
  }

  // Ballot: a "for" mark past the limit is refused on the spot.
  var ballot = document.getElementById("ballot");
  if (ballot) {
    var maxFor = parseInt(ballot.dataset.maxFor, 10);
    var counter = document.getElementById("for-count");
    var message = document.getElementById("limit-msg");
    var previous = {};
    var inputs = ballot.querySelectorAll("input[type=radio], input[type=checkbox]");
    var countFor = function () {
      return ballot.querySelectorAll("input[value=for]:checked").length;
    };
    inputs.forEach(function (input) {
      if (input.checked) { previous[input.name] = input; }
      input.addEventListener("change", function () {
        if (input.value === "for" && input.checked && countFor() > maxFor) {
          input.checked = false;
          if (previous[input.name] && previous[input.name] !== input) {
            previous[input.name].checked = true;
          }
          message.hidden = false;
          message.scrollIntoView({ block: "nearest" });
        } else {
          message.hidden = true;
          previous[input.name] = input.checked ? input : null;
        }
        counter.textContent = countFor();
      });
    });
  }

  // Review: one touch casts; the button then disables itself.
  var castForm = document.getElementById("cast-form");
  if (castForm) {
    castForm.addEventListener("submit", function (event) {
      var button = document.getElementById("cast");
      if (button.disabled) { event.preventDefault(); return; }
      setTimeout(function () { button.disabled = true; }, 0);
    });
  }
})();
