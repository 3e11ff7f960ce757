
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


/* one TLS context per distinct settings, shared by the locations */
typedef struct {
    ngx_flag_t                  verify;
    ngx_str_t                   trusted;
#if (NGX_HTTP_SSL)
    ngx_ssl_t                  *ssl;
#endif
} ngx_http_jsfn_client_ssl_t;


static ngx_int_t ngx_http_jsfn_client_ssl(ngx_conf_t *cf,
    ngx_http_jsfn_loc_conf_t *conf);


/*
 * js_function_fetch_allow PATTERN ...: "*", "*:PORT", "host", "host:PORT",
 * "*.domain", "*.domain:PORT", "1.2.3.4", "[::1]:PORT".  Several directives
 * add up; a level that has any replaces the lists of the levels above it.
 */
char *
ngx_http_jsfn_fetch_allow(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_loc_conf_t *jlcf = conf;

    u_char                 *p, *last, *colon;
    ngx_int_t               port;
    ngx_str_t              *value, host;
    ngx_uint_t              i;
    ngx_http_jsfn_allow_t  *a;

    if (jlcf->fetch_allow == NGX_CONF_UNSET_PTR) {
        jlcf->fetch_allow = ngx_array_create(cf->pool, 4,
                                             sizeof(ngx_http_jsfn_allow_t));
        if (jlcf->fetch_allow == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    value = cf->args->elts;

    for (i = 1; i < cf->args->nelts; i++) {
        p = value[i].data;
        last = p + value[i].len;

        a = ngx_array_push(jlcf->fetch_allow);
        if (a == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_memzero(a, sizeof(ngx_http_jsfn_allow_t));

        colon = NULL;

        if (value[i].len && p[0] == '[') {
            /* an IPv6 literal, kept with its brackets as URLs have it */
            colon = ngx_strlchr(p, last, ']');
            if (colon == NULL) {
                goto invalid;
            }

            colon++;

            if (colon < last && *colon != ':') {
                goto invalid;
            }

            if (colon == last) {
                colon = NULL;
            }

        } else {
            colon = ngx_strlchr(p, last, ':');
        }

        host.data = p;
        host.len = (colon ? colon : last) - p;

        if (colon) {
            port = ngx_atoi(colon + 1, last - colon - 1);
            if (port < 1 || port > 65535) {
                goto invalid;
            }

            a->port = (in_port_t) port;
        }

        if (host.len == 0) {
            goto invalid;
        }

        if (host.len == 1 && host.data[0] == '*') {
            a->any = 1;
            continue;
        }

        if (host.data[0] == '*') {
            if (host.len < 3 || host.data[1] != '.') {
                goto invalid;
            }

            a->wildcard = 1;
            host.data++;
            host.len--;
        }

        if (ngx_strlchr(host.data, host.data + host.len, '*') != NULL
            || ngx_strlchr(host.data, host.data + host.len, '/') != NULL)
        {
            goto invalid;
        }

        a->host.len = host.len;
        a->host.data = ngx_pnalloc(cf->pool, host.len);
        if (a->host.data == NULL) {
            return NGX_CONF_ERROR;
        }

        ngx_strlow(a->host.data, host.data, host.len);
    }

    return NGX_CONF_OK;

invalid:

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid js_function_fetch_allow pattern \"%V\"",
                       &value[i]);
    return NGX_CONF_ERROR;
}


char *
ngx_http_jsfn_client_merge(ngx_conf_t *cf, ngx_http_jsfn_loc_conf_t *prev,
    ngx_http_jsfn_loc_conf_t *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    ngx_conf_merge_ptr_value(conf->fetch_allow, prev->fetch_allow, NULL);
    ngx_conf_merge_msec_value(conf->fetch_timeout, prev->fetch_timeout,
                              NGX_HTTP_JSFN_FETCH_TIMEOUT);
    ngx_conf_merge_size_value(conf->fetch_max_response_size,
                              prev->fetch_max_response_size,
                              NGX_HTTP_JSFN_FETCH_MAX_RESPONSE);
    ngx_conf_merge_size_value(conf->fetch_max_header_size,
                              prev->fetch_max_header_size,
                              NGX_HTTP_JSFN_FETCH_MAX_HEADER);
    ngx_conf_merge_uint_value(conf->fetch_max, prev->fetch_max,
                              NGX_HTTP_JSFN_FETCH_MAX);
    ngx_conf_merge_value(conf->fetch_verify, prev->fetch_verify, 1);
    ngx_conf_merge_str_value(conf->fetch_trusted_certificate,
                             prev->fetch_trusted_certificate, "");

    if (conf->fetch_max_header_size < 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_fetch_max_header_size must be at"
                           " least 1k");
        return NGX_CONF_ERROR;
    }

    if (conf->path == NULL) {
        /* not a function location: nothing fetches from here */
        return NGX_CONF_OK;
    }

    /* core's loc conf of this location, merged before ours */
    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    conf->fetch_resolver = clcf->resolver;
    conf->fetch_resolver_timeout = clcf->resolver_timeout;

    /*
     * Without js_function_fetch_allow the client refuses every URL: no TLS
     * context then (loading the system's CA store costs nginx's start tens
     * of milliseconds), unless a trusted certificate file is named, which
     * is checked as any file the configuration names.
     */
    if ((conf->fetch_allow != NULL || conf->fetch_trusted_certificate.len)
        && ngx_http_jsfn_client_ssl(cf, conf) != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/*
 * The TLS context of a function location, made at configuration time: one
 * per (verify, trusted certificate) in the whole configuration, since
 * loading the system's CA store costs milliseconds.  Certificates are not
 * checked by OpenSSL during the handshake (SSL_VERIFY_NONE, as nginx's
 * proxy_ssl_verify does) but after it, so that the error says why.
 */
static ngx_int_t
ngx_http_jsfn_client_ssl(ngx_conf_t *cf, ngx_http_jsfn_loc_conf_t *conf)
{
#if (NGX_HTTP_SSL)
    ngx_uint_t                   i;
    ngx_ssl_t                   *ssl;
    ngx_pool_cleanup_t          *cln;
    ngx_http_jsfn_client_ssl_t  *cs;
    ngx_http_jsfn_main_conf_t   *jmcf;

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_js_function_module);

    if (jmcf->fetch_ssl == NULL) {
        jmcf->fetch_ssl = ngx_array_create(cf->pool, 2,
                                           sizeof(ngx_http_jsfn_client_ssl_t));
        if (jmcf->fetch_ssl == NULL) {
            return NGX_ERROR;
        }
    }

    cs = jmcf->fetch_ssl->elts;

    for (i = 0; i < jmcf->fetch_ssl->nelts; i++) {
        if (cs[i].verify == conf->fetch_verify
            && cs[i].trusted.len == conf->fetch_trusted_certificate.len
            && ngx_strncmp(cs[i].trusted.data,
                           conf->fetch_trusted_certificate.data,
                           cs[i].trusted.len) == 0)
        {
            conf->fetch_ssl = cs[i].ssl;
            return NGX_OK;
        }
    }

    ssl = ngx_pcalloc(cf->pool, sizeof(ngx_ssl_t));
    if (ssl == NULL) {
        return NGX_ERROR;
    }

    ssl->log = cf->log;

    if (ngx_ssl_create(ssl, NGX_SSL_TLSv1_2|NGX_SSL_TLSv1_3, NULL)
        != NGX_OK)
    {
        return NGX_ERROR;
    }

    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        ngx_ssl_cleanup_ctx(ssl);
        return NGX_ERROR;
    }

    cln->handler = ngx_ssl_cleanup_ctx;
    cln->data = ssl;

    /* sessions saved per origin by the client, to resume handshakes */
    if (ngx_ssl_client_session_cache(cf, ssl, 1) != NGX_OK) {
        return NGX_ERROR;
    }

    if (conf->fetch_verify) {
        if (conf->fetch_trusted_certificate.len) {
            if (ngx_ssl_trusted_certificate(cf, ssl,
                                            &conf->fetch_trusted_certificate,
                                            10)
                != NGX_OK)
            {
                return NGX_ERROR;
            }

        } else if (SSL_CTX_set_default_verify_paths(ssl->ctx) != 1) {
            ngx_ssl_error(NGX_LOG_EMERG, cf->log, 0,
                          "SSL_CTX_set_default_verify_paths() failed");
            return NGX_ERROR;
        }
    }

    cs = ngx_array_push(jmcf->fetch_ssl);
    if (cs == NULL) {
        return NGX_ERROR;
    }

    cs->verify = conf->fetch_verify;
    cs->trusted = conf->fetch_trusted_certificate;
    cs->ssl = ssl;

    conf->fetch_ssl = ssl;
#endif

    return NGX_OK;
}
