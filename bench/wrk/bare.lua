-- The bare endpoint of the same app (GET /healthz, no cookie), reported with the same statistics.
dofile((os.getenv("TW_WRK_DIR") or "bench/wrk") .. "/common.lua")
