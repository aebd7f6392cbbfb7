/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-snapctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

json_t *sn_api_post_snapctl(const SnApiRequest *req, void *userdata)
{
    SnApiSnapctl *api = userdata;
    json_error_t jerr;
    json_t *body = json_loadb(req->body ? req->body : "", req->body_len, 0, &jerr);
    if (!json_is_object(body)) {
        json_t *e =
            sn_api_error(400, NULL, NULL, "cannot decode snapctl request: %s", body ? "not a JSON object" : jerr.text);
        json_decref(body);
        return e;
    }
    json_t *jargs = json_object_get(body, "args");
    json_t *jid = json_object_get(body, "context-id");
    if ((jargs && !json_is_array(jargs) && !json_is_null(jargs)) ||
        (jid && !json_is_string(jid) && !json_is_null(jid))) {
        json_decref(body);
        return sn_api_error(400, NULL, NULL, "cannot decode snapctl request: unexpected types");
    }
    char **args = NULL;
    size_t i;
    json_t *a;
    int r = 0;
    json_array_foreach(jargs, i, a)
    {
        if (!json_is_string(a)) {
            r = -EINVAL;
            break;
        }
        if ((r = sn_strv_push(&args, json_string_value(a))) < 0)
            break;
    }
    if (r < 0 || !args) {
        sn_strv_free(args);
        json_decref(body);
        return r == -ENOMEM ? NULL
               : r < 0      ? sn_api_error(400, NULL, NULL, "cannot decode snapctl request: args must be strings")
                            : sn_api_error(400, NULL, NULL, "snapctl cannot run without args");
    }
    if (!req->has_cred) {
        sn_strv_free(args);
        json_decref(body);
        return sn_api_error(403, NULL, NULL, "cannot get remote user: no peer credentials");
    }
    /* A missing or wrong id is not an error yet: `snapctl -h` works without a context. */
    SnHookContext *ctx = NULL;
    (void)sn_hookmgr_context(api->hooks, json_string_value(jid), &ctx);
    json_decref(body);

    SnCtlOutput out = {0};
    SnError *err = NULL;
    r = sn_ctlcmd_run(api->st, ctx, api->services, args, req->uid, &out, &err);
    sn_strv_free(args);
    json_t *resp = NULL;
    if (r == -EPERM)
        resp = sn_api_error(403, NULL, NULL, "%s", sn_error_message(err, r));
    else if (r == -ENOMEM)
        resp = NULL;
    else if (r < 0)
        resp = sn_api_error(400, NULL, NULL, "snapctl: %s", sn_error_message(err, r));
    else if (r == SN_CTL_UNSUCCESSFUL)
        resp =
            sn_api_error(200, "unsuccessful",
                         json_pack("{s:s, s:s, s:i}", "stdout", out.out, "stderr", out.err, "exit-code", out.exit_code),
                         "unsuccessful with exit code: %d", out.exit_code);
    if (r == 0 && ctx && sn_hook_context_ephemeral(ctx)) {
        SnError *cerr = NULL;
        sn_state_lock(api->st);
        int c = sn_state_begin(api->st, &cerr);
        if (c >= 0) {
            c = sn_hook_context_commit(ctx, api->st, &cerr);
            if (c >= 0)
                c = sn_state_commit(api->st, &cerr);
            else
                sn_state_rollback(api->st);
        }
        sn_state_unlock(api->st);
        if (c < 0)
            resp = sn_api_error(400, NULL, NULL, "set failed: %s", sn_error_message(cerr, c));
        sn_error_free(cerr);
    }
    if (r == 0 && !resp)
        resp = sn_api_sync(json_pack("{s:s, s:s}", "stdout", out.out, "stderr", out.err));
    sn_error_free(err);
    sn_ctl_output_done(&out);
    sn_hook_context_unref(ctx);
    return resp;
}

int sn_api_snapctl_register(SnApiServer *s, SnApiSnapctl *ctx)
{
    const SnApiRoute route = {
        .path = "/v2/snapctl",
        .post = sn_api_post_snapctl,
        .write_access = SN_API_ACCESS_SNAP_SOCKET,
        .userdata = ctx,
    };
    return sn_api_server_add_route(s, &route);
}
