-- wrk: POST the ~1 KB JSON body of the json workload.
-- BENCH_BODY names the file (bench/run sets it); default: body.json in the current directory.
local file = os.getenv("BENCH_BODY") or "body.json"
local f = assert(io.open(file, "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
