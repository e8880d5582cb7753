// Live sessions: keep the screen at the current state from the event stream (server-sent
// events; the browser reconnects by itself and sends the last event id), send answers and
// the teacher's buttons without leaving the page, and count down a question's time.
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root || !window.EventSource) return;

  var removedAt = 0;
  function swap(html) {
    var hadFocus = root.contains(document.activeElement);
    var open = Array.prototype.map.call(root.querySelectorAll("details[open]"),
                                        function (d) { return d.className; });
    root.innerHTML = html;
    open.forEach(function (name) {  // a list the teacher had opened stays open
      if (!name) return;
      var again = root.querySelector("details." + name.split(" ").join("."));
      if (again) again.open = true;
    });
    var first = root.querySelector("[autofocus], input:not([type=hidden]), button:not([data-not-first])");
    if (hadFocus && first) first.focus();
    tick();
  }

  var events = new EventSource(root.dataset.liveEvents);
  function finished() { return root.querySelector("[data-live-status=ended]") !== null; }
  events.addEventListener("state", function (e) {
    swap(e.data);
    if (finished()) events.close();  // nothing more will come: no reconnecting
  });
  if (finished()) events.close();
  events.addEventListener("count", function (e) {
    var count = root.querySelector("[data-live-count]");
    if (count) count.textContent = e.data;
  });
  events.onerror = function () {
    root.classList.add("is-reconnecting");
    // The server refused the stream (the player was taken out, or the session is gone): the
    // browser will not try again, so the page itself says where things stand.
    if (events.readyState === EventSource.CLOSED) setTimeout(function () { location.reload(); }, 1500);
  };
  events.onopen = function () { root.classList.remove("is-reconnecting"); };

  function post(form, action) {
    var data = new FormData(form);
    if (!data.has("csrf_token") && root.dataset.csrf) data.append("csrf_token", root.dataset.csrf);
    return fetch(action || form.action, {method: "POST", body: data, credentials: "same-origin",
                                         headers: {"X-Live": "1"}, redirect: "follow"});
  }

  root.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.matches("[data-live-answer], [data-live-control]")) return;
    e.preventDefault();
    // A double click on a ×: the list may have moved up since the first, and the second
    // would take out the next player, who now stands under the pointer.
    if (form.matches(".live-remove")) {
      if (Date.now() - removedAt < 800) return;
      removedAt = Date.now();
    }
    var button = e.submitter;
    var action = button && button.getAttribute("formaction");
    if (button) button.disabled = true;
    post(form, action).then(function (response) {
      if (form.matches("[data-live-answer]") && response.ok) {
        return response.text().then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var fresh = page.getElementById("live");
          if (fresh) swap(fresh.innerHTML);
        });
      }
    }).catch(function () { if (button) button.disabled = false; });
  });

  var closing = false;
  function tick() {
    var timer = root.querySelector("[data-closes-at]");
    if (!timer) return;
    var left = Math.max(0, Math.ceil((Date.parse(timer.dataset.closesAt) - Date.now()) / 1000));
    timer.textContent = left + " s";
    var url = timer.dataset.closeUrl;
    var answer = root.querySelector("[data-live-answer]");
    if (left === 0 && timer.dataset.timeUp && answer) {  // a phone: no answer is taken now
      timer.textContent = timer.dataset.timeUp;
      Array.prototype.forEach.call(answer.elements, function (el) { el.disabled = true; });
    }
    if (left === 0 && url && !closing) {  // the teacher's screen closes the question on time
      closing = true;
      var form = root.querySelector("[data-live-control]");
      post(form, url).finally(function () { closing = false; });
    }
  }
  setInterval(tick, 250);
  tick();
})();
