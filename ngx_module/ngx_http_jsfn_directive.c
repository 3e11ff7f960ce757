
/*
 * Copyright (C) The js_function module authors.
 */


#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include "ngx_http_jsfn.h"


char *
ngx_http_jsfn_function(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_loc_conf_t *jlcf = conf;

    u_char                            *p, *q, *slash;
    ngx_str_t                         *value, path;
    ngx_file_info_t                    fi;
    ngx_http_jsfn_check_t             *check;
    ngx_http_core_loc_conf_t          *clcf;
    ngx_http_jsfn_main_conf_t         *jmcf;
    ngx_http_compile_complex_value_t   ccv;

    if (jlcf->path != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;
    path = value[1];

    if (path.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "js_function: empty path");
        return NGX_CONF_ERROR;
    }

    /* relative paths are taken from nginx's prefix, as "root" does */
    if (path.data[0] != '/' && path.data[0] != '$') {
        if (ngx_get_full_name(cf->pool, &cf->cycle->prefix, &path)
            != NGX_OK)
        {
            return NGX_CONF_ERROR;
        }
    }

    jlcf->path = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (jlcf->path == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &path;
    ccv.complex_value = jlcf->path;
    ccv.zero = 1;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    jlcf->variable = (jlcf->path->lengths != NULL);

    /*
     * The function must stay in the directory written before the first
     * variable: "/srv/fn/$fn.js" may only name files below "/srv/fn/".
     */
    p = jlcf->variable ? ngx_strlchr(path.data, path.data + path.len, '$')
                       : path.data + path.len;

    slash = NULL;
    for (q = path.data; q < p; q++) {
        if (*q == '/') {
            slash = q;
        }
    }

    if (slash == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function: \"%V\" must start with a fixed"
                           " directory before its first variable", &value[1]);
        return NGX_CONF_ERROR;
    }

    jlcf->root.len = slash - path.data + 1;
    jlcf->root.data = ngx_pnalloc(cf->pool, jlcf->root.len + 1);
    if (jlcf->root.data == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memcpy(jlcf->root.data, path.data, jlcf->root.len);
    jlcf->root.data[jlcf->root.len] = '\0';

    jmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_js_function_module);

    if (!jlcf->variable) {
        /* path.data is NUL-terminated: ngx_get_full_name() or the parser */
        if (ngx_file_info(path.data, &fi) == NGX_FILE_ERROR) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, ngx_errno,
                               "js_function: cannot open \"%V\"", &path);
            return NGX_CONF_ERROR;
        }

        if (!ngx_is_file(&fi)) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "js_function: \"%V\" is not a file", &path);
            return NGX_CONF_ERROR;
        }

        if (jmcf->checks == NULL) {
            jmcf->checks = ngx_array_create(cf->pool, 4,
                                            sizeof(ngx_http_jsfn_check_t));
            if (jmcf->checks == NULL) {
                return NGX_CONF_ERROR;
            }
        }

        check = ngx_array_push(jmcf->checks);
        if (check == NULL) {
            return NGX_CONF_ERROR;
        }

        check->path = jlcf->path->value;
        check->root = jlcf->root;
        check->conf = jlcf;
    }

    jmcf->functions++;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);

    if (clcf->handler != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function: the location already has a content"
                           " handler (js_function_status, proxy_pass, ...)");
        return NGX_CONF_ERROR;
    }

    clcf->handler = ngx_http_jsfn_handler;

    return NGX_CONF_OK;
}


char *
ngx_http_jsfn_env(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_loc_conf_t *jlcf = conf;

    ngx_str_t                         *value;
    ngx_uint_t                         i;
    ngx_http_jsfn_env_t               *env;
    ngx_http_compile_complex_value_t   ccv;

    value = cf->args->elts;

    if (value[1].len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "js_function_env: empty name");
        return NGX_CONF_ERROR;
    }

    if (jlcf->env == NULL) {
        jlcf->env = ngx_array_create(cf->pool, 4,
                                     sizeof(ngx_http_jsfn_env_t));
        if (jlcf->env == NULL) {
            return NGX_CONF_ERROR;
        }
    }

    env = jlcf->env->elts;
    for (i = 0; i < jlcf->env->nelts; i++) {
        if (env[i].name.len == value[1].len
            && ngx_strncmp(env[i].name.data, value[1].data, value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "js_function_env: \"%V\" is duplicate",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    env = ngx_array_push(jlcf->env);
    if (env == NULL) {
        return NGX_CONF_ERROR;
    }

    env->name = value[1];

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[2];
    ccv.complex_value = &env->value;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


/* a level's own bindings win; the rest are inherited from the outer level */
ngx_int_t
ngx_http_jsfn_merge_env(ngx_conf_t *cf, ngx_http_jsfn_loc_conf_t *prev,
    ngx_http_jsfn_loc_conf_t *conf)
{
    ngx_uint_t            i, j;
    ngx_http_jsfn_env_t  *penv, *env, *e;

    if (prev->env == NULL || prev->env == conf->env) {
        return NGX_OK;
    }

    if (conf->env == NULL) {
        conf->env = prev->env;
        return NGX_OK;
    }

    penv = prev->env->elts;

    for (i = 0; i < prev->env->nelts; i++) {
        env = conf->env->elts;

        for (j = 0; j < conf->env->nelts; j++) {
            if (env[j].name.len == penv[i].name.len
                && ngx_strncmp(env[j].name.data, penv[i].name.data,
                               penv[i].name.len) == 0)
            {
                break;
            }
        }

        if (j < conf->env->nelts) {
            continue;
        }

        e = ngx_array_push(conf->env);
        if (e == NULL) {
            return NGX_ERROR;
        }

        *e = penv[i];
    }

    return NGX_OK;
}


/* js_function_prewarm NUMBER [max=NUMBER] */
char *
ngx_http_jsfn_prewarm(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_main_conf_t *jmcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value, s;

    if (jmcf->prewarm != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid number of spare isolates \"%V\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    if (n > 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "too many spare isolates \"%V\" (1024 at most)",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    jmcf->prewarm = n;

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    if (ngx_strncmp(value[2].data, "max=", 4) != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    s.data = value[2].data + 4;
    s.len = value[2].len - 4;

    n = ngx_atoi(s.data, s.len);
    if (n == NGX_ERROR || (ngx_uint_t) n < jmcf->prewarm || n > 1024) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid \"%V\": the most spare isolates must be"
                           " at least the %ui kept and at most 1024",
                           &value[2], jmcf->prewarm);
        return NGX_CONF_ERROR;
    }

    jmcf->prewarm_max = n;

    return NGX_CONF_OK;
}


/* js_function_isolation isolate | context [functions=N] */
char *
ngx_http_jsfn_isolation(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_jsfn_loc_conf_t *jlcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    if (jlcf->isolation != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "isolate") == 0) {
        jlcf->isolation = NGX_HTTP_JSFN_ISOLATE;

    } else if (ngx_strcmp(value[1].data, "context") == 0) {
        jlcf->isolation = NGX_HTTP_JSFN_CONTEXT;

    } else {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\": \"isolate\" or \"context\"",
                           &value[1]);
        return NGX_CONF_ERROR;
    }

    jlcf->group_functions = NGX_HTTP_JSFN_GROUP_FUNCTIONS;

    if (cf->args->nelts == 2) {
        return NGX_CONF_OK;
    }

    if (jlcf->isolation != NGX_HTTP_JSFN_CONTEXT
        || ngx_strncmp(value[2].data, "functions=", 10) != 0)
    {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid parameter \"%V\"", &value[2]);
        return NGX_CONF_ERROR;
    }

    n = ngx_atoi(value[2].data + 10, value[2].len - 10);

    if (n == NGX_ERROR || n < 1 || n > NGX_HTTP_JSFN_GROUP_MAX) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid \"%V\": the functions sharing an"
                           " isolate must number from 1 to %d",
                           &value[2], NGX_HTTP_JSFN_GROUP_MAX);
        return NGX_CONF_ERROR;
    }

    jlcf->group_functions = n;

    return NGX_CONF_OK;
}
