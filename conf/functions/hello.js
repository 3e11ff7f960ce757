// GET /hello: the smallest edge function.
export default {
  fetch(request, env) {
    return new Response(`${env.GREETING || 'Hello'} from V8 inside nginx!\n`, {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },
};
