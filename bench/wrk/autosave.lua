-- Autosave under load: POST one answer per request; each wrk thread types into its own interviews.
-- Settings come from the environment (set by bench/load_bench.py after logging in from Python):
--   TW_COOKIE  "tw_session=..."      TW_CSRF  the session's CSRF token
--   TW_INTERVIEWS  "12,13,14,15"     (ids of in-progress interviews of the logged-in worker)
--   TW_WRK_THREADS  how many wrk threads share them (thread t takes every t-th interview)
dofile((os.getenv("TW_WRK_DIR") or "bench/wrk") .. "/common.lua")
local cookie = os.getenv("TW_COOKIE")
local csrf = os.getenv("TW_CSRF")
local all = {}
for id in string.gmatch(os.getenv("TW_INTERVIEWS") or "", "%d+") do all[#all + 1] = id end
local keys = {"address", "city", "citizenship", "place_of_stay"}
local mine = nil

local function encode(s)
  return (string.gsub(s, "[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

counter = 0
function request()
  if mine == nil then
    local threads = tonumber(os.getenv("TW_WRK_THREADS") or "1")
    mine = {}
    for i, id in ipairs(all) do
      if (i - 1) % threads == (thread_id - 1) % threads then mine[#mine + 1] = id end
    end
  end
  counter = counter + 1
  -- Consecutive requests of a thread go to different answers (interview first, then key), so the requests in
  -- flight at once write different answers, as people typing in their own interviews do.
  local interview = mine[counter % #mine + 1]
  local key = keys[math.floor(counter / #mine) % #keys + 1]
  local value = "ul. Polna " .. thread_id .. "-" .. counter
  local body = "key=" .. key .. "&" .. key .. "=" .. encode(value) .. "&client_id=wrk-" .. thread_id
  return wrk.format("POST", "/interviews/" .. interview .. "/answers", {
    ["Cookie"] = cookie,
    ["X-CSRFToken"] = csrf,
    ["HX-Request"] = "true",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
