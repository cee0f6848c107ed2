// 呼叫工作人员 at the desk: the session's calls from the deputies' tablets, asked for every 3 s
// and shown with the deputy's name, code and delegation (as text), each with its "Answered"
// button (a plain form: the page comes back with the call gone). Nothing of any vote.
(function () {
  "use strict";
  var box = document.getElementById("staff-calls");
  if (!box || !box.dataset.url || box.dataset.polling) { return; }
  box.dataset.polling = "y";
  var list = box.querySelector("[data-list]");
  var token = box.querySelector("[data-csrf]").value;
  var next = box.querySelector("[data-next]").value;
  var seen = null;
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  };
  var hidden = function (name, value) {
    var input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  };
  var draw = function (d) {
    var key = JSON.stringify(d.calls);
    if (key === seen) { return; }
    seen = key;
    list.textContent = "";
    d.calls.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("strong", c.name));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", c.code + (c.delegation ? " · " + c.delegation : ""), "muted"));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", box.dataset.tSince.replace("{time}", c.made_at_local), "muted"));
      li.appendChild(document.createTextNode(" "));
      var form = el("form", null, "inline");
      form.method = "post";
      form.action = box.dataset.url + "/" + c.deputy_id + "/answer";
      form.appendChild(hidden("csrf_token", token));
      form.appendChild(hidden("next", next));
      form.appendChild(el("button", box.dataset.tAnswered));
      li.appendChild(form);
      list.appendChild(li);
    });
    box.querySelector("[data-count]").textContent = d.calls.length;
    box.hidden = !d.calls.length;
    box.classList.toggle("lit", d.calls.length > 0);
  };
  var poll = function () {
    fetch(box.dataset.url, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) { draw(d); } })
      .catch(function () {});
  };
  setInterval(poll, 3000);
})();
