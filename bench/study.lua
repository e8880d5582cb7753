-- wrk script: each thread is one logged-in student studying flashcards the way a browser
-- does, one connection per student.
--   js:    the card page once, then each rating is one POST (X-Study-Fragment) whose response
--          is the next card: one request per card.
--   plain: the card page (GET), "Show answer" (POST), the rating (POST, 302 to the next
--          card page): three requests per card, as without JavaScript.
-- Args: a file with one session cookie per line (line n for thread n), then js or plain.

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
    if n == id then cookie = line end
  end
  js = args[2] == "js"
  token, csrf, step = nil, nil, "card"
  ratings = {3, 1, 2, 1}  -- Good, Again, Hard, Again: learning cards keep coming back
  rated, cards, requests_sent, server_errors, no_card = 0, 0, 0, 0, 0
end

local function form_headers()
  return {["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
end

function request()
  requests_sent = requests_sent + 1
  if token == nil then
    step = "card"
    return wrk.format("GET", "/study/session?scope=all", {["Cookie"] = cookie})
  end
  local fields = "csrf_token=" .. csrf .. "&token=" .. token .. "&scope=all"
  if not js and step == "card" then
    step = "answer"
    return wrk.format("POST", "/study/answer", form_headers(), fields)
  end
  step = "rate"
  rated = rated + 1
  local headers = form_headers()
  if js then headers["X-Study-Fragment"] = "1" end
  return wrk.format("POST", "/study/rate", headers,
                    fields .. "&rating=" .. ratings[(rated % 4) + 1])
end

local function read_card(body)
  token = body:match('name="token" value="([^"]+)"')
  csrf = body:match('name="csrf_token" value="([^"]+)"') or csrf
  if token == nil then no_card = no_card + 1 end
end

function response(status, headers, body)
  if status >= 500 then server_errors = server_errors + 1 end
  local set_cookie = headers["Set-Cookie"]
  if set_cookie ~= nil then
    local value = set_cookie:match("(session=[^;]+)")
    if value ~= nil then cookie = value end
  end
  if step == "card" then
    read_card(body)
  elseif step == "rate" then
    if js then
      if status == 200 then cards = cards + 1 end
      read_card(body)
    else
      if status == 302 then cards = cards + 1 end
      token = nil
    end
  end
end

function done(summary, latency, requests)
  local totals = {cards = 0, rated = 0, server_errors = 0, no_card = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + (thread:get(key) or 0) end
  end
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"socket_errors": %d, "non_2xx_3xx": %d, "server_errors": %d, "ratings_sent": %d, ' ..
    '"ratings_ok": %d, "nothing_due": %d}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout, e.status, totals.server_errors, totals.rated,
    totals.cards, totals.no_card))
end
