
/*
 * Copyright (C) The js_function module authors.
 */


/*
 * fetch() to other origins: an HTTP/1.1 client on nginx's own primitives
 * (resolver, ngx_event_connect_peer, OpenSSL through ngx_ssl_*, nginx's
 * status line, header and chunked parsers), with a per-worker cache of
 * kept-alive connections.
 *
 * One fetch is one ngx_http_jsfn_client_t in a pool of its own: it does not
 * need the calling request to live (ctx.waitUntil() work).  Its connection
 * has a pool of its own too (TLS state), so that it can outlive the fetch
 * in the idle cache.  Reports to the fetch (ngx_http_jsfn_fetch_head/data/
 * fail) run JS, which may abort this very fetch (f->ctl): while a report is
 * running "busy" is set and the abort only takes note; the code after each
 * report looks at "aborted" before touching anything.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


#define NGX_HTTP_JSFN_CLIENT_KEY_LEN  320
#define NGX_HTTP_JSFN_CLIENT_MSG_LEN  512
#define NGX_HTTP_JSFN_CLIENT_SESSIONS 64
#define NGX_HTTP_JSFN_CLIENT_READS    16     /* per event, then others go */
#define NGX_HTTP_JSFN_CLIENT_BUF      65536  /* bytes read at once, at least */


typedef enum {
    ngx_http_jsfn_client_resolving = 0,
    ngx_http_jsfn_client_connecting,
    ngx_http_jsfn_client_handshaking,
    ngx_http_jsfn_client_sending,
    ngx_http_jsfn_client_reading_head,
    ngx_http_jsfn_client_reading_body
} ngx_http_jsfn_client_state_e;


/* a kept-alive connection of the worker's cache */
typedef struct {
    ngx_queue_t                 queue;
    ngx_connection_t           *connection;
    ngx_sockaddr_t              sockaddr;  /* the server's address */
    socklen_t                   socklen;
    size_t                      key_len;
    u_char                      key[NGX_HTTP_JSFN_CLIENT_KEY_LEN];
} ngx_http_jsfn_client_idle_t;


#if (NGX_HTTP_SSL)

/* the TLS session of an origin, to resume with on its next connection */
typedef struct {
    ngx_queue_t                 queue;
    ngx_ssl_session_t          *session;
    size_t                      key_len;
    u_char                      key[NGX_HTTP_JSFN_CLIENT_KEY_LEN];
} ngx_http_jsfn_client_session_t;

#endif


typedef struct {
    ngx_queue_t                 idle;      /* most recently used first */
    ngx_queue_t                 free;
#if (NGX_HTTP_SSL)
    ngx_queue_t                 sessions;  /* most recently saved first */
    ngx_queue_t                 free_sessions;
#endif
} ngx_http_jsfn_client_cache_t;


typedef struct {
    ngx_pool_t                 *pool;
    ngx_http_jsfn_fetch_t      *f;         /* NULL once it has ended */
    ngx_http_jsfn_ctx_t        *counted_ctx; /* the request whose fetches
                                              count this one, NULL: the
                                              isolate's (started without a
                                              request) */
    ngx_http_jsfn_loc_conf_t   *conf;
    ngx_log_t                   log;       /* names the function and URL */

    ngx_str_t                   url;
    ngx_str_t                   function;
    ngx_str_t                   host;      /* no brackets, NUL-terminated */
    ngx_str_t                   authority; /* host[:port] as in the URL */
    in_port_t                   port;
    ngx_str_t                   key;       /* of the idle cache */

    ngx_buf_t                  *request;   /* head and body, sent from pos */
    ngx_event_t                 start;     /* posted by client_start */
    ngx_event_t                 resume;    /* posted by ctl(WANT) */
    ngx_resolver_ctx_t         *resolve;

    ngx_addr_t                 *addrs;     /* to try in turn */
    ngx_uint_t                  naddrs;
    ngx_uint_t                  addr;
    ngx_peer_connection_t       pc;
    ngx_sockaddr_t              sockaddr;  /* pc's, kept with the connection
                                              in the idle cache */
    socklen_t                   socklen;

    ngx_buf_t                  *buf;       /* the head, then body pieces */
    ngx_http_request_t         *r;         /* state of nginx's parsers */
    ngx_http_status_t           status;
    ngx_http_chunked_t          chunked;
    ngx_array_t                 headers;   /* jsfn_str_t name, value */
    off_t                       length;    /* body bytes left, -1: unknown */
    off_t                       received;  /* body bytes */
    ngx_msec_t                  idle;      /* the server's Keep-Alive
                                              timeout, 0: not said */

    ngx_http_jsfn_client_state_e  state;

    unsigned                    https:1;
    unsigned                    literal:1; /* host is an IP address */
    unsigned                    idempotent:1;
    unsigned                    head_method:1;
    unsigned                    reused:1;  /* the connection came from the
                                              idle cache */
    unsigned                    retried:1;
    unsigned                    got_bytes:1;
    unsigned                    keepalive:1;
    unsigned                    is_chunked:1;
    unsigned                    to_close:1;/* the body ends with the
                                              connection */
    unsigned                    head_sent:1;
    unsigned                    paused:1;
    unsigned                    want:1;
    unsigned                    busy:1;
    unsigned                    aborted:1;
    unsigned                    counted:1; /* in js_function_fetch_max */
} ngx_http_jsfn_client_t;


static ngx_int_t ngx_http_jsfn_client_parse_url(ngx_http_jsfn_client_t *u,
    ngx_str_t *url, jsfn_err_t *err);
static ngx_int_t ngx_http_jsfn_client_literal(ngx_http_jsfn_client_t *u);
static ngx_int_t ngx_http_jsfn_client_allowed(ngx_http_jsfn_client_t *u,
    ngx_addr_t *addr);
static ngx_uint_t ngx_http_jsfn_client_special(struct sockaddr *sa);
static ngx_int_t ngx_http_jsfn_client_create_request(
    ngx_http_jsfn_client_t *u, const jsfn_fetch_t *req, jsfn_err_t *err);
static void ngx_http_jsfn_client_start_handler(ngx_event_t *ev);
static void ngx_http_jsfn_client_resolve_handler(ngx_resolver_ctx_t *ctx);
static void ngx_http_jsfn_client_connect(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_connected(ngx_http_jsfn_client_t *u);
#if (NGX_HTTP_SSL)
static void ngx_http_jsfn_client_ssl_handshake(ngx_connection_t *c);
static ngx_http_jsfn_client_session_t *ngx_http_jsfn_client_session(
    ngx_http_jsfn_client_t *u, ngx_http_jsfn_client_cache_t *cache);
static void ngx_http_jsfn_client_save_session(ngx_connection_t *c);
#endif
static void ngx_http_jsfn_client_write_handler(ngx_event_t *ev);
static void ngx_http_jsfn_client_send(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_read_handler(ngx_event_t *ev);
static void ngx_http_jsfn_client_resume_handler(ngx_event_t *ev);
static void ngx_http_jsfn_client_read(ngx_http_jsfn_client_t *u,
    ngx_uint_t timedout);
static ngx_int_t ngx_http_jsfn_client_process_head(
    ngx_http_jsfn_client_t *u);
static ngx_int_t ngx_http_jsfn_client_head_done(ngx_http_jsfn_client_t *u);
static ngx_int_t ngx_http_jsfn_client_process_body(
    ngx_http_jsfn_client_t *u);
static ngx_int_t ngx_http_jsfn_client_deliver(ngx_http_jsfn_client_t *u,
    u_char *p, size_t len, ngx_uint_t last);
static void ngx_http_jsfn_client_pause(ngx_http_jsfn_client_t *u);
static ngx_int_t ngx_http_jsfn_client_retry(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_head_too_large(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_fail(ngx_http_jsfn_client_t *u,
    const char *fmt, ...);
static ngx_int_t ngx_http_jsfn_client_report(ngx_http_jsfn_client_t *u,
    const jsfn_fetch_head_t *head, u_char *p, size_t len, int flags);
static ngx_uint_t *ngx_http_jsfn_client_counter(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_count(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_uncount(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_ctl(ngx_http_jsfn_fetch_t *f, int what);
static void ngx_http_jsfn_client_finalize(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_close(ngx_connection_t *c);
static u_char *ngx_http_jsfn_client_log_error(ngx_log_t *log, u_char *buf,
    size_t len);

static ngx_http_jsfn_client_cache_t *ngx_http_jsfn_client_cache(
    ngx_http_jsfn_main_conf_t *jmcf);
static ngx_connection_t *ngx_http_jsfn_client_cache_get(
    ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_cache_put(ngx_http_jsfn_client_t *u);
static void ngx_http_jsfn_client_idle_handler(ngx_event_t *ev);
static void ngx_http_jsfn_client_idle_dummy(ngx_event_t *ev);


/* request headers that belong to the connection, not to the function */
static ngx_str_t  ngx_http_jsfn_client_hop[] = {
    ngx_string("host"),
    ngx_string("connection"),
    ngx_string("keep-alive"),
    ngx_string("proxy-connection"),
    ngx_string("content-length"),
    ngx_string("transfer-encoding"),
    ngx_string("te"),
    ngx_string("trailer"),
    ngx_string("upgrade"),
    ngx_null_string
};


ngx_int_t
ngx_http_jsfn_client_start(ngx_http_jsfn_fetch_t *f, const jsfn_fetch_t *req,
    jsfn_err_t *err)
{
    ngx_str_t                  url;
    ngx_pool_t                *pool;
    ngx_http_jsfn_client_t    *u;
    ngx_http_jsfn_loc_conf_t  *conf;

    conf = f->conf;

    if (f->ctx ? f->ctx->fetches >= conf->fetch_max
               : f->isolate->client_fetches >= conf->fetch_max)
    {
        ngx_http_jsfn_fetch_err(err, "too many fetches in flight for %s"
                                 " (js_function_fetch_max %ui)",
                                 f->ctx ? "one request"
                                        : "the function's work after its"
                                          " responses",
                                 conf->fetch_max);
        return NGX_ERROR;
    }

    pool = ngx_create_pool(2048, ngx_cycle->log);
    if (pool == NULL) {
        goto nomem;
    }

    u = ngx_pcalloc(pool, sizeof(ngx_http_jsfn_client_t));
    if (u == NULL) {
        ngx_destroy_pool(pool);
        goto nomem;
    }

    u->pool = pool;
    u->conf = conf;
    u->length = -1;

    /* the fetch's own log: f->log may be a request's, which can end first */
    u->log = f->log ? *f->log : *ngx_cycle->log;
    u->log.handler = ngx_http_jsfn_client_log_error;
    u->log.data = u;
    u->log.action = NULL;

    u->function.len = f->isolate->sn.str.len;
    u->function.data = ngx_pstrdup(pool, &f->isolate->sn.str);

    url.len = req->url.len;
    url.data = (u_char *) req->url.data;

    u->url.len = url.len;
    u->url.data = ngx_pstrdup(pool, &url);

    if (u->function.data == NULL || u->url.data == NULL) {
        ngx_destroy_pool(pool);
        goto nomem;
    }

    if (ngx_http_jsfn_client_parse_url(u, &u->url, err) != NGX_OK) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    if (ngx_http_jsfn_client_literal(u) != NGX_OK) {
        ngx_destroy_pool(pool);
        goto nomem;
    }

    if (ngx_http_jsfn_client_allowed(u, NULL) != NGX_OK
        || (u->addrs && ngx_http_jsfn_client_allowed(u, u->addrs) != NGX_OK))
    {
        ngx_log_error(NGX_LOG_ERR, &u->log, 0,
                      "fetch to %V denied by js_function_fetch_allow",
                      &u->authority);

        ngx_http_jsfn_fetch_err(err, "fetch to %V is not allowed"
                                 " (js_function_fetch_allow)", &u->url);
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

#if !(NGX_HTTP_SSL)
    if (u->https) {
        ngx_http_jsfn_fetch_err(err, "https is not available: nginx was"
                                 " built without SSL");
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }
#endif

    if (ngx_http_jsfn_client_create_request(u, req, err) != NGX_OK) {
        ngx_destroy_pool(pool);
        return NGX_ERROR;
    }

    u->r = ngx_pcalloc(pool, sizeof(ngx_http_request_t));

    if (u->r == NULL
        || ngx_array_init(&u->headers, pool, 16, sizeof(jsfn_str_t))
           != NGX_OK)
    {
        ngx_destroy_pool(pool);
        goto nomem;
    }

    /* the work starts from an event: reports never come from this call */
    u->start.handler = ngx_http_jsfn_client_start_handler;
    u->start.data = u;
    u->start.log = &u->log;
    ngx_post_event(&u->start, &ngx_posted_events);

    u->resume.handler = ngx_http_jsfn_client_resume_handler;
    u->resume.data = u;
    u->resume.log = &u->log;

    u->f = f;
    f->ctl = ngx_http_jsfn_client_ctl;
    f->data = u;

    /* balanced by ngx_http_jsfn_client_uncount() */
    u->counted_ctx = f->ctx;
    ngx_http_jsfn_client_count(u);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                   "js function fetch start %V", &u->url);

    return NGX_OK;

nomem:

    ngx_http_jsfn_fetch_err(err, "out of memory");
    return NGX_ERROR;
}


/* the URL is the URL parser's serialisation: lower case scheme and host */
static ngx_int_t
ngx_http_jsfn_client_parse_url(ngx_http_jsfn_client_t *u, ngx_str_t *url,
    jsfn_err_t *err)
{
    u_char     *p, *last, *end, *h, *he;
    size_t      len;
    ngx_int_t   port;

    p = url->data;
    last = p + url->len;

    if (url->len > 7 && ngx_strncmp(p, "http://", 7) == 0) {
        p += 7;
        u->port = 80;

    } else if (url->len > 8 && ngx_strncmp(p, "https://", 8) == 0) {
        p += 8;
        u->port = 443;
        u->https = 1;

    } else {
        goto invalid;
    }

    for (end = p; end < last; end++) {
        if (*end == '/' || *end == '?' || *end == '#') {
            break;
        }
    }

    if (end == p || ngx_strlchr(p, end, '@') != NULL) {
        /* no host, or credentials, which Request refuses */
        goto invalid;
    }

    u->authority.data = p;
    u->authority.len = end - p;

    if (*p == '[') {
        h = p + 1;
        he = ngx_strlchr(p, end, ']');
        if (he == NULL) {
            goto invalid;
        }

        p = he + 1;
        u->literal = 1;

    } else {
        h = p;
        he = ngx_strlchr(p, end, ':');
        if (he == NULL) {
            he = end;
        }

        p = he;
    }

    if (p < end) {
        if (*p != ':') {
            goto invalid;
        }

        p++;

        if (p < end) {
            port = ngx_atoi(p, end - p);
            if (port < 1 || port > 65535) {
                goto invalid;
            }

            u->port = (in_port_t) port;
        }
    }

    len = he - h;

    if (len == 0 || len > 253 + 1) {
        goto invalid;
    }

    u->host.data = ngx_pnalloc(u->pool, len + 1);
    if (u->host.data == NULL) {
        goto invalid;
    }

    ngx_strlow(u->host.data, h, len);
    u->host.data[len] = '\0';
    u->host.len = len;

    if (!u->literal
        && ngx_inet_addr(u->host.data, u->host.len) != INADDR_NONE)
    {
        u->literal = 1;
    }

    for (p = u->host.data; p < u->host.data + len; p++) {
        if (*p <= ' ' || *p == '/' || *p == '\\' || *p == '%' || *p >= 0x7f) {
            goto invalid;
        }
    }

    /* the key of the idle cache: the origin and the TLS settings */
    u->key.data = ngx_pnalloc(u->pool, NGX_HTTP_JSFN_CLIENT_KEY_LEN);
    if (u->key.data == NULL) {
        goto invalid;
    }

    u->key.len = ngx_snprintf(u->key.data, NGX_HTTP_JSFN_CLIENT_KEY_LEN,
                              "%s://%V:%d %p",
                              u->https ? "https" : "http", &u->host,
                              (int) u->port,
                              u->https ? u->conf->fetch_ssl : NULL)
                 - u->key.data;

    return NGX_OK;

invalid:

    ngx_http_jsfn_fetch_err(err, "fetch cannot use the URL %V", url);
    return NGX_ERROR;
}


/*
 * js_function_fetch_allow.  With addr NULL: is the URL's host and port in
 * the list.  With an address (resolved, or the literal): an address of the
 * machine or of a private network (loopback, RFC 1918, link-local, ...)
 * needs a pattern naming the host or the address exactly; "*" and
 * "*.domain" never reach them, so that a public name that resolves to an
 * internal address (DNS rebinding) gets nowhere.
 */
static ngx_int_t
ngx_http_jsfn_client_allowed(ngx_http_jsfn_client_t *u, ngx_addr_t *addr)
{
    u_char                  text[NGX_SOCKADDR_STRLEN + 2];
    size_t                  n;
    ngx_str_t               ip;
    ngx_uint_t              i, special;
    ngx_http_jsfn_allow_t  *a;

    if (u->conf->fetch_allow == NULL) {
        return NGX_DECLINED;
    }

    special = 0;
    ip.len = 0;

    if (addr) {
        special = ngx_http_jsfn_client_special(addr->sockaddr);

        if (addr->sockaddr->sa_family == AF_INET6) {
            text[0] = '[';
            n = ngx_sock_ntop(addr->sockaddr, addr->socklen, text + 1,
                              NGX_SOCKADDR_STRLEN, 0);
            text[n + 1] = ']';
            ip.len = n + 2;

        } else {
            ip.len = ngx_sock_ntop(addr->sockaddr, addr->socklen, text,
                                   NGX_SOCKADDR_STRLEN, 0);
        }

        ip.data = text;
    }

    a = u->conf->fetch_allow->elts;

    for (i = 0; i < u->conf->fetch_allow->nelts; i++) {

        if (a[i].port && a[i].port != u->port) {
            continue;
        }

        if (a[i].any) {
            if (special) {
                continue;
            }

            return NGX_OK;
        }

        if (a[i].wildcard) {
            /* "*.x" matches "a.x", "a.b.x", not "x" */
            if (special || u->literal
                || u->host.len <= a[i].host.len
                || ngx_strncmp(u->host.data + u->host.len - a[i].host.len,
                               a[i].host.data, a[i].host.len) != 0)
            {
                continue;
            }

            return NGX_OK;
        }

        /* an exact host: the URL's host, or with brackets for IPv6 */
        if ((a[i].host.len == u->host.len
             && ngx_strncmp(a[i].host.data, u->host.data, u->host.len) == 0)
            || (u->authority.data[0] == '['
                && a[i].host.len == u->host.len + 2
                && ngx_strncmp(a[i].host.data + 1, u->host.data,
                               u->host.len) == 0))
        {
            return NGX_OK;
        }

        /* or the address it resolved to */
        if (ip.len && a[i].host.len == ip.len
            && ngx_strncmp(a[i].host.data, ip.data, ip.len) == 0)
        {
            return NGX_OK;
        }
    }

    return NGX_DECLINED;
}


static ngx_uint_t
ngx_http_jsfn_client_special(struct sockaddr *sa)
{
    in_addr_t             a;
    struct sockaddr_in   *sin;
#if (NGX_HAVE_INET6)
    u_char               *p;
    struct sockaddr_in6  *sin6;
#endif

    switch (sa->sa_family) {

#if (NGX_HAVE_INET6)
    case AF_INET6:
        sin6 = (struct sockaddr_in6 *) sa;
        p = sin6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
            a = ((in_addr_t) p[12] << 24) | (p[13] << 16) | (p[14] << 8)
                | p[15];
            goto v4;
        }

        return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr)
               || IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr)
               || (p[0] == 0xfe && (p[1] & 0xc0) == 0x80)    /* fe80::/10 */
               || (p[0] & 0xfe) == 0xfc                       /* fc00::/7 */
               || p[0] == 0xff;                               /* ff00::/8 */
#endif

    case AF_INET:
        sin = (struct sockaddr_in *) sa;
        a = ntohl(sin->sin_addr.s_addr);
        break;

    default:
        return 1;
    }

#if (NGX_HAVE_INET6)
v4:
#endif

    return (a >> 24) == 0                                /* 0.0.0.0/8 */
           || (a >> 24) == 10                            /* 10.0.0.0/8 */
           || (a >> 24) == 127                           /* loopback */
           || (a & 0xffc00000) == 0x64400000             /* 100.64.0.0/10 */
           || (a & 0xffff0000) == 0xa9fe0000             /* 169.254.0.0/16 */
           || (a & 0xfff00000) == 0xac100000             /* 172.16.0.0/12 */
           || (a & 0xffff0000) == 0xc0a80000             /* 192.168.0.0/16 */
           || (a >> 28) >= 0xe;                          /* multicast, 240/4 */
}


static ngx_int_t
ngx_http_jsfn_client_create_request(ngx_http_jsfn_client_t *u,
    const jsfn_fetch_t *req, jsfn_err_t *err)
{
    u_char      *p, *path, *end, *last;
    size_t       len, i, k;
    ngx_buf_t   *b;
    ngx_str_t   *hop;
    const char  *what;

    what = "method";

    for (i = 0; i < req->method.len; i++) {
        if (ngx_strchr("()<>@,;:\\\"/[]?={} \t", req->method.data[i]) != NULL
            || (u_char) req->method.data[i] <= ' '
            || (u_char) req->method.data[i] >= 0x7f)
        {
            goto invalid;
        }
    }

    if (req->method.len == 0
        || (req->method.len == 7
            && ngx_strncmp(req->method.data, "CONNECT", 7) == 0))
    {
        goto invalid;
    }

    u->head_method = (req->method.len == 4
                      && ngx_strncmp(req->method.data, "HEAD", 4) == 0);

    u->idempotent = u->head_method
                    || (req->method.len == 3
                        && (ngx_strncmp(req->method.data, "GET", 3) == 0
                            || ngx_strncmp(req->method.data, "PUT", 3) == 0))
                    || (req->method.len == 6
                        && ngx_strncmp(req->method.data, "DELETE", 6) == 0)
                    || (req->method.len == 7
                        && ngx_strncmp(req->method.data, "OPTIONS", 7) == 0);

    last = u->url.data + u->url.len;
    path = u->authority.data + u->authority.len;

    end = ngx_strlchr(path, last, '#');
    if (end == NULL) {
        end = last;
    }

    what = "URL";

    for (p = path; p < end; p++) {
        /* the URL parser has percent-encoded these: never on the wire */
        if (*p <= ' ' || *p >= 0x7f) {
            goto invalid;
        }
    }

    /* "METHOD /path HTTP/1.1" CRLF "Host: authority" CRLF */
    len = req->method.len + 1 + 1 + (end - path) + sizeof(" HTTP/1.1\r\n") - 1
          + sizeof("Host: \r\n") - 1 + u->authority.len
          + sizeof("Connection: keep-alive\r\n") - 1
          + sizeof("Content-Length: \r\n") - 1 + NGX_OFF_T_LEN
          + sizeof("\r\n") - 1 + req->body_len;

    what = "header";

    for (i = 0; i < req->nheaders; i++) {
        for (k = 0; k < req->headers[2 * i + 1].len; k++) {
            p = (u_char *) &req->headers[2 * i + 1].data[k];

            if (*p == CR || *p == LF || *p == '\0') {
                goto invalid;
            }
        }

        for (k = 0; k < req->headers[2 * i].len; k++) {
            p = (u_char *) &req->headers[2 * i].data[k];

            if (*p <= ' ' || *p == ':' || *p >= 0x7f) {
                goto invalid;
            }
        }

        if (req->headers[2 * i].len == 0) {
            goto invalid;
        }

        len += req->headers[2 * i].len + sizeof(": \r\n") - 1
               + req->headers[2 * i + 1].len;
    }

    b = ngx_create_temp_buf(u->pool, len);
    if (b == NULL) {
        what = "request (out of memory)";
        goto invalid;
    }

    p = ngx_cpymem(b->last, req->method.data, req->method.len);
    *p++ = ' ';

    if (path == end || *path != '/') {
        *p++ = '/';
    }

    p = ngx_cpymem(p, path, end - path);
    p = ngx_cpymem(p, " HTTP/1.1\r\nHost: ", sizeof(" HTTP/1.1\r\nHost: ") - 1);
    p = ngx_cpymem(p, u->authority.data, u->authority.len);
    *p++ = CR; *p++ = LF;

    for (i = 0; i < req->nheaders; i++) {

        for (hop = ngx_http_jsfn_client_hop; hop->len; hop++) {
            if (hop->len == req->headers[2 * i].len
                && ngx_strncasecmp(hop->data,
                                   (u_char *) req->headers[2 * i].data,
                                   hop->len) == 0)
            {
                break;
            }
        }

        if (hop->len) {
            continue;
        }

        p = ngx_cpymem(p, req->headers[2 * i].data, req->headers[2 * i].len);
        *p++ = ':'; *p++ = ' ';
        p = ngx_cpymem(p, req->headers[2 * i + 1].data,
                       req->headers[2 * i + 1].len);
        *p++ = CR; *p++ = LF;
    }

    if (req->body
        || (req->method.len == 4
            && ngx_strncmp(req->method.data, "POST", 4) == 0)
        || (req->method.len == 3
            && ngx_strncmp(req->method.data, "PUT", 3) == 0)
        || (req->method.len == 5
            && ngx_strncmp(req->method.data, "PATCH", 5) == 0))
    {
        p = ngx_sprintf(p, "Content-Length: %uz\r\n",
                        req->body ? req->body_len : 0);
    }

    p = ngx_cpymem(p, "Connection: keep-alive\r\n\r\n",
                   sizeof("Connection: keep-alive\r\n\r\n") - 1);

    if (req->body && req->body_len) {
        p = ngx_cpymem(p, req->body, req->body_len);
    }

    b->last = p;
    u->request = b;

    return NGX_OK;

invalid:

    ngx_http_jsfn_fetch_err(err, "fetch cannot send this %s", what);
    return NGX_ERROR;
}


/* an IP literal, or localhost (the loopback, as browsers have it) */
static ngx_int_t
ngx_http_jsfn_client_literal(ngx_http_jsfn_client_t *u)
{
    ngx_int_t    rc;
    ngx_addr_t  *addr;

    if (!u->literal && !(u->host.len == 9
                         && ngx_strncmp(u->host.data, "localhost", 9) == 0))
    {
        return NGX_OK;
    }

    addr = ngx_pcalloc(u->pool, sizeof(ngx_addr_t));
    if (addr == NULL) {
        return NGX_ERROR;
    }

    rc = ngx_parse_addr(u->pool, addr,
                        u->literal ? u->host.data : (u_char *) "127.0.0.1",
                        u->literal ? u->host.len : 9);

    if (rc == NGX_ERROR) {
        return NGX_ERROR;
    }

    if (rc != NGX_OK) {
        /* not an address after all: a name for the resolver */
        u->literal = 0;
        return NGX_OK;
    }

    ngx_inet_set_port(addr->sockaddr, u->port);

    u->addrs = addr;
    u->naddrs = 1;

    return NGX_OK;
}


static void
ngx_http_jsfn_client_start_handler(ngx_event_t *ev)
{
    ngx_http_jsfn_client_t *u = ev->data;

    ngx_resolver_ctx_t        *ctx, temp;
    ngx_http_jsfn_loc_conf_t  *conf;

    conf = u->conf;

    if (u->addrs) {
        /* an address already */
        ngx_http_jsfn_client_connect(u);
        return;
    }

    if (!u->retried && ngx_http_jsfn_client_cache_get(u) != NULL) {
        /* a kept-alive connection to the origin: no resolving */
        ngx_http_jsfn_client_connected(u);
        return;
    }

    ngx_memzero(&temp, sizeof(ngx_resolver_ctx_t));
    temp.name = u->host;

    ctx = conf->fetch_resolver ? ngx_resolve_start(conf->fetch_resolver, &temp)
                               : NGX_NO_RESOLVER;

    if (ctx == NULL) {
        ngx_http_jsfn_client_fail(u, "out of memory");
        return;
    }

    if (ctx == NGX_NO_RESOLVER) {
        ngx_http_jsfn_client_fail(u, "cannot resolve %V: no resolver defined"
                                  " (the resolver directive)", &u->host);
        return;
    }

    ctx->name = u->host;
    ctx->handler = ngx_http_jsfn_client_resolve_handler;
    ctx->data = u;
    ctx->timeout = conf->fetch_resolver_timeout;

    u->resolve = ctx;
    u->log.action = "resolving";

    if (ngx_resolve_name(ctx) != NGX_OK) {
        /* the resolver freed ctx */
        u->resolve = NULL;
        ngx_http_jsfn_client_fail(u, "cannot resolve %V", &u->host);
        return;
    }

    /* the handler may have run already, and "u" be freed */
}


static void
ngx_http_jsfn_client_resolve_handler(ngx_resolver_ctx_t *ctx)
{
    ngx_http_jsfn_client_t *u = ctx->data;

    ngx_int_t    state;
    ngx_uint_t   i, n;
    ngx_addr_t  *addrs;

    u->resolve = NULL;

    if (ctx->state) {
        state = ctx->state;
        ngx_resolve_name_done(ctx);
        ngx_http_jsfn_client_fail(u, "cannot resolve %V: %s", &u->host,
                                  ngx_resolver_strerror(state));
        return;
    }

    addrs = ngx_pcalloc(u->pool, ctx->naddrs * sizeof(ngx_addr_t));
    if (addrs == NULL) {
        ngx_resolve_name_done(ctx);
        ngx_http_jsfn_client_fail(u, "out of memory");
        return;
    }

    n = 0;

    for (i = 0; i < ctx->naddrs; i++) {
        addrs[n].socklen = ctx->addrs[i].socklen;
        addrs[n].sockaddr = ngx_palloc(u->pool, addrs[n].socklen);
        if (addrs[n].sockaddr == NULL) {
            ngx_resolve_name_done(ctx);
            ngx_http_jsfn_client_fail(u, "out of memory");
            return;
        }

        ngx_memcpy(addrs[n].sockaddr, ctx->addrs[i].sockaddr,
                   addrs[n].socklen);
        ngx_inet_set_port(addrs[n].sockaddr, u->port);

        /* the target again, now that it is known */
        if (ngx_http_jsfn_client_allowed(u, &addrs[n]) == NGX_OK) {
            n++;
        }
    }

    ngx_resolve_name_done(ctx);

    if (n == 0) {
        ngx_http_jsfn_client_fail(u, "fetch to %V is not allowed: %V"
                                  " resolves to an internal address"
                                  " (js_function_fetch_allow)",
                                  &u->url, &u->host);
        return;
    }

    u->addrs = addrs;
    u->naddrs = n;

    ngx_http_jsfn_client_connect(u);
}


static void
ngx_http_jsfn_client_connect(ngx_http_jsfn_client_t *u)
{
    u_char            *p;
    ngx_int_t          rc;
    ngx_addr_t        *addr;
    ngx_connection_t  *c;

    if (!u->retried && ngx_http_jsfn_client_cache_get(u) != NULL) {
        ngx_http_jsfn_client_connected(u);
        return;
    }

    addr = &u->addrs[u->addr];

    ngx_memzero(&u->pc, sizeof(ngx_peer_connection_t));

    p = ngx_pnalloc(u->pool, NGX_SOCKADDR_STRLEN);
    if (p == NULL) {
        ngx_http_jsfn_client_fail(u, "out of memory");
        return;
    }

    u->pc.name = ngx_pcalloc(u->pool, sizeof(ngx_str_t));
    if (u->pc.name == NULL) {
        ngx_http_jsfn_client_fail(u, "out of memory");
        return;
    }

    u->pc.name->data = p;
    u->pc.name->len = ngx_sock_ntop(addr->sockaddr, addr->socklen, p,
                                    NGX_SOCKADDR_STRLEN, 1);

    ngx_memcpy(&u->sockaddr, addr->sockaddr, addr->socklen);
    u->socklen = addr->socklen;

    u->pc.sockaddr = &u->sockaddr.sockaddr;
    u->pc.socklen = u->socklen;
    u->pc.get = ngx_event_get_peer;
    u->pc.log = &u->log;
    u->pc.log_error = NGX_ERROR_ERR;
    u->pc.tries = 1;

    u->state = ngx_http_jsfn_client_connecting;
    u->log.action = "connecting";

    rc = ngx_event_connect_peer(&u->pc);

    if (rc == NGX_ERROR || rc == NGX_BUSY || rc == NGX_DECLINED) {
        u_char     msg[NGX_MAX_ERROR_STR];
        ngx_err_t  err;

        err = ngx_socket_errno;
        u->pc.connection = NULL;

        if (rc == NGX_DECLINED && u->addr + 1 < u->naddrs) {
            u->addr++;
            ngx_http_jsfn_client_connect(u);
            return;
        }

        if (err) {
            *ngx_strerror(err, msg, sizeof(msg) - 1) = '\0';

        } else {
            /* no socket error: no free connection (worker_connections) */
            ngx_cpystrn(msg, (u_char *) "no free connection", sizeof(msg));
        }

        ngx_http_jsfn_client_fail(u, "connect to %V failed: %s", u->pc.name,
                                  msg);
        return;
    }

    c = u->pc.connection;

    c->data = u;
    c->read->handler = ngx_http_jsfn_client_read_handler;
    c->write->handler = ngx_http_jsfn_client_write_handler;

    c->pool = ngx_create_pool(256, ngx_cycle->log);
    if (c->pool == NULL) {
        ngx_http_jsfn_client_fail(u, "out of memory");
        return;
    }

    u->r->connection = c;

    if (rc == NGX_AGAIN) {
        ngx_add_timer(c->write, u->conf->fetch_timeout);
        return;
    }

    ngx_http_jsfn_client_connected(u);
}


/* a new connection is up, or a kept-alive one taken from the cache */
static void
ngx_http_jsfn_client_connected(ngx_http_jsfn_client_t *u)
{
    ngx_connection_t  *c;

    c = u->pc.connection;

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

#if (NGX_HTTP_SSL)

    if (u->https && c->ssl == NULL) {
        ngx_int_t                        rc;
        ngx_http_jsfn_main_conf_t       *jmcf;
        ngx_http_jsfn_client_session_t  *s;

        u->state = ngx_http_jsfn_client_handshaking;
        u->log.action = "TLS handshaking";

        if (ngx_ssl_create_connection(u->conf->fetch_ssl, c, NGX_SSL_CLIENT)
            != NGX_OK)
        {
            ngx_http_jsfn_client_fail(u, "TLS with %V failed", &u->authority);
            return;
        }

        /* the origin's last session: a shorter handshake */
        c->ssl->save_session = ngx_http_jsfn_client_save_session;

        jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                                  ngx_http_js_function_module);

        if (jmcf->fetch_cache) {
            s = ngx_http_jsfn_client_session(u, jmcf->fetch_cache);

            if (s && ngx_ssl_set_session(c, s->session) != NGX_OK) {
                ngx_http_jsfn_client_fail(u, "TLS with %V failed",
                                          &u->authority);
                return;
            }
        }

        if (!u->literal
            && SSL_set_tlsext_host_name(c->ssl->connection,
                                        (char *) u->host.data)
               != 1)
        {
            ngx_ssl_error(NGX_LOG_ERR, c->log, 0,
                          "SSL_set_tlsext_host_name(\"%s\") failed",
                          u->host.data);
            ngx_http_jsfn_client_fail(u, "TLS with %V failed", &u->authority);
            return;
        }

        rc = ngx_ssl_handshake(c);

        if (rc == NGX_AGAIN) {
            ngx_add_timer(c->write, u->conf->fetch_timeout);
            c->ssl->handler = ngx_http_jsfn_client_ssl_handshake;
            return;
        }

        ngx_http_jsfn_client_ssl_handshake(c);
        return;
    }

#endif

    u->state = ngx_http_jsfn_client_sending;
    u->log.action = "sending the request";
    u->request->pos = u->request->start;

    ngx_http_jsfn_client_send(u);
}


#if (NGX_HTTP_SSL)

static void
ngx_http_jsfn_client_ssl_handshake(ngx_connection_t *c)
{
    ngx_http_jsfn_client_t *u = c->data;

    long       rc;
    X509      *cert;
    ngx_int_t  ok;

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (!c->ssl->handshaked) {
        if (c->write->timedout || c->read->timedout) {
            ngx_http_jsfn_client_fail(u, "TLS handshake with %V timed out",
                                      &u->authority);
            return;
        }

        ngx_http_jsfn_client_fail(u, "TLS handshake with %V failed",
                                  &u->authority);
        return;
    }

    if (u->conf->fetch_verify) {
        rc = SSL_get_verify_result(c->ssl->connection);

        if (rc != X509_V_OK) {
            ngx_http_jsfn_client_fail(u, "TLS certificate of %V failed"
                                      " verification: %s", &u->authority,
                                      X509_verify_cert_error_string(rc));
            return;
        }

        if (u->literal) {
            cert = SSL_get_peer_certificate(c->ssl->connection);
            ok = (cert != NULL
                  && X509_check_ip_asc(cert, (char *) u->host.data, 0) == 1);
            if (cert) {
                X509_free(cert);
            }

        } else {
            ok = (ngx_ssl_check_host(c, &u->host) == NGX_OK);
        }

        if (!ok) {
            ngx_http_jsfn_client_fail(u, "TLS certificate of %V is not"
                                      " valid for %V", &u->authority,
                                      &u->host);
            return;
        }
    }

    c->read->handler = ngx_http_jsfn_client_read_handler;
    c->write->handler = ngx_http_jsfn_client_write_handler;

    u->state = ngx_http_jsfn_client_sending;
    u->log.action = "sending the request";
    u->request->pos = u->request->start;

    ngx_http_jsfn_client_send(u);
}


static ngx_http_jsfn_client_session_t *
ngx_http_jsfn_client_session(ngx_http_jsfn_client_t *u,
    ngx_http_jsfn_client_cache_t *cache)
{
    ngx_queue_t                     *q;
    ngx_http_jsfn_client_session_t  *s;

    for (q = ngx_queue_head(&cache->sessions);
         q != ngx_queue_sentinel(&cache->sessions);
         q = ngx_queue_next(q))
    {
        s = ngx_queue_data(q, ngx_http_jsfn_client_session_t, queue);

        if (s->key_len == u->key.len
            && ngx_memcmp(s->key, u->key.data, u->key.len) == 0)
        {
            return s;
        }
    }

    return NULL;
}


/*
 * OpenSSL has a session for the connection (after the handshake, or a
 * TLS 1.3 ticket read with the response): the origin's, replacing the one
 * before; the least recently saved of another origin goes when all are
 * taken.
 */
static void
ngx_http_jsfn_client_save_session(ngx_connection_t *c)
{
    ngx_queue_t                     *q;
    ngx_ssl_session_t               *session;
    ngx_http_jsfn_client_t          *u;
    ngx_http_jsfn_main_conf_t       *jmcf;
    ngx_http_jsfn_client_cache_t    *cache;
    ngx_http_jsfn_client_session_t  *s;

    u = c->data;

    jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_js_function_module);
    cache = jmcf->fetch_cache;

    if (cache == NULL || u->key.len > NGX_HTTP_JSFN_CLIENT_KEY_LEN
        || (u->conf->fetch_verify
            && SSL_get_verify_result(c->ssl->connection) != X509_V_OK))
    {
        return;
    }

    session = ngx_ssl_get_session(c);
    if (session == NULL) {
        return;
    }

    s = ngx_http_jsfn_client_session(u, cache);

    if (s) {
        ngx_ssl_free_session(s->session);
        q = &s->queue;
        ngx_queue_remove(q);

    } else if (!ngx_queue_empty(&cache->free_sessions)) {
        q = ngx_queue_head(&cache->free_sessions);
        ngx_queue_remove(q);

    } else {
        q = ngx_queue_last(&cache->sessions);
        ngx_queue_remove(q);
        s = ngx_queue_data(q, ngx_http_jsfn_client_session_t, queue);
        ngx_ssl_free_session(s->session);
    }

    s = ngx_queue_data(q, ngx_http_jsfn_client_session_t, queue);

    s->session = session;
    s->key_len = u->key.len;
    ngx_memcpy(s->key, u->key.data, u->key.len);

    ngx_queue_insert_head(&cache->sessions, q);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "js function fetch saves TLS session of %V",
                   &u->authority);
}

#endif


static void
ngx_http_jsfn_client_write_handler(ngx_event_t *ev)
{
    int                      err;
    socklen_t                len;
    ngx_connection_t        *c;
    ngx_http_jsfn_client_t  *u;

    c = ev->data;
    u = c->data;

    switch (u->state) {

    case ngx_http_jsfn_client_connecting:

        if (ev->timedout) {
            ngx_http_jsfn_client_fail(u, "connect to %V timed out",
                                      u->pc.name);
            return;
        }

        err = 0;
        len = sizeof(int);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, (void *) &err, &len)
            == -1)
        {
            err = ngx_socket_errno;
        }

        if (err) {
            u_char  msg[NGX_MAX_ERROR_STR];

            if (u->addr + 1 < u->naddrs) {
                /* the next address of the name */
                ngx_http_jsfn_client_close(c);
                u->pc.connection = NULL;
                u->addr++;
                ngx_http_jsfn_client_connect(u);
                return;
            }

            *ngx_strerror(err, msg, sizeof(msg) - 1) = '\0';
            ngx_http_jsfn_client_fail(u, "connect to %V failed: %s",
                                      u->pc.name, msg);
            return;
        }

        ngx_http_jsfn_client_connected(u);
        return;

    case ngx_http_jsfn_client_sending:

        if (ev->timedout) {
            ngx_http_jsfn_client_fail(u, "sending the request to %V timed"
                                      " out", &u->authority);
            return;
        }

        ngx_http_jsfn_client_send(u);
        return;

    default:
        /* writable while reading: nothing to do */
        return;
    }
}


static void
ngx_http_jsfn_client_send(ngx_http_jsfn_client_t *u)
{
    ssize_t            n;
    ngx_buf_t         *b;
    ngx_connection_t  *c;

    c = u->pc.connection;
    b = u->request;

    while (b->pos < b->last) {
        n = c->send(c, b->pos, b->last - b->pos);

        if (n == NGX_AGAIN) {
            if (!c->write->timer_set) {
                ngx_add_timer(c->write, u->conf->fetch_timeout);
            }

            if (ngx_handle_write_event(c->write, 0) != NGX_OK) {
                ngx_http_jsfn_client_fail(u, "sending the request to %V"
                                          " failed", &u->authority);
            }

            return;
        }

        if (n == NGX_ERROR) {
            if (u->reused && ngx_http_jsfn_client_retry(u) == NGX_OK) {
                return;
            }

            ngx_http_jsfn_client_fail(u, "sending the request to %V failed",
                                      &u->authority);
            return;
        }

        b->pos += n;
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    u->state = ngx_http_jsfn_client_reading_head;
    u->log.action = "reading the response head";

    ngx_add_timer(c->read, u->conf->fetch_timeout);

    if (c->read->ready) {
        ngx_http_jsfn_client_read_handler(c->read);
        return;
    }

    if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
        ngx_http_jsfn_client_fail(u, "reading from %V failed",
                                  &u->authority);
    }
}


static void
ngx_http_jsfn_client_read_handler(ngx_event_t *ev)
{
    ngx_connection_t  *c;

    c = ev->data;

    ngx_http_jsfn_client_read(c->data, ev->timedout);
}


/* JS wants more of the body: on from the event loop */
static void
ngx_http_jsfn_client_resume_handler(ngx_event_t *ev)
{
    ngx_uint_t  timedout;

    /* posted by ctl(WANT), or the timer of a pause without a connection */
    timedout = ev->timedout;
    ev->timedout = 0;

    if (ev->timer_set) {
        ngx_del_timer(ev);
    }

    ngx_http_jsfn_client_read(ev->data, timedout);
}


static void
ngx_http_jsfn_client_read(ngx_http_jsfn_client_t *u, ngx_uint_t timedout)
{
    ssize_t            n;
    ngx_int_t          rc;
    ngx_buf_t         *b;
    ngx_uint_t         reads;
    ngx_connection_t  *c;

    if (timedout) {
        if (u->paused) {
            ngx_http_jsfn_client_fail(u, "the response body from %V was"
                                      " not read for %M ms"
                                      " (js_function_fetch_timeout)",
                                      &u->authority, u->conf->fetch_timeout);
            return;
        }

        ngx_http_jsfn_client_fail(u, "reading the response from %V timed"
                                  " out", &u->authority);
        return;
    }

    if (u->state < ngx_http_jsfn_client_reading_head || u->paused) {
        /* not yet, or the body waits for JS: the data stays in the kernel */
        return;
    }

    if (u->buf == NULL) {
        /*
         * Made when the response begins, not while it is awaited: one read
         * takes the head and, for most responses, the whole body; a body
         * is then read in pieces of this size (each piece is a report to
         * JS, which costs about the same whatever its size).
         */
        u->buf = ngx_create_temp_buf(u->pool,
                                     ngx_max(u->conf->fetch_max_header_size,
                                             NGX_HTTP_JSFN_CLIENT_BUF));
        if (u->buf == NULL) {
            ngx_http_jsfn_client_fail(u, "out of memory");
            return;
        }
    }

    b = u->buf;
    c = u->pc.connection;
    reads = 0;

    for ( ;; ) {

        if (u->state == ngx_http_jsfn_client_reading_body) {
            /* what is buffered first, as far as JS takes it */
            rc = ngx_http_jsfn_client_process_body(u);

            if (rc != NGX_OK) {
                /* ended, failed, or paused */
                return;
            }

            /* all of it taken */
            b->pos = b->start;
            b->last = b->start;

            if (c == NULL) {
                /* cannot be: a body whole in the buffer ends in it */
                ngx_http_jsfn_client_fail(u, "the response from %V ended"
                                          " early", &u->authority);
                return;
            }
        }

        if (u->state == ngx_http_jsfn_client_reading_head
            && (size_t) (b->last - b->start)
               >= u->conf->fetch_max_header_size)
        {
            ngx_http_jsfn_client_head_too_large(u);
            return;
        }

        if (reads++ == NGX_HTTP_JSFN_CLIENT_READS) {
            /* a fast server: the rest after the worker's other events */
            ngx_post_event(&u->resume, &ngx_posted_next_events);
            return;
        }

        n = c->recv(c, b->last, b->end - b->last);

        if (n == NGX_AGAIN) {
            /* inactivity: from the last byte read */
            ngx_add_timer(c->read, u->conf->fetch_timeout);

            if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
                ngx_http_jsfn_client_fail(u, "reading from %V failed",
                                          &u->authority);
            }

            return;
        }

        if (n == 0 || n == NGX_ERROR) {

            if (u->state == ngx_http_jsfn_client_reading_head) {
                if (!u->got_bytes && u->reused
                    && ngx_http_jsfn_client_retry(u) == NGX_OK)
                {
                    return;
                }

                ngx_http_jsfn_client_fail(u, "%V %s before sending a"
                                          " complete response head",
                                          &u->authority,
                                          n == 0 ? "closed the connection"
                                                 : "reset the connection");
                return;
            }

            if (u->to_close && n == 0) {
                /* the end of a body without a length */
                u->keepalive = 0;
                (void) ngx_http_jsfn_client_deliver(u, NULL, 0, 1);
                return;
            }

            ngx_http_jsfn_client_fail(u, "%V %s before the end of the"
                                      " response body", &u->authority,
                                      n == 0 ? "closed the connection"
                                             : "reset the connection");
            return;
        }

        u->got_bytes = 1;
        b->last += n;

        if (u->state == ngx_http_jsfn_client_reading_head) {
            rc = ngx_http_jsfn_client_process_head(u);

            if (rc == NGX_AGAIN) {
                continue;
            }

            if (rc != NGX_OK) {
                /* failed, ended (no body) or paused */
                return;
            }

            /* the body, from what followed the head in the buffer; the
               connection may have gone to the idle cache already */
            c = u->pc.connection;
        }
    }
}


static void
ngx_http_jsfn_client_head_too_large(ngx_http_jsfn_client_t *u)
{
    ngx_http_jsfn_client_fail(u, "the response head from %V is larger than"
                              " js_function_fetch_max_header_size"
                              " (%uz bytes)", &u->authority,
                              u->conf->fetch_max_header_size);
}


static ngx_int_t
ngx_http_jsfn_client_process_head(ngx_http_jsfn_client_t *u)
{
    ngx_int_t            rc;
    jsfn_str_t          *h;
    ngx_http_request_t  *r;

    r = u->r;

    for ( ;; ) {

        if (u->status.code == 0) {
            rc = ngx_http_parse_status_line(r, u->buf, &u->status);

            if (rc == NGX_AGAIN) {
                return NGX_AGAIN;
            }

            if (rc != NGX_OK) {
                ngx_http_jsfn_client_fail(u, "%V sent an invalid status"
                                          " line", &u->authority);
                return NGX_ERROR;
            }

            r->state = 0;
        }

        rc = ngx_http_parse_header_line(r, u->buf, 1);

        if (rc == NGX_AGAIN) {
            return NGX_AGAIN;
        }

        if (rc == NGX_OK) {
            h = ngx_array_push_n(&u->headers, 2);
            if (h == NULL) {
                ngx_http_jsfn_client_fail(u, "out of memory");
                return NGX_ERROR;
            }

            h[0].data = (char *) r->header_name_start;
            h[0].len = r->header_name_end - r->header_name_start;
            h[1].data = (char *) r->header_start;
            h[1].len = r->header_end - r->header_start;

            continue;
        }

        if (rc != NGX_HTTP_PARSE_HEADER_DONE) {
            ngx_http_jsfn_client_fail(u, "%V sent an invalid header line",
                                      &u->authority);
            return NGX_ERROR;
        }

        r->state = 0;

        if ((size_t) (u->buf->pos - u->buf->start)
            > u->conf->fetch_max_header_size)
        {
            /* read along with more in one go (the buffer is larger) */
            ngx_http_jsfn_client_head_too_large(u);
            return NGX_ERROR;
        }

        if (u->status.code >= 100 && u->status.code < 200
            && u->status.code != 101)
        {
            /* 100 Continue and the like: the response is still to come */
            ngx_memzero(&u->status, sizeof(ngx_http_status_t));
            u->headers.nelts = 0;
            continue;
        }

        return ngx_http_jsfn_client_head_done(u);
    }
}


static ngx_int_t
ngx_http_jsfn_client_head_done(ngx_http_jsfn_client_t *u)
{
    off_t               n;
    u_char             *p;
    ngx_int_t           rc;
    ngx_str_t           name, value;
    ngx_uint_t          i, nh, bodiless;
    jsfn_str_t         *h;
    jsfn_fetch_head_t   head;

    h = u->headers.elts;
    nh = u->headers.nelts / 2;

    if (u->status.code == 101) {
        ngx_http_jsfn_client_fail(u, "%V switched protocols, which fetch"
                                  " does not do", &u->authority);
        return NGX_ERROR;
    }

    u->keepalive = (u->status.http_version >= NGX_HTTP_VERSION_11);

    for (i = 0; i < nh; i++) {
        name.data = (u_char *) h[2 * i].data;
        name.len = h[2 * i].len;
        value.data = (u_char *) h[2 * i + 1].data;
        value.len = h[2 * i + 1].len;

        if (name.len == 14
            && ngx_strncasecmp(name.data, (u_char *) "content-length", 14)
               == 0)
        {
            n = ngx_atoof(value.data, value.len);

            if (n == NGX_ERROR || (u->length != -1 && n != u->length)) {
                ngx_http_jsfn_client_fail(u, "%V sent an invalid"
                                          " Content-Length", &u->authority);
                return NGX_ERROR;
            }

            u->length = n;

        } else if (name.len == 17
                   && ngx_strncasecmp(name.data,
                                      (u_char *) "transfer-encoding", 17)
                      == 0)
        {
            if (value.len == 7
                && ngx_strncasecmp(value.data, (u_char *) "chunked", 7) == 0)
            {
                u->is_chunked = 1;

            } else {
                ngx_http_jsfn_client_fail(u, "%V sent an unsupported"
                                          " Transfer-Encoding \"%V\"",
                                          &u->authority, &value);
                return NGX_ERROR;
            }

        } else if (name.len == 10
                   && ngx_strncasecmp(name.data, (u_char *) "keep-alive", 10)
                      == 0
                   && (p = ngx_strlcasestrn(value.data,
                                            value.data + value.len,
                                            (u_char *) "timeout=", 8 - 1))
                      != NULL)
        {
            /* "Keep-Alive: timeout=5, max=100": closed after 5 s idle */
            n = 0;

            for (p += 8; p < value.data + value.len; p++) {
                if (*p < '0' || *p > '9' || n > 86400) {
                    break;
                }

                n = n * 10 + (*p - '0');
            }

            if (n > 0) {
                u->idle = (ngx_msec_t) n * 1000;
            }

        } else if (name.len == 10
                   && ngx_strncasecmp(name.data, (u_char *) "connection", 10)
                      == 0
                   && ngx_strlcasestrn(value.data, value.data + value.len,
                                       (u_char *) "close", 5 - 1)
                      != NULL)
        {
            u->keepalive = 0;
        }
    }

    bodiless = u->head_method || u->status.code == 204
               || u->status.code == 304;

    if (bodiless) {
        u->length = 0;
        u->is_chunked = 0;

    } else if (u->is_chunked) {
        if (u->length != -1) {
            /* both: the length is not to be trusted, nor the connection */
            u->keepalive = 0;
            u->length = -1;
        }

    } else if (u->length == -1) {
        u->to_close = 1;
        u->keepalive = 0;
    }

    if (u->conf->fetch_max_response_size
        && u->length > (off_t) u->conf->fetch_max_response_size)
    {
        ngx_http_jsfn_client_fail(u, "the response body from %V (%O bytes)"
                                  " is larger than"
                                  " js_function_fetch_max_response_size"
                                  " (%uz bytes)", &u->authority, u->length,
                                  u->conf->fetch_max_response_size);
        return NGX_ERROR;
    }

    head.status = (int) u->status.code;

    /* the reason phrase: after "NNN " */
    p = u->status.start + 3;
    while (p < u->status.end && *p == ' ') {
        p++;
    }

    head.status_text.data = (char *) p;
    head.status_text.len = u->status.end > p ? u->status.end - p : 0;
    head.headers = h;
    head.nheaders = nh;
    head.url.data = (char *) u->url.data;
    head.url.len = u->url.len;

    u->state = ngx_http_jsfn_client_reading_body;
    u->log.action = "reading the response body";
    u->head_sent = 1;

    if (u->keepalive && !u->is_chunked
        && u->length == (off_t) (u->buf->last - u->buf->pos))
    {
        /*
         * The response is whole in the buffer (no body, or a small one): the
         * connection can serve the next fetch now, whatever JS does with
         * this body (the engine drops the body of a HEAD, 204 or 304).
         */
        ngx_http_jsfn_client_cache_put(u);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                   "js function fetch head %ui, length %O",
                   u->status.code, u->length);

    rc = ngx_http_jsfn_client_report(u, &head, NULL, 0, 0);

    if (rc == NGX_DECLINED) {
        ngx_http_jsfn_client_finalize(u);
        return NGX_DONE;
    }

    if (rc == NGX_AGAIN) {
        ngx_http_jsfn_client_pause(u);
        return NGX_DONE;
    }

    /* the body: what followed the head in the buffer comes first */
    return NGX_OK;
}


/*
 * Hands JS the body bytes in the buffer (b->pos to b->last), decoding
 * chunked bodies.  NGX_OK: all of them taken, more wanted; NGX_DONE: the
 * fetch ended (or failed, or JS waits: "paused"); "u" may be freed then.
 */
static ngx_int_t
ngx_http_jsfn_client_process_body(ngx_http_jsfn_client_t *u)
{
    size_t      size;
    u_char     *p;
    ngx_int_t   rc;
    ngx_buf_t  *b;

    b = u->buf;

    while (!u->paused) {

        if (u->is_chunked) {
            rc = ngx_http_parse_chunked(u->r, b, &u->chunked);

            if (rc == NGX_AGAIN) {
                return NGX_OK;
            }

            if (rc == NGX_DONE) {
                /* anything past the last chunk: not a connection to keep */
                if (b->pos != b->last) {
                    u->keepalive = 0;
                }

                (void) ngx_http_jsfn_client_deliver(u, NULL, 0, 1);
                return NGX_DONE;
            }

            if (rc != NGX_OK) {
                ngx_http_jsfn_client_fail(u, "%V sent an invalid chunked"
                                          " body", &u->authority);
                return NGX_DONE;
            }

            size = ngx_min((off_t) (b->last - b->pos), u->chunked.size);

            if (size == 0) {
                return NGX_OK;
            }

            p = b->pos;
            b->pos += size;
            u->chunked.size -= size;

            if (ngx_http_jsfn_client_deliver(u, p, size, 0) != NGX_OK) {
                return NGX_DONE;
            }

            continue;
        }

        if (u->length == 0) {
            /* no body, or an empty one; anything after it is not ours */
            if (b->pos != b->last) {
                u->keepalive = 0;
            }

            (void) ngx_http_jsfn_client_deliver(u, NULL, 0, 1);
            return NGX_DONE;
        }

        if (b->pos == b->last) {
            return NGX_OK;
        }

        size = b->last - b->pos;

        if (u->length != -1) {
            if ((off_t) size >= u->length) {
                if ((off_t) size > u->length) {
                    /* more than the length said: not a connection to keep */
                    u->keepalive = 0;
                }

                size = (size_t) u->length;
                p = b->pos;
                b->pos = b->last;
                (void) ngx_http_jsfn_client_deliver(u, p, size, 1);
                return NGX_DONE;
            }

            u->length -= size;
        }

        p = b->pos;
        b->pos = b->last;

        if (ngx_http_jsfn_client_deliver(u, p, size, 0) != NGX_OK) {
            return NGX_DONE;
        }
    }

    return NGX_DONE;
}


/*
 * One piece of the body to JS.  NGX_OK: more wanted.  Otherwise the fetch
 * ended ("u" freed) or JS waits for its reader (u->paused).
 */
static ngx_int_t
ngx_http_jsfn_client_deliver(ngx_http_jsfn_client_t *u, u_char *p,
    size_t len, ngx_uint_t last)
{
    ngx_int_t  rc;

    u->received += len;

    if (u->conf->fetch_max_response_size
        && u->received > (off_t) u->conf->fetch_max_response_size)
    {
        ngx_http_jsfn_client_fail(u, "the response body from %V is larger"
                                  " than js_function_fetch_max_response_size"
                                  " (%uz bytes)", &u->authority,
                                  u->conf->fetch_max_response_size);
        return NGX_DONE;
    }

    if (last) {
        /* the connection may serve the next fetch, even one this runs */
        if (u->keepalive) {
            ngx_http_jsfn_client_cache_put(u);
        }

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                       "js function fetch done, %O bytes", u->received);

        (void) ngx_http_jsfn_client_report(u, NULL, p, len, JSFN_DATA_LAST);

        ngx_http_jsfn_client_finalize(u);
        return NGX_DONE;
    }

    rc = ngx_http_jsfn_client_report(u, NULL, p, len, 0);

    if (rc == NGX_DECLINED) {
        ngx_http_jsfn_client_finalize(u);
        return NGX_DONE;
    }

    if (rc == NGX_AGAIN && !u->want) {
        ngx_http_jsfn_client_pause(u);
        return NGX_DONE;
    }

    return NGX_OK;
}


/*
 * Until ctl(JSFN_FETCH_WANT) no byte is read: the server's data waits in
 * the kernel (backpressure).  A body that JS leaves unread for
 * js_function_fetch_timeout fails and lets its connection go: nothing else
 * ends the fetch of a request that ended without reading its body.
 */
static void
ngx_http_jsfn_client_pause(ngx_http_jsfn_client_t *u)
{
    u->paused = 1;

    ngx_add_timer(u->pc.connection ? u->pc.connection->read : &u->resume,
                  u->conf->fetch_timeout);
}


/* a kept-alive connection the server had closed: once more, on a new one */
static ngx_int_t
ngx_http_jsfn_client_retry(ngx_http_jsfn_client_t *u)
{
    if (u->retried || !u->idempotent || u->got_bytes) {
        return NGX_DECLINED;
    }

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                   "js function fetch retry on a new connection");

    u->retried = 1;
    u->reused = 0;

    ngx_http_jsfn_client_close(u->pc.connection);
    u->pc.connection = NULL;

    if (u->buf) {
        u->buf->pos = u->buf->start;
        u->buf->last = u->buf->start;
    }

    u->r->state = 0;

    if (u->addrs == NULL) {
        /* taken from the cache before resolving */
        u->start.handler = ngx_http_jsfn_client_start_handler;
        ngx_post_event(&u->start, &ngx_posted_events);
        return NGX_OK;
    }

    ngx_http_jsfn_client_connect(u);
    return NGX_OK;
}


static void
ngx_http_jsfn_client_fail(ngx_http_jsfn_client_t *u, const char *fmt, ...)
{
    u_char                  msg[NGX_HTTP_JSFN_CLIENT_MSG_LEN], *p;
    va_list                 args;
    ngx_http_jsfn_fetch_t  *f;

    va_start(args, fmt);
    p = ngx_vslprintf(msg, msg + sizeof(msg), fmt, args);
    va_end(args);

    f = u->f;

    if (f == NULL) {
        ngx_http_jsfn_client_finalize(u);
        return;
    }

    ngx_log_error(NGX_LOG_ERR, &u->log, 0, "fetch failed: %*s", p - msg, msg);

    u->log.action = NULL;

    if (u->head_sent) {
        /* the body stream errors */
        (void) ngx_http_jsfn_client_report(u, NULL, msg, p - msg,
                                           JSFN_DATA_ERROR);

    } else {
        /* fetch() rejects */
        ngx_http_jsfn_client_uncount(u);
        u->f = NULL;

        u->busy = 1;
        ngx_http_jsfn_fetch_fail(f, (const char *) msg, p - msg);
        u->busy = 0;
    }

    ngx_http_jsfn_client_finalize(u);
}


/*
 * A report to JS: the head (head != NULL) or a piece of the body.  It runs
 * JS, which may end the fetch (NGX_DECLINED then: "f" is gone) or the
 * request.  Meanwhile the fetch does not count in js_function_fetch_max:
 * after NGX_DECLINED its request or isolate may have ended, so nothing is
 * left to subtract then; the count comes back if both go on.
 */
static ngx_int_t
ngx_http_jsfn_client_report(ngx_http_jsfn_client_t *u,
    const jsfn_fetch_head_t *head, u_char *p, size_t len, int flags)
{
    ngx_int_t               rc;
    ngx_uint_t              counted;
    ngx_http_jsfn_fetch_t  *f;

    f = u->f;
    counted = u->counted;

    ngx_http_jsfn_client_uncount(u);

    if (flags & (JSFN_DATA_LAST|JSFN_DATA_ERROR)) {
        /* the end: "f" is freed in the call */
        u->f = NULL;
    }

    u->busy = 1;
    u->want = 0;

    if (head) {
        rc = ngx_http_jsfn_fetch_head(f, head);

    } else {
        rc = ngx_http_jsfn_fetch_data(f, (const char *) p, len, flags);
    }

    u->busy = 0;

    if (flags & (JSFN_DATA_LAST|JSFN_DATA_ERROR)) {
        return NGX_DONE;
    }

    if (rc == NGX_DECLINED || u->aborted) {
        u->f = NULL;
        return NGX_DECLINED;
    }

    if (counted) {
        ngx_http_jsfn_client_count(u);
    }

    return rc;
}


/*
 * The count of js_function_fetch_max this fetch is in, while it exists:
 * its request's (f->ctx is NULL once the request has ended, and its count
 * with it), or its isolate's for a fetch started without a request
 * (ctx.waitUntil() work after the response).
 */
static ngx_uint_t *
ngx_http_jsfn_client_counter(ngx_http_jsfn_client_t *u)
{
    if (u->f == NULL) {
        return NULL;
    }

    if (u->counted_ctx == NULL) {
        return &u->f->isolate->client_fetches;
    }

    return (u->f->ctx == u->counted_ctx) ? &u->counted_ctx->fetches : NULL;
}


static void
ngx_http_jsfn_client_count(ngx_http_jsfn_client_t *u)
{
    ngx_uint_t  *n;

    n = ngx_http_jsfn_client_counter(u);

    if (n) {
        (*n)++;
        u->counted = 1;
    }
}


static void
ngx_http_jsfn_client_uncount(ngx_http_jsfn_client_t *u)
{
    ngx_uint_t  *n;

    n = u->counted ? ngx_http_jsfn_client_counter(u) : NULL;

    if (n) {
        (*n)--;
    }

    u->counted = 0;
}


static void
ngx_http_jsfn_client_ctl(ngx_http_jsfn_fetch_t *f, int what)
{
    ngx_http_jsfn_client_t *u = f->data;

    if (what == JSFN_FETCH_WANT) {
        u->want = 1;

        if (u->paused) {
            u->paused = 0;

            /* called from inside the engine: go on from an event */
            ngx_post_event(&u->resume, &ngx_posted_events);
        }

        return;
    }

    /* JSFN_FETCH_ABORT: "f" is not ours to report to any more */

    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                   "js function fetch aborted");

    ngx_http_jsfn_client_uncount(u);
    u->f = NULL;
    u->aborted = 1;

    if (!u->busy) {
        /* nothing of ours is on the stack: free it now */
        ngx_http_jsfn_client_finalize(u);
    }
}


static void
ngx_http_jsfn_client_finalize(ngx_http_jsfn_client_t *u)
{
    if (u->busy) {
        return;
    }

    if (u->start.posted) {
        ngx_delete_posted_event(&u->start);
    }

    if (u->resume.posted) {
        ngx_delete_posted_event(&u->resume);
    }

    if (u->resume.timer_set) {
        ngx_del_timer(&u->resume);
    }

    if (u->resolve) {
        ngx_resolve_name_done(u->resolve);
        u->resolve = NULL;
    }

    if (u->pc.connection) {
        /* a connection aborted mid-response is closed, not kept */
        ngx_http_jsfn_client_close(u->pc.connection);
        u->pc.connection = NULL;
    }

    ngx_destroy_pool(u->pool);
}


static void
ngx_http_jsfn_client_close(ngx_connection_t *c)
{
    ngx_pool_t  *pool;

#if (NGX_HTTP_SSL)
    if (c->ssl) {
        c->ssl->no_wait_shutdown = 1;
        c->ssl->no_send_shutdown = 1;
        (void) ngx_ssl_shutdown(c);
    }
#endif

    pool = c->pool;

    ngx_close_connection(c);

    if (pool) {
        ngx_destroy_pool(pool);
    }
}


static u_char *
ngx_http_jsfn_client_log_error(ngx_log_t *log, u_char *buf, size_t len)
{
    u_char                  *p;
    ngx_http_jsfn_client_t  *u;

    u = log->data;
    p = buf;

    if (log->action) {
        p = ngx_snprintf(p, len, " while %s", log->action);
        len -= p - buf;
        buf = p;
    }

    return ngx_snprintf(p, len, ", fetch: \"%V\", function: \"%V\"",
                        &u->url, &u->function);
}


static ngx_http_jsfn_client_cache_t *
ngx_http_jsfn_client_cache(ngx_http_jsfn_main_conf_t *jmcf)
{
    ngx_uint_t                     i;
    ngx_http_jsfn_client_idle_t   *item;
    ngx_http_jsfn_client_cache_t  *cache;

    if (jmcf->fetch_cache) {
        return jmcf->fetch_cache;
    }

    /* made on the worker's first fetch to another origin */

    cache = ngx_palloc(ngx_cycle->pool, sizeof(ngx_http_jsfn_client_cache_t));
    if (cache == NULL) {
        return NULL;
    }

    item = ngx_palloc(ngx_cycle->pool,
                      jmcf->fetch_keepalive
                      * sizeof(ngx_http_jsfn_client_idle_t));
    if (item == NULL && jmcf->fetch_keepalive) {
        return NULL;
    }

    ngx_queue_init(&cache->idle);
    ngx_queue_init(&cache->free);

    for (i = 0; i < jmcf->fetch_keepalive; i++) {
        ngx_queue_insert_tail(&cache->free, &item[i].queue);
    }

#if (NGX_HTTP_SSL)
    {
    ngx_http_jsfn_client_session_t  *s;

    s = ngx_palloc(ngx_cycle->pool, NGX_HTTP_JSFN_CLIENT_SESSIONS
                                    * sizeof(ngx_http_jsfn_client_session_t));
    if (s == NULL) {
        return NULL;
    }

    ngx_queue_init(&cache->sessions);
    ngx_queue_init(&cache->free_sessions);

    for (i = 0; i < NGX_HTTP_JSFN_CLIENT_SESSIONS; i++) {
        ngx_queue_insert_tail(&cache->free_sessions, &s[i].queue);
    }
    }
#endif

    jmcf->fetch_cache = cache;

    return cache;
}


static ngx_connection_t *
ngx_http_jsfn_client_cache_get(ngx_http_jsfn_client_t *u)
{
    ngx_addr_t                     addr;
    ngx_queue_t                   *q;
    ngx_connection_t              *c;
    ngx_http_jsfn_main_conf_t     *jmcf;
    ngx_http_jsfn_client_idle_t   *item;
    ngx_http_jsfn_client_cache_t  *cache;

    jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_js_function_module);

    cache = ngx_http_jsfn_client_cache(jmcf);
    if (cache == NULL) {
        return NULL;
    }

    for (q = ngx_queue_head(&cache->idle);
         q != ngx_queue_sentinel(&cache->idle);
         q = ngx_queue_next(q))
    {
        item = ngx_queue_data(q, ngx_http_jsfn_client_idle_t, queue);

        if (item->key_len != u->key.len
            || ngx_memcmp(item->key, u->key.data, u->key.len) != 0)
        {
            continue;
        }

        /* made for another location, maybe with another allow list */
        addr.sockaddr = &item->sockaddr.sockaddr;
        addr.socklen = item->socklen;

        if (ngx_http_jsfn_client_allowed(u, &addr) != NGX_OK) {
            continue;
        }

        ngx_queue_remove(q);
        ngx_queue_insert_head(&cache->free, q);

        c = item->connection;

        if (c->read->timer_set) {
            ngx_del_timer(c->read);
        }

        c->idle = 0;
        c->data = u;

#if (NGX_HTTP_SSL)
        if (c->ssl) {
            c->ssl->save_session = ngx_http_jsfn_client_save_session;
        }
#endif
        c->log = &u->log;
        c->read->log = &u->log;
        c->write->log = &u->log;
        c->pool->log = &u->log;
        c->read->handler = ngx_http_jsfn_client_read_handler;
        c->write->handler = ngx_http_jsfn_client_write_handler;

        ngx_memcpy(&u->sockaddr, &item->sockaddr, item->socklen);
        u->socklen = item->socklen;

        ngx_memzero(&u->pc, sizeof(ngx_peer_connection_t));
        u->pc.connection = c;
        u->pc.sockaddr = &u->sockaddr.sockaddr;
        u->pc.socklen = u->socklen;
        u->pc.name = &u->authority;
        u->r->connection = c;
        u->reused = 1;

        ngx_log_debug1(NGX_LOG_DEBUG_HTTP, &u->log, 0,
                       "js function fetch reuses connection %uA",
                       c->number);

        return c;
    }

    return NULL;
}


/* the fetch's connection, its response read whole, to the idle cache */
static void
ngx_http_jsfn_client_cache_put(ngx_http_jsfn_client_t *u)
{
    ngx_queue_t                   *q;
    ngx_connection_t              *c;
    ngx_http_jsfn_main_conf_t     *jmcf;
    ngx_http_jsfn_client_idle_t   *item;
    ngx_http_jsfn_client_cache_t  *cache;

    c = u->pc.connection;

    if (c == NULL || u->key.len > NGX_HTTP_JSFN_CLIENT_KEY_LEN
        || c->read->eof || c->read->error || c->write->error
        || ngx_terminate || ngx_exiting)
    {
        return;
    }

    jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_js_function_module);

    if (jmcf->fetch_keepalive == 0) {
        return;
    }

    cache = ngx_http_jsfn_client_cache(jmcf);
    if (cache == NULL) {
        return;
    }

    if (ngx_queue_empty(&cache->free)) {
        /* full: the least recently used one goes */
        q = ngx_queue_last(&cache->idle);
        ngx_queue_remove(q);
        item = ngx_queue_data(q, ngx_http_jsfn_client_idle_t, queue);
        ngx_http_jsfn_client_close(item->connection);

    } else {
        q = ngx_queue_head(&cache->free);
        ngx_queue_remove(q);
        item = ngx_queue_data(q, ngx_http_jsfn_client_idle_t, queue);
    }

    ngx_queue_insert_head(&cache->idle, q);

    item->connection = c;
    ngx_memcpy(&item->sockaddr, &u->sockaddr, u->socklen);
    item->socklen = u->socklen;
    item->key_len = u->key.len;
    ngx_memcpy(item->key, u->key.data, u->key.len);

    u->pc.connection = NULL;

    if (c->read->timer_set) {
        ngx_del_timer(c->read);
    }

    if (c->write->timer_set) {
        ngx_del_timer(c->write);
    }

    if (c->read->posted) {
        ngx_delete_posted_event(c->read);
    }

    if (c->write->posted) {
        ngx_delete_posted_event(c->write);
    }

    /* the fetch's log goes with it */
    c->log = ngx_cycle->log;
    c->read->log = ngx_cycle->log;
    c->write->log = ngx_cycle->log;
    c->pool->log = ngx_cycle->log;

#if (NGX_HTTP_SSL)
    if (c->ssl) {
        /* c->data is not a fetch while idle */
        c->ssl->save_session = NULL;
    }
#endif

    c->data = item;
    c->idle = 1;
    c->read->handler = ngx_http_jsfn_client_idle_handler;
    c->write->handler = ngx_http_jsfn_client_idle_dummy;

    /* closed by us before the server would close it, when it said when */
    ngx_add_timer(c->read, u->idle && u->idle <= jmcf->fetch_keepalive_timeout
                           ? (u->idle > 1000 ? u->idle - 1000 : u->idle / 2)
                           : jmcf->fetch_keepalive_timeout);

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, ngx_cycle->log, 0,
                   "js function fetch keeps connection %uA", c->number);

    if (c->read->ready) {
        /* something came already: a close, or junk */
        ngx_http_jsfn_client_idle_handler(c->read);
    }
}


/* an idle connection: whatever happens on it ends it */
static void
ngx_http_jsfn_client_idle_handler(ngx_event_t *ev)
{
    char                           buf[1];
    ssize_t                        n;
    ngx_connection_t              *c;
    ngx_http_jsfn_client_idle_t   *item;
    ngx_http_jsfn_main_conf_t     *jmcf;
    ngx_http_jsfn_client_cache_t  *cache;

    c = ev->data;
    item = c->data;

    if (c->close || ev->timedout) {
        goto close;
    }

    n = recv(c->fd, buf, 1, MSG_PEEK);

    if (n == -1 && ngx_socket_errno == NGX_EAGAIN) {
        ev->ready = 0;

        if (ngx_handle_read_event(c->read, 0) != NGX_OK) {
            goto close;
        }

        return;
    }

close:

    ngx_log_debug1(NGX_LOG_DEBUG_HTTP, c->log, 0,
                   "js function fetch closes idle connection %uA", c->number);

    jmcf = ngx_http_cycle_get_module_main_conf(ngx_cycle,
                                               ngx_http_js_function_module);
    cache = jmcf->fetch_cache;

    ngx_queue_remove(&item->queue);
    ngx_queue_insert_head(&cache->free, &item->queue);

    ngx_http_jsfn_client_close(c);
}


static void
ngx_http_jsfn_client_idle_dummy(ngx_event_t *ev)
{
    ngx_log_debug0(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                   "js function fetch idle write event");
}
