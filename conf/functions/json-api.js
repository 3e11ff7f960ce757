// POST /api/orders with a JSON body: validate it, compute totals, answer JSON.
//   curl -s localhost:8080/api/orders -d '{"items":[{"sku":"a","price":2.5,"qty":4}]}'
import { total, round2 } from './lib/money.js';

export default {
  async fetch(request) {
    if (request.method !== 'POST') {
      return Response.json({ error: 'POST a JSON order' }, {
        status: 405,
        headers: { allow: 'POST' },
      });
    }

    let order;
    try {
      order = await request.json();
    } catch (e) {
      return Response.json({ error: 'body is not JSON' }, { status: 400 });
    }

    const items = Array.isArray(order.items) ? order.items : [];
    const lines = items
      .filter((it) => Number(it.qty) > 0)
      .map((it) => ({ sku: String(it.sku), qty: it.qty, amount: round2(it.price * it.qty) }));

    return Response.json({ lines, total: total(lines), currency: order.currency || 'EUR' });
  },
};
