// The offline verifier (/verify/record): an election record, its signature, its key and the
// scrutineers' confirmations re-checked in the browser. Nothing is fetched unless the user
// asks to load a vote from this site; files picked are read here and never sent anywhere.
// Ed25519 by WebCrypto where the browser has it, else the vendored noble-ed25519 (audited).
import * as noble from "./vendor/noble-ed25519-3.2.0.js";

const W = document.getElementById("verifier-words").dataset;
const $ = (id) => document.getElementById(id);
const SPKI_ED25519 = "302a300506032b6570032100"; // the DER prefix of an Ed25519 public key
let engine = null; // "webcrypto" or "noble", once a signature has been checked

function say(template, values) {
  return template.replace(/\{(\w+)\}/g, (all, name) => (name in values ? String(values[name]) : all));
}
const toHex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const grouped = (hex) => (hex || "").replace(/(.{4})/g, "$1 ").trim();
const short = (hex) => grouped(String(hex).slice(0, 16)) + "…";

function fromBase64(text) {
  const bin = atob(String(text).replace(/\s+/g, ""));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}
async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}
function joined(prefix, ...parts) {
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  out[0] = prefix;
  let at = 1;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) { return a[i] - b[i]; }
  }
  return a.length - b.length;
}

// RFC 6962 Merkle tree hash over the items, leaves sorted by their hash (votesys.integrity.rules).
async function merkleRoot(items) {
  if (!items.length) { return toHex(await sha256(new Uint8Array(0))); }
  const encoder = new TextEncoder();
  const leaves = [];
  for (const item of items) { leaves.push(await sha256(joined(0, encoder.encode(String(item))))); }
  leaves.sort(compareBytes);
  const tree = async (hashes) => {
    if (hashes.length === 1) { return hashes[0]; }
    let split = 1;
    while (split * 2 < hashes.length) { split *= 2; }
    return sha256(joined(1, await tree(hashes.slice(0, split)), await tree(hashes.slice(split))));
  };
  return toHex(await tree(leaves));
}

function rawKeyFromPem(pem) {
  const body = String(pem).replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "");
  const der = fromBase64(body);
  if (der.length !== 44 || toHex(der.slice(0, 12)) !== SPKI_ED25519) { throw new Error("not Ed25519"); }
  return der.slice(12);
}

// A key of small order (the neutral point, say) lets one signature verify over any bytes, and
// WebCrypto accepts such keys: refuse them first, as the server and `votesys verify` do.
function strongKey(publicKey) {
  try {
    return !noble.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch (err) {
    return false;
  }
}

async function ed25519Verify(publicKey, signature, message) {
  if (!strongKey(publicKey)) { return false; }
  if (engine !== "noble") {
    try {
      const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
      const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
      engine = "webcrypto";
      return ok;
    } catch (err) {
      if (!err || err.name !== "NotSupportedError") { return false; }
      engine = "noble";
    }
  }
  try {
    return await noble.verifyAsync(signature, message, publicKey, { zip215: false });
  } catch (err) {
    return false;
  }
}

// --- the checks -------------------------------------------------------------------------

function tallyProblem(record) {
  const vote = record.vote;
  if (vote.mode === "paper") { return { na: W.tallyPaper }; }
  const ids = vote.candidates.slice().sort((a, b) => a.position - b.position).map((c) => c.id);
  const counts = ids.map(() => ({ for: 0, against: 0, abstain: 0, basic: 0 }));
  for (let i = 0; i < record.ballots.length; i++) {
    const marks = record.ballots[i];
    if (typeof marks !== "string" || marks.length !== ids.length) { return { problem: say(W.tallyMalformed, { i }) }; }
    for (let k = 0; k < marks.length; k++) {
      const m = marks[k];
      if (m === "F" || m === "S") { counts[k].for++; }
      else if (m === "A" || m === "U") { counts[k].against++; }
      else if (m === "B") { counts[k].basic++; }
      else { counts[k].abstain++; }
    }
  }
  // A vote switched to paper while open: its paper part's totals are added as the record
  // states them (voting/fallback_rules.py); its electronic ballots are recounted.
  const part = record.fallback && record.fallback.paper ? record.fallback : null;
  const cast = part ? part.electronic_ballots : record.roll.ballots_cast;
  if (record.ballots.length !== cast) {
    return { problem: say(W.tallyCount, { a: cast, b: record.ballots.length }) };
  }
  if (part) {
    const paper = new Map(part.paper.tally.map((t) => [t.candidate, t]));
    ids.forEach((id, k) => {
      const t = paper.get(id) || {};
      counts[k].for += t.for; counts[k].against += t.against; counts[k].abstain += t.abstain;
    });
  }
  const rating = vote.style === "rating";
  const stated = new Map(record.tally.map((t) => [t.candidate, t]));
  for (let k = 0; k < ids.length; k++) {
    const t = stated.get(ids[k]) || {};
    const mine = [counts[k].for, counts[k].against, counts[k].abstain].concat(rating ? [counts[k].basic] : []);
    const theirs = [t.for, t.against, t.abstain].concat(rating ? [t.basic] : []);
    if (mine.join("/") !== theirs.join("/")) {
      return { problem: say(W.tallyDiffers, { c: ids[k], a: mine.join(" / "), b: theirs.join(" / ") }) };
    }
  }
  if (record.tally.length !== ids.length) { return { problem: say(W.tallyDiffers, { c: "?", a: ids.length, b: record.tally.length }) }; }
  return { ok: part ? W.tallyOkPaper : W.tallyOk };
}

async function check(input) {
  const checks = [];
  const add = (name, state, reason) => checks.push({ name, state, reason });
  const digests = {};
  const bytes = new Uint8Array(input.record);
  digests.sha256 = toHex(await sha256(bytes));

  // The installation's signature of the record's exact bytes, with the key given.
  let raw = null;
  try { raw = rawKeyFromPem(input.pem); } catch (err) { raw = null; }
  const signature = new Uint8Array(input.signature);
  if (raw === null) {
    add(W.nameSignature, "fail", W.keyBad);
  } else if (signature.length !== 64) {
    add(W.nameSignature, "fail", say(W.sigLength, { n: signature.length }));
  } else {
    const ok = await ed25519Verify(raw, signature, bytes);
    add(W.nameSignature, ok ? "pass" : "fail", ok ? W.sigOk : W.sigBad);
  }

  const printed = $("printed-sha256").value.replace(/\s+/g, "").toLowerCase();
  if (!printed) { add(W.nameSha, "none", W.shaNone); }
  else { add(W.nameSha, printed === digests.sha256 ? "pass" : "fail", printed === digests.sha256 ? W.shaOk : W.shaDiffers); }

  let record = null;
  try {
    record = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (!record || typeof record !== "object" || !record.vote || !Array.isArray(record.ballots) || !Array.isArray(record.trackers)) { record = null; }
  } catch (err) { record = null; }
  if (record === null) {
    add(W.nameFormat, "fail", W.formatBad);
    return { checks, digests };
  }

  if (raw !== null) {
    digests.fingerprint = toHex(await sha256(raw));
    const same = digests.fingerprint === record.signing_key;
    add(W.nameKey, same ? "pass" : "fail", same ? W.keyOk : say(W.keyDiffers, { a: short(record.signing_key), b: short(digests.fingerprint) }));
  }

  digests.ballotsRoot = await merkleRoot(record.ballots);
  const ballotsOk = digests.ballotsRoot === record.merkle_root;
  add(W.nameBallots, ballotsOk ? "pass" : "fail", ballotsOk ? say(W.rootOk, { a: short(digests.ballotsRoot) }) : say(W.rootDiffers, { a: short(digests.ballotsRoot), b: short(record.merkle_root) }));

  digests.trackersRoot = await merkleRoot(record.trackers);
  if (!("trackers_root" in record)) { add(W.nameTrackers, "none", W.trackersNone); }
  else {
    const ok = digests.trackersRoot === record.trackers_root;
    add(W.nameTrackers, ok ? "pass" : "fail", ok ? say(W.rootOk, { a: short(digests.trackersRoot) }) : say(W.rootDiffers, { a: short(digests.trackersRoot), b: short(record.trackers_root) }));
  }

  let tally;
  try { tally = tallyProblem(record); } catch (err) { tally = { problem: W.formatBad }; }
  if (tally.na) { add(W.nameTally, "none", tally.na); }
  else { add(W.nameTally, tally.ok ? "pass" : "fail", tally.ok || tally.problem); }

  // Each scrutineer's signature of the same exact bytes.
  const confirmations = input.confirmations;
  if (confirmations === null || (Array.isArray(confirmations) && !confirmations.length)) {
    add(W.nameConfirmations, "none", W.confNone);
  } else if (!Array.isArray(confirmations)) {
    add(W.nameConfirmations, "fail", W.confMalformed);
  } else {
    for (const c of confirmations) {
      const name = say(W.nameConfirmation, { code: c && c.deputy_code });
      try {
        const key = fromBase64(c.public_key);
        const sig = fromBase64(c.signature);
        const ok = key.length === 32 && sig.length === 64 && (await ed25519Verify(key, sig, bytes));
        add(name, ok ? "pass" : "fail", ok ? say(W.confOk, { fp: short(toHex(await sha256(key))) }) : W.confBad);
      } catch (err) {
        add(name, "fail", W.confMalformed);
      }
    }
  }
  return { checks, digests };
}

// --- showing them -----------------------------------------------------------------------

function show(result, source) {
  $("verifier-error").hidden = true;
  $("verifier-results").hidden = false;
  $("verifier-source").textContent = source;
  const dl = $("verifier-digests");
  dl.replaceChildren();
  for (const [key, label] of [["sha256", W.sha256], ["fingerprint", W.fingerprint], ["ballotsRoot", W.ballotsRoot], ["trackersRoot", W.trackersRoot]]) {
    if (!result.digests[key]) { continue; }
    const dt = document.createElement("dt");
    dt.textContent = label;
    const dd = document.createElement("dd");
    dd.className = "digits";
    dd.textContent = grouped(result.digests[key]);
    dd.dataset.digest = key;
    dl.append(dt, dd);
  }
  const list = $("verifier-checks");
  list.replaceChildren();
  for (const c of result.checks) {
    const li = document.createElement("li");
    li.className = "check-item " + c.state;
    const status = document.createElement("span");
    status.className = "check-status " + c.state;
    status.textContent = c.state === "pass" ? W.pass : c.state === "fail" ? W.fail : W.notChecked;
    const name = document.createElement("strong");
    name.textContent = c.name;
    const reason = document.createElement("span");
    reason.className = "check-reason";
    reason.textContent = c.reason;
    li.append(status, " ", name, " ", reason);
    list.append(li);
  }
  $("verifier-engine").textContent = engine === "noble" ? W.engineNoble : engine === "webcrypto" ? W.engineWebcrypto : "";
}

function fail(message) {
  $("verifier-results").hidden = true;
  const box = $("verifier-error");
  box.textContent = message;
  box.hidden = false;
}

async function fromSite(event) {
  event.preventDefault();
  const id = $("vote-id").value.trim();
  if (!/^[0-9]{1,12}$/.test(id)) { fail(W.badVote); return; }
  const base = W.recordUrl.replace(/\/0\/record$/, "/" + id + "/record");
  const get = async (suffix, what) => {
    const r = await fetch(base + suffix, { credentials: "same-origin" });
    if (!r.ok) { throw new Error(say(W.loadFailed, { what, status: r.status })); }
    return r;
  };
  try {
    const record = await (await get("", W.whatRecord)).arrayBuffer();
    const signature = await (await get(".sig", W.whatSignature)).arrayBuffer();
    const pem = await (await get(".pem", W.whatKey)).text();
    // Confirmations are published once scrutineers confirm; none is not an error.
    const conf = await fetch(base + ".confirmations", { credentials: "same-origin" });
    let confirmations = null;
    if (conf.ok) { try { confirmations = await conf.json(); } catch (err) { confirmations = "malformed"; } }
    show(await check({ record, signature, pem, confirmations }), say(W.sourceSite, { id }));
  } catch (err) {
    fail(err.message);
  }
}

async function fromFiles(event) {
  event.preventDefault();
  const file = (id) => $(id).files[0];
  if (!file("file-record") || !file("file-signature") || !file("file-key")) { fail(W.missingFiles); return; }
  let confirmations = null;
  if (file("file-confirmations")) {
    try { confirmations = JSON.parse(await file("file-confirmations").text()); } catch (err) { confirmations = "malformed"; }
  }
  show(
    await check({
      record: await file("file-record").arrayBuffer(),
      signature: await file("file-signature").arrayBuffer(),
      pem: await file("file-key").text(),
      confirmations,
    }),
    W.sourceFiles,
  );
}

if (!window.crypto || !crypto.subtle) {
  fail(W.noCrypto);
} else {
  $("load-site").addEventListener("submit", fromSite);
  $("load-files").addEventListener("submit", fromFiles);
  document.body.dataset.verifierReady = "1";
}
