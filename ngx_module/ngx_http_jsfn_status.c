
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/* placeholder: the metrics zone is being written */


char *
ngx_http_jsfn_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    return "is not implemented yet";
}


ngx_int_t
ngx_http_jsfn_status_init(ngx_conf_t *cf, ngx_http_jsfn_main_conf_t *jmcf)
{
    return NGX_OK;
}


void
ngx_http_jsfn_stat_add(ngx_str_t *path, ngx_http_jsfn_stat_e counter,
    ngx_uint_t n)
{
}


void
ngx_http_jsfn_stat_cold_start(ngx_str_t *path, ngx_msec_t usec)
{
}


void
ngx_http_jsfn_stat_resident(ngx_str_t *path, ngx_int_t isolates,
    size_t heap_used)
{
}
