// On every page of a signed-in deputy's tablet: 呼叫工作人员 (call staff), 长辈模式 (text
// size and high contrast) and 朗读 (read a candidate's title aloud). The call and the
// display are plain forms that work without this script; with it they are sent without
// leaving the page (a ballot being marked stays as it is).
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var tools = $("tablet-tools");

  var send = function (form, submitter) {
    var body = new FormData(form);
    if (submitter && submitter.name) { body.append(submitter.name, submitter.value); }
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json" }
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    });
  };

  // The call: shown as called until staff answer it (asked every few seconds while it is
  // open) or the deputy cancels it.
  if (tools) {
    var callForm = $("call-form"), callOpen = $("call-open"), cancel = $("call-cancel");
    var error = $("call-error");
    var poll = null;
    var shown = function (called) {
      callForm.hidden = called;
      callOpen.hidden = !called;
      if (called && !poll) {
        poll = setInterval(function () {
          fetch(tools.dataset.callUrl, { credentials: "same-origin", cache: "no-store" })
            .then(function (r) { return r.ok ? r.json() : null; })
            .then(function (s) { if (s && !s.called) { shown(false); } })
            .catch(function () {});
        }, 5000);
      } else if (!called && poll) {
        clearInterval(poll);
        poll = null;
      }
    };
    var act = function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        error.hidden = true;
        send(form).then(function (a) {
          if (a.ok) {
            shown(a.data.called);
          } else {
            error.textContent = a.data.message || "";
            error.hidden = false;
          }
        }).catch(function () { form.submit(); });  // the network blinked: the plain post
      });
    };
    act(callForm);
    act(cancel);
    shown(!callOpen.hidden);

    // 长辈模式: the classes of <body> change at once; the server keeps them for the deputy.
    var elder = $("elder-form");
    elder.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter;
      send(elder, button).then(function (a) {
        if (!a.ok) { return; }
        var body = document.body;
        ["text-large", "text-largest", "contrast"].forEach(function (c) {
          body.classList.remove(c);
        });
        a.data.classes.split(" ").forEach(function (c) { if (c) { body.classList.add(c); } });
        elder.querySelectorAll("button[name=text_size]").forEach(function (b) {
          b.setAttribute("aria-pressed", b.value === a.data.text_size ? "true" : "false");
        });
        var contrast = $("contrast-toggle");
        contrast.setAttribute("aria-pressed", a.data.high_contrast ? "true" : "false");
        contrast.value = a.data.high_contrast ? "off" : "on";
      }).catch(function () { elder.submit(); });
    });
  }

  // 朗读: each candidate's title read aloud in a Chinese voice, where the tablet has one; the
  // buttons stay hidden where it has none (no voice reading Chinese in another language).
  var speakers = document.querySelectorAll("button.speak");
  var synth = window.speechSynthesis;
  if (speakers.length && synth && window.SpeechSynthesisUtterance) {
    var voice = null;
    var pick = function () {
      var voices = synth.getVoices() || [];
      voice = null;
      voices.forEach(function (v) {
        var lang = (v.lang || "").replace("_", "-").toLowerCase();
        if (!voice && lang === "zh-cn") { voice = v; }
      });
      voices.forEach(function (v) {
        if (!voice && (v.lang || "").toLowerCase().indexOf("zh") === 0) { voice = v; }
      });
      speakers.forEach(function (b) { b.hidden = !voice; });
    };
    pick();
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", pick); }
    speakers.forEach(function (button) {
      button.addEventListener("click", function () {
        if (!voice) { return; }
        var title = button.parentNode.querySelector(".title-text");
        var say = new SpeechSynthesisUtterance(title ? title.textContent.trim() : "");
        say.voice = voice;
        say.lang = voice.lang;
        say.rate = 0.9;  // a little slower than the voice's own pace
        synth.cancel();
        synth.speak(say);
      });
    });
  }
})();
