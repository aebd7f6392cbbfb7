/* SPDX-License-Identifier: GPL-3.0-only */
#include "api-snapctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <time.h>

#include "state-change.h"
#include "strutil.h"

/*
 * snapctl start/stop/restart outside a configure hook: the answer waits for the change, polled on
 * the loop (the change runs on the task runner's workers; nothing here blocks the loop).
 */
typedef struct CtlWait {
    SnState *st;
    SnApiDeferred *d;
    struct event *timer;
    int64_t change_id;
    int64_t deadline_ns; /* CLOCK_MONOTONIC */
    char *action;
    json_t *result; /* {"stdout","stderr"}: the answer once the change is Done */
} CtlWait;

#define CTL_WAIT_POLL_MS 20

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void ctl_wait_free(CtlWait *w)
{
    if (!w)
        return;
    if (w->timer)
        event_free(w->timer);
    free(w->action);
    json_decref(w->result);
    free(w);
}

static void ctl_wait_gone(void *userdata)
{
    ctl_wait_free(userdata); /* the change goes on; nobody waits for it any more */
}

static void ctl_wait_tick(evutil_socket_t fd, short what, void *userdata)
{
    CtlWait *w = userdata;
    SnChange *c = NULL;
    SnError *e = NULL;
    sn_state_lock(w->st);
    int r = sn_change_load(w->st, w->change_id, &c, &e);
    sn_state_unlock(w->st);
    json_t *resp = NULL;
    if (r < 0)
        resp = sn_api_error(400, NULL, NULL, "error running snapctl: %s", sn_error_message(e, r));
    else if (sn_status_ready(c->status)) {
        _sn_free_ char *err = sn_change_err(c);
        resp =
            err ? sn_api_error(400, NULL, NULL, "error running snapctl: %s", err) : sn_api_sync(json_incref(w->result));
    } else if (monotonic_ns() > w->deadline_ns)
        resp = sn_api_error(400, NULL, NULL, "error running snapctl: %s command is taking too long", w->action);
    sn_change_free(c);
    sn_error_free(e);
    if (!resp && r >= 0)
        return;
    sn_api_deferred_reply(w->d, resp);
    ctl_wait_free(w);
}

/* Defers the answer until change_id is ready. NULL: cannot defer (answer at once). */
static json_t *wait_for_change(SnApiSnapctl *api, const SnApiRequest *req, int64_t change_id, const char *action,
                               json_t *result)
{
    CtlWait *w = calloc(1, sizeof(*w));
    if (!w)
        return NULL;
    w->st = api->st;
    w->change_id = change_id;
    w->action = strdup(action);
    w->result = json_incref(result);
    w->deadline_ns =
        monotonic_ns() + (api->wait_timeout_ns > 0 ? api->wait_timeout_ns : SN_HOOK_TIMEOUT_CONFIGURE_NS / 2);
    json_t *marker = w->action ? sn_api_defer(req, ctl_wait_gone, w, &w->d) : NULL;
    if (!marker) {
        ctl_wait_free(w);
        return NULL;
    }
    struct timeval every = {0, CTL_WAIT_POLL_MS * 1000};
    w->timer = event_new(sn_api_deferred_base(w->d), -1, EV_PERSIST, ctl_wait_tick, w);
    if (!w->timer || event_add(w->timer, &every) < 0) {
        SnApiDeferred *d = w->d;
        ctl_wait_free(w);
        sn_api_deferred_reply(d, NULL);
    }
    return marker;
}

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
    _sn_free_ char *action = args && args[0] ? strdup(args[0]) : NULL;
    sn_strv_free(args);
    json_t *resp = NULL;
    if (r == -EPERM)
        resp = sn_api_error(403, NULL, NULL, "%s", sn_error_message(err, r));
    else if (r == -ENOMEM)
        resp = NULL;
    else if (r < 0)
        resp = sn_api_error(400, NULL, NULL, "error running snapctl: %s", sn_error_message(err, r));
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
    if (r == 0 && !resp) {
        json_t *result = json_pack("{s:s, s:s}", "stdout", out.out, "stderr", out.err);
        /* start/stop/restart: answered once their change is ready (a request built by hand: at once) */
        if (result && out.wait_change > 0 && action)
            resp = wait_for_change(api, req, out.wait_change, action, result);
        resp = resp ? resp : sn_api_sync(json_incref(result));
        json_decref(result);
    }
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
