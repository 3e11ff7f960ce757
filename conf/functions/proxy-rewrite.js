// GET /proxy/<path>: fetches <path> from the backend and streams its body
// back with every "nginx" written as "NGINX", piece by piece as it arrives:
// the body is never held whole, and the backend's status and headers pass
// through (not Content-Length and ETag: the bytes change).
//
// The backend is this server's own /backend/ location (a proxy_pass), so
// fetch() of a relative URL is an nginx subrequest and that location's
// caching, limits and access rules apply.  ?origin=remote fetches the same
// file by absolute URL instead, through nginx's client (allowed by
// js_function_fetch_allow in nginx.conf).

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const path = url.pathname.slice('/proxy'.length) || '/';
    const target = url.searchParams.get('origin') === 'remote'
      ? `${env.BACKEND}${path}`
      : `/backend${path}`;

    const upstream = await fetch(target, {
      headers: { 'x-forwarded-for': request.headers.get('x-real-ip') ?? '' },
      signal: AbortSignal.timeout(5000),
    });

    const headers = new Headers(upstream.headers);
    headers.delete('content-length');
    headers.delete('etag');
    headers.set('x-rewritten-by', 'js_function');

    const body = upstream.body
      ?.pipeThrough(new TextDecoderStream())
      .pipeThrough(replaceAll('nginx', 'NGINX'))
      .pipeThrough(new TextEncoderStream());

    return new Response(body, { status: upstream.status, headers });
  },
};

// A TransformStream of text that replaces `from` with `to`, also where
// `from` is split across two chunks: the last characters of a chunk that
// could begin a match wait for the next chunk.
function replaceAll(from, to) {
  let carry = '';
  return new TransformStream({
    transform(chunk, controller) {
      const text = carry + chunk;
      let out = '';
      let i = 0;
      for (let j; (j = text.indexOf(from, i)) !== -1; i = j + from.length) {
        out += text.slice(i, j) + to;
      }
      const keep = Math.max(i, text.length - (from.length - 1));
      carry = text.slice(keep);
      out += text.slice(i, keep);
      if (out) controller.enqueue(out);
    },
    flush(controller) {
      if (carry) controller.enqueue(carry);
    },
  });
}
