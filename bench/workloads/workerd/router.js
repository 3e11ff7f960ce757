// workerd tenants: the socket's worker hands /t/fNNN to the tenant's own
// worker (its own isolate) through a service binding named fNNN.
export default {
  fetch(request, env, ctx) {
    const m = /^\/t\/(\w+)$/.exec(new URL(request.url).pathname);
    const tenant = m && env[m[1]];
    return tenant ? tenant.fetch(request) : new Response('no such tenant\n', { status: 404 });
  },
};
