// The scrutineer's device: an Ed25519 key made and kept in this browser, and the records of
// counted votes signed with it, byte for byte as the server serves them.
//
// The key: WebCrypto's Ed25519 where the browser has it, generated non-extractable (the
// secret half cannot be read even by this script) and kept as a CryptoKey in IndexedDB;
// elsewhere the vendored @noble/ed25519, its secret kept in IndexedDB. Only the public half
// (base64 of its raw 32 bytes) is sent to the server.
const root = document.getElementById("scrutiny");
const t = root ? root.dataset : {};
const $ = (id) => document.getElementById(id);

const DB = "votesys-scrutineer";
const STORE = "keys";

function idb(mode, work) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "code" });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction(STORE, mode);
      const req = work(tx.objectStore(STORE));
      tx.oncomplete = () => { open.result.close(); resolve(req && req.result); };
      tx.onerror = () => reject(tx.error);
    };
  });
}
const loadKey = () => idb("readonly", (s) => s.get(t.code));
const saveKey = (entry) => idb("readwrite", (s) => s.put(entry));

const b64 = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const hex = (bytes) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
const grouped = (h) => h.replace(/(.{4})(?=.)/g, "$1 ");

async function fingerprint(publicB64) {
  const raw = Uint8Array.from(atob(publicB64), (c) => c.charCodeAt(0));
  return hex(await crypto.subtle.digest("SHA-256", raw));
}

let noble = null;
async function nobleLib() {
  if (!noble) { noble = await import(t.vendor); }
  return noble;
}

// #noble in the address forces the fallback (to test it on a browser that has Ed25519).
const forceNoble = location.hash === "#noble";

async function makeKey() {
  if (!forceNoble) {
    try {
      const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
      const publicKey = b64(await crypto.subtle.exportKey("raw", pair.publicKey));
      return { code: t.code, kind: "webcrypto", publicKey, privateKey: pair.privateKey };
    } catch (e) { /* no Ed25519 in this browser's WebCrypto: the vendored library */ }
  }
  const ed = await nobleLib();
  const { secretKey, publicKey } = await ed.keygenAsync();
  return { code: t.code, kind: "noble", publicKey: b64(publicKey), secret: secretKey };
}

async function sign(entry, bytes) {
  if (entry.kind === "webcrypto") {
    return b64(await crypto.subtle.sign({ name: "Ed25519" }, entry.privateKey, bytes));
  }
  const ed = await nobleLib();
  return b64(await ed.signAsync(new Uint8Array(bytes), entry.secret));
}

async function post(url, body) {
  const r = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": t.csrf },
    body: JSON.stringify(body),
  });
  const answer = await r.json().catch(() => ({}));
  if (!r.ok) { throw new Error(answer.message || t.tFailed); }
  return answer;
}

function say(text) { $("scr-state").textContent = text; }

async function register(entry) {
  say(t.tWorking);
  await post(t.keyUrl, { public_key: entry.publicKey });
  location.reload();
}

async function start() {
  if (!root) { return; }
  let entry = await loadKey().catch(() => null);
  if (!entry) {
    // A new device, or this browser's data cleared: a key already registered elsewhere means
    // the new one will wait for the organiser's approval.
    say(t.registered ? t.tLost : t.tNone);
    const make = $("scr-make");
    make.parentElement.hidden = false;
    make.addEventListener("click", async () => {
      make.disabled = true;
      try {
        entry = await makeKey();
        await saveKey(entry);
        await register(entry);
      } catch (e) {
        say(e && e.message ? e.message : t.tUnsupported);
        make.disabled = false;
      }
    });
    return;
  }
  const fp = await fingerprint(entry.publicKey);
  $("scr-device").textContent = grouped(fp);
  if (fp === t.registered) {
    say(t.tRegistered);
    enableConfirm(entry);
  } else if (fp === t.pending) {
    say(t.tPending);
  } else {
    say(t.tOther);
    const again = $("scr-register");
    again.parentElement.hidden = false;
    again.addEventListener("click", () => {
      again.disabled = true;
      register(entry).catch((e) => { say(e.message); again.disabled = false; });
    });
  }
}

function enableConfirm(entry) {
  document.querySelectorAll(".scr-confirm").forEach((button) => {
    button.disabled = false;
    const error = button.parentElement.querySelector(".scr-error");
    button.addEventListener("click", async () => {
      button.disabled = true;
      error.hidden = true;
      try {
        // The exact bytes the server serves and stores: never re-serialised here.
        const r = await fetch(button.dataset.recordUrl, { credentials: "same-origin", cache: "no-store" });
        if (!r.ok) { throw new Error(t.tFailed); }
        const bytes = await r.arrayBuffer();
        await post(button.dataset.confirmUrl, { signature: await sign(entry, bytes) });
        location.reload();
      } catch (e) {
        error.textContent = e.message || t.tFailed;
        error.hidden = false;
        button.disabled = false;
      }
    });
  });
}

start().catch(() => say(t.tFailed));
