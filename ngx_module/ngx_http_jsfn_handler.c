
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


static void ngx_http_jsfn_run(ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_start(ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_resolve(ngx_http_request_t *r,
    ngx_http_jsfn_loc_conf_t *jlcf, ngx_http_jsfn_ctx_t *ctx,
    ngx_str_t *path);
static ngx_int_t ngx_http_jsfn_request(ngx_http_request_t *r,
    ngx_http_jsfn_loc_conf_t *jlcf, jsfn_request_t *req);
static ngx_int_t ngx_http_jsfn_url(ngx_http_request_t *r, jsfn_str_t *url);
static ngx_int_t ngx_http_jsfn_valid_host(ngx_str_t *host);
static ngx_int_t ngx_http_jsfn_body(ngx_http_request_t *r,
    jsfn_request_t *req);
static ngx_int_t ngx_http_jsfn_send(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx);
static void ngx_http_jsfn_done_handler(ngx_event_t *ev);
static void ngx_http_jsfn_timeout_handler(ngx_event_t *ev);
static void ngx_http_jsfn_finalize(ngx_http_request_t *r, ngx_int_t rc);
static void ngx_http_jsfn_count(ngx_http_request_t *r, ngx_int_t rc);
static void ngx_http_jsfn_cleanup(void *data);


ngx_int_t
ngx_http_jsfn_handler(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    if (r->headers_in.content_length_n <= 0 && !r->headers_in.chunked) {
        /* no body: start at once (the hot path) */
        rc = ngx_http_jsfn_start(r);

        if (rc == NGX_DONE) {
            /*
             * pending: the NGX_DONE returned balances this count, and the
             * finalize by done, timeout or the client leaving ends it
             */
            r->main->count++;
        }

        ngx_http_jsfn_count(r, rc);

        return rc;
    }

    /*
     * What nginx has of the body when it first calls ngx_http_jsfn_run():
     * all of it (a small body, read with the headers: passed whole), or
     * its first piece, and the call starts then with a request body stream
     * that the body pump (ngx_http_jsfn_body.c) feeds as the function reads
     * it.  nginx enforces client_max_body_size (413 before the call, or
     * an error of the stream for a chunked body).
     * ngx_http_read_client_request_body() takes a request count; returning
     * NGX_DONE balances it, and ngx_http_jsfn_run() finalizes exactly once.
     */

    r->request_body_no_buffering = 1;

    rc = ngx_http_read_client_request_body(r, ngx_http_jsfn_run);

    if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        return rc;
    }

    return NGX_DONE;
}


static void
ngx_http_jsfn_run(ngx_http_request_t *r)
{
    ngx_int_t  rc;

    rc = ngx_http_jsfn_start(r);

    if (rc == NGX_DONE) {
        /* pending: done, timeout or the client going away finalizes */
        return;
    }

    ngx_http_jsfn_finalize(r, rc);
}


/* finalize, counting the module's own 5xx answers in the metrics */
static void
ngx_http_jsfn_finalize(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_jsfn_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_js_function_module);

    if (ctx != NULL && ctx->body != NULL) {
        /* the response is out: a request body is read no further */
        ngx_http_jsfn_body_stop(ctx);
    }

    ngx_http_jsfn_count(r, rc);
    ngx_http_finalize_request(r, rc);
}


static void
ngx_http_jsfn_count(ngx_http_request_t *r, ngx_int_t rc)
{
    ngx_http_jsfn_ctx_t  *ctx;

    if (rc >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ctx = ngx_http_get_module_ctx(r, ngx_http_js_function_module);

        if (ctx != NULL && ctx->path.len) {
            ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_ERRORS, 1);
        }
    }
}


static ngx_int_t
ngx_http_jsfn_start(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_str_t                  path;
    jsfn_request_t             req;
    ngx_pool_cleanup_t        *cln;
    ngx_http_jsfn_ctx_t       *ctx;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    jlcf = ngx_http_get_module_loc_conf(r, ngx_http_js_function_module);

    ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_jsfn_ctx_t));
    if (ctx == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln = ngx_pool_cleanup_add(r->pool, 0);
    if (cln == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    cln->handler = ngx_http_jsfn_cleanup;
    cln->data = ctx;

    ctx->request = r;
    ngx_http_set_ctx(r, ctx, ngx_http_js_function_module);

    rc = ngx_http_jsfn_resolve(r, jlcf, ctx, &path);
    if (rc != NGX_OK) {
        return rc;
    }

    ctx->path = path;

    rc = ngx_http_jsfn_pool_get(r, ctx, jlcf);
    if (rc != NGX_OK) {
        return rc;
    }

    if (ctx->raw.len) {
        ngx_http_jsfn_pool_set_alias(ctx);
    }

    rc = ngx_http_jsfn_request(r, jlcf, &req);
    if (rc != NGX_OK) {
        return rc;
    }

    if (req.body_stream) {
        /* the body pump reads the rest as the function wants it */
        rc = ngx_http_jsfn_body_read(r, ctx);
        if (rc != NGX_OK) {
            return rc;
        }
    }

    rc = ngx_http_jsfn_engine_start(r, ctx, &req);

    if (rc == NGX_OK) {
        return ngx_http_jsfn_send(r, ctx);
    }

    if (rc != NGX_AGAIN) {
        return rc;
    }

    ctx->pending = 1;

    ctx->done.handler = ngx_http_jsfn_done_handler;
    ctx->done.data = ctx;
    ctx->done.log = r->connection->log;

    ctx->timeout.handler = ngx_http_jsfn_timeout_handler;
    ctx->timeout.data = ctx;
    ctx->timeout.log = r->connection->log;

    ngx_add_timer(&ctx->timeout, jlcf->timeout);

    if (!req.body_stream) {
        /* notice a client that goes away while the function runs */
        r->read_event_handler = ngx_http_test_reading;
    }

    r->write_event_handler = ngx_http_request_empty_handler;

    return NGX_DONE;
}


/*
 * A fixed path is used as written.  A path built from variables must name
 * an existing file inside the directory written before its first variable:
 * no "..", no symlink out, no NUL byte.
 */
static ngx_int_t
ngx_http_jsfn_resolve(ngx_http_request_t *r, ngx_http_jsfn_loc_conf_t *jlcf,
    ngx_http_jsfn_ctx_t *ctx, ngx_str_t *path)
{
    u_char     *real;
    size_t      len;
    ngx_str_t  *known;

    if (ngx_http_complex_value(r, jlcf->path, path) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    if (!jlcf->variable) {
        return NGX_OK;
    }

    /* ccv.zero: the value ends with the NUL that nginx counts in its length */
    path->len--;

    if (ngx_strlchr(path->data, path->data + path->len, '\0') != NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function: path \"%*s\" contains a NUL byte",
                      ngx_strlen(path->data), path->data);
        return NGX_HTTP_NOT_FOUND;
    }

    ctx->raw = *path;

    known = ngx_http_jsfn_pool_alias(path);
    if (known != NULL) {
        *path = *known;
        return NGX_OK;
    }

    real = ngx_pnalloc(r->pool, PATH_MAX);
    if (real == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* path->data is NUL-terminated (ccv.zero) */
    if (realpath((char *) path->data, (char *) real) == NULL) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, ngx_errno,
                      "js_function: \"%V\" not found", path);
        return NGX_HTTP_NOT_FOUND;
    }

    len = ngx_strlen(real);

    if (jlcf->real_root.data == NULL) {
        /* the configured directory, resolved once per worker */
        u_char  buf[PATH_MAX];

        if (realpath((char *) jlcf->root.data, (char *) buf) == NULL) {
            ngx_log_error(NGX_LOG_ERR, r->connection->log, ngx_errno,
                          "js_function: directory \"%V\" not found",
                          &jlcf->root);
            return NGX_HTTP_NOT_FOUND;
        }

        jlcf->real_root.len = ngx_strlen(buf);
        jlcf->real_root.data = ngx_pstrdup(ngx_cycle->pool,
                                           &(ngx_str_t) { jlcf->real_root.len,
                                                          buf });
        if (jlcf->real_root.data == NULL) {
            jlcf->real_root.len = 0;
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }
    }

    if (len <= jlcf->real_root.len
        || ngx_strncmp(real, jlcf->real_root.data, jlcf->real_root.len) != 0
        || (real[jlcf->real_root.len] != '/'
            && jlcf->real_root.data[jlcf->real_root.len - 1] != '/'))
    {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function: \"%V\" is outside \"%V\"",
                      path, &jlcf->root);
        return NGX_HTTP_NOT_FOUND;
    }

    path->data = real;
    path->len = len;

    return NGX_OK;
}


static ngx_int_t
ngx_http_jsfn_request(ngx_http_request_t *r, ngx_http_jsfn_loc_conf_t *jlcf,
    jsfn_request_t *req)
{
    size_t                     n;
    ngx_uint_t                 i;
    jsfn_str_t                *s;
    ngx_list_part_t           *part;
    ngx_table_elt_t           *h;
    ngx_http_jsfn_env_t       *env;

    ngx_memzero(req, sizeof(jsfn_request_t));

    req->method.data = (const char *) r->method_name.data;
    req->method.len = r->method_name.len;

    if (ngx_http_jsfn_url(r, &req->url) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    /* headers as received */

    n = 0;
    for (part = &r->headers_in.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    s = ngx_palloc(r->pool, (2 * n + 1) * sizeof(jsfn_str_t));
    if (s == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->headers = s;

    for (part = &r->headers_in.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            s->data = (const char *) h[i].key.data;
            s->len = h[i].key.len;
            s++;
            s->data = (const char *) h[i].value.data;
            s->len = h[i].value.len;
            s++;
            req->nheaders++;
        }
    }

    /* env bindings, their values evaluated per request */

    if (jlcf->env != NULL && jlcf->env->nelts) {
        env = jlcf->env->elts;

        s = ngx_palloc(r->pool, 2 * jlcf->env->nelts * sizeof(jsfn_str_t));
        if (s == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        req->env = s;
        req->nenv = jlcf->env->nelts;

        for (i = 0; i < jlcf->env->nelts; i++) {
            ngx_str_t  v;

            if (ngx_http_complex_value(r, &env[i].value, &v) != NGX_OK) {
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            s->data = (const char *) env[i].name.data;
            s->len = env[i].name.len;
            s++;
            s->data = (const char *) v.data;
            s->len = v.len;
            s++;
        }
    }

    /* KV namespaces: their handles live as long as the configuration */

    if (jlcf->kv != NULL) {
        req->kv = jlcf->kv->elts;
        req->nkv = jlcf->kv->nelts;
    }

    return ngx_http_jsfn_body(r, req);
}


/*
 * The absolute URL a Request carries: scheme://host/uri?args, well-formed
 * for every request nginx accepts.  The host is the Host header when it is
 * a host any URL parser takes as is, else the server's name, else its
 * address.  The path and query are nginx's as received, with "#" and, in
 * the path, "\\" escaped (a URL parser would read them as a fragment and
 * a slash) and with bytes outside printable ASCII percent-encoded, so that
 * new URL(request.url).pathname is the path nginx routed on.
 */
static ngx_int_t
ngx_http_jsfn_url(ngx_http_request_t *r, jsfn_str_t *url)
{
    u_char                    *p, *src, *last, c;
    size_t                     n;
    ngx_str_t                  host, scheme, uri;
    ngx_uint_t                 query;
    u_char                     addr[NGX_SOCKADDR_STRLEN];
    ngx_http_core_srv_conf_t  *cscf;

    static u_char              hex[] = "0123456789ABCDEF";

    ngx_str_set(&scheme, "http");

#if (NGX_HTTP_SSL)
    if (r->connection->ssl) {
        ngx_str_set(&scheme, "https");
    }
#endif

    host.len = 0;

    if (r->headers_in.host != NULL) {
        host = r->headers_in.host->value;

        if (ngx_http_jsfn_valid_host(&host) != NGX_OK) {
            ngx_log_debug1(NGX_LOG_DEBUG_HTTP, r->connection->log, 0,
                           "js function: Host \"%V\" is not a URL host",
                           &host);
            host.len = 0;
        }
    }

    if (host.len == 0) {
        cscf = ngx_http_get_module_srv_conf(r, ngx_http_core_module);
        host = cscf->server_name;

        if (ngx_http_jsfn_valid_host(&host) != NGX_OK) {
            host.len = 0;
        }
    }

    if (host.len == 0
        && ngx_connection_local_sockaddr(r->connection, NULL, 0) == NGX_OK)
    {
        host.data = addr;
        host.len = ngx_sock_ntop(r->connection->local_sockaddr,
                                 r->connection->local_socklen, addr,
                                 NGX_SOCKADDR_STRLEN, 1);

        if (ngx_http_jsfn_valid_host(&host) != NGX_OK) {
            host.len = 0;
        }
    }

    if (host.len == 0) {
        ngx_str_set(&host, "localhost");
    }

    uri = r->unparsed_uri;
    last = uri.data + uri.len;

    n = scheme.len + 3 + host.len + 1;
    query = 0;

    for (src = uri.data; src < last; src++) {
        c = *src;

        if (c == '?') {
            query = 1;
        }

        n += (c == '#' || (c == '\\' && !query) || c <= 0x20 || c >= 0x7f)
             ? 3 : 1;
    }

    p = ngx_pnalloc(r->pool, n);
    if (p == NULL) {
        return NGX_ERROR;
    }

    url->data = (const char *) p;

    p = ngx_cpymem(p, scheme.data, scheme.len);
    p = ngx_cpymem(p, "://", 3);
    p = ngx_cpymem(p, host.data, host.len);

    if (uri.len == 0 || uri.data[0] != '/') {
        *p++ = '/';
    }

    query = 0;

    for (src = uri.data; src < last; src++) {
        c = *src;

        if (c == '?') {
            query = 1;
        }

        if (c == '#' || (c == '\\' && !query) || c <= 0x20 || c >= 0x7f) {
            *p++ = '%';
            *p++ = hex[c >> 4];
            *p++ = hex[c & 0xf];
            continue;
        }

        *p++ = c;
    }

    url->len = p - (u_char *) url->data;

    return NGX_OK;
}


/*
 * A host (with an optional port) that WHATWG URL parsing keeps as it is:
 * a name of letters, digits, "-", "_" and "." whose last label is not
 * numeric (else it must be an IPv4 address), or a bracketed IPv6 address;
 * then nothing, or ":" and a port up to 65535.  Anything else (nginx lets
 * through "a?b", "a\\b", "a^b", "[::1", "a:99999", ...) would change the
 * URL's meaning or make new URL() throw.
 */
static ngx_int_t
ngx_http_jsfn_valid_host(ngx_str_t *host)
{
    u_char      *p, *last, *start, *label, *end, c;
    size_t       i;
    ngx_uint_t   port, digits, numeric, hexa;
#if (NGX_HAVE_INET6)
    u_char       addr6[16];
#endif

    p = host->data;
    last = p + host->len;

    if (p == last) {
        return NGX_DECLINED;
    }

    if (*p == '[') {
        end = ngx_strlchr(p, last, ']');
        if (end == NULL) {
            return NGX_DECLINED;
        }

#if (NGX_HAVE_INET6)
        if (ngx_inet6_addr(p + 1, end - p - 1, addr6) != NGX_OK) {
            return NGX_DECLINED;
        }
#else
        return NGX_DECLINED;
#endif

        p = end + 1;

    } else {
        start = p;

        while (p < last && *p != ':') {
            c = *p;

            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.')
            {
                p++;
                continue;
            }

            return NGX_DECLINED;
        }

        /* the last label, a trailing dot aside */
        end = p;
        if (end > start && end[-1] == '.') {
            end--;
        }

        if (end == start) {
            return NGX_DECLINED;
        }

        label = end;
        while (label > start && label[-1] != '.') {
            label--;
        }

        if (label == end) {
            return NGX_DECLINED;
        }

        numeric = 1;
        hexa = (end - label > 1 && label[0] == '0'
                && (label[1] == 'x' || label[1] == 'X'));

        for (i = hexa ? 2 : 0; label + i < end; i++) {
            c = label[i];

            if (hexa ? !isxdigit(c) : (c < '0' || c > '9')) {
                numeric = 0;
                break;
            }
        }

        if (numeric) {
            /* dotted decimal only, no part with a leading zero (octal) */
            if (ngx_inet_addr(start, end - start) == INADDR_NONE) {
                return NGX_DECLINED;
            }

            for (label = start; label + 1 < end; label++) {
                if (label[0] == '0' && label[1] != '.'
                    && (label == start || label[-1] == '.'))
                {
                    return NGX_DECLINED;
                }
            }
        }

        /* IDNA would check these: let them fall back */
        for (label = start; label + 4 <= p; label++) {
            if ((label == start || label[-1] == '.')
                && ngx_strncasecmp(label, (u_char *) "xn--", 4) == 0)
            {
                return NGX_DECLINED;
            }
        }
    }

    if (p == last) {
        return NGX_OK;
    }

    if (*p++ != ':') {
        return NGX_DECLINED;
    }

    port = 0;

    for (digits = 0; p < last; p++, digits++) {
        if (*p < '0' || *p > '9' || digits == 5) {
            return NGX_DECLINED;
        }

        port = port * 10 + (*p - '0');
    }

    return port <= 65535 ? NGX_OK : NGX_DECLINED;
}


/* the request body in one piece: in place when nginx holds it so */
static ngx_int_t
ngx_http_jsfn_body(ngx_http_request_t *r, jsfn_request_t *req)
{
    u_char       *p;
    off_t         len;
    ssize_t       n;
    ngx_buf_t    *b;
    ngx_chain_t  *cl;

    if (r->reading_body) {
        /* the rest is still to come: fed by the body pump */
        req->body_stream = 1;
        return NGX_OK;
    }

    if (r->request_body == NULL || r->request_body->bufs == NULL) {
        if (r->headers_in.content_length_n >= 0 || r->headers_in.chunked) {
            req->body = "";
        }

        return NGX_OK;
    }

    cl = r->request_body->bufs;

    if (cl->next == NULL && !cl->buf->in_file) {
        req->body = (const char *) cl->buf->pos;
        req->body_len = cl->buf->last - cl->buf->pos;
        return NGX_OK;
    }

    len = 0;
    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        len += ngx_buf_size(cl->buf);
    }

    p = ngx_pnalloc(r->pool, len + 1);
    if (p == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    req->body = (const char *) p;
    req->body_len = len;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;

        if (b->in_file) {
            n = ngx_read_file(b->file, p, b->file_last - b->file_pos,
                              b->file_pos);
            if (n != b->file_last - b->file_pos) {
                ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                              "js_function: cannot read the request body"
                              " from \"%V\"", &b->file->name);
                return NGX_HTTP_INTERNAL_SERVER_ERROR;
            }

            p += n;
            continue;
        }

        p = ngx_cpymem(p, b->pos, b->last - b->pos);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_jsfn_send(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx)
{
    ngx_int_t         rc;
    ngx_buf_t        *b;
    ngx_chain_t       out;
    jsfn_response_t   resp;

    rc = ngx_http_jsfn_engine_finish(r, ctx, &resp);
    if (rc != NGX_OK) {
        return rc;
    }

    rc = ngx_http_jsfn_headers_out(r, ctx, &resp);
    if (rc != NGX_OK) {
        return rc;
    }

    if (resp.streamed) {
        /* NGX_DONE: the body pump finalizes the request once it is sent */
        return ngx_http_jsfn_body_send(r, ctx, &resp);
    }

    if (ctx->body != NULL) {
        /* a request body not read by now is not read at all */
        ngx_http_jsfn_body_stop(ctx);
    }

    r->headers_out.content_length_n = resp.body_len;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    if (resp.body_len == 0) {
        return ngx_http_send_special(r, NGX_HTTP_LAST);
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->pos = (u_char *) resp.body;
    b->last = b->pos + resp.body_len;
    b->memory = 1;
    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


/* the engine settled a pending call: posted by ngx_http_jsfn_call_done() */
void
ngx_http_jsfn_call_done(ngx_http_jsfn_ctx_t *ctx)
{
    if ((ctx->pending || ctx->reading) && !ctx->done.posted) {
        ngx_post_event(&ctx->done, &ngx_posted_events);
    }
}


static void
ngx_http_jsfn_done_handler(ngx_event_t *ev)
{
    ngx_int_t             rc;
    ngx_connection_t     *c;
    ngx_http_request_t   *r;
    ngx_http_jsfn_ctx_t  *ctx;

    ctx = ev->data;
    r = ctx->request;
    c = r->connection;

    ctx->pending = 0;

    if (ctx->timeout.timer_set) {
        ngx_del_timer(&ctx->timeout);
    }

    rc = ngx_http_jsfn_send(r, ctx);

    if (rc != NGX_DONE) {
        /* balances the pending state entered in ngx_http_jsfn_start();
           NGX_DONE: the body pump now holds it */
        ngx_http_jsfn_finalize(r, rc);
    }

    ngx_http_run_posted_requests(c);
}


static void
ngx_http_jsfn_timeout_handler(ngx_event_t *ev)
{
    ngx_connection_t          *c;
    ngx_http_request_t        *r;
    ngx_http_jsfn_ctx_t       *ctx;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    ctx = ev->data;
    r = ctx->request;
    c = r->connection;

    jlcf = ngx_http_get_module_loc_conf(r, ngx_http_js_function_module);

    ngx_log_error(NGX_LOG_ERR, c->log, 0,
                  "js_function \"%V\": no response within %M ms"
                  " (js_function_timeout)", &ctx->path, jlcf->timeout);

    ctx->pending = 0;
    ngx_http_jsfn_engine_abandon(ctx);
    ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_TIMEOUTS, 1);

    /* balances the pending state entered in ngx_http_jsfn_start() */
    ngx_http_jsfn_finalize(r, NGX_HTTP_GATEWAY_TIME_OUT);
    ngx_http_run_posted_requests(c);
}


static void
ngx_http_jsfn_cleanup(void *data)
{
    ngx_http_jsfn_ctx_t  *ctx = data;

    if (ctx->timeout.timer_set) {
        ngx_del_timer(&ctx->timeout);
    }

    if (ctx->done.posted) {
        ngx_delete_posted_event(&ctx->done);
    }

    if (ctx->pending) {
        ngx_log_error(NGX_LOG_INFO, ctx->request->connection->log, 0,
                      "js_function \"%V\": request ended before the function"
                      " answered", &ctx->path);
    }

    /* nothing is posted for the request any more (a retire may try) */
    ctx->pending = 0;
    ctx->reading = 0;

    if (ctx->body != NULL) {
        ngx_http_jsfn_body_stop(ctx);
    }

    ngx_http_jsfn_engine_abandon(ctx);

    if (ctx->isolate != NULL) {
        ngx_http_jsfn_pool_release(ctx);
    }
}
