-- cpu: fixed integer work, the same algorithm in every engine (xorshift32).
local bit = require "bit"
local bxor, lshift, rshift, band, tobit = bit.bxor, bit.lshift, bit.rshift, bit.band, bit.tobit
local ROUNDS = 500000

local function work(n)
    local x = tobit(2463534242)
    local acc = 0
    for _ = 1, n do
        x = bxor(x, lshift(x, 13))
        x = bxor(x, rshift(x, 17))
        x = bxor(x, lshift(x, 5))
        acc = tobit(acc + band(x, 0xffff))
    end
    return acc % 4294967296
end

ngx.header["Content-Type"] = "text/plain"
ngx.print(string.format("cpu %d\n", work(ROUNDS)))
