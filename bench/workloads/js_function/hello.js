// hello: a fixed short text response.
export default {
  fetch(request, env, ctx) {
    return new Response('Hello, world!\n', {
      headers: { 'content-type': 'text/plain' },
    });
  },
};
