// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Registration: send the browser's time zone so "today" starts at 4 am local time.
  document.querySelectorAll('input[name="timezone"][type="hidden"]').forEach(function (input) {
    if (!input.value) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep UTC */ }
    }
  });

  function typing(el) {
    return el && (el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
      (el.tagName === "INPUT" && !/^(radio|checkbox|submit|button|hidden)$/.test(el.type)));
  }

  // Study. Without this script every step is a page of its own. With it, Space reveals a
  // flashcard's back in place (no request), and checking an answer or rating a card is one
  // request whose response is the next part of the page: the server renders the page's
  // "study" block alone when it sees X-Study-Fragment (quizapp/study/views.py). A small
  // script of our own rather than htmx: three behaviours, and no second way to write markup.
  var busy = false;

  function studyRoot() { return document.getElementById("study"); }

  function visible(element) { return element && !element.closest("[hidden]"); }

  function reveal(root) {
    var back = root.querySelector("[data-reveal][hidden]");
    if (!back) { return false; }
    back.hidden = false;
    var answerForm = root.querySelector('form[data-study="answer"]');
    if (answerForm) { answerForm.hidden = true; }
    var focus = back.querySelector("[data-focus]");
    if (focus) { focus.focus(); }
    return true;
  }

  function swap(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#study");
    if (!fresh) { throw new Error("no study block in the response"); }
    studyRoot().replaceWith(fresh);
    if (fresh.dataset.url) { window.history.replaceState(null, "", fresh.dataset.url); }
    document.dispatchEvent(new CustomEvent("study:swapped"));
    var target = fresh.querySelector("[autofocus]") || fresh.querySelector("#prompt");
    if (target) { target.focus(); }
  }

  function sendTheUsualWay(form, submitter) {
    // Whatever went wrong (an expired form, a dropped connection), the server's own page
    // says it; a rating sent twice is still applied once.
    if (submitter && submitter.name) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = submitter.name; input.value = submitter.value;
      form.appendChild(input);
    }
    form.dataset.plain = "1";
    form.submit();
  }

  function send(form, submitter) {
    busy = true;
    window.fetch(form.action, {
      method: "POST", body: new FormData(form, submitter), credentials: "same-origin",
      headers: {"X-Study-Fragment": "1"}
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    }).then(function (html) {
      swap(html);
      busy = false;
    }).catch(function () {
      sendTheUsualWay(form, submitter);
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-study]") || form.dataset.plain) { return; }
    event.preventDefault();
    if (busy) { return; }
    if (form.dataset.study === "answer" && reveal(studyRoot())) { return; }
    send(form, event.submitter);
  });
  window.addEventListener("pageshow", function () { busy = false; });  // back button

  document.addEventListener("keydown", function (event) {
    var root = studyRoot();
    if (!root || busy || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var target = event.target;
    var key = event.key;
    var answerForm = root.querySelector('form[data-study="answer"]');
    if (visible(answerForm) && (key === " " || key === "Enter")) {
      if (target.tagName === "SELECT" || target.tagName === "A") { return; }
      if (key === " " && (typing(target) || target.type === "radio" || target.type === "checkbox")) {
        return;  // Space types or ticks; Enter checks the answer
      }
      event.preventDefault();
      answerForm.requestSubmit();
      return;
    }
    var rateForm = root.querySelector('form[data-study="rate"]');
    if (visible(rateForm) && /^[1-4]$/.test(key) && !typing(target)) {
      var button = rateForm.querySelector('button[data-key="' + key + '"]');
      if (button) { event.preventDefault(); rateForm.requestSubmit(button); }
    }
  });

  // Ordering: with this script the position dropdowns become a list with "move up" and "move
  // down" buttons, so no two items can share a position; the dropdowns stay in the form,
  // hidden, and carry the order. Without it the dropdowns work, and the server refuses a
  // position given twice with a message.
  function ordering(box) {
    var rows = Array.prototype.slice.call(box.querySelectorAll(".match-row"));
    var count = rows.length;
    var places = rows.map(function (row, n) {
      var value = parseInt(row.querySelector("select").value, 10);
      return {row: row, rank: value >= 1 && value <= count ? value : count + n};
    }).sort(function (a, b) { return a.rank - b.rank; }).map(function (p) { return p.row; });
    var list = document.createElement("ol");
    list.className = "order-list";
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    function button(label, text, delta) {
      var b = document.createElement("button");
      b.type = "button"; b.className = "small secondary move"; b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", function () {
        var item = b.closest("li");
        var sibling = delta < 0 ? item.previousElementSibling : item.nextElementSibling;
        if (!sibling) { return; }
        if (delta < 0) { list.insertBefore(item, sibling); } else { list.insertBefore(sibling, item); }
        sync();
        b.focus();
        status.textContent = item.dataset.text + ": position " + (items().indexOf(item) + 1) + " of " + count;
      });
      return b;
    }
    function items() { return Array.prototype.slice.call(list.children); }
    function sync() {
      items().forEach(function (item, n) {
        item.select.value = String(n + 1);
        item.querySelector(".up").disabled = n === 0;
        item.querySelector(".down").disabled = n === count - 1;
      });
    }
    places.forEach(function (row) {
      var text = row.querySelector("label").textContent;
      var item = document.createElement("li");
      item.dataset.text = text;
      item.select = row.querySelector("select");
      var label = document.createElement("span");
      label.className = "order-text"; label.textContent = text;
      var up = button("Move " + text + " up", "↑", -1); up.classList.add("up");
      var down = button("Move " + text + " down", "↓", 1); down.classList.add("down");
      item.append(label, up, down);
      list.appendChild(item);
      row.hidden = true;
    });
    var hint = box.querySelector(".hint");
    if (hint && hint.dataset.withScript) { hint.textContent = hint.dataset.withScript; }
    var focusFirst = box.querySelector("select[autofocus]");
    box.append(list, status);
    sync();
    if (focusFirst) { list.querySelector(".down").focus(); }
  }
  function enhance(root) { root.querySelectorAll("[data-ordering]").forEach(ordering); }
  enhance(document);
  document.addEventListener("study:swapped", function () { enhance(studyRoot()); });

  // The question editor: the preview follows the form as one types (the Preview button does
  // the same without this script).
  var editor = document.querySelector("form[data-preview-url]");
  if (editor) {
    var pending = null;
    var refresh = function () {
      var data = new FormData(editor);
      data.set("action", "preview");
      window.fetch(editor.dataset.previewUrl, {
        method: "POST", body: data, credentials: "same-origin", headers: {"X-Preview": "1"}
      }).then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html !== null) { document.getElementById("preview").innerHTML = html; }
        }).catch(function () { /* the Preview button still works */ });
    };
    editor.addEventListener("input", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(refresh, 400);
    });
  }

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // A "Copy" button copies its field (the field stays selectable without this script).
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.querySelector(button.dataset.copy);
    button.addEventListener("click", function () {
      source.select();
      if (navigator.clipboard) {
        navigator.clipboard.writeText(source.value).then(function () {
          button.textContent = "Copied";
        }).catch(function () { /* selected: Ctrl+C still works */ });
      }
    });
  });

  // Quiz timer: counts down, announces 5 min / 1 min / 20 s left, and when time runs out
  // sends the answer on screen with the rest (the server also submits on its own).
  var timer = document.querySelector(".timer[data-deadline]");
  if (timer) {
    var deadline = Date.parse(timer.dataset.deadline);
    var value = timer.querySelector(".timer-value");
    var announce = timer.querySelector(".timer-announce");
    var said = {};
    var finished = false;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var minutes = Math.floor(left / 60), seconds = left % 60;
      value.textContent = minutes + ":" + (seconds < 10 ? "0" : "") + seconds;
      [[300, "5 minutes left."], [60, "1 minute left."], [20, "20 seconds left."]].forEach(function (mark) {
        if (left <= mark[0] && left > mark[0] - 5 && !said[mark[0]]) {
          said[mark[0]] = true; announce.textContent = mark[1];
        }
      });
      if (left <= 60) { timer.classList.add("urgent"); }
      if (left === 0 && !finished) {
        finished = true;
        var form = document.getElementById("answer-form");
        if (form) {
          [["finish", "1"], ["timeout", "1"]].forEach(function (pair) {
            var input = document.createElement("input");
            input.type = "hidden"; input.name = pair[0]; input.value = pair[1];
            form.appendChild(input);
          });
          form.submit();
        } else {
          window.location.reload();
        }
        return;
      }
      window.setTimeout(tick, 1000);
    };
    tick();
  }
})();
