// 附议: support a published opinion once from this browser (POST …/support, no body). The
// page is cached for every visitor alike, so whether this browser supported is kept here.
(function () {
  var box = document.getElementById("support-box");
  if (!box) return;
  var button = document.getElementById("support-button");
  var count = document.getElementById("support-count");
  var status = document.getElementById("support-status");
  var key = "votesys-supported-" + box.dataset.id;
  function done(message) {
    button.disabled = true;
    button.textContent = box.dataset.label;
    status.textContent = message;
  }
  try { if (window.localStorage.getItem(key)) done(box.dataset.again); } catch (e) { /* private mode */ }
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch(box.dataset.url, { method: "POST", credentials: "same-origin" }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.status === 201) {
          count.textContent = body.supports;
          try { window.localStorage.setItem(key, "1"); } catch (e) { /* private mode */ }
          done(box.dataset.done);
        } else if (r.status === 409) {
          try { window.localStorage.setItem(key, "1"); } catch (e) { /* private mode */ }
          done(box.dataset.again);
        } else {
          button.disabled = false;
          status.textContent = body.message || box.dataset.failed;
        }
      });
    }).catch(function () {
      button.disabled = false;
      status.textContent = box.dataset.failed;
    });
  });
})();
