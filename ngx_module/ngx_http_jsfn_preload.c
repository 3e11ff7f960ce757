
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/*
 * Functions ready before their first request: from 100 ms after the
 * worker starts, each fixed-path function (js_function with a literal
 * path) is loaded into its isolate, one function per turn of the event
 * loop, so requests keep flowing between loads and the first request to
 * it finds it warm.  A
 * preload never evicts: it stops when the pool is full.  A failure is
 * logged and remembered as any failed load (its first request answers
 * with it), never fatal.
 *
 * Also the directory of the code cache shared by the workers
 * (js_function_code_cache): files nginx creates and owns like its temp
 * paths, kept across reloads and restarts.
 */


#define NGX_HTTP_JSFN_CODE_CACHE_MAX  (256 * 1024 * 1024)

/*
 * The first preload waits this long after the worker starts: its first
 * requests (health checks, a reload's traffic) are answered before it
 * spends the CPU; a function requested before its preload loads as ever.
 */
#define NGX_HTTP_JSFN_PRELOAD_DELAY   100


static void ngx_http_jsfn_preload_handler(ngx_event_t *ev);


/* js_function_code_cache path [max_size=size] | off */
char *
ngx_http_jsfn_code_cache(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_main_conf_t *jmcf = conf;

    ssize_t     size;
    ngx_str_t  *value, s;
    ngx_uint_t  i;

    if (jmcf->code_cache != NULL || jmcf->code_cache_off) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") == 0) {
        if (cf->args->nelts > 2) {
            return "takes no parameters with \"off\"";
        }

        jmcf->code_cache_off = 1;
        return NGX_CONF_OK;
    }

    jmcf->code_cache = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (jmcf->code_cache == NULL) {
        return NGX_CONF_ERROR;
    }

    jmcf->code_cache->name = value[1];

    /* NUL-terminated by ngx_get_full_name() or the parser */
    if (ngx_conf_full_name(cf->cycle, &jmcf->code_cache->name, 0)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    for (i = 2; i < cf->args->nelts; i++) {

        if (ngx_strncmp(value[i].data, "max_size=", 9) == 0) {
            s.len = value[i].len - 9;
            s.data = value[i].data + 9;

            size = ngx_parse_size(&s);
            if (size == NGX_ERROR || size < 1024 * 1024) {
                ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                                   "js_function_code_cache: invalid"
                                   " \"%V\" (at least 1m)", &value[i]);
                return NGX_CONF_ERROR;
            }

            jmcf->code_cache_max = (size_t) size;
            continue;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_code_cache: invalid parameter"
                           " \"%V\"", &value[i]);
        return NGX_CONF_ERROR;
    }

    /* the master makes it, owned by the workers' user */
    if (ngx_add_path(cf, &jmcf->code_cache) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * Without js_function_code_cache: "js_function_cache" beside the http
 * level's client_body_temp_path, where nginx keeps its temporary files.
 */
ngx_int_t
ngx_http_jsfn_code_cache_init(ngx_conf_t *cf,
    ngx_http_jsfn_main_conf_t *jmcf)
{
    u_char                    *p, *slash;
    ngx_str_t                 *temp;
    ngx_path_t                *path;
    ngx_http_core_loc_conf_t  *clcf;

    if (jmcf->code_cache_max == 0) {
        jmcf->code_cache_max = NGX_HTTP_JSFN_CODE_CACHE_MAX;
    }

    if (jmcf->code_cache != NULL || jmcf->code_cache_off
        || jmcf->functions == 0)
    {
        return NGX_OK;
    }

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->client_body_temp_path == NULL) {
        return NGX_OK;
    }

    temp = &clcf->client_body_temp_path->name;

    slash = NULL;
    for (p = temp->data; p < temp->data + temp->len; p++) {
        if (*p == '/') {
            slash = p;
        }
    }

    if (slash == NULL) {
        return NGX_OK;
    }

    path = ngx_pcalloc(cf->pool, sizeof(ngx_path_t));
    if (path == NULL) {
        return NGX_ERROR;
    }

    path->name.len = slash - temp->data + sizeof("/js_function_cache") - 1;
    path->name.data = ngx_pnalloc(cf->pool, path->name.len + 1);
    if (path->name.data == NULL) {
        return NGX_ERROR;
    }

    p = ngx_cpymem(path->name.data, temp->data, slash - temp->data);
    ngx_memcpy(p, "/js_function_cache", sizeof("/js_function_cache"));

    jmcf->code_cache = path;

    return ngx_add_path(cf, &jmcf->code_cache);
}


ngx_int_t
ngx_http_jsfn_preload_start(ngx_cycle_t *cycle)
{
    ngx_event_t                *ev;
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);

    if (!jmcf->preload || jmcf->checks == NULL || jmcf->checks->nelts == 0)
    {
        return NGX_OK;
    }

    ev = ngx_pcalloc(cycle->pool, sizeof(ngx_event_t));
    if (ev == NULL) {
        return NGX_ERROR;
    }

    ev->handler = ngx_http_jsfn_preload_handler;
    ev->log = cycle->log;
    ev->data = jmcf;
    ev->cancelable = 1;
    ev->index = 0;                         /* the next check to load */

    jmcf->preloading = ev;

    ngx_add_timer(ev, NGX_HTTP_JSFN_PRELOAD_DELAY);

    return NGX_OK;
}


void
ngx_http_jsfn_preload_stop(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);

    if (jmcf != NULL && jmcf->preloading != NULL) {
        if (jmcf->preloading->timer_set) {
            ngx_del_timer(jmcf->preloading);
        }

        jmcf->preloading = NULL;
    }
}


/* one function per turn: the timer gives the loop's other events a turn */
static void
ngx_http_jsfn_preload_handler(ngx_event_t *ev)
{
    ngx_http_jsfn_main_conf_t *jmcf = ev->data;

    ngx_int_t                  rc;
    struct timeval             t0, t1;
    ngx_http_jsfn_check_t     *check;
    ngx_http_jsfn_isolate_t   *isolate;
    ngx_http_jsfn_loc_conf_t  *jlcf;

    if (ngx_exiting || ngx_terminate || ngx_quit) {
        return;
    }

    while (ev->index < jmcf->checks->nelts) {
        check = &((ngx_http_jsfn_check_t *) jmcf->checks->elts)[ev->index++];
        jlcf = check->conf;

        /* loaded already (two locations of one file), or no room */
        if (ngx_http_jsfn_pool_room(&check->path) != NGX_OK) {
            continue;
        }

        ngx_gettimeofday(&t0);

        rc = ngx_http_jsfn_pool_load(&check->path, jlcf, ev->log, &isolate);

        if (rc == NGX_OK) {
            ngx_gettimeofday(&t1);

            isolate->preloaded = 1;
            isolate->load_us = (t1.tv_sec - t0.tv_sec) * 1000000
                               + (t1.tv_usec - t0.tv_usec);
        }

        ngx_log_debug2(NGX_LOG_DEBUG_HTTP, ev->log, 0,
                       "js function \"%V\": preloaded: %i",
                       &check->path, rc);

        if (ev->index < jmcf->checks->nelts) {
            ngx_add_timer(ev, 1);
        }

        return;
    }
}
