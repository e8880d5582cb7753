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

  // Study: Space or Enter reveals / checks; 1-4 rate. A form is sent once only.
  var answerForm = document.querySelector('form[data-study="answer"]');
  var rateForm = document.querySelector('form[data-study="rate"]');
  var sent = false;
  document.querySelectorAll("form[data-study]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (sent) { event.preventDefault(); return; }
      sent = true;
    });
  });
  window.addEventListener("pageshow", function () { sent = false; });  // back button
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || sent) { return; }
    var target = event.target;
    var key = event.key;
    if (answerForm && (key === " " || key === "Enter")) {
      if (target.tagName === "SELECT" || target.tagName === "A") { return; }
      if (key === " " && (typing(target) || target.type === "radio" || target.type === "checkbox")) {
        return;  // Space types or ticks; Enter checks the answer
      }
      event.preventDefault();
      answerForm.requestSubmit();
      return;
    }
    if (rateForm && /^[1-4]$/.test(key) && !typing(target)) {
      var button = rateForm.querySelector('button[data-key="' + key + '"]');
      if (button) { event.preventDefault(); rateForm.requestSubmit(button); }
    }
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
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
