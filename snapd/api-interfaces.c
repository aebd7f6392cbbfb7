/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-interfaces.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api-v2.h"
#include "ifacestate.h"
#include "state-snap.h"
#include "strutil.h"

static json_t *internal_error(SnError *err, int r)
{
    json_t *e = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
    sn_error_free(err);
    return e;
}

static bool param_true(const SnApiRequest *req, const char *key)
{
    const char *v = sn_api_request_param(req, key);
    return v && SN_STREQ(v, "true");
}

json_t *sn_api_get_interfaces(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *sel = sn_api_request_param(req, "select");
    SnError *err = NULL;
    json_t *res = NULL;
    int r;
    if (!sel) {
        /* The legacy form: every connected plug and slot. */
        sn_state_lock(ctx->st);
        r = sn_ifacestate_connections_json(ctx->st, NULL, NULL, false, &res, &err);
        sn_state_unlock(ctx->st);
        if (r < 0)
            return internal_error(err, r);
        json_t *legacy =
            json_pack("{s:O, s:O}", "plugs", json_object_get(res, "plugs"), "slots", json_object_get(res, "slots"));
        json_decref(res);
        return legacy ? sn_api_sync(legacy) : NULL;
    }
    if (!SN_STREQ(sel, "all") && !SN_STREQ(sel, "connected"))
        return sn_api_error(400, NULL, NULL, "unsupported select qualifier");
    _sn_strv_free_ char **names = NULL;
    const char *ns = sn_api_request_param(req, "names");
    for (const char *p = ns && *ns ? ns : NULL; p;) {
        const char *comma = strchrnul(p, ',');
        _sn_free_ char *item = strndup(p, (size_t)(comma - p));
        if (!item || sn_strv_push(&names, item) < 0)
            return NULL;
        p = *comma ? comma + 1 : NULL;
    }
    sn_state_lock(ctx->st);
    r = sn_ifacestate_interfaces_json(ctx->st, names, SN_STREQ(sel, "connected"), param_true(req, "doc"),
                                      param_true(req, "plugs"), param_true(req, "slots"), &res, &err);
    sn_state_unlock(ctx->st);
    return r < 0 ? internal_error(err, r) : sn_api_sync(res);
}

json_t *sn_api_get_connections(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    const char *sel = sn_api_request_param(req, "select");
    const char *snap = sn_api_request_param(req, "snap");
    const char *iface = sn_api_request_param(req, "interface");
    if (sel && *sel && !SN_STREQ(sel, "all"))
        return sn_api_error(400, NULL, NULL, "unsupported select qualifier");
    if (snap && !*snap)
        snap = NULL;
    if (iface && !*iface)
        iface = NULL;
    SnError *err = NULL;
    json_t *res = NULL;
    sn_state_lock(ctx->st);
    int r = 0;
    if (snap && !SN_STREQ(snap, "system") && !SN_STREQ(snap, sn_ifacestate_system_snap(ctx->st))) {
        SnSnapState *s = NULL;
        r = sn_snap_state_get(ctx->st, snap, &s, NULL);
        sn_snap_state_free(s);
        if (r < 0) {
            sn_state_unlock(ctx->st);
            return sn_api_error(404, "snap-not-found", json_string(snap), "snap \"%s\" not found", snap);
        }
    }
    r = sn_ifacestate_connections_json(ctx->st, snap, iface, sel && SN_STREQ(sel, "all"), &res, &err);
    sn_state_unlock(ctx->st);
    return r < 0 ? internal_error(err, r) : sn_api_sync(res);
}

json_t *sn_api_post_interfaces(const SnApiRequest *req, void *userdata)
{
    SnApiContext *ctx = userdata;
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, &jerr);
    if (!json_is_object(body)) {
        json_decref(body);
        return sn_api_error(400, NULL, NULL, "cannot decode request body into an interface action: %s", jerr.text);
    }
    const char *action = json_string_value(json_object_get(body, "action"));
    json_t *plugs = json_object_get(body, "plugs"), *slots = json_object_get(body, "slots");
    json_t *resp = NULL;
    /* Declared before the first goto: its cleanup runs at "out". */
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c = NULL;
    if (!action || !*action) {
        resp = sn_api_error(400, NULL, NULL, "interface action not specified");
        goto out;
    }
    if (json_array_size(plugs) > 1 || json_array_size(slots) > 1) {
        resp = sn_api_error(501, NULL, NULL, "many-to-many operations are not implemented");
        goto out;
    }
    if (!SN_STREQ(action, "connect") && !SN_STREQ(action, "disconnect")) {
        resp = sn_api_error(400, NULL, NULL, "unsupported interface action: \"%s\"", action);
        goto out;
    }
    if (json_array_size(plugs) == 0 || json_array_size(slots) == 0) {
        resp = sn_api_error(400, NULL, NULL, "at least one plug and slot is required");
        goto out;
    }
    json_t *p = json_array_get(plugs, 0), *s = json_array_get(slots, 0);
    const char *ps = json_string_value(json_object_get(p, "snap")), *pn = json_string_value(json_object_get(p, "plug"));
    const char *ss = json_string_value(json_object_get(s, "snap")), *sn = json_string_value(json_object_get(s, "slot"));
    bool forget = json_is_true(json_object_get(body, "forget"));
    SnError *err = NULL;
    sn_state_lock(ctx->st);
    int r = SN_STREQ(action, "connect") ? sn_ifacestate_connect_change(ctx->st, ps ? ps : "", pn ? pn : "",
                                                                       ss ? ss : "", sn ? sn : "", &c, &err)
                                        : sn_ifacestate_disconnect_change(ctx->st, ps, pn, ss, sn, forget, &c, &err);
    sn_state_unlock(ctx->st);
    if (r == -ENODATA) {
        sn_error_free(err);
        resp = sn_api_error(400, "interfaces-unchanged", NULL, "nothing to do");
        goto out;
    }
    if (r < 0) {
        resp = r == -ENOMEM ? NULL : sn_api_error(400, NULL, NULL, "%s", sn_error_message(err, r));
        sn_error_free(err);
        goto out;
    }
    int64_t id = 0;
    SnConflict conflict = {0};
    r = sn_change_create(ctx->st, c, &id, &conflict, &err);
    if (r == -EBUSY)
        resp = sn_api_error(409, "snap-change-conflict",
                            json_pack("{s:s, s:s}", "snap-name", conflict.snap ? conflict.snap : "", "change-kind",
                                      conflict.change_kind ? conflict.change_kind : ""),
                            "%s", sn_error_message(err, r));
    else if (r < 0)
        resp = sn_api_error(500, NULL, NULL, "%s", sn_error_message(err, r));
    else {
        if (ctx->runner) {
            sn_state_lock(ctx->st);
            sn_taskrunner_kick(ctx->runner);
            sn_state_unlock(ctx->st);
        }
        resp = sn_api_async(id);
    }
    sn_conflict_done(&conflict);
    sn_error_free(err);
out:
    json_decref(body);
    return resp;
}
