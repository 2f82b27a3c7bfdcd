// "Check something received": the chosen or dropped file is sent by itself as the request's body (its name in
// X-File-Name, and the key fingerprint the sender gave in X-Expect-Key, both URL-encoded), so the server reads
// it into memory-backed storage without a multipart parser that would spool it to disk; the answer page's
// result replaces this page's. The Content-Security-Policy allows no inline script: this is a file of the
// package.
"use strict";
(function () {
  var zone = document.getElementById("drop-zone");
  var input = document.getElementById("received");
  var button = document.getElementById("check-file");
  var working = document.getElementById("check-working");
  var expect = document.getElementById("expect-key");
  if (!zone || !input || !button || !working) { return; }

  function show(node) {
    var old = document.getElementById("check-result");
    if (old && node) { old.replaceWith(node); }
  }

  function say(text) {
    var section = document.createElement("section");
    section.id = "check-result";
    section.setAttribute("aria-live", "polite");
    var p = document.createElement("p");
    p.className = "problem";
    p.setAttribute("role", "alert");
    p.id = "error";
    p.textContent = text;
    section.appendChild(p);
    show(section);
  }

  function send(file) {
    if (!file) { say("Choose a file first."); return; }
    working.classList.add("busy");
    button.disabled = true;
    fetch("/check", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/octet-stream",
        "X-File-Name": encodeURIComponent(file.name),
        "X-Expect-Key": encodeURIComponent(expect ? expect.value : "")
      },
      body: file
    }).then(function (answer) {
      return answer.text().then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var result = page.getElementById("check-result");
        if (result) { show(document.importNode(result, true)); }
        else { window.location.assign(answer.url || "/"); }  // locked meanwhile: the unlock screen
      });
    }).catch(function () {
      say("The file could not be sent. Try again.");
    }).finally(function () {
      working.classList.remove("busy");
      button.disabled = false;
    });
  }

  button.addEventListener("click", function () { send(input.files && input.files[0]); });
  zone.addEventListener("dragover", function (event) { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) { send(files[0]); }
  });
})();
