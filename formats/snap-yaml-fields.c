/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snap.yaml decode: typed field getters over yaml-tree nodes, with yaml.v2's unmarshalling rules
 * and snapd's error wording. Shared by the decoders of snap-yaml*.c.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "snap-yaml-decode-internal.h"
#include "strutil.h"
#include "yaml-tree.h"

void sn_snap_yaml_env_free(SnEnvVar *env, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(env[i].key);
        free(env[i].value);
    }
    free(env);
}

/* Appends a zeroed element to *arr (of *n elements), growing by doubling. NULL on -ENOMEM. */
void *sn_snap_yaml_array_push(void *arr_ptr, size_t *n, size_t elem_size)
{
    void **arr = arr_ptr;
    size_t cap = 1;
    while (cap < *n)
        cap *= 2;
    if (*n == 0 || *n == cap) {
        size_t ncap = *n == 0 ? 4 : cap * 2;
        void *na = reallocarray(*arr, ncap, elem_size);
        if (!na)
            return NULL;
        *arr = na;
    }
    char *elem = (char *)*arr + *n * elem_size;
    memset(elem, 0, elem_size);
    (*n)++;
    return elem;
}

int sn_snap_yaml_dup(const char *s, char **ret)
{
    if (!s) {
        *ret = NULL;
        return 0;
    }
    *ret = strdup(s);
    return *ret ? 0 : -ENOMEM;
}

int sn_snap_yaml_type_error(SnError **reterr, const SnYamlNode *v, const char *where, const char *field,
                            const char *want)
{
    return PERR(reterr, v->line, "%s%s%s: cannot unmarshal a %s into %s", where ? where : "", where ? ": " : "", field,
                sn_yaml_kind_to_string(v->kind), want);
}

/* A string field: null gives NULL; a scalar its text (yaml.v2 keeps the raw text of 1.0 or true). */
int sn_snap_yaml_get_str(const SnYamlNode *v, const char *where, const char *field, char **ret, SnError **reterr)
{
    char *s = NULL;
    if (v && v->kind == SN_YAML_SCALAR) {
        s = strdup(v->scalar);
        if (!s)
            return -ENOMEM;
    } else if (v && v->kind != SN_YAML_NULL) {
        return sn_snap_yaml_type_error(reterr, v, where, field, "a string");
    }
    free(*ret);
    *ret = s;
    return 0;
}

/* A list of strings: null gives NULL; null items become "". */
int sn_snap_yaml_get_strv(const SnYamlNode *v, const char *where, const char *field, char ***ret, SnError **reterr)
{
    _sn_strv_free_ char **strv = NULL;
    if (!v || v->kind == SN_YAML_NULL) {
        *ret = sn_strv_free(*ret);
        return 0;
    }
    if (v->kind != SN_YAML_SEQ)
        return sn_snap_yaml_type_error(reterr, v, where, field, "a list of strings");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(reterr, v->line, "%s%s%s: more than %u entries", where ? where : "", where ? ": " : "", field,
                    SN_SNAP_YAML_MAX_ITEMS);
    strv = calloc(v->n_items + 1, sizeof(char *));
    if (!strv)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *it = &v->items[i];
        if (it->kind == SN_YAML_SEQ || it->kind == SN_YAML_MAP)
            return sn_snap_yaml_type_error(reterr, it, where, field, "a string");
        strv[i] = strdup(it->scalar ? it->scalar : "");
        if (!strv[i])
            return -ENOMEM;
    }
    sn_strv_free(*ret);
    *ret = SN_TAKE_PTR(strv);
    return 0;
}

/* An ordered map of strings (snapd's strutil.OrderedMap). */
int sn_snap_yaml_get_env(const SnYamlNode *v, const char *where, SnEnvVar **ret, size_t *ret_n, SnError **reterr)
{
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_MAP)
        return sn_snap_yaml_type_error(reterr, v, where, "environment", "a map of strings");
    if (v->n_items > SN_SNAP_YAML_MAX_ITEMS)
        return PERR(reterr, v->line, "environment: more than %u entries", SN_SNAP_YAML_MAX_ITEMS);
    SnEnvVar *env = calloc(v->n_items ? v->n_items : 1, sizeof(*env));
    if (!env)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_items; i++) {
        const SnYamlNode *it = &v->items[i];
        if (it->kind == SN_YAML_SEQ || it->kind == SN_YAML_MAP) {
            sn_snap_yaml_env_free(env, i);
            return sn_snap_yaml_type_error(reterr, it, where, "environment", "a string");
        }
        env[i].key = strdup(v->keys[i]);
        env[i].value = strdup(it->scalar ? it->scalar : "");
        if (!env[i].key || !env[i].value) {
            sn_snap_yaml_env_free(env, i + 1);
            return -ENOMEM;
        }
    }
    sn_snap_yaml_env_free(*ret, *ret_n);
    *ret = env;
    *ret_n = v->n_items;
    return 0;
}

int sn_snap_yaml_get_duration(const SnYamlNode *v, const char *app, const char *field, SnDuration *ret,
                              SnError **reterr)
{
    int64_t d;
    const char *reason = NULL;
    *ret = SN_DURATION_UNSET;
    if (!v || v->kind == SN_YAML_NULL)
        return 0;
    if (v->kind != SN_YAML_SCALAR)
        return sn_snap_yaml_type_error(reterr, v, NULL, field, "a duration");
    if (sn_duration_parse(v->scalar, &d, &reason) < 0)
        return PERR(reterr, v->line, "app \"%s\": %s: time: %s \"%s\"", app, field, reason, v->scalar);
    /* -1 would read as "unset": keep it negative so validation still refuses it. */
    *ret = d == SN_DURATION_UNSET ? -2 : d;
    return 0;
}

int sn_snap_yaml_strv_add_unique(char ***v, const char *s)
{
    if (sn_strv_contains(*v, s))
        return 0;
    return sn_strv_push(v, s);
}

bool sn_snap_yaml_map_or_null(const SnYamlNode *v)
{
    return !v || v->kind == SN_YAML_NULL || v->kind == SN_YAML_MAP;
}
