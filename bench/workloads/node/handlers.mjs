// hello, json and cpu in Node's own (req, res) style.
export function hello(req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('Hello, world!\n');
}

export function json(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const order = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const items = order.items
      .filter((it) => it.active)
      .map((it) => ({ id: it.id, sku: it.sku.toUpperCase(), total: it.price_cents * it.qty }));
    const total = items.reduce((sum, it) => sum + it.total, 0);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ customer: order.customer, count: items.length, total, items }));
  });
}

const ROUNDS = 500000;

function work(n) {
  let x = 2463534242 | 0;
  let acc = 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (acc + (x & 0xffff)) | 0;
  }
  return acc >>> 0;
}

export function cpu(req, res) {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`cpu ${work(ROUNDS)}\n`);
}
