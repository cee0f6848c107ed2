// The hall screen polls its state every second and redraws; no reload, no ballot contents.
(function () {
  "use strict";
  var root = document.getElementById("hall");
  var t = root.dataset;
  var $ = function (id) { return document.getElementById(id); };

  function cell(tag, text, cls) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (cls) { el.className = cls; }
    return el;
  }

  // A count and, beside it on the same line, its share of the vote's base.
  function counted(count, share) {
    var td = cell("td", count, "num");
    if (share !== null && share !== undefined) { td.appendChild(cell("span", share + "%", "pct")); }
    return td;
  }

  function drawResult(result) {
    $("h-result-title").textContent = result.title;
    $("h-rule").textContent = result.rule;
    drawParts(result);
    var head = root.querySelector(".hall-table thead");
    head.innerHTML = "";
    var hr = document.createElement("tr");
    // Number columns are right-aligned, their headers too: a count sits under its word.
    [[t.tRank, "num"], [t.tProject, ""], [t.tFor, "num"], [t.tAgainst, "num"],
     [t.tAbstain, "num"], [t.tStatus, ""]].forEach(function (h) {
      hr.appendChild(cell("th", h[0], h[1]));
    });
    head.appendChild(hr);
    var rows = $("h-rows");
    rows.innerHTML = "";
    result.candidates.slice().sort(function (a, b) { return b["for"] - a["for"]; })
      .forEach(function (c) {
        var tr = document.createElement("tr");
        if (c.approved) { tr.className = "approved"; } else if (c.tied) { tr.className = "tied"; }
        tr.appendChild(cell("td", c.rank || "—", "num"));
        tr.appendChild(cell("td", c.title));
        tr.appendChild(counted(c["for"], c.percent["for"]));
        tr.appendChild(counted(c.against, c.percent.against));
        tr.appendChild(counted(c.abstain, c.percent.abstain));
        tr.appendChild(cell("td", c.approved ? "✔ " + t.tApproved : c.tied ? t.tTied :
          c.passed ? t.tPassed : t.tFailed));
        rows.appendChild(tr);
      });
  }

  // A vote switched to paper: its ballots on tablets and on paper (the words from data-text).
  function drawParts(result) {
    var line = $("h-parts");
    if (!line) { return; }
    line.hidden = !result.fallback;
    if (result.fallback) {
      line.textContent = line.dataset.text.replace("{e}", result.electronic_ballots)
        .replace("{p}", result.paper_ballots);
    }
  }

  // Confirmed by k of n scrutineers: the line's words come from the page (data-text).
  function drawScrutiny(sc) {
    var line = $("h-scrutiny");
    if (!line) { return; }
    line.hidden = !sc;
    if (sc) {
      line.textContent = line.dataset.text.replace("{k}", sc.confirmed).replace("{n}", sc.appointed)
        .replace("{r}", sc.required);
      line.classList.toggle("complete", sc.confirmed >= sc.required);
    }
  }

  function draw(s) {
    $("h-total").textContent = s.quorum.total;
    $("h-present").textContent = s.quorum.present;
    $("h-required").textContent = s.quorum.required;
    var met = $("h-met");
    met.className = s.quorum.met ? "met" : "unmet";
    met.querySelector(".value").textContent = s.quorum.met ? $("t-met").textContent : $("t-unmet").textContent;
    $("h-vote").hidden = !s.vote;
    if (s.vote) {
      $("h-vote-title").textContent = s.vote.title;
      $("h-cast").textContent = s.vote.ballots_cast;
      if ($("h-paper")) { $("h-paper").hidden = !s.vote.paper; }  // switched to paper ballots
    }
    if (window.votesysCountdown) {  // the time left, from the server's clock (countdown.js)
      window.votesysCountdown.sync($("h-countdown"), s.vote ? s.vote.seconds_left : null);
    }
    $("h-awaiting").hidden = !s.awaiting;
    if (s.awaiting) { $("h-awaiting-title").textContent = s.awaiting.title; }
    $("h-result").hidden = !s.result;
    if (s.result) { drawResult(s.result); }
    drawScrutiny(s.scrutiny);
    document.body.classList.toggle("showing-result", !!s.result);
    $("h-idle").hidden = !!(s.vote || s.result || s.awaiting);
  }

  draw(JSON.parse($("h-initial").textContent));
  setInterval(function () {
    fetch(t.stateUrl, { cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { if (s) { draw(s); } })
      .catch(function () {});
  }, 1000);
})();
