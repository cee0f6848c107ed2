// The deputy's tablet: wait for the vote to open, hold the "for" limit on the ballot, take a
// mark back on a second touch, keep the marks through a reload until they are cast, send
// the marks in a body of one length, and make the cast button impossible to press twice.
(function () {
  "use strict";

  // Marks kept on the tablet until cast: the browser's sessionStorage (this tab only, gone
  // when it closes), one item per vote, each under the random key of the session that made
  // it (data-store-key, rendered by the server; login and logout renew it). A tablet is
  // shared: marks under another key are a previous deputy's, never shown, and dropped on
  // sight; logging out drops them all, and so does a page saying the ballot is cast.
  var PREFIX = "votesys.ballot.";
  var keyed = document.querySelector("[data-store-key]");
  var owner = keyed ? keyed.dataset.storeKey : null;
  var storage = null;
  try { storage = window.sessionStorage; } catch (e) { storage = null; }  // storage disabled
  var kept = function () {
    var names = [];
    if (!storage) { return names; }
    for (var i = 0; i < storage.length; i += 1) {
      if (storage.key(i).indexOf(PREFIX) === 0) { names.push(storage.key(i)); }
    }
    return names;
  };
  var drop = function (name) { try { storage.removeItem(name); } catch (e) { /* gone */ } };
  var read = function (vote) {
    if (!storage || !owner) { return null; }
    try {
      var item = JSON.parse(storage.getItem(PREFIX + vote) || "null");
      return item && item.owner === owner && item.marks ? item.marks : null;
    } catch (e) {
      return null;
    }
  };
  var write = function (vote, marks) {
    if (!storage || !owner) { return; }
    try {
      storage.setItem(PREFIX + vote, JSON.stringify({ owner: owner, marks: marks }));
    } catch (e) { /* full or disabled: the marks are still on the page */ }
  };
  if (owner) {
    kept().forEach(function (name) {
      var item = null;
      try { item = JSON.parse(storage.getItem(name)); } catch (e) { item = null; }
      if (!item || item.owner !== owner) { drop(name); }
    });
  }
  document.querySelectorAll("[data-forget-vote]").forEach(function (el) {
    drop(PREFIX + el.dataset.forgetVote);
  });
  document.querySelectorAll("form[action$='/logout']").forEach(function (form) {
    form.addEventListener("submit", function () { kept().forEach(drop); });
  });

  // A page a form posted (the review, the ballot back from it, a refusal): a reload or Back
  // asks for its GET address instead, never "Confirm Form Resubmission"; the ballot there
  // shows the marks kept, or that the vote is cast.
  var here = document.querySelector("[data-here]");
  if (here && window.history.replaceState && window.location.pathname !== here.dataset.here) {
    window.history.replaceState(null, "", here.dataset.here);
  }

  // Waiting screen: a stream of server-sent events says what the open vote is, now and
  // whenever it changes. A vote that opens or closes is shown from the event itself (its
  // title and the ballot's address), not by reloading: a hall of tablets must not all ask
  // the server for a page at the same moment. The browser reconnects by itself when the
  // stream ends or the hall network blinks; the first event after that says the state now.
  var home = document.getElementById("tablet-home");
  if (home && window.EventSource) {
    var shown = home.dataset.vote;           // the vote the page shows ("" for none)
    var voted = home.dataset.voted === "y";
    var show = function (template, s) {
      var source = document.getElementById(template);
      if (!source) { window.location.reload(); return; }  // a page rendered without them
      var part = source.content.cloneNode(true);
      var title = part.querySelector("[data-slot=title]");
      if (title) {  // a practice vote (试投票) says it is one
        title.textContent = s.practice ? home.dataset.practiceTitle.replace("{title}", s.title) : s.title;
      }
      var link = part.querySelector("[data-slot=ballot]");
      if (link) { link.href = home.dataset.ballotUrl.replace(/\/0$/, "/" + s.vote); }
      var state = document.getElementById("tablet-state");
      state.replaceChildren(part);
    };
    // The browser reconnects by itself when a stream ends or drops, but gives up for good
    // on an answer that is not a stream (a 503 while the database restarts, a proxy's 502,
    // the login page once the session has ended). Then we ask the state page why: signed
    // out (a redirect) or not a deputy any more (401/403), and the page reloads, to show
    // the login; anything else, and we reconnect later, at a random moment so that a hall
    // of tablets does not come back at once, and less often the longer it lasts.
    var failures = 0;
    var connect = function () {
      var source = new EventSource(home.dataset.eventsUrl);
      source.addEventListener("state", function (e) {
        failures = 0;
        var s = JSON.parse(e.data);
        if (!s.mandate_current) {
          source.close();
          // the page listened, so it thought the mandate current: let it say otherwise
          if (document.getElementById("tablet-open")) { window.location.reload(); }
          return;
        }
        // The time left, from the server's clock; none once voted (or without a limit).
        if (window.votesysCountdown) {
          var cast = s.voted === true || (voted && String(s.vote || "") === shown);
          window.votesysCountdown.sync(document.getElementById("tablet-countdown"),
                                       s.vote && !cast ? s.seconds_left : null);
        }
        var now = s.vote ? String(s.vote) : "";
        if (now === shown) {
          // The same vote: only a ballot cast elsewhere needs the page's own words.
          if (s.voted === true && !voted) { window.location.reload(); }
          return;
        }
        shown = now;
        voted = false;
        if (s.vote && !s.can_cast) {
          // Not checked in, checked in after the opening…: the page says why.
          source.close();
          window.location.reload();
        } else if (s.vote) {
          show("tablet-open", s);
        } else {
          show("tablet-waiting", s);
        }
      });
      source.addEventListener("error", function () {
        if (source.readyState !== EventSource.CLOSED) { return; }  // reconnecting itself
        failures += 1;
        var later = function () {
          var wait = Math.min(30000, 2000 * failures) + Math.random() * 6000;
          setTimeout(connect, wait);
        };
        fetch(home.dataset.stateUrl, { credentials: "same-origin", cache: "no-store",
                                       redirect: "manual" })
          .then(function (r) {
            if (r.type === "opaqueredirect" || r.status === 401 || r.status === 403) {
              window.location.reload();
            } else {
              later();
            }
          })
          .catch(later);  // the hall network may blink
      });
    };
    connect();
  }

  // Ballot: a "for" mark past the limit is refused on the spot; touching a chosen mark again
  // (or "Clear mark") takes it back; the marks are kept on the tablet as they change.
  var ballot = document.getElementById("ballot");
  if (ballot) {
    var maxFor = parseInt(ballot.dataset.maxFor, 10);
    var voteId = ballot.dataset.vote;
    var counter = document.getElementById("for-count");
    var message = document.getElementById("limit-msg");
    var previous = {};
    var inputs = ballot.querySelectorAll("input[type=radio], input[type=checkbox]");
    var countFor = function () {
      return ballot.querySelectorAll("input[value=for]:checked").length;
    };
    var marked = function () {
      return ballot.querySelectorAll("input[type=radio]:checked, input[type=checkbox]:checked");
    };
    var keep = function () {
      var marks = {};
      marked().forEach(function (input) {
        if (input.value) { marks[input.name] = input.value; }
      });
      write(voteId, marks);
    };
    // The page shows the marks it was sent with (back from the review), else those kept.
    if (!marked().length) {
      var marks = read(voteId) || {};
      Object.keys(marks).forEach(function (name) {
        var value = marks[name];
        if (!/^c[0-9]+$/.test(name) || !/^[a-z_]+$/.test(value)) { return; }
        var input = ballot.querySelector("input[name=" + name + "][value=" + value + "]");
        if (input && !(value === "for" && countFor() >= maxFor)) { input.checked = true; }
      });
    }
    var changed = function () {
      if (counter) { counter.textContent = countFor(); }
      fillPad();
      keep();
    };
    inputs.forEach(function (input) {
      if (input.checked) { previous[input.name] = input; }
      // A radio touched when already chosen fires no change: this takes the mark back.
      input.addEventListener("click", function () {
        if (input.type === "radio" && previous[input.name] === input) {
          input.checked = false;
          previous[input.name] = null;
          message.hidden = true;
          changed();
        }
      });
      input.addEventListener("change", function () {
        if (input.value === "" && input.checked) {  // "Clear mark": no mark at all
          input.checked = false;
          previous[input.name] = null;
          message.hidden = true;
        } else if (input.value === "for" && input.checked && countFor() > maxFor) {
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
        changed();
      });
    });
    // The body's length must not tell the marks (TLS hides what is sent, not how much): the
    // "pad" field makes up what the marks leave of their budget (voting.tablet.request_pad).
    var pad = ballot.querySelector("input[name=pad]");
    var fillPad = function () {
      if (!pad) { return; }
      var used = 0;
      marked().forEach(function (input) {
        used += ("&" + encodeURIComponent(input.name) + "=" +
                 encodeURIComponent(input.value)).length;
      });
      var left = parseInt(pad.dataset.budget, 10) - used;
      pad.value = left > 0 ? "x".repeat(left) : "";
    };
    changed();
    ballot.addEventListener("submit", fillPad);
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
