// A vote's countdown (倒计时) on the tablet, the hall and the desk. The server says how many
// seconds are left (data-seconds-left, or votesysCountdown.sync from a fresh answer): the
// page counts down from that with the browser's monotonic timer, never the device's clock,
// which may be wrong. At zero it says so (the [data-time-up] parts, and the element named by
// data-time-up-target: the desk's prompt to close). Nothing closes by itself.
(function () {
  "use strict";
  var clocks = [];
  var elapsed = function () {
    return window.performance && performance.now ? performance.now() : Date.now();
  };
  var two = function (n) { return (n < 10 ? "0" : "") + n; };
  var text = function (s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + two(m) : String(m)) + ":" + two(sec);
  };
  var show = function (c) {
    var left = Math.max(0, Math.ceil(c.left - (elapsed() - c.at) / 1000));
    var slot = c.el.querySelector("[data-clock]");
    if (slot && slot.textContent !== text(left)) { slot.textContent = text(left); }
    var up = left <= 0;
    c.el.classList.toggle("time-up", up);
    c.el.querySelectorAll("[data-time-up]").forEach(function (e) { e.hidden = !up; });
    var target = c.el.dataset.timeUpTarget && document.getElementById(c.el.dataset.timeUpTarget);
    if (target) { target.hidden = !up; }
  };
  var sync = function (el, seconds) {
    if (!el) { return; }
    var c = null;
    clocks.forEach(function (k) { if (k.el === el) { c = k; } });
    if (seconds === null || seconds === undefined || seconds === "") {
      // no time limit: nothing shows, not even a "0:00" (nor a "time is up")
      el.hidden = true;
      var slot = el.querySelector("[data-clock]");
      if (slot) { slot.textContent = ""; }
      el.querySelectorAll("[data-time-up]").forEach(function (e) { e.hidden = true; });
      var target = el.dataset.timeUpTarget && document.getElementById(el.dataset.timeUpTarget);
      if (target) { target.hidden = true; }
      if (c) { c.left = null; }
      return;
    }
    if (!c) { c = { el: el }; clocks.push(c); }
    c.left = Number(seconds);
    c.at = elapsed();
    el.hidden = false;
    show(c);
  };
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    sync(el, el.dataset.secondsLeft);
  });
  setInterval(function () {
    clocks.forEach(function (c) { if (c.left !== null) { show(c); } });
  }, 250);
  window.votesysCountdown = { sync: sync };
})();
