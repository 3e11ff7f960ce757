// soak, failing: a syntax error on purpose (500 on every request).
export default {
  fetch(request, env, ctx) {
    return new Response('never' ;
  },
};
