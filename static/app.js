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
})();
