// GET /go?to=/hello: a redirect; GET /go: headers and two cookies.
export default {
  fetch(request) {
    const url = new URL(request.url);
    const to = url.searchParams.get('to');

    if (to !== null) {
      return Response.redirect(new URL(to, url).href, 302);
    }

    const headers = new Headers({ 'x-powered-by': 'js_function' });
    headers.append('set-cookie', 'session=abc123; Path=/; HttpOnly');
    headers.append('set-cookie', 'theme=dark; Path=/');

    return new Response('two cookies set\n', { status: 200, headers });
  },
};
