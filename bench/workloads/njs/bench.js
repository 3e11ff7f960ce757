// njs versions of hello, json and cpu (js_content bench.hello, ...).
function hello(r) {
    r.headersOut['Content-Type'] = 'text/plain';
    r.return(200, 'Hello, world!\n');
}

function json(r) {
    var order = JSON.parse(r.requestText);
    var items = order.items
        .filter((it) => it.active)
        .map((it) => ({ id: it.id, sku: it.sku.toUpperCase(), total: it.price_cents * it.qty }));
    var total = items.reduce((sum, it) => sum + it.total, 0);
    r.headersOut['Content-Type'] = 'application/json';
    r.return(200, JSON.stringify({ customer: order.customer, count: items.length, total, items }));
}

var ROUNDS = 500000;

function work(n) {
    var x = 2463534242 | 0;
    var acc = 0;
    for (var i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        acc = (acc + (x & 0xffff)) | 0;
    }
    return acc >>> 0;
}

function cpu(r) {
    r.headersOut['Content-Type'] = 'text/plain';
    r.return(200, 'cpu ' + work(ROUNDS) + '\n');
}

export default { hello, json, cpu };
