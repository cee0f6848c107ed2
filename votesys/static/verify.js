// The receipt's page (/verify): the Merkle inclusion proof checked here, in the browser
// (RFC 6962 / RFC 9162 §2.1.3.2): leaf = SHA-256(0x00 ‖ receipt), node = SHA-256(0x01 ‖ l ‖ r).
(function () {
  "use strict";
  var box = document.getElementById("proof-check");
  if (!box) { return; }
  var d = box.dataset;

  function hexToBytes(hex) {
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) { out[i] = parseInt(hex.substr(i * 2, 2), 16); }
    return out;
  }
  function toHex(bytes) {
    return Array.prototype.map.call(new Uint8Array(bytes), function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }
  function grouped(hex) { return hex.replace(/(.{4})/g, "$1 ").trim(); }
  function concat(prefix, parts) {
    var size = 1 + parts.reduce(function (n, p) { return n + p.length; }, 0);
    var out = new Uint8Array(size), at = 1;
    out[0] = prefix;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (h) { return new Uint8Array(h); });
  }

  async function rootOf(receipt, index, size, proof) {
    var fn = index, sn = size - 1;
    var r = await sha256(concat(0, [new TextEncoder().encode(receipt)]));
    for (var i = 0; i < proof.length; i++) {
      var p = hexToBytes(proof[i]);
      if (sn === 0) { return null; }
      if ((fn & 1) || fn === sn) {
        r = await sha256(concat(1, [p, r]));
        while (!(fn & 1) && fn !== 0) { fn >>= 1; sn >>= 1; }
      } else {
        r = await sha256(concat(1, [r, p]));
      }
      fn >>= 1; sn >>= 1;
    }
    return sn === 0 ? toHex(r) : null;
  }

  function show(statusId, reasonId, ok, reason) {
    var status = document.getElementById(statusId);
    status.textContent = ok ? d.pass : d.fail;
    status.className = "check-status " + (ok ? "pass" : "fail");
    document.getElementById(reasonId).textContent = reason;
  }

  var computed = null;
  function comparePrinted() {
    var typed = document.getElementById("printed-root").value.replace(/\s+/g, "").toLowerCase();
    if (!typed || computed === null) {
      document.getElementById("printed-status").textContent = "";
      document.getElementById("printed-reason").textContent = "";
      return;
    }
    var same = typed === computed;
    show("printed-status", "printed-reason", same, same ? d.printedSame : d.printedDiffers);
  }
  document.getElementById("printed-root").addEventListener("input", comparePrinted);

  if (!window.crypto || !crypto.subtle) {
    show("proof-status", "proof-reason", false, d.noCrypto);
    return;
  }
  var proof = d.proof ? d.proof.split(",") : [];
  rootOf(d.receipt, parseInt(d.index, 10), parseInt(d.size, 10), proof).then(function (root) {
    computed = root;
    var ok = root !== null && root === d.root;
    show("proof-status", "proof-reason", ok,
      (ok ? d.leads : d.differs) + (root ? " " + grouped(root) : ""));
    comparePrinted();
  });
})();
