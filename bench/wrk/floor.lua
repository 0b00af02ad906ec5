-- The durable-write floor (bench/floor_app.py): POST /write, one INSERT + COMMIT each (saturated; paced runs use bench/paced.py).
dofile((os.getenv("TW_WRK_DIR") or "bench/wrk") .. "/common.lua")

counter = 0
function request()
  counter = counter + 1
  return wrk.format("POST", "/write", {["Content-Type"] = "application/x-www-form-urlencoded"},
                    "value=ul.+Polna+" .. thread_id .. "-" .. counter)
end
