// The app's one script (the Content-Security-Policy allows no inline script): "Leave now" (the button or Shift
// pressed three times) locks the case and replaces this page with a neutral site, leaving no entry to go back
// to; a heartbeat tells the server a window is still open (it stops when the last one closes) and brings the
// unlock screen when the idle lock has forgotten the key; "Copy" buttons copy a field.
"use strict";
(function () {
  var form = document.getElementById("leave-form");
  var neutral = form ? form.getAttribute("data-neutral") : "about:blank";
  var leaving = false;

  function leave() {
    if (leaving) { return; }
    leaving = true;
    document.title = "Weather";
    document.body.replaceChildren();
    fetch("/leave", { method: "POST", keepalive: true, credentials: "same-origin", redirect: "manual" }).finally(function () {
      window.location.replace(neutral);
    });
  }

  if (form) {
    form.addEventListener("submit", function (event) { event.preventDefault(); leave(); });
  }

  // Only a Shift pressed and released alone counts: typing capital letters ("I Am OK") must not leave.
  var shifts = [];
  var shiftAlone = false;
  document.addEventListener("keydown", function (event) {
    if (event.key === "Shift") { if (!event.repeat) { shiftAlone = true; } return; }
    shiftAlone = false;
  });
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift" || !shiftAlone) { return; }
    shiftAlone = false;
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; });
    shifts.push(now);
    if (shifts.length >= 3) { leave(); }
  });

  var meta = document.querySelector('meta[name="heartbeat-seconds"]');
  var every = meta ? Number(meta.getAttribute("content")) : 5;
  var needsKey = document.body.getAttribute("data-needs-key") === "1";
  function beat() {
    if (leaving) { return; }
    fetch("/heartbeat", { method: "POST", credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (state) {
        if (state && state.locked && needsKey && !leaving) { window.location.assign("/unlock?idle=1"); }
      })
      .catch(function () { /* the server has stopped: nothing to do */ });
  }
  beat();
  window.setInterval(beat, every * 1000);

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      if (!field) { return; }
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); }); }
      else { document.execCommand("copy"); done(); }
    });
  });
  document.documentElement.setAttribute("data-ready", "1");  // the page's keys and buttons work from now
})();
