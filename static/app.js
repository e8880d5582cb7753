// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Registration: send the browser's time zone so "today" starts at 4 am local time.
  document.querySelectorAll('input[name="timezone"]').forEach(function (input) {
    if (!input.value) {
      try { input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* keep UTC */ }
    }
  });
})();
