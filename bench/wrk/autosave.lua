-- Autosave under load: POST one answer per request, rotating interviews and answer keys.
-- Settings come from the environment (set by bench/load_bench.py after logging in from Python):
--   TW_COOKIE  "tw_session=..."      TW_CSRF  the session's CSRF token
--   TW_INTERVIEWS  "12,13,14,15"     (ids of in-progress interviews of the logged-in worker)
dofile((os.getenv("TW_WRK_DIR") or "bench/wrk") .. "/common.lua")
local cookie = os.getenv("TW_COOKIE")
local csrf = os.getenv("TW_CSRF")
local interviews = {}
for id in string.gmatch(os.getenv("TW_INTERVIEWS") or "", "%d+") do interviews[#interviews + 1] = id end
local keys = {"address", "city", "citizenship", "place_of_stay"}

local function encode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

counter = 0
function request()
  counter = counter + 1
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
