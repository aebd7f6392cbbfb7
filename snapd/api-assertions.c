/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-assertions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api-v2.h"
#include "assert-encode.h"
#include "assertstate.h"
#include "strutil.h"

#define ASSERTION_MEDIA_TYPE "application/x.ubuntu.assertion"

static int type_name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

json_t *sn_api_get_assertion_types(const SnApiRequest *req, void *userdata)
{
    const SnAssertType *const *types = sn_assert_types();
    size_t n = 0;
    while (types[n])
        n++;
    _sn_free_ const char **names = calloc(n + 1, sizeof(*names));
    json_t *list = json_array();
    if (!names || !list) {
        json_decref(list);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        names[i] = types[i]->name;
    qsort(names, n, sizeof(*names), type_name_cmp);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(list, json_string(names[i]));
    return sn_api_sync(json_pack("{s:o}", "types", list));
}

json_t *sn_api_post_assertions(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    SnError *err = NULL;
    bool decode_error = false;
    sn_state_lock(ctx->st);
    int r = sn_assertstate_add_stream(ctx->st, req->body ? req->body : "", req->body_len, NULL, &decode_error, &err);
    sn_state_unlock(ctx->st);
    json_t *e = NULL;
    if (r < 0 && decode_error)
        e = sn_api_error(400, NULL, NULL, "cannot decode request body into assertions: %s", sn_error_message(err, r));
    else if (r == -EIO || r == -ENOMEM)
        e = sn_api_error(500, NULL, NULL, "cannot store assertions: %s", sn_error_message(err, r));
    else if (r < 0)
        e = sn_api_error(400, NULL, NULL, "assert failed: %s", sn_error_message(err, r));
    sn_error_free(err);
    return e ? e : sn_api_sync(NULL);
}

/* A header value as snapd's Headers() marshals it: strings, lists and maps. */
static json_t *value_json(const SnAssertValue *v)
{
    switch (v->kind) {
    case SN_ASSERT_VALUE_STRING:
        return json_string(v->str);
    case SN_ASSERT_VALUE_LIST: {
        json_t *a = json_array();
        for (size_t i = 0; a && i < v->n; i++)
            if (json_array_append_new(a, value_json(v->items[i])) < 0) {
                json_decref(a);
                return NULL;
            }
        return a;
    }
    case SN_ASSERT_VALUE_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; o && i < v->n; i++)
            if (json_object_set_new(o, v->keys[i], value_json(v->items[i])) < 0) {
                json_decref(o);
                return NULL;
            }
        return o;
    }
    }
    return NULL;
}

static json_t *assertions_json(SnAssertion *const *list, size_t n, bool headers_only)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *h = value_json(list[i]->headers);
        json_t *item = h ? json_pack("{s:o}", "headers", h) : NULL;
        if (item && !headers_only && list[i]->body_len > 0)
            json_object_set_new(item, "body", json_stringn(list[i]->body, list[i]->body_len));
        if (!item || json_array_append_new(arr, item) < 0) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

json_t *sn_api_get_assertions(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    if (!sn_assert_type_lookup(req->var))
        return sn_api_error(400, NULL, NULL, "invalid assert type: \"%s\"", req->var);
    bool json = false, headers_only = false, remote = false;
    _sn_free_ SnAssertFilter *filters = calloc(req->n_params + 1, sizeof(*filters));
    if (!filters)
        return NULL;
    size_t n_filters = 0;
    for (size_t i = 0; i < req->n_params; i++) {
        const char *k = req->params[i].key, *v = sn_api_request_param(req, k); /* the first value, as Go's Get */
        if (SN_STREQ(k, "remote")) {
            if (!SN_STREQ(v, "true") && !SN_STREQ(v, "false"))
                return sn_api_error(
                    400, NULL, NULL,
                    "\"remote\" query parameter when used must be set to \"true\" or \"false\" or left unset");
            remote = SN_STREQ(v, "true");
        } else if (SN_STREQ(k, "json")) {
            if (SN_STREQ(v, "headers"))
                json = headers_only = true;
            else if (SN_STREQ(v, "true"))
                json = true;
            else if (!SN_STREQ(v, "false"))
                return sn_api_error(400, NULL, NULL,
                                    "\"json\" query parameter when used must be set to \"true\" or \"headers\"");
        } else {
            bool seen = false;
            for (size_t j = 0; j < n_filters && !seen; j++)
                seen = SN_STREQ(filters[j].name, k);
            if (!seen)
                filters[n_filters++] = (SnAssertFilter){.name = k, .value = v};
        }
    }
    if (remote)
        return sn_api_error(500, NULL, NULL,
                            "searching assertions failed: cannot query remote assertion: no store is configured");

    SnError *err = NULL;
    _sn_cleanup_(sn_assertion_list_freep) SnAssertion **list = NULL;
    size_t n = 0;
    sn_state_lock(ctx->st);
    int r = sn_assertstate_find(ctx->st, req->var, filters, n_filters, &list, &n, &err);
    sn_state_unlock(ctx->st);
    if (r < 0) {
        json_t *e = sn_api_error(500, NULL, NULL, "searching assertions failed: %s", sn_error_message(err, r));
        sn_error_free(err);
        return e;
    }
    if (json) {
        json_t *arr = assertions_json(list, n, headers_only);
        return arr ? sn_api_sync(arr) : NULL;
    }
    _sn_free_ char *stream = NULL;
    size_t len = 0;
    if (n > 0 && sn_assert_encode_stream(list, n, false, &stream, &len) < 0)
        return NULL;
    /* snapd always answers this endpoint as a bundle */
    _sn_free_ char *count = sn_strdup_printf("X-Ubuntu-Assertions-Count: %zu\r\n", n);
    if (!count)
        return NULL;
    return sn_api_raw(200, ASSERTION_MEDIA_TYPE "; bundle=y", count, stream ? stream : "", len);
}
