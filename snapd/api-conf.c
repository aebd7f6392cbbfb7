/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-conf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api-v2.h"
#include "configstate.h"
#include "strutil.h"

/* snapd's strutil.CommaSeparatedList: split at ',', trim spaces, drop empty entries. */
static int comma_list(const char *s, char ***ret)
{
    char **v = NULL;
    for (const char *p = s; p && *p;) {
        const char *comma = strchr(p, ',');
        const char *end = comma ? comma : p + strlen(p);
        const char *b = p, *e = end;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        if (e > b) {
            _sn_free_ char *item = strndup(b, (size_t)(e - b));
            if (!item || sn_strv_push(&v, item) < 0) {
                sn_strv_free(v);
                return -ENOMEM;
            }
        }
        p = comma ? comma + 1 : NULL;
    }
    *ret = v;
    return 0;
}

json_t *sn_api_get_conf(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *snap = sn_configstate_remap(req->var);
    _sn_strv_free_ char **keys = NULL;
    if (comma_list(sn_api_request_param(req, "keys"), &keys) < 0)
        return NULL;
    json_t *result = json_object();
    if (!result)
        return NULL;
    json_t *e = NULL;
    sn_state_lock(ctx->st);
    for (size_t i = 0; !e && i < (keys ? sn_strv_length(keys) : 1); i++) {
        const char *key = keys ? keys[i] : "";
        SnError *err = NULL;
        json_t *value = NULL;
        int r = sn_configstate_get(ctx->st, snap, key, &value, &err);
        if (r == -ENOENT && !*key) {
            /* no configuration at all: the empty document */
        } else if (r == -ENOENT)
            e = sn_api_error(400, "option-not-found", json_pack("{s:s, s:s}", "SnapName", snap, "Key", key), "%s",
                             sn_error_message(err, r));
        else if (r < 0)
            e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
        else if (!*key) {
            json_decref(result);
            result = value;
        } else
            json_object_set_new(result, key, value);
        sn_error_free(err);
    }
    sn_state_unlock(ctx->st);
    if (e) {
        json_decref(result);
        return e;
    }
    return sn_api_sync(result);
}

json_t *sn_api_put_conf(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *snap = sn_configstate_remap(req->var);
    json_error_t jerr;
    json_t *patch = json_loadb(req->body ? req->body : "", req->body_len, JSON_DECODE_ANY, &jerr);
    if (json_is_null(patch)) {
        json_decref(patch);
        patch = json_object();
    }
    if (!json_is_object(patch)) {
        json_t *e = sn_api_error(400, NULL, NULL, "cannot decode request body into patch values: %s",
                                 patch ? "not a JSON object" : jerr.text);
        json_decref(patch);
        return e;
    }
    SnError *err = NULL;
    SnConflict conflict = {0};
    int64_t id = 0;
    sn_state_lock(ctx->st);
    int r = sn_configstate_configure(ctx->st, snap, patch, &id, &conflict, &err);
    if (r >= 0 && ctx->runner)
        sn_taskrunner_kick(ctx->runner);
    sn_state_unlock(ctx->st);
    json_decref(patch);
    json_t *e = NULL;
    if (r == -ENOENT)
        e = sn_api_error(404, "snap-not-found", json_string(snap), "%s", sn_error_message(err, r));
    else if (r == -EBUSY)
        e = sn_api_error(409, "snap-change-conflict",
                         json_pack("{s:s, s:s}", "snap-name", conflict.snap ? conflict.snap : snap, "change-kind",
                                   conflict.change_kind ? conflict.change_kind : ""),
                         "%s", sn_error_message(err, r));
    else if (r < 0)
        e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
    sn_error_free(err);
    sn_conflict_done(&conflict);
    return e ? e : sn_api_async(id);
}
