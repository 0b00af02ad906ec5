-- Shared by the wrk scripts (loaded with dofile; TW_WRK_DIR names this folder): thread ids, counting
-- non-200 answers, and the WRKJSON summary line that bench/load_bench.py reads.
local threads = {}
thread_id = thread_id or 0

function setup(thread)
  thread:set("thread_id", #threads + 1)
  threads[#threads + 1] = thread
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
