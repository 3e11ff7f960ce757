
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


static ngx_int_t ngx_http_jsfn_postconfiguration(ngx_conf_t *cf);
static void *ngx_http_jsfn_create_main_conf(ngx_conf_t *cf);
static char *ngx_http_jsfn_init_main_conf(ngx_conf_t *cf, void *conf);
static void *ngx_http_jsfn_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_jsfn_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static ngx_int_t ngx_http_jsfn_init_process(ngx_cycle_t *cycle);
static void ngx_http_jsfn_exit_process(ngx_cycle_t *cycle);


static char *ngx_http_jsfn_check_memory(ngx_conf_t *cf, void *post,
    void *data);


/* below 1m V8 cannot even set up a context */
static ngx_conf_post_t  ngx_http_jsfn_memory_post = {
    ngx_http_jsfn_check_memory
};


static ngx_command_t  ngx_http_jsfn_commands[] = {

    { ngx_string("js_function"),
      NGX_HTTP_LOC_CONF|NGX_HTTP_LIF_CONF|NGX_CONF_TAKE1,
      ngx_http_jsfn_function,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_env"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_jsfn_env,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_kv"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE23,
      ngx_http_jsfn_kv,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, timeout),
      NULL },

    { ngx_string("js_function_cpu_limit"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, cpu_limit),
      NULL },

    { ngx_string("js_function_memory"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, memory),
      &ngx_http_jsfn_memory_post },

    { ngx_string("js_function_allow_eval"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, allow_eval),
      NULL },

    { ngx_string("js_function_isolation"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE12,
      ngx_http_jsfn_isolation,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_fetch_allow"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_jsfn_fetch_allow,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_fetch_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_timeout),
      NULL },

    { ngx_string("js_function_fetch_max_response_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_max_response_size),
      NULL },

    { ngx_string("js_function_fetch_max_header_size"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_max_header_size),
      NULL },

    { ngx_string("js_function_fetch_max"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_max),
      NULL },

    { ngx_string("js_function_fetch_verify"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_verify),
      NULL },

    { ngx_string("js_function_fetch_trusted_certificate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_jsfn_loc_conf_t, fetch_trusted_certificate),
      NULL },

    { ngx_string("js_function_fetch_keepalive"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, fetch_keepalive),
      NULL },

    { ngx_string("js_function_fetch_keepalive_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, fetch_keepalive_timeout),
      NULL },

    { ngx_string("js_function_max_isolates"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, max_isolates),
      NULL },

    { ngx_string("js_function_idle_timeout"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, idle_timeout),
      NULL },

    { ngx_string("js_function_prewarm"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_jsfn_prewarm,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_check_interval"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, check_interval),
      NULL },

    { ngx_string("js_function_snapshot"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, snapshot),
      NULL },

    { ngx_string("js_function_preload"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, preload),
      NULL },

    { ngx_string("js_function_code_cache"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_jsfn_code_cache,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("js_function_status_zone"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      NGX_HTTP_MAIN_CONF_OFFSET,
      offsetof(ngx_http_jsfn_main_conf_t, status_zone_size),
      NULL },

    { ngx_string("js_function_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_jsfn_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_jsfn_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_jsfn_postconfiguration,       /* postconfiguration */

    ngx_http_jsfn_create_main_conf,        /* create main configuration */
    ngx_http_jsfn_init_main_conf,          /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_jsfn_create_loc_conf,         /* create location configuration */
    ngx_http_jsfn_merge_loc_conf           /* merge location configuration */
};


ngx_module_t  ngx_http_js_function_module = {
    NGX_MODULE_V1,
    &ngx_http_jsfn_module_ctx,             /* module context */
    ngx_http_jsfn_commands,                /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_jsfn_init_process,            /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_jsfn_exit_process,            /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static char *
ngx_http_jsfn_check_memory(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *sp = data;

    if (*sp < 1024 * 1024) {
        return "must be at least 1m";
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_jsfn_postconfiguration(ngx_conf_t *cf)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_js_function_module);

    if (ngx_http_jsfn_status_init(cf, jmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* the filters that take same-origin fetch() subrequests' output */
    if (ngx_http_jsfn_fetch_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_jsfn_code_cache_init(cf, jmcf) != NGX_OK) {
        return NGX_ERROR;
    }

    /* syntax and import errors of fixed paths fail nginx -t */
    return ngx_http_jsfn_engine_check(cf, jmcf);
}


static void *
ngx_http_jsfn_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    jmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_main_conf_t));
    if (jmcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     jmcf->checks = NULL;
     *     jmcf->functions = 0;
     *     jmcf->status_zone = NULL;
     *     jmcf->snapshot = { 0, NULL };
     *     jmcf->fetch_ssl = NULL;
     *     jmcf->fetch_cache = NULL;
     *     jmcf->code_cache = NULL;
     *     jmcf->code_cache_max = 0;
     *     jmcf->code_cache_off = 0;
     *     jmcf->preloading = NULL;
     */

    jmcf->max_isolates = NGX_CONF_UNSET_UINT;
    jmcf->idle_timeout = NGX_CONF_UNSET_MSEC;
    jmcf->prewarm = NGX_CONF_UNSET_UINT;
    jmcf->prewarm_max = NGX_CONF_UNSET_UINT;
    jmcf->check_interval = NGX_CONF_UNSET_MSEC;
    jmcf->preload = NGX_CONF_UNSET;
    jmcf->status_zone_size = NGX_CONF_UNSET_SIZE;
    jmcf->fetch_keepalive = NGX_CONF_UNSET_UINT;
    jmcf->fetch_keepalive_timeout = NGX_CONF_UNSET_MSEC;

    return jmcf;
}


static char *
ngx_http_jsfn_init_main_conf(ngx_conf_t *cf, void *conf)
{
    ngx_http_jsfn_main_conf_t *jmcf = conf;

    /* 0: sized for the machine when the worker starts (pool) */
    ngx_conf_init_uint_value(jmcf->max_isolates, 0);
    ngx_conf_init_msec_value(jmcf->idle_timeout, 300000);
    ngx_conf_init_uint_value(jmcf->prewarm, 2);
    /* a burst of cold starts raises the stock up to this (spares.cc) */
    ngx_conf_init_uint_value(jmcf->prewarm_max,
                             ngx_max(jmcf->prewarm, 16));
    ngx_conf_init_msec_value(jmcf->check_interval, 1000);
    ngx_conf_init_value(jmcf->preload, 1);
    ngx_conf_init_size_value(jmcf->status_zone_size, 1024 * 1024);
    ngx_conf_init_uint_value(jmcf->fetch_keepalive,
                             NGX_HTTP_JSFN_FETCH_KEEPALIVE);
    ngx_conf_init_msec_value(jmcf->fetch_keepalive_timeout,
                             NGX_HTTP_JSFN_FETCH_KEEPALIVE_TIMEOUT);

    if (jmcf->snapshot.len
        && ngx_conf_full_name(cf->cycle, &jmcf->snapshot, 0) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static void *
ngx_http_jsfn_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_jsfn_loc_conf_t  *jlcf;

    jlcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_jsfn_loc_conf_t));
    if (jlcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     jlcf->path = NULL;
     *     jlcf->root = { 0, NULL };
     *     jlcf->env = NULL;
     *     jlcf->fetch_trusted_certificate = { 0, NULL };
     *     jlcf->fetch_ssl = NULL;
     *     jlcf->fetch_resolver = NULL;
     *     jlcf->fetch_resolver_timeout = 0;
     *     jlcf->variable = 0;
     *     jlcf->kv = NULL;
     */

    jlcf->timeout = NGX_CONF_UNSET_MSEC;
    jlcf->cpu_limit = NGX_CONF_UNSET_MSEC;
    jlcf->memory = NGX_CONF_UNSET_SIZE;
    jlcf->allow_eval = NGX_CONF_UNSET;
    jlcf->fetch_allow = NGX_CONF_UNSET_PTR;
    jlcf->fetch_timeout = NGX_CONF_UNSET_MSEC;
    jlcf->fetch_max_response_size = NGX_CONF_UNSET_SIZE;
    jlcf->fetch_max_header_size = NGX_CONF_UNSET_SIZE;
    jlcf->fetch_max = NGX_CONF_UNSET_UINT;
    jlcf->fetch_verify = NGX_CONF_UNSET;
    jlcf->isolation = NGX_CONF_UNSET_UINT;
    jlcf->group_functions = NGX_CONF_UNSET_UINT;

    return jlcf;
}


static char *
ngx_http_jsfn_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_jsfn_loc_conf_t *prev = parent;
    ngx_http_jsfn_loc_conf_t *conf = child;

    ngx_conf_merge_msec_value(conf->timeout, prev->timeout,
                              NGX_HTTP_JSFN_DEFAULT_TIMEOUT);
    ngx_conf_merge_msec_value(conf->cpu_limit, prev->cpu_limit,
                              NGX_HTTP_JSFN_DEFAULT_CPU_LIMIT);
    ngx_conf_merge_size_value(conf->memory, prev->memory,
                              NGX_HTTP_JSFN_DEFAULT_MEMORY);
    ngx_conf_merge_value(conf->allow_eval, prev->allow_eval, 0);

    if (conf->isolation == NGX_CONF_UNSET_UINT) {
        conf->isolation = prev->isolation;
        conf->group_functions = prev->group_functions;
    }

    ngx_conf_merge_uint_value(conf->isolation, prev->isolation,
                              NGX_HTTP_JSFN_ISOLATE);
    ngx_conf_merge_uint_value(conf->group_functions, prev->group_functions,
                              NGX_HTTP_JSFN_GROUP_FUNCTIONS);

    if (ngx_http_jsfn_merge_env(cf, prev, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_jsfn_merge_kv(cf, prev, conf) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return ngx_http_jsfn_client_merge(cf, prev, conf);
}


static ngx_int_t
ngx_http_jsfn_init_process(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_main_conf_t  *jmcf;

    /* cache managers and helpers never run functions: no V8 there */
    if (ngx_process != NGX_PROCESS_WORKER
        && ngx_process != NGX_PROCESS_SINGLE)
    {
        return NGX_OK;
    }

    jmcf = ngx_http_cycle_get_module_main_conf(cycle,
                                               ngx_http_js_function_module);
    if (jmcf == NULL || jmcf->functions == 0) {
        return NGX_OK;
    }

    if (ngx_http_jsfn_engine_init(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_jsfn_pool_init(cycle) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_jsfn_preload_start(cycle);
}


static void
ngx_http_jsfn_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_jsfn_preload_stop(cycle);
    ngx_http_jsfn_pool_done(cycle);
    ngx_http_jsfn_engine_done(cycle);
}
