-- wrk: bench/soak's traffic.  Each request picks a function by weight
-- (SOAK_MIX: "name:weight,..."; names as in bench/peers/soak.conf.in), a
-- tenant at random among SOAK_TENANTS.  Each response is counted by the
-- function nginx names in X-Soak, its status, and whether a 200's body is
-- the one that function answers.  A thread stops after SOAK_QUOTA
-- responses and creates SOAK_DONE_FILE (wrk itself runs until -d or a
-- SIGINT); done() prints one line: "SOAK {json}".
local mix = os.getenv("SOAK_MIX") or "hello:1"
local tenants = tonumber(os.getenv("SOAK_TENANTS") or "400")
local quota = tonumber(os.getenv("SOAK_QUOTA") or "0")
local body_file = os.getenv("BENCH_BODY") or "body.json"
local done_file = os.getenv("SOAK_DONE_FILE")

local paths = {
    hello = "/w/hello", json = "/w/json", cpu = "/w/cpu", timer = "/w/timer",
    throw = "/f/throw", syntax = "/f/syntax", spin = "/f/spin", hog = "/f/hog",
}

-- how a 200 from each function begins
local bodies = {
    hello = "Hello, world!\n", json = '{"customer":', cpu = "cpu 3515299191\n",
    timer = "timer ", tenant = "tenant ",
}

local threads = {}

function setup(thread)
    thread:set("seed", math.random(1, 1000000))
    table.insert(threads, thread)
end

local function format(name)
    if name == "json" then
        local f = assert(io.open(body_file, "rb"))
        local body = f:read("*a")
        f:close()
        return { wrk.format("POST", paths.json,
                            { ["Content-Type"] = "application/json" }, body) }
    end
    if name == "tenant" then
        local list = {}
        for i = 0, tenants - 1 do
            list[i + 1] = wrk.format("GET", string.format("/t/f%03d", i))
        end
        return list
    end
    local path = assert(paths[name], "unknown: " .. name)
    return { wrk.format("GET", path) }
end

function init(args)
    math.randomseed(seed or os.time())
    -- pre-formatted requests and cumulative weights
    reqs, upto, total = {}, {}, 0
    for name, weight in mix:gmatch("(%w+):(%d+)") do
        total = total + tonumber(weight)
        table.insert(reqs, format(name))
        table.insert(upto, total)
    end
    counts, answered = {}, 0
end

function request()
    local r = math.random(1, total)
    for i = 1, #upto do
        if r <= upto[i] then
            local list = reqs[i]
            return list[math.random(1, #list)]
        end
    end
end

function response(status, headers, body)
    local name = headers["X-Soak"] or "none"
    local key = name .. " " .. status
    if status == 200 then
        local want = bodies[name]
        if not want or body:sub(1, #want) ~= want then
            key = key .. " wrong-body"
        end
    end
    counts[key] = (counts[key] or 0) + 1
    answered = answered + 1
    if quota > 0 and answered == quota then
        if done_file then
            assert(io.open(done_file, "w")):close()
        end
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local all = {}
    for _, t in ipairs(threads) do
        for k, v in pairs(t:get("counts")) do
            all[k] = (all[k] or 0) + v
        end
    end
    local parts = {}
    for k, v in pairs(all) do
        table.insert(parts, string.format('"%s":%d', k, v))
    end
    local e = summary.errors
    io.write(string.format(
        'SOAK {"requests":%d,"duration_us":%d,' ..
        '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},' ..
        '"latency_us":{"p50":%d,"p99":%d,"max":%d},"counts":{%s}}\n',
        summary.requests, summary.duration, e.connect, e.read, e.write,
        e.timeout, latency:percentile(50), latency:percentile(99),
        latency.max, table.concat(parts, ",")))
end
