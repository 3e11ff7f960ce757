
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


static void ngx_http_jsfn_host_log(void *host, int level, const char *msg,
    size_t len);
static int ngx_http_jsfn_host_timer_start(void *host, uint32_t id,
    uint64_t ms);
static void ngx_http_jsfn_host_timer_stop(void *host, uint32_t id);
static void ngx_http_jsfn_host_call_done(void *host);
static void ngx_http_jsfn_host_body_want(void *host);
static ngx_int_t ngx_http_jsfn_engine_error(ngx_log_t *log, ngx_str_t *path,
    int rc, jsfn_err_t *err);
static ngx_int_t ngx_http_jsfn_engine_result(ngx_http_request_t *r,
    ngx_http_jsfn_ctx_t *ctx, int rc, jsfn_err_t *err);


static const jsfn_host_t  ngx_http_jsfn_host = {
    ngx_http_jsfn_host_log,
    ngx_http_jsfn_host_timer_start,
    ngx_http_jsfn_host_timer_stop,
    ngx_http_jsfn_host_call_done,
    ngx_http_jsfn_fetch_start,
    ngx_http_jsfn_fetch_ctl,
    ngx_http_jsfn_host_body_want,
    ngx_http_jsfn_kv_op                    /* kv */
};


static ngx_uint_t  ngx_http_jsfn_log_levels[] = {
    NGX_LOG_DEBUG,                         /* JSFN_LOG_DEBUG: console.debug */
    NGX_LOG_INFO,                          /* JSFN_LOG_INFO: console.log */
    NGX_LOG_WARN,                          /* JSFN_LOG_WARN */
    NGX_LOG_ERR                            /* JSFN_LOG_ERROR */
};


ngx_int_t
ngx_http_jsfn_engine_init(ngx_cycle_t *cycle)
{
    jsfn_err_t                  err;
    jsfn_engine_conf_t          conf;
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);

    ngx_memzero(&conf, sizeof(jsfn_engine_conf_t));
    conf.host = &ngx_http_jsfn_host;

    /* ngx_conf_full_name() left it NUL-terminated */
    conf.snapshot = jmcf->snapshot.len ? (char *) jmcf->snapshot.data : NULL;

    /* NUL-terminated: ngx_conf_full_name() or ngx_http_jsfn_preload.c */
    conf.code_cache = jmcf->code_cache ? (char *) jmcf->code_cache->name.data
                                       : NULL;
    conf.code_cache_max = jmcf->code_cache_max;

    if (jsfn_engine_init(&conf, &err) != JSFN_OK) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "js_function: %s", err.msg);
        return NGX_ERROR;
    }

    if (err.len) {
        ngx_log_error(NGX_LOG_WARN, cycle->log, 0,
                      "js_function: %s", err.msg);
    }

    ngx_log_debug2(NGX_LOG_DEBUG_HTTP, cycle->log, 0,
                   "js function engine: %s, snapshot: %s",
                   jsfn_engine_version(),
                   jsfn_engine_snapshot() ? "yes" : "no");

    return NGX_OK;
}


void
ngx_http_jsfn_engine_done(ngx_cycle_t *cycle)
{
    jsfn_engine_shutdown();
}


/*
 * nginx -t, start and reload: compile every fixed-path function with its
 * imports, in a child process (V8 never starts in the master, whose
 * workers would inherit its threads).  SIGCHLD stays blocked meanwhile so
 * that the master's handler does not reap the child first.
 */
ngx_int_t
ngx_http_jsfn_engine_check(ngx_conf_t *cf, ngx_http_jsfn_main_conf_t *jmcf)
{
    int                     fds[2], status;
    u_char                 *buf, *p, *last, *end;
    pid_t                   pid;
    ssize_t                 n;
    sigset_t                set, old;
    ngx_uint_t              i;
    jsfn_err_t              err;
    jsfn_engine_conf_t      conf;
    ngx_http_jsfn_check_t  *check;

    if (jmcf == NULL || jmcf->checks == NULL || jmcf->checks->nelts == 0) {
        return NGX_OK;
    }

    if (pipe(fds) == -1) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "js_function: pipe() failed");
        return NGX_ERROR;
    }

    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, &old);

    pid = fork();

    if (pid == -1) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, ngx_errno,
                      "js_function: fork() failed");
        sigprocmask(SIG_SETMASK, &old, NULL);
        close(fds[0]);
        close(fds[1]);
        return NGX_ERROR;
    }

    if (pid == 0) {
        /* the child: one record per failure, NUL-separated, then "OK" */
        close(fds[0]);

        ngx_memzero(&conf, sizeof(jsfn_engine_conf_t));
        conf.host = &ngx_http_jsfn_host;

        if (jsfn_engine_init(&conf, &err) != JSFN_OK) {
            (void) write(fds[1], err.msg, err.len + 1);

        } else {
            check = jmcf->checks->elts;

            for (i = 0; i < jmcf->checks->nelts; i++) {
                if (jsfn_check_module((char *) check[i].path.data,
                                      (char *) check[i].root.data, &err)
                    != JSFN_OK)
                {
                    (void) write(fds[1], err.msg, err.len + 1);
                }
            }
        }

        (void) write(fds[1], "OK", 3);
        _exit(0);
    }

    close(fds[1]);

    buf = ngx_pnalloc(cf->temp_pool, 65536);
    if (buf == NULL) {
        close(fds[0]);
        waitpid(pid, &status, 0);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return NGX_ERROR;
    }

    last = buf;
    end = buf + 65535;

    while (last < end) {
        n = read(fds[0], last, end - last);

        if (n == -1 && ngx_errno == NGX_EINTR) {
            continue;
        }

        if (n <= 0) {
            break;
        }

        last += n;
    }

    *last = '\0';

    close(fds[0]);
    waitpid(pid, &status, 0);
    sigprocmask(SIG_SETMASK, &old, NULL);

    if (last - buf < 3 || ngx_strcmp(last - 3, "OK") != 0) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "js_function: the syntax check process failed"
                      " (status %d)", status);
        return NGX_ERROR;
    }

    if (last - buf == 3) {
        return NGX_OK;
    }

    for (p = buf; p < last - 3; p += ngx_strlen(p) + 1) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0, "js_function: %s", p);
    }

    return NGX_ERROR;
}


ngx_int_t
ngx_http_jsfn_engine_load(ngx_http_jsfn_isolate_t *isolate, ngx_log_t *log,
    ngx_str_t *root, ngx_http_jsfn_loc_conf_t *jlcf, jsfn_isolate_t *spare)
{
    int                  rc;
    jsfn_err_t           err;
    jsfn_isolate_conf_t  conf;

    isolate->log = log;
    isolate->conf = jlcf;

    if (isolate->group != NULL) {
        ngx_memzero(&conf, sizeof(jsfn_isolate_conf_t));
        conf.heap_max = jlcf->memory;
        conf.cpu_limit_us = (uint64_t) jlcf->cpu_limit * 1000;
        conf.allow_eval = jlcf->allow_eval;
        conf.host = isolate;

        rc = jsfn_group_join(isolate->group->grp, &conf,
                             (char *) isolate->sn.str.data,
                             (char *) root->data, &isolate->iso, &err);

    } else if (spare != NULL) {
        isolate->iso = spare;

        rc = jsfn_isolate_load(spare, (char *) isolate->sn.str.data,
                               (char *) root->data, isolate, &err);
        if (rc != JSFN_OK) {
            jsfn_isolate_free(spare);
            isolate->iso = NULL;
        }

    } else {
        ngx_memzero(&conf, sizeof(jsfn_isolate_conf_t));
        conf.heap_max = jlcf->memory;
        conf.cpu_limit_us = (uint64_t) jlcf->cpu_limit * 1000;
        conf.allow_eval = jlcf->allow_eval;
        conf.host = isolate;

        rc = jsfn_isolate_new(&conf, (char *) isolate->sn.str.data,
                              (char *) root->data, &isolate->iso, &err);
    }

    isolate->log = NULL;

    if (rc != JSFN_OK) {
        /* fetches its top-level code started go with it */
        ngx_http_jsfn_fetch_isolate_free(isolate);
        return ngx_http_jsfn_engine_error(log, &isolate->sn.str, rc, &err);
    }

    ngx_log_debug4(NGX_LOG_DEBUG_HTTP, log, 0,
                   "js function \"%V\": isolate created%s%s,"
                   " %d modules from the code cache",
                   &isolate->sn.str, spare ? " from a spare" : "",
                   jsfn_engine_snapshot() ? " (snapshot)" : " (no snapshot)",
                   jsfn_isolate_cached(isolate->iso));

    return NGX_OK;
}


/*
 * NGX_OK, or the status of an earlier load of the function that failed
 * while its files did not change since (no isolate is made to fail again).
 * "path" is NUL-terminated.
 */
ngx_int_t
ngx_http_jsfn_engine_failed(ngx_str_t *path, ngx_log_t *log,
    ngx_str_t *root, ngx_http_jsfn_loc_conf_t *jlcf)
{
    int         rc;
    jsfn_err_t  err;

    rc = jsfn_load_failed((char *) path->data, (char *) root->data,
                          jlcf->allow_eval, &err);
    if (rc == JSFN_OK) {
        return NGX_OK;
    }

    return ngx_http_jsfn_engine_error(log, path, rc, &err);
}


/* blank isolates with the runtime, made by the engine's thread */
ngx_int_t
ngx_http_jsfn_engine_spares(ngx_log_t *log, ngx_http_jsfn_loc_conf_t *jlcf,
    ngx_uint_t min, ngx_uint_t max)
{
    jsfn_isolate_conf_t  conf;

    ngx_memzero(&conf, sizeof(jsfn_isolate_conf_t));
    conf.heap_max = jlcf->memory;
    conf.cpu_limit_us = (uint64_t) jlcf->cpu_limit * 1000;
    conf.allow_eval = jlcf->allow_eval;

    if (jsfn_spares_start(&conf, min, max) != JSFN_OK) {
        ngx_log_error(NGX_LOG_EMERG, log, 0,
                      "js_function: cannot start making spare isolates");
        return NGX_ERROR;
    }

    return NGX_OK;
}


/* a cold start: a spare isolate, or NULL when none is ready */
jsfn_isolate_t *
ngx_http_jsfn_engine_take_spare(ngx_log_t *log)
{
    jsfn_isolate_t       *spare;
    jsfn_spares_stats_t   st;

    ngx_memzero(&st, sizeof(jsfn_spares_stats_t));

    spare = jsfn_spares_take(&st);

    ngx_log_debug5(NGX_LOG_DEBUG_HTTP, log, 0,
                   "js function spares: %s, %uz in stock, target %uz,"
                   " %uL made, %uL cold starts found none",
                   spare ? "one taken" : "none ready", st.ready, st.target,
                   st.made, st.missed);

    return spare;
}


ngx_int_t
ngx_http_jsfn_engine_changed(ngx_http_jsfn_isolate_t *isolate)
{
    return jsfn_isolate_changed(isolate->iso);
}


size_t
ngx_http_jsfn_engine_heap(ngx_http_jsfn_isolate_t *isolate, size_t *total)
{
    jsfn_heap_t  heap;

    /* the sweep's once-a-second visit also runs V8's queued GC tasks */
    jsfn_isolate_pump(isolate->iso);
    jsfn_isolate_heap(isolate->iso, &heap);

    *total = heap.total;

    return heap.used + heap.external;
}


void
ngx_http_jsfn_engine_free(ngx_http_jsfn_isolate_t *isolate)
{
    jsfn_isolate_free(isolate->iso);
    isolate->iso = NULL;
}


/* NGX_OK: response ready; NGX_AGAIN: pending; else an HTTP status */
ngx_int_t
ngx_http_jsfn_engine_start(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_request_t *req)
{
    int                        rc;
    jsfn_err_t                 err;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    jlcf = ngx_http_get_module_loc_conf(r, ngx_http_js_function_module);
    req->cpu_limit_us = (uint64_t) jlcf->cpu_limit * 1000;

    ctx->isolate->log = r->connection->log;
    ctx->isolate->conf = jlcf;

    rc = jsfn_call_start(ctx->isolate->iso, req, ctx, &ctx->call, &err);

    ctx->isolate->log = NULL;

    /*
     * A handler that ran for a while left nginx's clock behind: the timers
     * it armed count from now (ngx_http_jsfn_timer_late()), and the event
     * loop's next wait must too, or they would fire that much late.  Not
     * from timer callbacks: there, a clock moving on within nginx's run of
     * expired timers could chain callbacks without the loop turning.
     */
    if (ngx_http_jsfn_timer_late() >= 2) {
        ngx_time_update();
    }

    return ngx_http_jsfn_engine_result(r, ctx, rc, &err);
}


/*
 * JSFN_OK and JSFN_AGAIN as NGX_OK and NGX_AGAIN; a failure is logged and
 * given as the status to answer with (a condemned isolate is retired).
 */
static ngx_int_t
ngx_http_jsfn_engine_result(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    int rc, jsfn_err_t *err)
{
    if (rc == JSFN_OK) {
        return NGX_OK;
    }

    if (rc == JSFN_AGAIN) {
        return NGX_AGAIN;
    }

    if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
        ngx_http_jsfn_pool_retire(ctx->isolate, rc);
    }

    return ngx_http_jsfn_engine_error(r->connection->log, &ctx->path, rc,
                                      err);
}


ngx_int_t
ngx_http_jsfn_engine_finish(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    jsfn_response_t *resp)
{
    int         rc;
    jsfn_err_t  err;

    rc = jsfn_call_finish(ctx->call, resp, &err);

    if (rc != JSFN_OK) {
        return ngx_http_jsfn_engine_error(r->connection->log, &ctx->path, rc,
                                          &err);
    }

    if (resp->status < 200 || resp->status > 599) {
        ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                      "js_function \"%V\": invalid response status %d",
                      &ctx->path, resp->status);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    return NGX_OK;
}


/*
 * The host is done with the call; no call_done for it follows.  An
 * unfinished body stream of the call is cancelled, which runs JS: a limit
 * it breaks retires the isolate.
 */
void
ngx_http_jsfn_engine_abandon(ngx_http_jsfn_ctx_t *ctx)
{
    int  rc;

    if (ctx->call == NULL) {
        return;
    }

    jsfn_call_free(ctx->call);
    ctx->call = NULL;

    if (ctx->isolate != NULL && ctx->isolate->iso != NULL) {
        rc = jsfn_isolate_condemned(ctx->isolate->iso);

        if (rc != JSFN_OK) {
            ngx_http_jsfn_pool_retire(ctx->isolate, rc);
        }
    }
}


/*
 * The next piece of a streamed response body: NGX_OK (in *data, *len,
 * valid until the next read), NGX_DONE (the end), NGX_AGAIN (call_done
 * follows), or NGX_ERROR (the stream failed: logged).
 */
ngx_int_t
ngx_http_jsfn_engine_read(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    u_char **data, size_t *len)
{
    int          rc;
    const char  *p;
    jsfn_err_t   err;

    if (ctx->call == NULL) {
        return NGX_ERROR;
    }

    ctx->isolate->log = r->connection->log;

    rc = jsfn_call_read(ctx->call, &p, len, &err);

    ctx->isolate->log = NULL;

    switch (rc) {

    case JSFN_OK:
        *data = (u_char *) p;
        return NGX_OK;

    case JSFN_DONE:
        return NGX_DONE;

    case JSFN_AGAIN:
        return NGX_AGAIN;

    case JSFN_ERR_TIMEOUT:
    case JSFN_ERR_HEAP:
        ngx_http_jsfn_pool_retire(ctx->isolate, rc);
        break;

    default:
        break;
    }

    ngx_log_error(NGX_LOG_ERR, r->connection->log, 0,
                  "js_function \"%V\": response body aborted: %s",
                  &ctx->path, err.msg);

    ngx_http_jsfn_stat_add(&ctx->path, NGX_HTTP_JSFN_STAT_ERRORS, 1);

    return NGX_ERROR;
}


/*
 * A piece of a streamed request body: NGX_OK (more is welcome), NGX_AGAIN
 * (wait for body_want), or the status to end the request with (logged).
 */
ngx_int_t
ngx_http_jsfn_engine_feed(ngx_http_request_t *r, ngx_http_jsfn_ctx_t *ctx,
    u_char *data, size_t len, int flags)
{
    int         rc;
    jsfn_err_t  err;

    if (ctx->call == NULL) {
        return NGX_AGAIN;
    }

    ctx->isolate->log = r->connection->log;

    rc = jsfn_call_feed(ctx->call, (const char *) data, len, flags, &err);

    ctx->isolate->log = NULL;

    return ngx_http_jsfn_engine_result(r, ctx, rc, &err);
}


void
ngx_http_jsfn_engine_timer(ngx_http_jsfn_isolate_t *isolate, uint32_t id)
{
    int         rc;
    jsfn_err_t  err;

    rc = jsfn_timer_fire(isolate->iso, id, &err);

    if (rc != JSFN_OK) {
        (void) ngx_http_jsfn_engine_error(ngx_cycle->log, &isolate->sn.str,
                                          rc, &err);

        if (rc == JSFN_ERR_TIMEOUT || rc == JSFN_ERR_HEAP) {
            /* may free the isolate: nothing of it is touched after this */
            ngx_http_jsfn_pool_retire(isolate, rc);
        }
    }
}


static ngx_int_t
ngx_http_jsfn_engine_error(ngx_log_t *log, ngx_str_t *path, int rc,
    jsfn_err_t *err)
{
    switch (rc) {

    case JSFN_ERR_NOTFOUND:
        ngx_log_error(NGX_LOG_ERR, log, 0, "js_function \"%V\": %s",
                      path, err->msg);
        return NGX_HTTP_NOT_FOUND;

    case JSFN_ERR_TIMEOUT:
    case JSFN_ERR_HEAP:
        ngx_log_error(NGX_LOG_ERR, log, 0, "js_function \"%V\": %s",
                      path, err->msg);
        return NGX_HTTP_SERVICE_UNAVAILABLE;

    case JSFN_ERR_LOAD:
        ngx_log_error(NGX_LOG_ERR, log, 0,
                      "js_function \"%V\": cannot load: %s", path, err->msg);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    case JSFN_ERR_BODY:
        ngx_log_error(NGX_LOG_ERR, log, 0, "js_function \"%V\": %s",
                      path, err->msg);
        return NGX_HTTP_REQUEST_ENTITY_TOO_LARGE;

    case JSFN_ERR_JS:
        ngx_log_error(NGX_LOG_ERR, log, 0, "js_function \"%V\": Uncaught %s",
                      path, err->msg);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;

    default:
        ngx_log_error(NGX_LOG_ERR, log, 0, "js_function \"%V\": %s",
                      path, err->msg);
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }
}


static void
ngx_http_jsfn_host_log(void *host, int level, const char *msg, size_t len)
{
    ngx_log_t                *log;
    ngx_http_jsfn_isolate_t  *isolate = host;

    if (level < JSFN_LOG_DEBUG || level > JSFN_LOG_ERROR) {
        level = JSFN_LOG_INFO;
    }

    if (isolate == NULL) {
        /* the nginx -t check child: no isolate of the pool */
        return;
    }

    log = isolate->log ? isolate->log : ngx_cycle->log;

    ngx_log_error(ngx_http_jsfn_log_levels[level], log, 0,
                  "js_function \"%V\": %*s", &isolate->sn.str, len, msg);
}


static int
ngx_http_jsfn_host_timer_start(void *host, uint32_t id, uint64_t ms)
{
    return ngx_http_jsfn_timer_start(host, id, (ngx_msec_t) ms) == NGX_OK
           ? 0 : -1;
}


static void
ngx_http_jsfn_host_timer_stop(void *host, uint32_t id)
{
    ngx_http_jsfn_timer_stop(host, id);
}


static void
ngx_http_jsfn_host_call_done(void *host)
{
    ngx_http_jsfn_call_done(host);
}


static void
ngx_http_jsfn_host_body_want(void *host)
{
    ngx_http_jsfn_body_want(host);
}
