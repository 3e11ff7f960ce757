
/*
 * Copyright (C) The js_function module authors.
 */


/*
 * The body pump: bodies that go through nginx a piece at a time.
 *
 * Response: a function's stream body is sent as it is produced.  The head
 * goes first (no Content-Length unless the function set one: HTTP/1.1
 * clients get nginx's chunked encoding, HTTP/1.0 ones the body until
 * close); then one piece is read from the engine (jsfn_call_read, which
 * runs the stream's pull()) only when nginx's output chain has sent the
 * previous one: when it cannot (NGX_AGAIN, buffered data), the write event
 * resumes the pump.  So a response holds at most about one piece in
 * memory, whatever the client's pace.  A stream that fails, a limit kill,
 * a body longer or shorter than the Content-Length the function set, or
 * no piece within js_function_timeout ends the response without its end
 * (the connection is closed: no last chunk), with a log line.
 *
 * Request: a body nginx did not read whole with the headers is read
 * unbuffered (r->request_body_no_buffering) and fed to the engine
 * (jsfn_call_feed) as it arrives, from the first time the function reads
 * it; nginx reads more from the client only while the engine wants more
 * (body_want after it said JSFN_AGAIN), so at most client_body_buffer_size
 * waits in nginx.  A client that goes away,
 * times out or passes client_max_body_size errors the function's stream.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


typedef struct {
    ngx_http_request_t         *request;
    ngx_http_jsfn_ctx_t        *ctx;

    /* the response */
    off_t                       declared;  /* Content-Length set, or -1 */
    off_t                       sent;
    ngx_buf_t                  *buf;       /* reused once sent */

    /* the request */
    ngx_event_t                 want;      /* posted by body_want */
    unsigned                    feeding:1; /* the engine is fed the body */
    unsigned                    paused:1;  /* until body_want */
    unsigned                    ended:1;   /* fed to its end or failed */
} ngx_http_jsfn_body_t;


static ngx_http_jsfn_body_t *ngx_http_jsfn_body_get(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx);
static off_t ngx_http_jsfn_body_declared(jsfn_response_t *resp);
static ngx_int_t ngx_http_jsfn_body_pump(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx);
static void ngx_http_jsfn_body_done_handler(ngx_event_t *ev);
static void ngx_http_jsfn_body_timeout_handler(ngx_event_t *ev);
static void ngx_http_jsfn_body_write_handler(ngx_http_request_t *r);
static void ngx_http_jsfn_body_end(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_int_t rc);
static ngx_int_t ngx_http_jsfn_body_feed(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx);
static ngx_int_t ngx_http_jsfn_body_feed_bufs(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_http_jsfn_body_t *body);
static ngx_int_t ngx_http_jsfn_body_fail(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_int_t rc);
static void ngx_http_jsfn_body_abort(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, ngx_int_t rc);
static void ngx_http_jsfn_body_read_handler(ngx_http_request_t *r);
static void ngx_http_jsfn_body_want_handler(ngx_event_t *ev);


static ngx_http_jsfn_body_t *
ngx_http_jsfn_body_get(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx)
{
    ngx_http_jsfn_body_t  *body;

    if (ctx->body != NULL) {
        return ctx->body;
    }

    body = ngx_pcalloc(r->pool, sizeof(ngx_http_jsfn_body_t));
    if (body == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     body->sent = 0;
     *     body->buf = NULL;
     *     body->feeding = 0;
     *     body->paused = 0;
     *     body->ended = 0;
     */

    body->request = r;
    body->ctx = ctx;
    body->declared = -1;

    body->want.handler = ngx_http_jsfn_body_want_handler;
    body->want.data = body;
    body->want.log = r->connection->log;

    ctx->body = body;

    return body;
}


/* ---------------------------------------------------------- response */


/*
 * The head of a streamed response, then its body as the client takes it.
 * NGX_DONE: the pump goes on and finalizes the request once, with the
 * count the caller would have finalized; else the status or code to
 * finalize with now.
 */
ngx_int_t
ngx_http_jsfn_body_send(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    ngx_int_t              rc;
    ngx_http_jsfn_body_t  *body;

    body = ngx_http_jsfn_body_get(r, ctx);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body->declared = ngx_http_jsfn_body_declared(resp);
    r->headers_out.content_length_n = body->declared;

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        /* HEAD, 304, a failure: no body, the stream is cancelled */
        ngx_http_jsfn_body_stop(ctx);
        ngx_http_jsfn_engine_abandon(ctx);
        return rc;
    }

    ctx->streaming = 1;

    ctx->done.handler = ngx_http_jsfn_body_done_handler;
    ctx->done.data = ctx;
    ctx->done.log = r->connection->log;

    ctx->timeout.handler = ngx_http_jsfn_body_timeout_handler;
    ctx->timeout.data = ctx;
    ctx->timeout.log = r->connection->log;

    r->write_event_handler = ngx_http_jsfn_body_write_handler;

    /* the head goes now, not with the first piece (which may take long) */
    if (ngx_http_send_special(r, NGX_HTTP_FLUSH) == NGX_ERROR) {
        ctx->streaming = 0;
        ngx_http_jsfn_body_stop(ctx);
        ngx_http_jsfn_engine_abandon(ctx);
        return NGX_ERROR;
    }

    if (!body->feeding) {
        /* notice a client that goes away while the function streams */
        r->read_event_handler = ngx_http_test_reading;
    }

    rc = ngx_http_jsfn_body_pump(r, ctx);

    if (rc != NGX_DONE) {
        ctx->streaming = 0;
        ngx_http_jsfn_body_stop(ctx);

        if (rc == NGX_ERROR) {
            ngx_http_jsfn_engine_abandon(ctx);
        }
    }

    return rc;
}


/* the Content-Length the function set, or -1 */
static off_t
ngx_http_jsfn_body_declared(jsfn_response_t *resp)
{
    off_t        n;
    size_t       i;
    const char  *name;

    n = -1;

    for (i = 0; i < resp->nheaders; i++) {
        name = resp->headers[2 * i].data;

        if (resp->headers[2 * i].len == sizeof("content-length") - 1
            && ngx_strncasecmp((u_char *) name, (u_char *) "content-length",
                               sizeof("content-length") - 1) == 0)
        {
            n = ngx_atoof((u_char *) resp->headers[2 * i + 1].data,
                          resp->headers[2 * i + 1].len);
        }
    }

    return n;
}


/*
 * Pieces go out one at a time, each read from the engine only once nginx
 * has sent the one before.  NGX_DONE: waiting for the client (the write
 * event) or the function (call_done); else the code to finalize with.
 */
static ngx_int_t
ngx_http_jsfn_body_pump(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx)
{
    size_t                     len, turn;
    u_char                    *data;
    ngx_int_t                  rc;
    ngx_buf_t                 *b;
    ngx_chain_t                out;
    ngx_connection_t          *c;
    ngx_http_jsfn_body_t      *body;
    ngx_http_core_loc_conf_t  *clcf;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    c = r->connection;
    body = ctx->body;
    turn = 0;

    for ( ;; ) {

        if (r->buffered || r->postponed || (r == r->main && c->buffered)) {
            /*
             * the client has not taken the last piece yet (a subrequest's
             * output, fetch()'s, is taken at once)
             */
            clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

            if (!c->write->delayed) {
                ngx_add_timer(c->write, clcf->send_timeout);
            }

            if (ngx_handle_write_event(c->write, clcf->send_lowat) != NGX_OK)
            {
                return NGX_ERROR;
            }

            return NGX_DONE;
        }

        rc = ngx_http_jsfn_engine_read(r, ctx, &data, &len);

        if (rc == NGX_AGAIN) {
            /* the function produces it: call_done posts ctx->done */
            jlcf = ngx_http_get_module_loc_conf(r,
                                                ngx_http_js_function_module);
            ctx->reading = 1;
            ngx_add_timer(&ctx->timeout, jlcf->timeout);
            return NGX_DONE;
        }

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (rc == NGX_DONE) {
            if (body->declared >= 0 && body->sent != body->declared) {
                ngx_log_error(NGX_LOG_ERR, c->log, 0,
                              "js_function \"%V\": response body aborted:"
                              " the stream ended after %O bytes of the %O"
                              " its Content-Length declares",
                              &ctx->path, body->sent, body->declared);
                return NGX_ERROR;
            }

            ctx->streaming = 0;
            ngx_http_jsfn_body_stop(ctx);

            return ngx_http_send_special(r, NGX_HTTP_LAST);
        }

        if (body->declared >= 0
            && (off_t) len > body->declared - body->sent)
        {
            ngx_log_error(NGX_LOG_ERR, c->log, 0,
                          "js_function \"%V\": response body aborted:"
                          " the stream is longer than the %O bytes its"
                          " Content-Length declares",
                          &ctx->path, body->declared);
            return NGX_ERROR;
        }

        /* one buffer for all the pieces: each is sent when it is reused */
        b = body->buf;

        if (b == NULL || b->pos != b->last) {
            b = ngx_calloc_buf(r->pool);
            if (b == NULL) {
                return NGX_ERROR;
            }

            body->buf = b;

        } else {
            ngx_memzero(b, sizeof(ngx_buf_t));
        }

        b->pos = data;
        b->last = data + len;
        b->memory = 1;
        b->flush = 1;

        out.buf = b;
        out.next = NULL;

        body->sent += len;

        rc = ngx_http_output_filter(r, &out);

        if (rc == NGX_ERROR) {
            return NGX_ERROR;
        }

        turn += len;

        if (turn >= NGX_HTTP_JSFN_BODY_TURN) {
            /*
             * A stream that always has its next piece, sent to a client
             * that always takes it, would hold the worker: the rest goes
             * after the event loop has turned, as sendfile_max_chunk does
             * (posted to the next turn, not this one's posted events).
             */
            ngx_post_event(c->write, &ngx_posted_next_events);
            return NGX_DONE;
        }
    }
}


/* the engine has the next piece (or the stream's end or failure) */
static void
ngx_http_jsfn_body_done_handler(ngx_event_t *ev)
{
    ngx_int_t             rc;
    ngx_connection_t     *c;
    ngx_http_request_t   *r;
    ngx_http_jsfn_ctx_t  *ctx;

    ctx = ev->data;
    r = ctx->request;
    c = r->connection;

    if (!ctx->streaming || !ctx->reading) {
        return;
    }

    ctx->reading = 0;

    if (ctx->timeout.timer_set) {
        ngx_del_timer(&ctx->timeout);
    }

    rc = ngx_http_jsfn_body_pump(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_jsfn_body_end(r, ctx, rc);
    }

    ngx_http_run_posted_requests(c);
}


/*
 * js_function_timeout while streaming: the longest wait for the next
 * piece (not for the whole body, which takes the client's time).
 */
static void
ngx_http_jsfn_body_timeout_handler(ngx_event_t *ev)
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
                  "js_function \"%V\": response body aborted: no data"
                  " within %M ms (js_function_timeout)",
                  &ctx->path, jlcf->timeout);

    ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_TIMEOUTS, 1);

    ngx_http_jsfn_body_end(r, ctx, NGX_ERROR);
    ngx_http_run_posted_requests(c);
}


/* the client can take more: as ngx_http_writer(), then the next piece */
static void
ngx_http_jsfn_body_write_handler(ngx_http_request_t *r)
{
    ngx_int_t                  rc;
    ngx_event_t               *wev;
    ngx_connection_t          *c;
    ngx_http_jsfn_ctx_t       *ctx;
    ngx_http_core_loc_conf_t  *clcf;

    c = r->connection;
    wev = c->write;
    ctx = ngx_http_get_module_ctx(r, ngx_http_js_function_module);

    if (ctx == NULL || !ctx->streaming) {
        return;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_core_module);

    if (wev->timedout) {
        ngx_log_error(NGX_LOG_INFO, c->log, NGX_ETIMEDOUT,
                      "client timed out");
        c->timedout = 1;
        ngx_http_jsfn_body_end(r, ctx, NGX_HTTP_REQUEST_TIME_OUT);
        return;
    }

    if (wev->delayed || r->aio) {
        if (!wev->delayed) {
            ngx_add_timer(wev, clcf->send_timeout);
        }

        if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
            ngx_http_jsfn_body_end(r, ctx, NGX_ERROR);
        }

        return;
    }

    rc = ngx_http_output_filter(r, NULL);

    if (rc == NGX_ERROR) {
        ngx_http_jsfn_body_end(r, ctx, NGX_ERROR);
        return;
    }

    if (r->buffered || r->postponed || (r == r->main && c->buffered)) {
        if (!wev->delayed) {
            ngx_add_timer(wev, clcf->send_timeout);
        }

        if (ngx_handle_write_event(wev, clcf->send_lowat) != NGX_OK) {
            ngx_http_jsfn_body_end(r, ctx, NGX_ERROR);
        }

        return;
    }

    if (wev->timer_set) {
        ngx_del_timer(wev);
    }

    if (ctx->reading) {
        /* the function has not produced the next piece yet */
        return;
    }

    rc = ngx_http_jsfn_body_pump(r, ctx);

    if (rc != NGX_DONE) {
        ngx_http_jsfn_body_end(r, ctx, rc);
    }
}


/*
 * The streamed response ends: finalizes with the count the pump held.  A
 * failure closes the connection (the body is cut short, without its last
 * chunk) and cancels the function's stream.
 */
static void
ngx_http_jsfn_body_end(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_int_t rc)
{
    ctx->streaming = 0;
    ctx->reading = 0;

    if (ctx->timeout.timer_set) {
        ngx_del_timer(&ctx->timeout);
    }

    if (ctx->done.posted) {
        ngx_delete_posted_event(&ctx->done);
    }

    ngx_http_jsfn_body_stop(ctx);

    if (rc == NGX_ERROR || rc >= NGX_HTTP_SPECIAL_RESPONSE) {
        ngx_http_jsfn_engine_abandon(ctx);

        if (r->header_sent) {
            rc = NGX_ERROR;
        }
    }

    ngx_http_finalize_request(r, rc);
}


/* ----------------------------------------------------------- request */


/*
 * The call started with a request body stream: nothing is fed until the
 * function reads it (body_want), as a stream or whole.  NGX_OK, or the
 * status to end the request with.
 */
ngx_int_t
ngx_http_jsfn_body_read(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx)
{
    ngx_http_jsfn_body_t  *body;

    body = ngx_http_jsfn_body_get(r, ctx);
    if (body == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    body->feeding = 1;
    body->paused = 1;
    r->read_event_handler = ngx_http_jsfn_body_read_handler;

    /* client_body_timeout runs only while nginx waits for the client */
    if (r->connection->read->timer_set) {
        ngx_del_timer(r->connection->read);
    }

    return NGX_OK;
}


/* NGX_OK (fed, paused, or waiting for the client), or a status */
static ngx_int_t
ngx_http_jsfn_body_feed(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx)
{
    ngx_int_t              rc;
    ngx_connection_t      *c;
    ngx_http_jsfn_body_t  *body;

    c = r->connection;
    body = ctx->body;

    for ( ;; ) {
        rc = ngx_http_jsfn_body_feed_bufs(r, ctx, body);

        if (rc != NGX_OK && rc != NGX_AGAIN) {
            body->ended = 1;
            return rc;
        }

        if (!body->ended && !r->reading_body) {
            /* all read, and no last buffer said so */
            body->ended = 1;
            rc = ngx_http_jsfn_engine_feed(r, ctx, NULL, 0, JSFN_DATA_LAST);

            if (rc != NGX_OK && rc != NGX_AGAIN) {
                return rc;
            }
        }

        if (body->ended) {
            body->feeding = 0;

            /* a client that goes away now is noticed as without a body */
            r->read_event_handler = ngx_http_test_reading;

            return NGX_OK;
        }

        if (rc == NGX_AGAIN) {
            /* the function has not read what it has: wait for body_want */
            body->paused = 1;

            if (c->read->timer_set) {
                ngx_del_timer(c->read);
            }

            return NGX_OK;
        }

        rc = ngx_http_read_unbuffered_request_body(r);

        if (rc >= NGX_HTTP_SPECIAL_RESPONSE) {
            return ngx_http_jsfn_body_fail(r, ctx, rc);
        }

        if (rc == NGX_AGAIN && r->request_body->bufs == NULL) {
            /* nginx armed the read event and client_body_timeout */
            return NGX_OK;
        }
    }
}


/* feeds what nginx has read: NGX_OK, NGX_AGAIN (paused), or a status */
static ngx_int_t
ngx_http_jsfn_body_feed_bufs(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_http_jsfn_body_t *body)
{
    size_t                     len;
    ngx_int_t                  rc, last;
    ngx_buf_t                 *b;
    ngx_chain_t               *cl;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    rc = NGX_OK;

    for (cl = r->request_body->bufs; cl; cl = cl->next) {
        b = cl->buf;
        last = b->last_buf;

        if (b->in_file) {
            /* never with request_body_no_buffering */
            ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                          "js_function: a request body piece in a file");
            rc = NGX_HTTP_INTERNAL_SERVER_ERROR;
            break;
        }

        len = b->last - b->pos;

        if (len == 0 && !last) {
            continue;
        }

        /* a piece: the engine copies it, nginx may reuse its buffer */
        rc = ngx_http_jsfn_engine_feed(r, ctx, b->pos, len,
                                       last ? JSFN_DATA_LAST : 0);
        b->pos = b->last;

        if (ctx->pending && ctx->timeout.timer_set) {
            /* js_function_timeout counts from the last piece the function
               read: an upload's time is the client's (client_body_timeout) */
            jlcf = ngx_http_get_module_loc_conf(r,
                                                ngx_http_js_function_module);
            ngx_del_timer(&ctx->timeout);
            ngx_add_timer(&ctx->timeout, jlcf->timeout);
        }

        if (last) {
            body->ended = 1;
        }

        if (rc != NGX_OK && rc != NGX_AGAIN) {
            break;
        }
    }

    r->request_body->bufs = NULL;

    return rc;
}


/* reading the body failed: the function's stream errors; the status */
static ngx_int_t
ngx_http_jsfn_body_fail(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_int_t rc)
{
    ngx_str_t  msg;

    switch (rc) {

    case NGX_HTTP_REQUEST_ENTITY_TOO_LARGE:
        ngx_str_set(&msg, "The request body is larger than the server"
                          " accepts (client_max_body_size).");
        break;

    case NGX_HTTP_REQUEST_TIME_OUT:
        ngx_str_set(&msg, "The client timed out sending the request body.");
        break;

    default:
        ngx_str_set(&msg, "The client closed the connection or sent an"
                          " invalid body before the request body ended.");
        break;
    }

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "js_function \"%V\": request body failed: %V",
                  &ctx->path, &msg);

    (void) ngx_http_jsfn_engine_feed(r, ctx, msg.data, msg.len,
                                     JSFN_DATA_ERROR);

    return rc;
}


/* feeding failed while the call is pending or its response streams */
static void
ngx_http_jsfn_body_abort(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    ngx_int_t rc)
{
    ngx_http_jsfn_body_stop(ctx);

    if (ctx->streaming) {
        ngx_http_jsfn_body_end(r, ctx, NGX_ERROR);
        return;
    }

    if (!ctx->pending) {
        /* the response has gone already */
        return;
    }

    ctx->pending = 0;

    if (ctx->timeout.timer_set) {
        ngx_del_timer(&ctx->timeout);
    }

    if (ctx->done.posted) {
        ngx_delete_posted_event(&ctx->done);
    }

    ngx_http_jsfn_engine_abandon(ctx);

    if (rc >= NGX_HTTP_INTERNAL_SERVER_ERROR) {
        ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_ERRORS, 1);
    }

    /* balances the pending state entered in ngx_http_jsfn_start() */
    ngx_http_finalize_request(r, rc);
}


/* more of the body arrived from the client */
static void
ngx_http_jsfn_body_read_handler(ngx_http_request_t *r)
{
    ngx_int_t              rc;
    ngx_http_jsfn_ctx_t   *ctx;
    ngx_http_jsfn_body_t  *body;

    ctx = ngx_http_get_module_ctx(r, ngx_http_js_function_module);

    if (ctx == NULL || ctx->body == NULL) {
        return;
    }

    body = ctx->body;

    if (!body->feeding || body->paused) {
        /* read when the function wants more */
        return;
    }

    rc = ngx_http_jsfn_body_feed(r, ctx);

    if (rc != NGX_OK) {
        ngx_http_jsfn_body_abort(r, ctx, rc);
    }
}


/* the engine's body_want: only take note */
void
ngx_http_jsfn_body_want(ngx_http_jsfn_ctx_t *ctx)
{
    ngx_http_jsfn_body_t  *body = ctx->body;

    if (body != NULL && body->feeding && !body->want.posted) {
        ngx_post_event(&body->want, &ngx_posted_events);
    }
}


static void
ngx_http_jsfn_body_want_handler(ngx_event_t *ev)
{
    ngx_int_t              rc;
    ngx_connection_t      *c;
    ngx_http_request_t    *r;
    ngx_http_jsfn_ctx_t   *ctx;
    ngx_http_jsfn_body_t  *body;

    body = ev->data;
    r = body->request;
    ctx = body->ctx;
    c = r->connection;

    if (!body->feeding || !body->paused) {
        return;
    }

    body->paused = 0;

    rc = ngx_http_jsfn_body_feed(r, ctx);

    if (rc != NGX_OK) {
        ngx_http_jsfn_body_abort(r, ctx, rc);
    }

    ngx_http_run_posted_requests(c);
}


/* no more feeding: the response is out, or the request ends */
void
ngx_http_jsfn_body_stop(ngx_http_jsfn_ctx_t *ctx)
{
    ngx_http_jsfn_body_t  *body = ctx->body;

    if (body == NULL) {
        return;
    }

    body->feeding = 0;
    body->paused = 0;

    if (body->want.posted) {
        ngx_delete_posted_event(&body->want);
    }
}
