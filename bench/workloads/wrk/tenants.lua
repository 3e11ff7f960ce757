-- wrk: spread requests over the tenants /t/f000 .. /t/fNNN at random.
-- BENCH_TENANTS gives the count (default 1000).
local count = tonumber(os.getenv("BENCH_TENANTS") or "1000")

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
end

function init(args)
    math.randomseed(seed or os.time())
    -- pre-format the requests: wrk's per-request Lua stays cheap
    reqs = {}
    for i = 0, count - 1 do
        reqs[i + 1] = wrk.format("GET", string.format("/t/f%03d", i))
    end
end

function request()
    return reqs[math.random(1, count)]
end
