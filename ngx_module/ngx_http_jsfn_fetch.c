
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/*
 * fetch(): the engine's fetch_start/fetch_ctl, the isolate's fetches, and
 * the backend for URLs of the calling request's own origin: a background
 * subrequest of that request, whose head and body this module's filters
 * take (they run before nginx's own, so nothing of it reaches the client)
 * and hand to the engine.
 *
 * A fetch's record lives in a small pool of its own: it may outlive the
 * request that made it (the engine still holds it) or the engine's interest
 * (a subrequest still runs after fetch() was aborted: its output is then
 * dropped, as nginx cannot stop a subrequest of a request that goes on).
 * It is freed when neither the engine nor a subrequest refers to it.
 */


/* a piece of a subrequest's body not handed on yet: bytes or a file range */
typedef struct ngx_http_jsfn_fetch_piece_s  ngx_http_jsfn_fetch_piece_t;

struct ngx_http_jsfn_fetch_piece_s {
    ngx_http_jsfn_fetch_piece_t  *next;
    ngx_file_t                   *file;    /* the request's; NULL: data */
    u_char                       *data;
    off_t                         pos;
    off_t                         last;
};


typedef struct {
    ngx_http_jsfn_fetch_t       f;         /* first: the shared record */
    ngx_pool_t                 *pool;      /* this record's memory */
    ngx_http_request_t         *sr;        /* the subrequest, while it runs
                                              and its request lives */
    ngx_pool_cleanup_t         *cln;       /* in the calling request's pool */
    ngx_connection_t           *c;         /* the calling request's */
    ngx_event_t                 kick;      /* runs the posted subrequest */
    ngx_event_t                 gone;      /* reports the request's end */
    u_char                     *tmp;       /* file buffer, 64 KB */
    ngx_str_t                   url;       /* the URL fetched */
    ngx_http_jsfn_fetch_piece_t  *pieces;  /* waiting to be handed on */
    ngx_http_jsfn_fetch_piece_t **tail;
    ngx_event_t                 pump;      /* hands them on, a few a turn */
    unsigned                    paused:1;  /* the engine said JSFN_AGAIN */
    unsigned                    end:2;     /* the end, after the pieces:
                                              1 the last, 2 cut short */
    unsigned                    engine:1;  /* the engine still knows it */
    unsigned                    local:1;
    unsigned                    head:1;    /* the head was reported */
    unsigned                    reporting:1; /* in a jsfn_fetch_*() call */
    unsigned                    aborted:1; /* JS aborted it meanwhile */
} ngx_http_jsfn_fetch_ctx_t;


#define NGX_HTTP_JSFN_FETCH_CHUNK  65536

/* what one turn of the event loop hands on, at most */
#define NGX_HTTP_JSFN_FETCH_TURN   (1024 * 1024)


static void ngx_http_jsfn_fetch_forget(ngx_http_jsfn_fetch_ctx_t *fc);
static void ngx_http_jsfn_fetch_release(ngx_http_jsfn_fetch_ctx_t *fc);
static ngx_int_t ngx_http_jsfn_fetch_report(ngx_http_jsfn_fetch_t *f,
    int rc, jsfn_err_t *err);
static ngx_int_t ngx_http_jsfn_fetch_subrequest(ngx_http_jsfn_fetch_ctx_t *fc,
    ngx_http_request_t *r, const jsfn_fetch_t *req, jsfn_err_t *err);
static ngx_int_t ngx_http_jsfn_fetch_headers_in(ngx_http_request_t *r,
    ngx_http_request_t *sr, const jsfn_fetch_t *req, ngx_str_t *host);
static void ngx_http_jsfn_fetch_ctl_local(ngx_http_jsfn_fetch_t *f, int what);
static ngx_http_jsfn_fetch_ctx_t *ngx_http_jsfn_fetch_of(
    ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_fetch_done(ngx_http_request_t *r, void *data,
    ngx_int_t rc);
static void ngx_http_jsfn_fetch_kick(ngx_event_t *ev);
static ngx_int_t ngx_http_jsfn_fetch_queue(ngx_http_jsfn_fetch_ctx_t *fc,
    ngx_buf_t *b);
static void ngx_http_jsfn_fetch_pump(ngx_event_t *ev);
static void ngx_http_jsfn_fetch_drop(ngx_http_jsfn_fetch_ctx_t *fc);
static void ngx_http_jsfn_fetch_end(ngx_http_jsfn_fetch_ctx_t *fc);
static void ngx_http_jsfn_fetch_gone(ngx_event_t *ev);
static void ngx_http_jsfn_fetch_request_end(void *data);
static ngx_int_t ngx_http_jsfn_fetch_access(ngx_http_request_t *r);
static void ngx_http_jsfn_fetch_unpostpone(ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_fetch_header_filter(ngx_http_request_t *r);
static ngx_int_t ngx_http_jsfn_fetch_body_filter(ngx_http_request_t *r,
    ngx_chain_t *in);
static void ngx_http_jsfn_fetch_error(ngx_http_jsfn_fetch_t *f, int rc,
    jsfn_err_t *err);


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;
static ngx_http_output_body_filter_pt    ngx_http_next_body_filter;


static ngx_str_t  ngx_http_jsfn_fetch_ended =
    ngx_string("the request that made this fetch() has ended");


/*
 * postconfiguration: the filters that take subrequest fetches' output, and
 * the access checks nginx skips for subrequests
 */
ngx_int_t
ngx_http_jsfn_fetch_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_PREACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_jsfn_fetch_access;

    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_jsfn_fetch_header_filter;

    ngx_http_next_body_filter = ngx_http_top_body_filter;
    ngx_http_top_body_filter = ngx_http_jsfn_fetch_body_filter;

    return NGX_OK;
}


/* the engine's fetch_start: a subrequest, or the client for other origins */
int
ngx_http_jsfn_fetch_start(void *isolate_host, void *call_host, uint32_t id,
    const jsfn_fetch_t *req, jsfn_err_t *err)
{
    ngx_int_t                   rc;
    ngx_log_t                  *log;
    ngx_pool_t                 *pool;
    ngx_http_jsfn_ctx_t        *ctx = call_host;
    ngx_http_jsfn_isolate_t    *isolate = isolate_host;
    ngx_http_jsfn_fetch_ctx_t  *fc;

    if (req->local && ctx == NULL) {
        ngx_http_jsfn_fetch_err(err, "fetch(): %V", &ngx_http_jsfn_fetch_ended);
        return -1;
    }

    pool = ngx_create_pool(1024, ngx_cycle->log);
    if (pool == NULL) {
        goto nomem;
    }

    fc = ngx_pcalloc(pool, sizeof(ngx_http_jsfn_fetch_ctx_t));
    log = ngx_palloc(pool, sizeof(ngx_log_t));
    if (fc == NULL || log == NULL) {
        ngx_destroy_pool(pool);
        goto nomem;
    }

    /* the request's log without its handler: it may outlive the request */
    *log = ctx ? *ctx->request->connection->log : *ngx_cycle->log;
    log->handler = NULL;
    log->data = NULL;

    fc->pool = pool;
    fc->local = req->local ? 1 : 0;
    fc->f.id = id;
    fc->f.isolate = isolate;
    fc->f.ctx = ctx;
    fc->f.log = log;
    fc->f.conf = ctx ? ngx_http_get_module_loc_conf(ctx->request,
                                                    ngx_http_js_function_module)
                     : isolate->conf;

    if (ctx != NULL) {
        fc->cln = ngx_pool_cleanup_add(ctx->request->pool, 0);
        if (fc->cln == NULL) {
            ngx_destroy_pool(pool);
            goto nomem;
        }

        fc->cln->handler = ngx_http_jsfn_fetch_request_end;
        fc->cln->data = fc;
    }

    if (fc->local) {
        rc = ngx_http_jsfn_fetch_subrequest(fc, ctx->request, req, err);

        if (rc == NGX_DECLINED) {
            /* the subrequest holds the record and frees it at its end */
            return -1;
        }

        if (rc != NGX_OK) {
            fc->cln->handler = NULL;
            ngx_destroy_pool(pool);
            return -1;
        }

    } else if (ngx_http_jsfn_client_start(&fc->f, req, err) != NGX_OK) {
        if (fc->cln) {
            fc->cln->handler = NULL;
        }

        ngx_destroy_pool(pool);
        return -1;
    }

    fc->engine = 1;
    ngx_queue_insert_tail(&isolate->fetches, &fc->f.queue);

    return 0;

nomem:

    ngx_http_jsfn_fetch_err(err, "fetch(): out of memory");
    return -1;
}


/* the engine's fetch_ctl: take note only (called from inside the engine) */
void
ngx_http_jsfn_fetch_ctl(void *isolate_host, uint32_t id, int what)
{
    ngx_queue_t                *q;
    ngx_http_jsfn_fetch_t      *f;
    ngx_http_jsfn_isolate_t    *isolate = isolate_host;
    ngx_http_jsfn_fetch_ctx_t  *fc;

    for (q = ngx_queue_head(&isolate->fetches);
         q != ngx_queue_sentinel(&isolate->fetches);
         q = ngx_queue_next(q))
    {
        f = ngx_queue_data(q, ngx_http_jsfn_fetch_t, queue);

        if (f->id != id) {
            continue;
        }

        if (what == JSFN_FETCH_ABORT) {
            fc = (ngx_http_jsfn_fetch_ctx_t *) f;
            ngx_http_jsfn_fetch_forget(fc);

            if (fc->reporting) {
                /* its backend is inside a report: NGX_DECLINED tells it */
                fc->aborted = 1;
                return;
            }

            f->ctl(f, JSFN_FETCH_ABORT);
            ngx_http_jsfn_fetch_release(fc);

        } else {
            f->ctl(f, what);
        }

        return;
    }
}


/* the isolate goes: every fetch of it is dropped */
void
ngx_http_jsfn_fetch_isolate_free(ngx_http_jsfn_isolate_t *isolate)
{
    ngx_queue_t            *q;
    ngx_http_jsfn_fetch_t  *f;

    while (!ngx_queue_empty(&isolate->fetches)) {
        q = ngx_queue_head(&isolate->fetches);
        f = ngx_queue_data(q, ngx_http_jsfn_fetch_t, queue);

        ngx_http_jsfn_fetch_forget((ngx_http_jsfn_fetch_ctx_t *) f);
        f->ctl(f, JSFN_FETCH_ABORT);
        ngx_http_jsfn_fetch_release((ngx_http_jsfn_fetch_ctx_t *) f);
    }
}


/* the engine no longer knows the fetch */
static void
ngx_http_jsfn_fetch_forget(ngx_http_jsfn_fetch_ctx_t *fc)
{
    if (fc->engine) {
        fc->engine = 0;
        ngx_queue_remove(&fc->f.queue);
    }

    if (fc->gone.posted) {
        ngx_delete_posted_event(&fc->gone);
    }
}


/* free the record once nothing refers to it */
static void
ngx_http_jsfn_fetch_release(ngx_http_jsfn_fetch_ctx_t *fc)
{
    if (fc->engine || fc->sr != NULL || fc->pieces != NULL || fc->end) {
        return;
    }

    if (fc->kick.posted) {
        ngx_delete_posted_event(&fc->kick);
    }

    if (fc->pump.posted) {
        ngx_delete_posted_event(&fc->pump);
    }

    if (fc->cln != NULL) {
        fc->cln->handler = NULL;
        fc->cln = NULL;
    }

    ngx_destroy_pool(fc->pool);
}


ngx_int_t
ngx_http_jsfn_fetch_head(ngx_http_jsfn_fetch_t *f,
    const jsfn_fetch_head_t *head)
{
    int                         rc;
    jsfn_err_t                  err;
    ngx_http_jsfn_fetch_ctx_t  *fc = (ngx_http_jsfn_fetch_ctx_t *) f;

    fc->reporting = 1;
    rc = jsfn_fetch_head(f->isolate->iso, f->id, head, &err);
    fc->reporting = 0;

    return ngx_http_jsfn_fetch_report(f, rc, &err);
}


ngx_int_t
ngx_http_jsfn_fetch_data(ngx_http_jsfn_fetch_t *f, const char *p,
    size_t len, int flags)
{
    int                         rc;
    jsfn_err_t                  err;
    ngx_http_jsfn_fetch_ctx_t  *fc = (ngx_http_jsfn_fetch_ctx_t *) f;

    fc->reporting = 1;
    rc = jsfn_fetch_data(f->isolate->iso, f->id, p, len, flags, &err);
    fc->reporting = 0;

    if (rc == JSFN_OK && (flags & (JSFN_DATA_LAST | JSFN_DATA_ERROR))) {
        ngx_http_jsfn_fetch_forget((ngx_http_jsfn_fetch_ctx_t *) f);
        ngx_http_jsfn_fetch_release((ngx_http_jsfn_fetch_ctx_t *) f);
        return NGX_OK;
    }

    return ngx_http_jsfn_fetch_report(f, rc, &err);
}


void
ngx_http_jsfn_fetch_fail(ngx_http_jsfn_fetch_t *f, const char *msg,
    size_t len)
{
    int         rc;
    jsfn_err_t  err;

    rc = jsfn_fetch_fail(f->isolate->iso, f->id, msg, len, &err);

    if (rc == JSFN_OK) {
        rc = JSFN_ERR_ARG;     /* ended: forgotten below */
    }

    (void) ngx_http_jsfn_fetch_report(f, rc, &err);
}


/*
 * An engine answer to a report: NGX_OK, NGX_AGAIN, or NGX_DECLINED with the
 * fetch forgotten (and freed unless a subrequest still runs), the isolate
 * retired when it was condemned, as after a timer.
 */
static ngx_int_t
ngx_http_jsfn_fetch_report(ngx_http_jsfn_fetch_t *f, int rc,
    jsfn_err_t *err)
{
    ngx_http_jsfn_isolate_t    *isolate = f->isolate;
    ngx_http_jsfn_fetch_ctx_t  *fc = (ngx_http_jsfn_fetch_ctx_t *) f;

    if (fc->aborted) {
        /* aborted by JS during the report: dropped, whatever else */
        if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
            ngx_http_jsfn_fetch_error(f, rc, err);
        }

        ngx_http_jsfn_fetch_release(fc);

        if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
            ngx_http_jsfn_pool_retire(isolate, rc);
        }

        return NGX_DECLINED;
    }

    if (rc == JSFN_OK) {
        return NGX_OK;
    }

    if (rc == JSFN_AGAIN) {
        return NGX_AGAIN;
    }

    /* out of the isolate's list first: retiring it must not abort this */
    ngx_http_jsfn_fetch_forget((ngx_http_jsfn_fetch_ctx_t *) f);

    if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
        ngx_http_jsfn_fetch_error(f, rc, err);
    }

    ngx_http_jsfn_fetch_release((ngx_http_jsfn_fetch_ctx_t *) f);

    if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
        /* may free the isolate: nothing of it is touched after this */
        ngx_http_jsfn_pool_retire(isolate, rc);
    }

    return NGX_DECLINED;
}


static void
ngx_http_jsfn_fetch_error(ngx_http_jsfn_fetch_t *f, int rc, jsfn_err_t *err)
{
    if (f->ctx != NULL && f->ctx->pending) {
        return;     /* the call's answer, a 503, says it */
    }

    ngx_log_error(NGX_LOG_ERR, f->log, 0, "js_function \"%V\": %s",
                  &f->isolate->sn.str, err->msg);
}


/* fetch() rejects with this message (also the client's): bounded by
   err->msg */
void
ngx_http_jsfn_fetch_err(jsfn_err_t *err, const char *fmt, ...)
{
    u_char   *p;
    va_list   args;

    va_start(args, fmt);
    p = ngx_vslprintf((u_char *) err->msg,
                      (u_char *) err->msg + sizeof(err->msg) - 1, fmt, args);
    va_end(args);

    *p = '\0';
    err->len = p - (u_char *) err->msg;
}


/* ---- same-origin URLs: subrequests ------------------------------------ */

static ngx_str_t  ngx_http_jsfn_methods[] = {
    ngx_string("GET"), ngx_string("HEAD"), ngx_string("POST"),
    ngx_string("PUT"), ngx_string("DELETE"), ngx_string("MKCOL"),
    ngx_string("COPY"), ngx_string("MOVE"), ngx_string("OPTIONS"),
    ngx_string("PROPFIND"), ngx_string("PROPPATCH"), ngx_string("LOCK"),
    ngx_string("UNLOCK"), ngx_string("PATCH"), ngx_string("TRACE"),
    ngx_string("CONNECT"), ngx_null_string
};

static ngx_uint_t  ngx_http_jsfn_method_ids[] = {
    NGX_HTTP_GET, NGX_HTTP_HEAD, NGX_HTTP_POST, NGX_HTTP_PUT,
    NGX_HTTP_DELETE, NGX_HTTP_MKCOL, NGX_HTTP_COPY, NGX_HTTP_MOVE,
    NGX_HTTP_OPTIONS, NGX_HTTP_PROPFIND, NGX_HTTP_PROPPATCH, NGX_HTTP_LOCK,
    NGX_HTTP_UNLOCK, NGX_HTTP_PATCH, NGX_HTTP_TRACE, NGX_HTTP_CONNECT
};


/* the reason phrases nginx sends for the codes it knows */
static struct {
    int          status;
    const char  *text;
} ngx_http_jsfn_reasons[] = {
    { 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
    { 204, "No Content" }, { 206, "Partial Content" },
    { 301, "Moved Permanently" }, { 302, "Moved Temporarily" },
    { 303, "See Other" }, { 304, "Not Modified" },
    { 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
    { 400, "Bad Request" }, { 401, "Unauthorized" },
    { 402, "Payment Required" }, { 403, "Forbidden" },
    { 404, "Not Found" }, { 405, "Not Allowed" },
    { 406, "Not Acceptable" }, { 408, "Request Time-out" },
    { 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
    { 412, "Precondition Failed" }, { 413, "Request Entity Too Large" },
    { 414, "Request-URI Too Large" }, { 415, "Unsupported Media Type" },
    { 416, "Requested Range Not Satisfiable" }, { 421, "Misdirected Request" },
    { 429, "Too Many Requests" }, { 500, "Internal Server Error" },
    { 501, "Not Implemented" }, { 502, "Bad Gateway" },
    { 503, "Service Temporarily Unavailable" },
    { 504, "Gateway Time-out" }, { 505, "HTTP Version Not Supported" },
    { 507, "Insufficient Storage" }, { 0, NULL }
};


/*
 * A background subrequest of the calling request to the URL's path and
 * query, with the fetch's method, headers and body (not the parent's).
 */
static ngx_int_t
ngx_http_jsfn_fetch_subrequest(ngx_http_jsfn_fetch_ctx_t *fc,
    ngx_http_request_t *r, const jsfn_fetch_t *req, jsfn_err_t *err)
{
    u_char                       *p, *last, *q, *dst;
    ngx_str_t                     uri, args, host, raw;
    ngx_uint_t                    i, flags;
    ngx_buf_t                    *b;
    ngx_chain_t                  *cl;
    ngx_http_request_t           *sr;
    ngx_http_request_body_t      *rb;
    ngx_http_post_subrequest_t   *ps;

    /* scheme://host[:port]/path?query: the engine checked it is ASCII */
    p = (u_char *) req->url.data;
    last = p + req->url.len;

    p = ngx_strlcasestrn(p, last, (u_char *) "://", 3 - 1);
    if (p == NULL) {
        goto invalid;
    }

    p += 3;
    host.data = p;

    while (p < last && *p != '/' && *p != '?') {
        p++;
    }

    host.len = p - host.data;

    raw.len = last - p + 1;
    raw.data = ngx_pnalloc(r->pool, raw.len);
    if (raw.data == NULL) {
        goto nomem;
    }

    /* the request line's target, as a client would send it */
    if (p == last || *p != '/') {
        raw.data[0] = '/';
        ngx_memcpy(raw.data + 1, p, last - p);

    } else {
        ngx_memcpy(raw.data, p, last - p);
        raw.len--;
    }

    q = ngx_strlchr(raw.data, raw.data + raw.len, '?');

    args.len = 0;
    args.data = NULL;

    if (q != NULL) {
        args.data = q + 1;
        args.len = raw.data + raw.len - q - 1;
    }

    /* the path decoded, as nginx matches locations */
    uri.data = ngx_pnalloc(r->pool, raw.len);
    if (uri.data == NULL) {
        goto nomem;
    }

    p = raw.data;
    dst = uri.data;
    ngx_unescape_uri(&dst, &p, (q ? q : raw.data + raw.len) - raw.data,
                     NGX_UNESCAPE_URI);
    uri.len = dst - uri.data;

    flags = NGX_HTTP_LOG_UNSAFE;

    if (ngx_http_parse_unsafe_uri(r, &uri, &args, &flags) != NGX_OK) {
        ngx_http_jsfn_fetch_err(err, "fetch(): unsafe URL path \"%V\"", &uri);
        return NGX_ERROR;
    }

    ps = ngx_palloc(r->pool, sizeof(ngx_http_post_subrequest_t));
    if (ps == NULL) {
        goto nomem;
    }

    ps->handler = ngx_http_jsfn_fetch_done;
    ps->data = fc;

    if (ngx_http_subrequest(r, &uri, &args, &sr, ps,
                            NGX_HTTP_SUBREQUEST_BACKGROUND)
        != NGX_OK)
    {
        ngx_http_jsfn_fetch_err(err, "fetch(): nginx refused the subrequest"
                                " to \"%V\" (too deep a recursion of"
                                " subrequests, or too many)", &uri);
        return NGX_ERROR;
    }

    fc->sr = sr;
    fc->c = r->connection;
    fc->kick.handler = ngx_http_jsfn_fetch_kick;
    fc->kick.data = fc;
    fc->kick.log = fc->f.log;
    fc->pump.handler = ngx_http_jsfn_fetch_pump;
    fc->pump.data = fc;
    fc->pump.log = fc->f.log;
    fc->tail = &fc->pieces;

    fc->url.data = ngx_pnalloc(fc->pool, req->url.len);
    if (fc->url.data == NULL) {
        goto nomem_sr;
    }

    fc->url.len = req->url.len;
    ngx_memcpy(fc->url.data, req->url.data, req->url.len);

    sr->unparsed_uri = raw;
    sr->method = NGX_HTTP_UNKNOWN;

    /* a request from outside: "internal" locations are not for it */
    sr->internal = 0;

    for (i = 0; ngx_http_jsfn_methods[i].len; i++) {
        if (ngx_http_jsfn_methods[i].len == req->method.len
            && ngx_strncmp(ngx_http_jsfn_methods[i].data, req->method.data,
                           req->method.len) == 0)
        {
            sr->method = ngx_http_jsfn_method_ids[i];
            break;
        }
    }

    sr->method_name.len = req->method.len;
    sr->method_name.data = ngx_pnalloc(r->pool, req->method.len);
    if (sr->method_name.data == NULL) {
        goto nomem_sr;
    }

    ngx_memcpy(sr->method_name.data, req->method.data, req->method.len);

    sr->header_only = sr->method == NGX_HTTP_HEAD;

    if (ngx_http_jsfn_fetch_headers_in(r, sr, req, &host) != NGX_OK) {
        goto nomem_sr;
    }

    /* its own body, whole in memory */
    rb = ngx_pcalloc(r->pool, sizeof(ngx_http_request_body_t));
    if (rb == NULL) {
        goto nomem_sr;
    }

    rb->rest = 0;
    sr->request_body = rb;

    if (req->body != NULL && req->body_len) {
        b = ngx_create_temp_buf(r->pool, req->body_len);
        cl = ngx_alloc_chain_link(r->pool);
        if (b == NULL || cl == NULL) {
            goto nomem_sr;
        }

        b->last = ngx_cpymem(b->pos, req->body, req->body_len);
        b->last_buf = 1;
        b->last_in_chain = 1;
        cl->buf = b;
        cl->next = NULL;
        rb->bufs = cl;
        rb->received = req->body_len;
    }

    /*
     * The subrequest is posted to the request's connection: run it from
     * there after this event, whatever event this fetch() came from.
     */
    ngx_post_event(&fc->kick, &ngx_posted_events);

    fc->f.ctl = ngx_http_jsfn_fetch_ctl_local;
    fc->f.data = sr;

    return NGX_OK;

nomem_sr:

    /*
     * The subrequest is posted and refers to the record: it runs, its
     * output dropped, and frees the record when it ends.
     */
    fc->f.ctl = ngx_http_jsfn_fetch_ctl_local;
    ngx_post_event(&fc->kick, &ngx_posted_events);

    ngx_http_jsfn_fetch_err(err, "fetch(): out of memory");
    return NGX_DECLINED;

nomem:

    ngx_http_jsfn_fetch_err(err, "fetch(): out of memory");
    return NGX_ERROR;

invalid:

    ngx_http_jsfn_fetch_err(err, "fetch(): invalid URL");
    return NGX_ERROR;
}


/* the subrequest's own request headers: the fetch's, then Host and length */
static ngx_int_t
ngx_http_jsfn_fetch_headers_in(ngx_http_request_t *r, ngx_http_request_t *sr,
    const jsfn_fetch_t *req, ngx_str_t *host)
{
    size_t                    i;
    ngx_str_t                 name, value;
    ngx_uint_t                has_host;
    ngx_table_elt_t          *h, **ph;
    ngx_http_headers_in_t    *hi;

    hi = &sr->headers_in;

    ngx_memzero(hi, sizeof(ngx_http_headers_in_t));

    hi->server = r->headers_in.server;
    hi->content_length_n = -1;
    hi->keep_alive_n = -1;

    if (ngx_list_init(&hi->headers, r->pool, req->nheaders + 2,
                      sizeof(ngx_table_elt_t))
        != NGX_OK
        || ngx_array_init(&hi->cookies, r->pool, 2,
                          sizeof(ngx_table_elt_t *))
           != NGX_OK)
    {
        return NGX_ERROR;
    }

#if (NGX_HTTP_X_FORWARDED_FOR)
    if (ngx_array_init(&hi->x_forwarded_for, r->pool, 1,
                       sizeof(ngx_table_elt_t *))
        != NGX_OK)
    {
        return NGX_ERROR;
    }
#endif

    has_host = 0;

    for (i = 0; i < req->nheaders + 2; i++) {

        if (i < req->nheaders) {
            name.data = (u_char *) req->headers[2 * i].data;
            name.len = req->headers[2 * i].len;
            value.data = (u_char *) req->headers[2 * i + 1].data;
            value.len = req->headers[2 * i + 1].len;

            /* the body decides its length: the engine gives it whole */
            if ((name.len == 14
                 && ngx_strncmp(name.data, "content-length", 14) == 0)
                || (name.len == 17
                    && ngx_strncmp(name.data, "transfer-encoding", 17) == 0))
            {
                continue;
            }

        } else if (i == req->nheaders) {
            if (has_host) {
                continue;
            }

            ngx_str_set(&name, "host");
            value = *host;

        } else {
            if (req->body == NULL) {
                continue;
            }

            ngx_str_set(&name, "content-length");
            value.data = ngx_pnalloc(r->pool, NGX_OFF_T_LEN);
            if (value.data == NULL) {
                return NGX_ERROR;
            }

            value.len = ngx_sprintf(value.data, "%uz", req->body_len)
                        - value.data;
        }

        h = ngx_list_push(&hi->headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->key.len = name.len;
        h->key.data = ngx_pnalloc(r->pool, name.len + 1 + value.len + 1);
        if (h->key.data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(h->key.data, name.data, name.len);
        h->key.data[name.len] = '\0';
        h->value.len = value.len;
        h->value.data = h->key.data + name.len + 1;
        ngx_memcpy(h->value.data, value.data, value.len);
        h->value.data[value.len] = '\0';
        h->lowcase_key = h->key.data;          /* names come lower case */
        h->hash = ngx_hash_key(h->key.data, h->key.len);

        ph = NULL;

#define NGX_HTTP_JSFN_KNOWN(s, field)                                         \
        if (name.len == sizeof(s) - 1                                         \
            && ngx_strncmp(name.data, s, sizeof(s) - 1) == 0                  \
            && hi->field == NULL)                                             \
        {                                                                     \
            ph = &hi->field;                                                  \
        }

        NGX_HTTP_JSFN_KNOWN("host", host)
        NGX_HTTP_JSFN_KNOWN("user-agent", user_agent)
        NGX_HTTP_JSFN_KNOWN("referer", referer)
        NGX_HTTP_JSFN_KNOWN("content-type", content_type)
        NGX_HTTP_JSFN_KNOWN("content-length", content_length)
        NGX_HTTP_JSFN_KNOWN("authorization", authorization)
        NGX_HTTP_JSFN_KNOWN("if-modified-since", if_modified_since)
        NGX_HTTP_JSFN_KNOWN("if-unmodified-since", if_unmodified_since)
        NGX_HTTP_JSFN_KNOWN("if-match", if_match)
        NGX_HTTP_JSFN_KNOWN("if-none-match", if_none_match)
#if (NGX_HTTP_GZIP || NGX_HTTP_HEADERS)
        NGX_HTTP_JSFN_KNOWN("accept-encoding", accept_encoding)
#endif
#if (NGX_HTTP_HEADERS)
        NGX_HTTP_JSFN_KNOWN("accept", accept)
        NGX_HTTP_JSFN_KNOWN("accept-language", accept_language)
#endif

#undef NGX_HTTP_JSFN_KNOWN

        if (ph != NULL) {
            *ph = h;
        }

        if (name.len == 4 && ngx_strncmp(name.data, "host", 4) == 0) {
            has_host = 1;
        }

        if (name.len == 6 && ngx_strncmp(name.data, "cookie", 6) == 0) {
            ph = ngx_array_push(&hi->cookies);
            if (ph == NULL) {
                return NGX_ERROR;
            }

            *ph = h;
        }

#if (NGX_HTTP_X_FORWARDED_FOR)
        if (name.len == 15
            && ngx_strncmp(name.data, "x-forwarded-for", 15) == 0)
        {
            ph = ngx_array_push(&hi->x_forwarded_for);
            if (ph == NULL) {
                return NGX_ERROR;
            }

            *ph = h;
        }
#endif

        if (name.len == 14 && ngx_strncmp(name.data, "content-length", 14)
                              == 0)
        {
            hi->content_length_n = req->body_len;
        }
    }

    return NGX_OK;
}


static void
ngx_http_jsfn_fetch_ctl_local(ngx_http_jsfn_fetch_t *f, int what)
{
    ngx_http_jsfn_fetch_ctx_t  *fc = (ngx_http_jsfn_fetch_ctx_t *) f;

    if (what == JSFN_FETCH_ABORT) {
        /* the subrequest runs on, its output dropped */
        ngx_http_jsfn_fetch_drop(fc);
        return;
    }

    /* WANT: what waits is handed on from the event loop */
    fc->paused = 0;

    if ((fc->pieces != NULL || fc->end) && !fc->pump.posted) {
        ngx_post_event(&fc->pump, &ngx_posted_events);
    }
}


/* nothing more is handed on */
static void
ngx_http_jsfn_fetch_drop(ngx_http_jsfn_fetch_ctx_t *fc)
{
    fc->pieces = NULL;
    fc->tail = &fc->pieces;
    fc->end = 0;

    if (fc->pump.posted) {
        ngx_delete_posted_event(&fc->pump);
    }
}


/*
 * A piece of the body kept until the pump hands it on: a file range as it
 * is (the file is the request's, open while it lives), bytes copied.
 */
static ngx_int_t
ngx_http_jsfn_fetch_queue(ngx_http_jsfn_fetch_ctx_t *fc, ngx_buf_t *b)
{
    size_t                        len;
    ngx_http_jsfn_fetch_piece_t  *p;

    p = ngx_pcalloc(fc->pool, sizeof(ngx_http_jsfn_fetch_piece_t));
    if (p == NULL) {
        return NGX_ERROR;
    }

    if (ngx_buf_in_memory(b)) {
        len = b->last - b->pos;

        p->data = ngx_pnalloc(fc->pool, len);
        if (p->data == NULL) {
            return NGX_ERROR;
        }

        ngx_memcpy(p->data, b->pos, len);
        p->last = len;

    } else {
        p->file = b->file;
        p->pos = b->file_pos;
        p->last = b->file_last;
    }

    *fc->tail = p;
    fc->tail = &p->next;

    return NGX_OK;
}


/*
 * Hands on what waits, up to a megabyte a turn of the event loop, and stops
 * when the engine's stream is full (JSFN_AGAIN) until it wants more; then
 * the end, if the subrequest has ended.
 */
static void
ngx_http_jsfn_fetch_pump(ngx_event_t *ev)
{
    u_char                       *data;
    size_t                        budget, len;
    ssize_t                       n;
    ngx_int_t                     rc;
    ngx_http_jsfn_fetch_ctx_t    *fc = ev->data;
    ngx_http_jsfn_fetch_piece_t  *p;

    budget = NGX_HTTP_JSFN_FETCH_TURN;

    while (fc->engine && fc->pieces != NULL && !fc->paused && budget) {
        p = fc->pieces;
        len = ngx_min((size_t) (p->last - p->pos), NGX_HTTP_JSFN_FETCH_CHUNK);

        if (p->file != NULL) {
            if (fc->tmp == NULL) {
                fc->tmp = ngx_palloc(fc->pool, NGX_HTTP_JSFN_FETCH_CHUNK);
                if (fc->tmp == NULL) {
                    goto failed;
                }
            }

            n = ngx_read_file(p->file, fc->tmp, len, p->pos);
            if (n <= 0) {
                goto failed;
            }

            len = n;
            data = fc->tmp;

        } else {
            data = p->data + p->pos;
        }

        p->pos += len;
        budget = budget > len ? budget - len : 0;

        if (p->pos >= p->last) {
            fc->pieces = p->next;
            if (fc->pieces == NULL) {
                fc->tail = &fc->pieces;
            }
        }

        rc = ngx_http_jsfn_fetch_data(&fc->f, (const char *) data, len, 0);

        if (rc == NGX_DECLINED) {
            /* the engine dropped it (and the record waits for this) */
            ngx_http_jsfn_fetch_drop(fc);
            ngx_http_jsfn_fetch_release(fc);
            return;
        }

        if (rc == NGX_AGAIN) {
            fc->paused = 1;
        }
    }

    if (!fc->engine) {
        ngx_http_jsfn_fetch_drop(fc);
        ngx_http_jsfn_fetch_release(fc);
        return;
    }

    if (fc->pieces != NULL) {
        if (!fc->paused) {
            /* this turn's share is used: the rest after the event loop
               has turned (this turn's posted events would run it now) */
            ngx_post_event(&fc->pump, &ngx_posted_next_events);
        }

        return;
    }

    if (fc->end) {
        ngx_http_jsfn_fetch_end(fc);
    }

    return;

failed:

    ngx_http_jsfn_fetch_drop(fc);
    fc->end = 2;
    ngx_http_jsfn_fetch_end(fc);
}


/* the subrequest ended and all its body was handed on: the end, reported */
static void
ngx_http_jsfn_fetch_end(ngx_http_jsfn_fetch_ctx_t *fc)
{
    ngx_uint_t  end = fc->end;

    fc->end = 0;

    if (!fc->engine) {
        ngx_http_jsfn_fetch_release(fc);
        return;
    }

    /* each report forgets the fetch and frees the record */

    if (end == 1) {
        (void) ngx_http_jsfn_fetch_data(&fc->f, NULL, 0, JSFN_DATA_LAST);

    } else if (fc->head) {
        (void) ngx_http_jsfn_fetch_data(&fc->f,
                                        "the response body was cut short", 31,
                                        JSFN_DATA_ERROR);
    } else {
        ngx_http_jsfn_fetch_fail(&fc->f, "the subrequest failed", 21);
    }
}


/* the fetch a subrequest serves, or NULL */
static ngx_http_jsfn_fetch_ctx_t *
ngx_http_jsfn_fetch_of(ngx_http_request_t *r)
{
    if (r == r->main || r->post_subrequest == NULL
        || r->post_subrequest->handler != ngx_http_jsfn_fetch_done)
    {
        return NULL;
    }

    return r->post_subrequest->data;
}


/*
 * nginx runs no access phase handler for a subrequest (it trusts the
 * request that made it): a fetch() is the function's request, so the
 * target location's allow/deny, auth_basic, auth_request... apply to it,
 * run here (in the preaccess phase, first) in the access phase's order
 * with its "satisfy".  An auth_request still
 * pending (NGX_AGAIN) brings nginx back here, where all run again.
 */
static ngx_int_t
ngx_http_jsfn_fetch_access(ngx_http_request_t *r)
{
    ngx_int_t                   rc, denied;
    ngx_uint_t                  i, n;
    ngx_http_handler_pt        *h;
    ngx_http_core_loc_conf_t   *clcf;
    ngx_http_core_main_conf_t  *cmcf;

    if (ngx_http_jsfn_fetch_of(r) == NULL) {
        return NGX_DECLINED;
    }

    /*
     * limit_req (next in this phase) checks a request once, by its main
     * request's status: each fetch is a request of its own
     */
    r->main->limit_req_status = 0;

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_core_module);
    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    h = cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers.elts;
    n = cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers.nelts;
    denied = 0;

    /* the phase engine runs a phase's handlers last registered first */
    for (i = n; i > 0; i--) {
        rc = h[i - 1](r);

        if (rc == NGX_DECLINED) {
            continue;
        }

        if (rc == NGX_AGAIN || rc == NGX_DONE) {
            return rc;
        }

        /* an auth_request subrequest, done: out of the way */
        ngx_http_jsfn_fetch_unpostpone(r);

        if (clcf->satisfy == NGX_HTTP_SATISFY_ALL) {
            if (rc == NGX_OK) {
                continue;
            }

            return rc;
        }

        if (rc == NGX_OK) {
            if (r->headers_out.www_authenticate) {
                r->headers_out.www_authenticate->hash = 0;
            }

            return NGX_DECLINED;
        }

        if (rc == NGX_HTTP_FORBIDDEN || rc == NGX_HTTP_UNAUTHORIZED) {
            if (denied != NGX_HTTP_UNAUTHORIZED) {
                denied = rc;
            }

            continue;
        }

        return rc;
    }

    return denied ? denied : NGX_DECLINED;
}


/*
 * The subrequests a fetch's subrequest made and waited for (auth_request)
 * wait, once done, to be made the active request by nginx's postpone
 * filter, which its output never reaches (this module's filters take it,
 * and a background subrequest is never the active one): they are retired
 * here as nginx would then retire them (ngx_http_finalize_request()),
 * without making them active.
 */
static void
ngx_http_jsfn_fetch_unpostpone(ngx_http_request_t *r)
{
    ngx_http_postponed_request_t  **ppr, *pr;

    for (ppr = &r->postponed; *ppr != NULL; /* void */) {
        pr = *ppr;

        if (pr->request == NULL || !pr->request->done) {
            ppr = &pr->next;
            continue;
        }

        *ppr = pr->next;

        pr->request->logged = 1;

        /* balances the count ngx_http_subrequest() took for it */
        r->main->count--;
    }
}


static void
ngx_http_jsfn_fetch_kick(ngx_event_t *ev)
{
    ngx_http_jsfn_fetch_ctx_t  *fc = ev->data;

    ngx_http_run_posted_requests(fc->c);
}


static ngx_int_t
ngx_http_jsfn_fetch_header_filter(ngx_http_request_t *r)
{
    size_t                      n;
    u_char                     *p;
    ngx_str_t                   type, text;
    ngx_uint_t                  i;
    jsfn_str_t                 *s;
    ngx_list_part_t            *part;
    ngx_table_elt_t            *h;
    jsfn_fetch_head_t           head;
    ngx_http_jsfn_fetch_ctx_t  *fc;

    fc = ngx_http_jsfn_fetch_of(r);

    if (fc == NULL) {
        return ngx_http_next_header_filter(r);
    }

    /* nginx's own header filter, which sets this, never sees it */
    r->header_sent = 1;

    if (!fc->engine || fc->head) {
        return NGX_OK;
    }

    fc->head = 1;

    n = 4;
    for (part = &r->headers_out.headers.part; part; part = part->next) {
        n += part->nelts;
    }

    s = ngx_palloc(r->pool, 2 * n * sizeof(jsfn_str_t));
    if (s == NULL) {
        return NGX_ERROR;
    }

    ngx_memzero(&head, sizeof(jsfn_fetch_head_t));
    head.headers = s;
    head.status = r->headers_out.status;

    /* the status line's reason: a module's ("200 OK"), or nginx's */
    text = r->headers_out.status_line;

    if (text.len > 4) {
        head.status_text.data = (const char *) text.data + 4;
        head.status_text.len = text.len - 4;

    } else {
        for (i = 0; ngx_http_jsfn_reasons[i].status; i++) {
            if (ngx_http_jsfn_reasons[i].status == head.status) {
                head.status_text.data = ngx_http_jsfn_reasons[i].text;
                head.status_text.len = ngx_strlen(head.status_text.data);
                break;
            }
        }
    }

    for (part = &r->headers_out.headers.part; part; part = part->next) {
        h = part->elts;

        for (i = 0; i < part->nelts; i++) {
            if (h[i].hash == 0) {
                continue;
            }

            s->data = (const char *) h[i].key.data;
            s->len = h[i].key.len;
            s++;
            s->data = (const char *) h[i].value.data;
            s->len = h[i].value.len;
            s++;
            head.nheaders++;
        }
    }

    /* what nginx's header filter would add from headers_out's fields */
    if (r->headers_out.content_type.len) {
        type = r->headers_out.content_type;

        if (r->headers_out.charset.len) {
            p = ngx_pnalloc(r->pool, type.len + 10
                                     + r->headers_out.charset.len);
            if (p == NULL) {
                return NGX_ERROR;
            }

            type.len = ngx_sprintf(p, "%V; charset=%V", &type,
                                   &r->headers_out.charset) - p;
            type.data = p;
        }

        s->data = "content-type";
        s->len = 12;
        s++;
        s->data = (const char *) type.data;
        s->len = type.len;
        s++;
        head.nheaders++;
    }

    if (r->headers_out.content_length == NULL
        && r->headers_out.content_length_n >= 0)
    {
        p = ngx_pnalloc(r->pool, NGX_OFF_T_LEN);
        if (p == NULL) {
            return NGX_ERROR;
        }

        s->data = "content-length";
        s->len = 14;
        s++;
        s->data = (const char *) p;
        s->len = ngx_sprintf(p, "%O", r->headers_out.content_length_n) - p;
        s++;
        head.nheaders++;
    }

    if (r->headers_out.last_modified == NULL
        && r->headers_out.last_modified_time != -1)
    {
        p = ngx_pnalloc(r->pool, sizeof("Mon, 28 Sep 1970 06:00:00 GMT"));
        if (p == NULL) {
            return NGX_ERROR;
        }

        s->data = "last-modified";
        s->len = 13;
        s++;
        s->data = (const char *) p;
        s->len = ngx_http_time(p, r->headers_out.last_modified_time) - p;
        s++;
        head.nheaders++;
    }

    head.url.data = (const char *) fc->url.data;
    head.url.len = fc->url.len;

    (void) ngx_http_jsfn_fetch_head(&fc->f, &head);

    return NGX_OK;
}


static ngx_int_t
ngx_http_jsfn_fetch_body_filter(ngx_http_request_t *r, ngx_chain_t *in)
{
    ngx_buf_t                  *b;
    ngx_chain_t                *cl;
    ngx_http_jsfn_fetch_ctx_t  *fc;

    fc = ngx_http_jsfn_fetch_of(r);

    if (fc == NULL) {
        return ngx_http_next_body_filter(r, in);
    }

    ngx_http_jsfn_fetch_unpostpone(r);

    for (cl = in; cl; cl = cl->next) {
        b = cl->buf;

        if (fc->engine && fc->head && ngx_buf_size(b)) {

            if (fc->pieces == NULL && ngx_buf_in_memory(b)) {
                /*
                 * Bytes go on at once, even to a full stream: nginx cannot
                 * make a subrequest wait; they count against the isolate's
                 * memory instead.
                 */
                if (ngx_http_jsfn_fetch_data(&fc->f, (const char *) b->pos,
                                             b->last - b->pos, 0)
                    == NGX_AGAIN)
                {
                    fc->paused = 1;
                }

            } else if (ngx_http_jsfn_fetch_queue(fc, b) != NGX_OK) {
                return NGX_ERROR;
            }
        }

        if (ngx_buf_in_memory(b)) {
            b->pos = b->last;
        }

        if (b->in_file) {
            b->file_pos = b->file_last;
        }
    }

    if (!fc->engine) {
        ngx_http_jsfn_fetch_drop(fc);

    } else if (fc->pieces != NULL && !fc->paused && !fc->pump.posted) {
        /* a file (or what came after one), read from the event loop */
        ngx_post_event(&fc->pump, &ngx_posted_events);
    }
    return NGX_OK;
}


/* the subrequest is finalized (perhaps more than once: see the rc) */
static ngx_int_t
ngx_http_jsfn_fetch_done(ngx_http_request_t *r, void *data, ngx_int_t rc)
{
    ngx_http_jsfn_fetch_ctx_t  *fc = data;

    ngx_http_jsfn_fetch_unpostpone(r);

    if (fc->sr != r) {
        return rc;
    }

    if (rc != NGX_ERROR && rc != NGX_HTTP_REQUEST_TIME_OUT
        && rc != NGX_HTTP_CLIENT_CLOSED_REQUEST && rc != NGX_HTTP_CLOSE
        && !r->connection->error
        && (rc >= NGX_HTTP_SPECIAL_RESPONSE || rc == NGX_HTTP_CREATED
            || rc == NGX_HTTP_NO_CONTENT))
    {
        /* nginx's response for the code follows, through the filters */
        return rc;
    }

    fc->sr = NULL;

    if (!fc->engine) {
        ngx_http_jsfn_fetch_release(fc);
        return rc;
    }

    fc->end = (rc == NGX_ERROR || rc == NGX_HTTP_REQUEST_TIME_OUT
               || rc == NGX_HTTP_CLIENT_CLOSED_REQUEST || rc == NGX_HTTP_CLOSE
               || r->connection->error || !fc->head)
              ? 2 : 1;

    if (fc->pieces == NULL) {
        ngx_http_jsfn_fetch_end(fc);
    }

    /* else the pump reports the end after the rest of the body */

    return rc;
}


/* the calling request ends: its subrequests go with its pool */
static void
ngx_http_jsfn_fetch_request_end(void *data)
{
    ngx_http_jsfn_fetch_ctx_t  *fc = data;

    fc->cln = NULL;
    fc->f.ctx = NULL;

    if (fc->kick.posted) {
        ngx_delete_posted_event(&fc->kick);
    }

    if (fc->sr == NULL && fc->pieces == NULL && !fc->end) {
        return;
    }

    /* the subrequest, and the files the rest is in, go with the request */
    fc->sr = NULL;
    ngx_http_jsfn_fetch_drop(fc);

    if (!fc->engine) {
        ngx_http_jsfn_fetch_release(fc);
        return;
    }

    /* told from the event loop, not from inside the pool's destruction */
    fc->gone.handler = ngx_http_jsfn_fetch_gone;
    fc->gone.data = fc;
    fc->gone.log = fc->f.log;
    ngx_post_event(&fc->gone, &ngx_posted_events);
}


static void
ngx_http_jsfn_fetch_gone(ngx_event_t *ev)
{
    ngx_http_jsfn_fetch_ctx_t  *fc = ev->data;

    ngx_http_jsfn_fetch_fail(&fc->f, (char *) ngx_http_jsfn_fetch_ended.data,
                             ngx_http_jsfn_fetch_ended.len);
}
