-- wrk script: each thread is one logged-in student going round the study loop:
-- GET the next card, POST a rating for it, again and again. One connection per thread.
-- Args: a file with one session cookie per line (line n for thread n). With "prototype" as
-- the second argument, the lines are user ids instead, for the stripped-down loop of
-- bench/prototype_app.py (no login, CSRF or layout).

local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end

function init(args)
  local n = 0
  for line in io.lines(args[1]) do
    n = n + 1
    if n == id then mine = line end
  end
  prototype = args[2] == "prototype"
  if prototype then uid = mine else cookie = mine end
  token, csrf, last = nil, nil, nil
  ratings = {3, 1, 2, 1}  -- Good, Again, Hard, Again: learning cards keep coming back
  rated, rate_ok, gets, server_errors, no_card = 0, 0, 0, 0, 0
end

function request()
  if prototype then return prototype_request() end
  if token ~= nil then
    rated = rated + 1
    last = "rate"
    local body = "csrf_token=" .. csrf .. "&token=" .. token .. "&scope=all&rating=" ..
      ratings[(rated % 4) + 1]
    return wrk.format("POST", "/study/rate", {
      ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}, body)
  end
  last = "get"
  return wrk.format("GET", "/study/session?scope=all", {["Cookie"] = cookie})
end

function prototype_request()
  if token ~= nil then
    rated = rated + 1
    last = "rate"
    return wrk.format("POST", "/rate?uid=" .. uid, {
      ["Content-Type"] = "application/x-www-form-urlencoded"},
      "token=" .. token .. "&rating=" .. ratings[(rated % 4) + 1])
  end
  last = "get"
  return wrk.format("GET", "/card?uid=" .. uid)
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
  local set_cookie = headers["Set-Cookie"]
  if set_cookie ~= nil then
    local value = set_cookie:match("(session=[^;]+)")
    if value ~= nil then cookie = value end
  end
  if last == "get" then
    gets = gets + 1
    token = body:match('name="token" value="([^"]+)"')
    csrf = prototype or body:match('name="csrf_token" value="([^"]+)"')
    if token == nil then no_card = no_card + 1 end
  else
    if status == 302 then rate_ok = rate_ok + 1 end
    token = nil
  end
end

function done(summary, latency, requests)
  local totals = {rate_ok = 0, rated = 0, gets = 0, server_errors = 0, no_card = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + (thread:get(key) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"socket_errors": %d, "non_2xx_3xx": %d, "server_errors": %d, "ratings_sent": %d, ' ..
    '"ratings_ok": %d, "cards_shown": %d, "nothing_due": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, totals.server_errors, totals.rated,
    totals.rate_ok, totals.gets, totals.no_card))
end
