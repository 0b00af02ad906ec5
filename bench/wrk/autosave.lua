-- Autosave under load: POST one answer per request, rotating interviews and answer keys.
-- Settings come from the environment (set by bench/load_bench.py after logging in from Python):
--   TW_COOKIE  "tw_session=..."      TW_CSRF  the session's CSRF token
--   TW_INTERVIEWS  "12,13,14,15"     (ids of in-progress interviews of the logged-in worker)
local cookie = os.getenv("TW_COOKIE")
local csrf = os.getenv("TW_CSRF")
local interviews = {}
for id in string.gmatch(os.getenv("TW_INTERVIEWS") or "", "%d+") do interviews[#interviews + 1] = id end
local keys = {"address", "city", "citizenship", "place_of_stay"}
local threads = {}
counter = 0
thread_id = thread_id or 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
end

local function encode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

-- TW_PACE_MS > 0: each connection waits that long between saves (a person typing: one autosave a second);
-- 0: back-to-back requests (saturation, for throughput).
local pace = tonumber(os.getenv("TW_PACE_MS") or "0")
function delay()
  if pace > 0 then return pace / 2 + math.random(pace) end
  return 0
end

-- Paced clients would otherwise all send their first save in the same millisecond (wrk sends the first
-- request of every connection at once and delay() only spaces the later ones): in paced mode the first
-- request of each connection is a GET /healthz, counted in the statistics like any other.
local per_thread = tonumber(os.getenv("TW_CONNECTIONS_PER_THREAD") or "0")

function request()
  counter = counter + 1
  if pace > 0 and counter <= per_thread then
    return wrk.format("GET", "/healthz")
  end
  local interview = interviews[(counter + thread_id) % #interviews + 1]
  local key = keys[counter % #keys + 1]
  -- A new value every time, so each request really writes the answer and its history row.
  local value = "ul. Polna " .. thread_id .. "-" .. counter
  local body = "key=" .. key .. "&" .. key .. "=" .. encode(value) .. "&client_id=wrk-" .. thread_id
  return wrk.format("POST", "/interviews/" .. interview .. "/answers", {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end

bad = 0
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end

function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do non2xx = non2xx + (thread:get("bad") or 0) end
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "errors_connect": %d, "errors_read": %d, "errors_write": %d, ' ..
    '"errors_status": %d, "errors_timeout": %d, "non200": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %d}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, non2xx, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
