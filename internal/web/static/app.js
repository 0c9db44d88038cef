// Tilltal works without JavaScript; this file only adds comfort.
// Move focus to the first error message after a failed form, so that
// screen-reader users hear it at once.
document.addEventListener("DOMContentLoaded", function () {
  var err = document.querySelector("main [role=alert]");
  if (err) { err.setAttribute("tabindex", "-1"); err.focus(); }
});

// Live inbox: new items arrive as server-sent events and are put at the top
// of the table (newest-first view), announced politely to screen readers.
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("inbox-table");
  if (!table || !window.EventSource || new URLSearchParams(location.search).get("order") === "oldest") { return; }
  var body = table.querySelector("tbody");
  var announce = document.getElementById("inbox-announce");
  var fresh = 0;
  var es = new EventSource(table.getAttribute("data-live"));
  es.addEventListener("item", function (ev) {
    var msg = JSON.parse(ev.data);
    if (body.querySelector('tr[data-id="' + msg.id + '"]')) { return; }
    var tmp = document.createElement("tbody");
    tmp.innerHTML = msg.html;
    var row = tmp.firstElementChild;
    row.classList.add("fresh");
    body.insertBefore(row, body.firstChild);
    var empty = document.getElementById("inbox-empty");
    if (empty) { empty.remove(); }
    fresh++;
    if (announce) { announce.textContent = fresh + " " + (document.documentElement.lang === "en" ? "new items" : "nya ärenden"); }
  });
});

// Presence: renew "I have this item open" every 15 s, say "writing" while
// the reply field is being typed in, and show who else is at the item.
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("presence");
  if (!box || !box.getAttribute("data-url") || !window.fetch) { return; }
  var state = "viewing", lastTyped = 0;
  document.addEventListener("input", function (ev) {
    if (ev.target && ev.target.name === "reply") { lastTyped = Date.now(); }
  });
  function beat() {
    state = Date.now() - lastTyped < 20000 ? "writing" : "viewing";
    var body = new URLSearchParams({ state: state, csrf: box.getAttribute("data-csrf") });
    fetch(box.getAttribute("data-url"), { method: "POST", body: body, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        box.textContent = "";
        data.others.forEach(function (line) {
          var p = document.createElement("p"); p.textContent = line; box.appendChild(p);
        });
      }).catch(function () {});
  }
  setInterval(beat, 15000);
});

// Keyboard shortcuts in the inbox: j/k move, Enter opens, x selects, /
// searches. They are off while typing in a field.
document.addEventListener("DOMContentLoaded", function () {
  var table = document.getElementById("inbox-table");
  if (!table) { return; }
  var current = -1;
  function rows() { return table.querySelectorAll("tbody tr"); }
  function mark(i) {
    var list = rows();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(i, list.length - 1));
    list.forEach(function (r) { r.classList.remove("kbd"); });
    list[current].classList.add("kbd");
    var link = list[current].querySelector("a");
    if (link) { link.focus(); }
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.tagName === "INPUT" && t.type !== "checkbox" || t.tagName === "TEXTAREA" || t.tagName === "SELECT"))) { return; }
    if (ev.key === "j") { mark(current + 1); ev.preventDefault(); }
    else if (ev.key === "k") { mark(current - 1); ev.preventDefault(); }
    else if (ev.key === "x" && current >= 0) { var box = rows()[current].querySelector("input[type=checkbox]"); if (box) { box.checked = !box.checked; } ev.preventDefault(); }
    else if (ev.key === "/") { var q = document.getElementById("q"); if (q) { q.focus(); ev.preventDefault(); } }
  });
});

// The reply check while typing: the draft is checked a moment after the
// last key, and the findings are listed under the field (the same check
// runs again when the reply is sent).
document.addEventListener("DOMContentLoaded", function () {
  var field = document.querySelector("textarea[data-check]");
  var box = document.getElementById("check-findings");
  var csrf = document.querySelector("input[name=csrf]");
  if (!field || !box || !csrf || !window.fetch) { return; }
  var timer = null;
  var words = document.documentElement.lang === "en" ? { block: "Blocks", warn: "Warning" } : { block: "Stoppar", warn: "Varning" };
  function render(findings) {
    if (box.querySelector("#override")) { return; } // keep the server's list and override field
    box.textContent = "";
    if (!findings.length) { return; }
    var ul = document.createElement("ul");
    findings.forEach(function (f) {
      var li = document.createElement("li");
      li.className = "finding-" + f.severity;
      var label = document.createElement(f.severity === "block" ? "strong" : "span");
      label.textContent = f.severity === "block" ? words.block : words.warn;
      li.appendChild(label);
      li.appendChild(document.createTextNode(": " + f.message));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }
  field.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var body = new URLSearchParams({ reply: field.value, csrf: csrf.value });
      fetch(field.getAttribute("data-check"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { render(data.findings); } })
        .catch(function () {});
    }, 600);
  });
});

// E-archive exports: while one runs, refresh the list every few seconds
// (without JavaScript the page has a reload link).
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("export-list");
  if (!list || !list.getAttribute("data-poll") || !window.fetch) { return; }
  var every = parseInt(list.getAttribute("data-poll"), 10) || 3000;
  var timer = setInterval(function () {
    fetch(location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("export-list");
      if (!fresh) { return; }
      list.innerHTML = fresh.innerHTML;
      if (!fresh.getAttribute("data-poll")) { clearInterval(timer); list.removeAttribute("data-poll"); }
    });
  }, every);
});
