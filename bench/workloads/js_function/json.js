// json: parse a ~1 KB JSON body, map/filter its 20 items, answer JSON.
export default {
  async fetch(request, env, ctx) {
    const order = await request.json();
    const items = order.items
      .filter((it) => it.active)
      .map((it) => ({ id: it.id, sku: it.sku.toUpperCase(), total: it.price_cents * it.qty }));
    const total = items.reduce((sum, it) => sum + it.total, 0);
    return Response.json({ customer: order.customer, count: items.length, total, items });
  },
};
