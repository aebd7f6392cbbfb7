/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The service manager's task handlers: start-snap-services, stop-snap-services and service-control (with their
 * undos), registered on the task runner by sn_servicemgr_register.
 */
#include "servicestate.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "macros.h"
#include "service-def.h"
#include "service-units.h"
#include "servicestate-internal.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- task handlers ---- */

/* The snap a task is about: a service-control task's action, else its snap-setup (or its setup task's). */
static char *task_snap(SnTaskCtx *ctx, SnError **reterr)
{
    json_t *sa = json_object_get(sn_task_ctx_data(ctx), "service-action");
    const char *name = json_string_value(json_object_get(sa, "snap-name"));
    return name ? strdup(name) : sn_task_ctx_snap_name(ctx, reterr);
}

/* The kind of the task's change ("refresh-snap", "remove-snap", ...). Caller frees; NULL: unknown. */
static char *change_kind(SnTaskCtx *ctx)
{
    SnState *st = sn_task_ctx_state(ctx);
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    sn_state_lock(st);
    int r = sn_change_load(st, sn_task_ctx_change_id(ctx), &c, NULL);
    sn_state_unlock(st);
    return r >= 0 && c->kind ? strdup(c->kind) : NULL;
}

static int start_names(SnServiceMgr *m, char *const *names, SnError **reterr)
{
    if (!names || !names[0])
        return 0;
    int r = sn_supervisor_start_wait(m->sup, names, m->window_ns, reterr);
    if (r < 0) {
        /* what did come up (or is restarting) goes down again: the change is undone */
        SnError *e = NULL;
        if (sn_supervisor_stop_wait(m->sup, names, &e) < 0)
            sn_log_warning("cannot stop services after a failed start: %s", sn_error_message(e, -EIO));
        sn_error_free(e);
    }
    return r;
}

static int do_start_snap_services(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    _sn_free_ char *snap = task_snap(ctx, reterr);
    if (!snap)
        return -EINVAL;
    _sn_cleanup_(sn_servicemgr_snap_services_done) SnapServices s = {0};
    int r = sn_servicemgr_load_snap_services(m, snap, true, NULL, &s, reterr);
    if (r < 0)
        return r;
    if (!s.active)
        return 0;
    r = sn_servicemgr_sync_snap(m, snap, &s, reterr);
    if (r < 0)
        return r;
    /*
     * refresh-mode endure: a service the refresh left running keeps running - it is not started
     * here, and neither the undo nor a failed start stops it (the revision it outlived comes back).
     */
    _sn_strv_free_ char **names = calloc(1, sizeof(char *));
    for (size_t i = 0; names && i < s.n; i++) {
        const SnServiceDef *d = &s.defs[i];
        if (!sn_servicemgr_startable(d) || (d->endure && sn_servicemgr_is_running(m, d->name)))
            continue;
        if (sn_strv_push(&names, d->name) < 0)
            return -ENOMEM;
    }
    json_t *j = names ? sn_servicemgr_strv_to_json(names) : NULL;
    if (!j)
        return -ENOMEM;
    json_object_set_new(sn_task_ctx_data(ctx), "started-services", j);
    r = start_names(m, names, reterr);
    if (r >= 0 && names[0])
        sn_task_ctx_logf(ctx, "Started %zu services of snap \"%s\"", sn_strv_length(names), snap);
    return r;
}

static int undo_start_snap_services(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    _sn_strv_free_ char **names =
        sn_servicemgr_json_to_strv(json_object_get(sn_task_ctx_data(ctx), "started-services"));
    if (!names)
        return -ENOMEM;
    return names[0] ? sn_supervisor_stop_wait(m->sup, names, reterr) : 0;
}

static bool not_endure(const SnServiceDef *d)
{
    return !d->endure;
}

static int do_stop_snap_services(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    _sn_free_ char *snap = task_snap(ctx, reterr);
    if (!snap)
        return -EINVAL;
    _sn_free_ char *kind = change_kind(ctx);
    bool refresh =
        kind && (SN_STREQ(kind, "install-snap") || SN_STREQ(kind, "refresh-snap") || SN_STREQ(kind, "revert-snap"));
    bool removing = kind && SN_STREQ(kind, "remove-snap");
    _sn_cleanup_(sn_servicemgr_snap_services_done) SnapServices s = {0};
    int r = sn_servicemgr_load_snap_services(m, snap, false, NULL, &s, reterr);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = sn_servicemgr_select_names(&s, refresh ? not_endure : NULL);
    if (!names)
        return -ENOMEM;
    /* what runs now is what the undo starts again */
    json_t *running = json_array(), *enabled = json_array();
    if (!running || !enabled) {
        json_decref(running);
        json_decref(enabled);
        return -ENOMEM;
    }
    for (char **n = names; *n; n++)
        if (sn_servicemgr_is_running(m, *n))
            json_array_append_new(running, json_string(*n));
    for (size_t i = 0; i < s.n; i++)
        if (s.defs[i].enabled)
            json_array_append_new(enabled, json_string(s.defs[i].name));
    json_t *data = sn_task_ctx_data(ctx);
    json_object_set_new(data, "stopped-services", running);
    json_object_set_new(data, "enabled-services", enabled);
    if (names[0]) {
        r = sn_supervisor_stop_wait(m->sup, names, reterr);
        if (r < 0)
            return r;
    }
    if (removing) {
        ForgetArgs fa = {.names = names};
        r = sn_servicemgr_on_loop(m, sn_servicemgr_forget_fn, &fa);
        if (r < 0)
            return sn_error_set(reterr, r, "cannot forget the services of snap \"%s\": %s", snap, strerror(-r));
        r = sn_service_units_remove(m->root, snap, reterr);
        if (r < 0)
            return r;
    }
    if (names[0])
        sn_task_ctx_logf(ctx, "Stopped %zu services of snap \"%s\"", sn_strv_length(names), snap);
    return 0;
}

static int undo_stop_snap_services(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    _sn_free_ char *snap = task_snap(ctx, reterr);
    if (!snap)
        return -EINVAL;
    json_t *data = sn_task_ctx_data(ctx);
    /* the revision current again after the undo of link-snap: its definitions, its units */
    _sn_cleanup_(sn_servicemgr_snap_services_done) SnapServices s = {0};
    int r = sn_servicemgr_load_snap_services(m, snap, true, json_object_get(data, "enabled-services"), &s, reterr);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    r = sn_servicemgr_sync_snap(m, snap, &s, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **names = sn_servicemgr_json_to_strv(json_object_get(data, "stopped-services"));
    if (!names)
        return -ENOMEM;
    /*
     * The endure services this task left running are running still, unless the daemon went down
     * meanwhile (they go with it) and the change never reached start-snap-services: start them too
     * (a running one is left as it is).
     */
    for (size_t i = 0; i < s.n; i++)
        if (s.defs[i].endure && sn_servicemgr_startable(&s.defs[i]) && !sn_strv_contains(names, s.defs[i].name) &&
            sn_strv_push(&names, s.defs[i].name) < 0)
            return -ENOMEM;
    /* no window here: the old revision comes back as it can */
    return names[0] ? sn_supervisor_start_wait(m->sup, names, 0, reterr) : 0;
}

/* POST /v2/apps: one task per snap. */
static int do_service_control(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    json_t *sa = json_object_get(sn_task_ctx_data(ctx), "service-action");
    const char *snap = json_string_value(json_object_get(sa, "snap-name"));
    const char *action = json_string_value(json_object_get(sa, "action"));
    const char *modifier = json_string_value(json_object_get(sa, "action-modifier"));
    if (!snap || !action)
        return sn_error_set(reterr, -EINVAL, "internal error: service-control task without an action");
    if (!modifier)
        modifier = "";
    _sn_cleanup_(sn_servicemgr_snap_services_done) SnapServices s = {0};
    int r = sn_servicemgr_load_snap_services(m, snap, false, NULL, &s, reterr);
    if (r < 0)
        return r;
    char **names = calloc(1, sizeof(char *));
    _sn_strv_free_ char **owned = names;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(sa, "services"), i, v)
    {
        _sn_free_ char *n = sn_strdup_printf("%s.%s", snap, json_string_value(v) ?: "");
        if (!n || !owned || sn_strv_push(&owned, n) < 0)
            return -ENOMEM;
    }
    names = owned;
    if (!names[0])
        return 0;
    if (SN_STREQ(modifier, "enable") || SN_STREQ(modifier, "disable")) {
        bool on = SN_STREQ(modifier, "enable");
        for (char **n = names; *n; n++) {
            const SnApp *app = sn_snap_info_find_app(s.info, strchr(*n, '.') + 1);
            if (!app || !app->daemon)
                return sn_error_set(reterr, -ENOENT, "snap \"%s\" has no service \"%s\"", snap, *n);
            r = sn_service_units_set_enabled(m->root, snap, app, on, reterr);
            if (r < 0)
                return r;
        }
        EnableArgs ea = {.names = names, .enabled = on};
        sn_servicemgr_on_loop(m, sn_servicemgr_enable_fn, &ea);
    }
    if (SN_STREQ(action, "start"))
        r = sn_supervisor_start_wait(m->sup, names, m->window_ns, reterr);
    else if (SN_STREQ(action, "stop"))
        r = sn_supervisor_stop_wait(m->sup, names, reterr);
    else if (SN_STREQ(action, "restart") || SN_STREQ(action, "reload-or-restart")) {
        r = sn_supervisor_stop_wait(m->sup, names, reterr);
        if (r >= 0)
            r = sn_supervisor_start_wait(m->sup, names, m->window_ns, reterr);
    } else
        r = sn_error_set(reterr, -EINVAL, "unknown action %s", action);
    return r;
}

int sn_servicemgr_register(SnServiceMgr *m, SnTaskRunner *runner)
{
    m->runner = runner;
    int r =
        sn_taskrunner_add_handler(runner, "start-snap-services", do_start_snap_services, undo_start_snap_services, m);
    if (r >= 0)
        r = sn_taskrunner_add_handler(runner, "stop-snap-services", do_stop_snap_services, undo_stop_snap_services, m);
    if (r >= 0)
        r = sn_taskrunner_add_handler(runner, "service-control", do_service_control, NULL, m);
    return r;
}
