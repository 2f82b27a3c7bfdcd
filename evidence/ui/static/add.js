// "Add evidence" (the CSP allows no inline script): files dropped or chosen are listed; "Add these files" sends
// each by itself as the body of one request (XHR, for its upload progress) into a batch held in memory on the
// server, then asks for the import of the whole batch (all or nothing) and shows how far the reading has got
// until the result, in words, replaces the list.
"use strict";
(function () {
  var root = document.getElementById("add");
  if (!root) { return; }
  var limit = Number(root.getAttribute("data-limit"));
  var queue = document.getElementById("queue");
  var listHeading = document.getElementById("list-heading");
  var actions = document.getElementById("actions");
  var go = document.getElementById("go");
  var reading = document.getElementById("reading");
  var readingWords = document.getElementById("reading-words");
  var readingBar = document.getElementById("reading-bar");
  var problem = document.getElementById("problem");
  var result = document.getElementById("result");
  var drop = document.getElementById("drop");
  var pending = [];  // {file, shownAs, row, bar, state}
  var busy = false;

  function show(el, yes) { el.classList.toggle("hidden", !yes); }
  function sizeText(n) {
    if (n >= 1e6) { return (n / 1e6).toFixed(1) + " MB"; }
    if (n >= 1e3) { return Math.round(n / 1e3) + " kB"; }
    return n + " bytes";
  }
  function hidden(path) { return path.split("/").some(function (part) { return part.charAt(0) === "."; }); }

  function add(file, shownAs) {
    if (busy || hidden(shownAs)) { return; }
    var row = document.createElement("li");
    var name = document.createElement("span");
    name.className = "file-name";
    name.textContent = shownAs + " (" + sizeText(file.size) + ")";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", "Sending " + shownAs);
    var state = document.createElement("div");
    state.className = "file-state";
    state.textContent = "Ready to add.";
    if (file.size > limit) {
      state.textContent = "Too big to add here: the limit is " + sizeText(limit) + " a file.";
      state.classList.add("bad");
    }
    row.append(name, bar, state);
    queue.append(row);
    pending.push({ file: file, shownAs: shownAs, row: row, bar: bar, state: state });
    show(listHeading, true);
    show(actions, true);
    result.replaceChildren();
  }

  function clear() {
    if (busy) { return; }
    pending = [];
    queue.replaceChildren();
    show(listHeading, false);
    show(actions, false);
    show(problem, false);
  }

  ["files", "folder"].forEach(function (id) {
    var input = document.getElementById(id);
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, function (f) { add(f, f.webkitRelativePath || f.name); });
      input.value = "";
    });
  });

  // A dropped folder is walked (FileSystemEntry), with each file's path inside it.
  function walk(entry, path) {
    return new Promise(function (resolve) {
      if (entry.isFile) {
        entry.file(function (f) { add(f, path + f.name); resolve(); }, function () { resolve(); });
      } else if (entry.isDirectory) {
        var reader = entry.createReader();
        var all = [];
        var more = function () {
          reader.readEntries(function (batch) {
            if (!batch.length) {
              all.sort(function (a, b) { return a.name < b.name ? -1 : 1; });
              all.reduce(function (p, e) { return p.then(function () { return walk(e, path + entry.name + "/"); }); }, Promise.resolve()).then(resolve);
              return;
            }
            all = all.concat(Array.prototype.slice.call(batch));
            more();
          }, function () { resolve(); });
        };
        more();
      } else { resolve(); }
    });
  }
  drop.addEventListener("dragover", function (event) { event.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    drop.classList.remove("over");
    var items = event.dataTransfer.items;
    var entries = [];
    var loose = [];
    for (var i = 0; items && i < items.length; i++) {
      var entry = items[i].webkitGetAsEntry ? items[i].webkitGetAsEntry() : null;
      if (entry) { entries.push(entry); } else if (items[i].kind === "file") { loose.push(items[i].getAsFile()); }
    }
    if (!items) { loose = Array.prototype.slice.call(event.dataTransfer.files); }
    loose.forEach(function (f) { if (f) { add(f, f.name); } });
    entries.reduce(function (p, e) { return p.then(function () { return walk(e, ""); }); }, Promise.resolve());
  });

  function post(url) {
    return fetch(url, { method: "POST", credentials: "same-origin" });
  }

  function send(batch, item) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", "/add/file/" + encodeURIComponent(batch));
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.setRequestHeader("X-File-Name", encodeURIComponent(item.file.name));
      xhr.setRequestHeader("X-Shown-As", encodeURIComponent(item.shownAs));
      xhr.setRequestHeader("X-Last-Modified", String(item.file.lastModified || ""));
      item.state.textContent = "Sending…";
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { item.bar.value = Math.round(100 * event.loaded / event.total); }
      });
      xhr.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = null; }
        if (xhr.status === 200 && answer && answer.ok) {
          item.bar.value = 100;
          item.state.textContent = "Sent. Waiting to be read.";
          resolve();
        } else {
          item.state.textContent = answer && answer.error ? answer.error : "Could not be sent.";
          item.state.classList.add("bad");
          reject(new Error(item.state.textContent));
        }
      });
      xhr.addEventListener("error", function () {
        item.state.textContent = "Could not be sent: the app did not answer.";
        item.state.classList.add("bad");
        reject(new Error(item.state.textContent));
      });
      xhr.send(item.file);
    });
  }

  function watch(batch) {
    var timer = window.setInterval(function () {
      fetch("/add/progress/" + encodeURIComponent(batch), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (p) {
          if (!p || p.stage !== "reading") { return; }
          pending.forEach(function (item) {
            if (item.shownAs === p.reading) { item.state.textContent = "Being read now…"; }
          });
          if (p.pictures_total > 0) {
            readingWords.textContent = "Reading the pictures: " + p.pictures_done + " of " + p.pictures_total + " done.";
            readingBar.max = p.pictures_total;
            readingBar.value = p.pictures_done;
          } else if (p.reading) {
            readingWords.textContent = "Reading " + p.reading + "…";
          }
        })
        .catch(function () { /* the next poll tries again */ });
    }, 500);
    return function () { window.clearInterval(timer); };
  }

  function finish(html) {
    busy = false;
    go.disabled = false;
    show(reading, false);
    pending = [];
    queue.replaceChildren();
    show(listHeading, false);
    show(actions, false);
    result.innerHTML = html;  // the server's own template, escaped there
    var heading = document.getElementById("result-heading");
    if (heading) { heading.focus(); }
  }

  function fail(line) {
    busy = false;
    show(reading, false);
    problem.textContent = line;
    show(problem, true);
    go.disabled = false;
    show(actions, pending.length > 0);
  }

  go.addEventListener("click", function () {
    if (busy || !pending.length) { return; }
    // An iPhone backup folder is read as one whole by the command line; its thousands of files are not sent
    // (the server refuses such a batch too).
    var manifest = pending.filter(function (i) { return /.\/Manifest\.db$/.test(i.shownAs); })[0];
    if (manifest) {
      fail(manifest.shownAs.replace(/\/Manifest\.db$/, "") + ": this folder looks like an iPhone backup, which is read " +
        "as one whole, not as separate files; add it with the command line (evidence import). Nothing was added.");
      return;
    }
    busy = true;
    go.disabled = true;
    show(actions, false);  // nothing to press while the files are sent and read
    pending.forEach(function (item) { item.state.classList.remove("bad"); item.bar.value = 0; });
    show(problem, false);
    var batch = null;
    post("/add/batch")
      .then(function (r) { return r.json(); })
      .then(function (answer) {
        if (!answer.ok) { throw new Error(answer.error); }
        batch = answer.batch;
        // One file after the other: each bar fills as its file is sent. A refused file stops the sending;
        // the import then says why nothing was added.
        return pending.reduce(function (p, item) {
          return p.then(function () { return send(batch, item); });
        }, Promise.resolve()).catch(function () { return null; });
      })
      .then(function () {
        show(reading, true);
        readingWords.textContent = "Reading the files…";
        readingBar.removeAttribute("value");
        // Every file is read in the one import: each bar runs until the result comes.
        pending.forEach(function (item) {
          if (!item.state.classList.contains("bad")) { item.state.textContent = "Being read with the others…"; item.bar.removeAttribute("value"); }
        });
        var stop = watch(batch);
        return post("/add/import/" + encodeURIComponent(batch)).then(function (r) {
          stop();
          if (r.status === 200 || r.status === 400 || r.status === 500) { return r.text().then(finish); }
          return r.text().then(function (t) {
            var line = t;
            try { line = JSON.parse(t).error || t; } catch (e) { /* plain text */ }
            fail(line + " Nothing was added.");
          });
        });
      })
      .catch(function (error) { fail(String(error.message || error)); });
  });
  document.getElementById("clear").addEventListener("click", clear);
  root.setAttribute("data-ready", "1");
})();
