-- json: parse a ~1 KB JSON body, map/filter its 20 items, answer JSON.
local cjson = require "cjson.safe"

ngx.req.read_body()
local order = cjson.decode(ngx.req.get_body_data())
local items, n, total = {}, 0, 0
for _, it in ipairs(order.items) do
    if it.active then
        local t = it.price_cents * it.qty
        n = n + 1
        items[n] = { id = it.id, sku = string.upper(it.sku), total = t }
        total = total + t
    end
end
ngx.header["Content-Type"] = "application/json"
ngx.print(cjson.encode({ customer = order.customer, count = n, total = total, items = items }))
