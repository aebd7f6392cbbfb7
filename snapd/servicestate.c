/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The service manager: loading a snap's services into the supervisor (calls on its loop thread), starting
 * the installed snaps' services at boot, snapctl's service commands, and its life. The task handlers are
 * servicestate-tasks.c's.
 */
#include "servicestate.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <event2/event.h>

#include "config.h"
#include "fd-util.h"
#include "fileio.h"
#include "log.h"
#include "macros.h"
#include "service-def.h"
#include "service-units.h"
#include "servicestate-internal.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

/* ---- helpers ---- */

/* The rule of the hooks' runner (hookstate.c): the `snap` beside this program, else BINDIR's. */
static char *default_snap_command(const char *root)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n > 0) {
        self[n] = '\0';
        char *slash = strrchr(self, '/');
        if (slash) {
            *slash = '\0';
            _sn_free_ char *p = sn_strdup_printf("%s/snap", self);
            if (p && access(p, X_OK) == 0)
                return SN_TAKE_PTR(p);
        }
    }
    _sn_free_ char *installed = sn_strdup_printf("%s%s/snap", root, SN_BINDIR);
    if (installed && access(installed, X_OK) == 0)
        return SN_TAKE_PTR(installed);
    return strdup(SN_BINDIR "/snap");
}

int sn_servicemgr_current_info(SnState *st, const char *root, const char *snap, SnSnapInfo **ret_info,
                               char **ret_revision, bool *ret_active, SnError **reterr)
{
    _sn_cleanup_(sn_snap_state_freep) SnSnapState *s = NULL;
    sn_state_lock(st);
    int r = sn_snap_state_get(st, snap, &s, NULL);
    sn_state_unlock(st);
    if (r == -ENOENT || (r >= 0 && s->n_sequence == 0))
        return sn_error_set(reterr, -ENOENT, "snap \"%s\" not installed", snap);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the state of snap \"%s\": %s", snap, strerror(-r));
    char rb[24];
    sn_revision_format(s->current, rb);
    _sn_free_ char *path = sn_strdup_printf("%s/snap/%s/%s/meta/snap.yaml", root, snap, rb);
    if (!path)
        return -ENOMEM;
    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    r = sn_read_file_at(AT_FDCWD, path, SN_SNAP_YAML_MAX_SIZE, &yaml, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read %s: %s", path, strerror(-r));
    SnError *e = NULL;
    r = sn_snap_yaml_parse(yaml, len, ret_info, &e);
    if (r < 0) {
        sn_error_set(reterr, r, "cannot read %s: %s", path, sn_error_message(e, r));
        sn_error_free(e);
        return r;
    }
    if (ret_revision && !(*ret_revision = strdup(rb))) {
        *ret_info = sn_snap_info_free(*ret_info);
        return -ENOMEM;
    }
    if (ret_active)
        *ret_active = s->active;
    return 0;
}

void sn_servicemgr_snap_services_done(SnapServices *s)
{
    sn_service_defs_free(s->defs, s->n);
    sn_snap_info_free(s->info);
    free(s->revision);
    *s = (SnapServices){0};
}

static const SnApp *def_app(const SnapServices *s, const SnServiceDef *d)
{
    return sn_snap_info_find_app(s->info, d->app);
}

static bool unit_exists(const char *root, const SnServiceDef *d)
{
    _sn_free_ char *p = sn_strdup_printf("%s/etc/systemd/system/snap.%s.service", root, d->name);
    return p && access(p, F_OK) == 0;
}

/*
 * Loads the snap's services. With write_units: writes the unit files, enables the services seen
 * for the first time (unless install-mode: disable, or per `enabled` when given: a list of names
 * that were enabled before a remove) and reads each one's enablement back into defs[i].enabled.
 */
int sn_servicemgr_load_snap_services(SnServiceMgr *m, const char *snap, bool write_units, json_t *enabled,
                                     SnapServices *ret, SnError **reterr)
{
    SnapServices s = {0};
    int r = sn_servicemgr_current_info(m->st, m->root, snap, &s.info, &s.revision, &s.active, reterr);
    if (r < 0)
        return r;
    SnServiceExecOptions eo = {.snap_command = m->snap_command, .root = m->root};
    SnServiceDef *all = NULL;
    size_t n_all = 0;
    r = sn_service_defs_from_snap(s.info, snap, s.revision, &eo, &all, &n_all, reterr);
    if (r < 0) {
        sn_servicemgr_snap_services_done(&s);
        return r;
    }
    /* user daemons are not supervised here */
    s.defs = calloc(n_all ? n_all : 1, sizeof(*s.defs));
    if (!s.defs) {
        sn_service_defs_free(all, n_all);
        sn_servicemgr_snap_services_done(&s);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n_all; i++) {
        if (all[i].user_daemon) {
            sn_service_def_done(&all[i]);
            continue;
        }
        s.defs[s.n++] = all[i];
        all[i] = (SnServiceDef){0};
    }
    free(all);

    bool *fresh = calloc(s.n ? s.n : 1, sizeof(bool));
    if (!fresh) {
        sn_servicemgr_snap_services_done(&s);
        return -ENOMEM;
    }
    if (write_units) {
        for (size_t i = 0; i < s.n; i++)
            fresh[i] = !unit_exists(m->root, &s.defs[i]);
        r = sn_service_units_write(m->root, s.info, snap, s.revision, NULL, reterr);
    }
    for (size_t i = 0; r >= 0 && i < s.n; i++) {
        const SnApp *app = def_app(&s, &s.defs[i]);
        if (write_units && fresh[i]) {
            bool on = s.defs[i].enabled;
            if (enabled) {
                on = false;
                size_t k;
                json_t *v;
                json_array_foreach(enabled, k, v) on |=
                    json_is_string(v) && SN_STREQ(json_string_value(v), s.defs[i].name);
            }
            r = sn_service_units_set_enabled(m->root, snap, app, on, reterr);
        }
        if (r < 0)
            break;
        int e = sn_service_units_is_enabled(m->root, snap, app);
        if (e < 0)
            r = sn_error_set(reterr, e, "cannot tell whether service %s is enabled: %s", s.defs[i].name, strerror(-e));
        else
            s.defs[i].enabled = e > 0;
    }
    free(fresh);
    if (r < 0) {
        sn_servicemgr_snap_services_done(&s);
        return r;
    }
    *ret = s;
    return 0;
}

/* The names of defs selected by fn (NULL-terminated, possibly empty: never NULL on success). */
char **sn_servicemgr_select_names(const SnapServices *s, bool (*fn)(const SnServiceDef *d))
{
    char **v = calloc(1, sizeof(char *));
    for (size_t i = 0; v && i < s->n; i++)
        if ((!fn || fn(&s->defs[i])) && sn_strv_push(&v, s->defs[i].name) < 0) {
            sn_strv_free(v);
            return NULL;
        }
    return v;
}

bool sn_servicemgr_startable(const SnServiceDef *d)
{
    return d->enabled && !d->timer_activated && !d->socket_activated && !d->dbus_activated;
}

json_t *sn_servicemgr_strv_to_json(char *const *v)
{
    json_t *a = json_array();
    for (char *const *p = v; a && p && *p; p++)
        if (json_array_append_new(a, json_string(*p)) < 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

char **sn_servicemgr_json_to_strv(json_t *a)
{
    char **v = calloc(1, sizeof(char *));
    size_t i;
    json_t *e;
    json_array_foreach(a, i, e)
    {
        if (v && json_is_string(e) && sn_strv_push(&v, json_string_value(e)) < 0) {
            sn_strv_free(v);
            return NULL;
        }
    }
    return v;
}

/* ---- calls on the loop thread ---- */

typedef struct SyncArgs {
    const SnapServices *s;
    const char *snap;
    SnError *err;
} SyncArgs;

/* Hands the definitions to the supervisor and forgets the snap's services that are gone. */
static int sync_fn(SnSupervisor *sup, void *userdata)
{
    SyncArgs *a = userdata;
    for (size_t i = 0; i < a->s->n; i++) {
        int r = sn_supervisor_update(sup, &a->s->defs[i], &a->err);
        if (r < 0)
            return r;
        sn_supervisor_set_enabled(sup, a->s->defs[i].name, a->s->defs[i].enabled);
    }
    _sn_strv_free_ char **known = NULL;
    int r = sn_supervisor_list(sup, a->snap, &known);
    if (r < 0)
        return r;
    for (char **k = known; k && *k; k++) {
        bool keep = false;
        for (size_t i = 0; i < a->s->n && !keep; i++)
            keep = SN_STREQ(a->s->defs[i].name, *k);
        if (!keep && sn_supervisor_remove(sup, *k) >= 0)
            sn_service_log_forget(sn_supervisor_log(sup), *k);
    }
    return 0;
}

int sn_servicemgr_forget_fn(SnSupervisor *sup, void *userdata)
{
    ForgetArgs *a = userdata;
    for (char *const *n = a->names; n && *n; n++) {
        int r = sn_supervisor_remove(sup, *n);
        if (r < 0 && r != -ENOENT)
            return r;
        sn_service_log_forget(sn_supervisor_log(sup), *n);
    }
    return 0;
}

typedef struct StatusArgs {
    const char *name;
    SnServiceStatus st;
} StatusArgs;

static int status_fn(SnSupervisor *sup, void *userdata)
{
    StatusArgs *a = userdata;
    return sn_supervisor_status(sup, a->name, &a->st);
}

int sn_servicemgr_enable_fn(SnSupervisor *sup, void *userdata)
{
    EnableArgs *a = userdata;
    for (char *const *n = a->names; n && *n; n++)
        sn_supervisor_set_enabled(sup, *n, a->enabled);
    return 0;
}

/* call_wait from a worker, or the call itself on the loop thread. */
int sn_servicemgr_on_loop(SnServiceMgr *m, int (*fn)(SnSupervisor *sup, void *userdata), void *userdata)
{
    if (pthread_equal(pthread_self(), m->loop_thread))
        return fn(m->sup, userdata);
    return sn_supervisor_call_wait(m->sup, fn, userdata);
}

int sn_servicemgr_sync_snap(SnServiceMgr *m, const char *snap, const SnapServices *s, SnError **reterr)
{
    SyncArgs a = {.s = s, .snap = snap};
    int r = sn_servicemgr_on_loop(m, sync_fn, &a);
    if (r < 0) {
        if (a.err) {
            sn_error_set(reterr, r, "%s", sn_error_message(a.err, r));
            sn_error_free(a.err);
            return r;
        }
        return sn_error_set(reterr, r, "cannot update the services of snap \"%s\": %s", snap, strerror(-r));
    }
    return 0;
}

bool sn_servicemgr_is_running(SnServiceMgr *m, const char *name)
{
    StatusArgs a = {.name = name};
    if (sn_servicemgr_on_loop(m, status_fn, &a) < 0)
        return false;
    return a.st.active == SN_SERVICE_ACTIVE || a.st.active == SN_SERVICE_ACTIVATING;
}

/* ---- boot ---- */

static void on_boot_started(int result, const char *message, void *userdata)
{
    if (result < 0)
        sn_log_warning("cannot start every enabled service: %s", message ? message : strerror(-result));
}

/*
 * The snaps whose services a change in flight stopped on purpose: its stop-snap-services is Done
 * (or still to be undone) and none of its start-snap-services is Done. That change starts them again (its
 * start-snap-services, or the undo of its stop, endure services included) with the right revision; started at boot, a
 * process of the other revision would hold the service's name, port and mount. Lock held.
 */
static int held_snaps(SnState *st, char ***ret, SnError **reterr)
{
    _sn_free_ int64_t *ids = NULL;
    size_t n = 0;
    int r = sn_change_list(st, SN_CHANGES_IN_PROGRESS, NULL, &ids, &n, reterr);
    if (r < 0)
        return r;
    _sn_strv_free_ char **held = calloc(1, sizeof(char *));
    if (!held)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
        r = sn_change_load(st, ids[i], &c, reterr);
        if (r == -ENOENT)
            continue;
        if (r < 0)
            return r;
        bool stopped = false, started = false;
        for (size_t k = 0; k < c->n_tasks; k++) {
            SnStatus ts = c->tasks[k].status;
            /* a stop that is not undone yet holds them; a start only while it is Done (not to be undone) */
            if (SN_STREQ(c->tasks[k].kind, "stop-snap-services") &&
                (ts == SN_STATUS_DONE || ts == SN_STATUS_UNDO || ts == SN_STATUS_UNDOING))
                stopped = true;
            else if (SN_STREQ(c->tasks[k].kind, "start-snap-services") && ts == SN_STATUS_DONE)
                started = true;
        }
        for (char **sn = c->snaps; stopped && !started && sn && *sn; sn++)
            if (sn_strv_push(&held, *sn) < 0)
                return -ENOMEM;
    }
    *ret = SN_TAKE_PTR(held);
    return 0;
}

int sn_servicemgr_start_installed(SnServiceMgr *m, SnError **reterr)
{
    _sn_strv_free_ char **held = NULL;
    sn_state_lock(m->st);
    int hr = held_snaps(m->st, &held, reterr);
    sn_state_unlock(m->st);
    if (hr < 0)
        return hr;
    _sn_strv_free_ char **boot = calloc(1, sizeof(char *));
    if (!boot)
        return -ENOMEM;
    SnSnapState **v = NULL;
    size_t n = 0;
    sn_state_lock(m->st);
    int r = sn_snap_state_list(m->st, &v, &n, reterr);
    sn_state_unlock(m->st);
    if (r < 0)
        return r;
    int first = 0, added = 0;
    for (size_t i = 0; i < n; i++) {
        if (!v[i]->active || v[i]->n_sequence == 0)
            continue;
        _sn_cleanup_(sn_servicemgr_snap_services_done) SnapServices s = {0};
        SnError *e = NULL;
        r = sn_servicemgr_load_snap_services(m, v[i]->name, true, NULL, &s, &e);
        if (r >= 0)
            r = sn_servicemgr_sync_snap(m, v[i]->name, &s, &e);
        if (r < 0) {
            if (first == 0)
                first = sn_error_set(reterr, r, "%s", sn_error_message(e, r));
            sn_error_free(e);
            continue;
        }
        added += (int)s.n;
        for (size_t k = 0; k < s.n; k++)
            if (sn_servicemgr_startable(&s.defs[k]) && !sn_strv_contains(held, v[i]->name) &&
                sn_strv_push(&boot, s.defs[k].name) < 0) {
                sn_snap_state_array_free(v, n);
                return -ENOMEM;
            }
    }
    sn_snap_state_array_free(v, n);
    if (boot[0])
        (void)sn_supervisor_start(m->sup, boot, 0, on_boot_started, m, NULL);
    return first < 0 ? first : added;
}

static void on_stopped_all(int result, const char *message, void *userdata)
{
    event_base_loopbreak(userdata);
}

void sn_servicemgr_shutdown(SnServiceMgr *m, struct event_base *base)
{
    if (!m || !m->sup)
        return;
    if (sn_supervisor_stop_all(m->sup, on_stopped_all, base) >= 0)
        event_base_dispatch(base);
}

/* ---- snapctl ---- */

static int ctl_status(void *userdata, const char *name, bool *ret_enabled, bool *ret_active)
{
    SnServiceMgr *m = userdata;
    StatusArgs a = {.name = name};
    int r = sn_servicemgr_on_loop(m, status_fn, &a);
    if (r < 0)
        return r;
    *ret_enabled = a.st.enabled;
    *ret_active = a.st.active == SN_SERVICE_ACTIVE || a.st.active == SN_SERVICE_ACTIVATING ||
                  a.st.active == SN_SERVICE_DEACTIVATING;
    return 0;
}

/* The run-hook task of ctx's hook in the change in flight for its snap: 1 with the change and task ids, 0: none. */
static int find_hook_task(SnState *st, SnHookContext *ctx, int64_t *ret_change, int64_t *ret_task, SnError **reterr)
{
    const char *snap = sn_hook_context_snap(ctx), *hook = sn_hook_context_hook(ctx);
    SnConflict cf = {0};
    int r = sn_change_find_conflict(st, snap, &cf, reterr);
    int64_t id = cf.change_id;
    sn_conflict_done(&cf);
    if (r <= 0)
        return r;
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    r = sn_change_load(st, id, &c, reterr);
    if (r < 0)
        return r == -ENOENT ? 0 : r;
    for (size_t i = 0; i < c->n_tasks; i++) {
        json_t *hs = json_object_get(c->tasks[i].data, "hook-setup");
        if (SN_STREQ(c->tasks[i].kind, "run-hook") && c->tasks[i].status == SN_STATUS_DOING &&
            SN_STREQ(json_string_value(json_object_get(hs, "snap")) ?: "", snap) &&
            SN_STREQ(json_string_value(json_object_get(hs, "hook")) ?: "", hook)) {
            *ret_change = id;
            *ret_task = c->tasks[i].id;
            return 1;
        }
    }
    return 0;
}

/*
 * snapd's queueCommand / queueDefaultConfigureHookCommand: the task goes into the hook's change,
 * after every task of it but the final ones (mark-seeded, set-model), which wait for it instead;
 * from default-configure, right after the snap's start-snap-services (whose waiters wait for it).
 * Returns 1 when queued, 0 when the hook's task is not found (then a change of its own is made).
 */
static int queue_in_hook_change(SnServiceMgr *m, SnHookContext *ctx, const SnNewChange *tasks, SnError **reterr)
{
    bool dflt = SN_STREQ(sn_hook_context_hook(ctx), "default-configure");
    sn_state_lock(m->st);
    int64_t change_id = 0, hook_task = 0;
    int r = find_hook_task(m->st, ctx, &change_id, &hook_task, reterr);
    _sn_cleanup_(sn_change_freep) SnChange *c = NULL;
    if (r > 0 && (r = sn_change_load(m->st, change_id, &c, reterr)) >= 0)
        r = 1;
    _sn_free_ int64_t *after = r > 0 ? calloc(c->n_tasks + 1, sizeof(int64_t)) : NULL;
    _sn_free_ int64_t *before = r > 0 ? calloc(c->n_tasks + 1, sizeof(int64_t)) : NULL;
    size_t n_after = 0, n_before = 0;
    if (r > 0 && (!after || !before))
        r = -ENOMEM;
    for (size_t i = 0; r > 0 && i < c->n_tasks; i++) {
        const SnTask *t = &c->tasks[i];
        if (dflt) {
            if (!SN_STREQ(t->kind, "start-snap-services"))
                continue;
            after[n_after++] = t->id;
            /* its waiters in this change wait for the new task too */
            for (size_t k = 0; k < c->n_tasks; k++)
                for (size_t w = 0; w < c->tasks[k].n_waits; w++)
                    if (c->tasks[k].waits[w] == t->id)
                        before[n_before++] = c->tasks[k].id;
            break;
        }
        if (SN_STREQ(t->kind, "mark-seeded") || SN_STREQ(t->kind, "set-model"))
            before[n_before++] = t->id;
        else
            after[n_after++] = t->id;
    }
    if (r > 0 && dflt && n_after == 0)
        after[n_after++] = hook_task; /* no start-snap-services: after the hook, as configure */
    if (r > 0)
        r = sn_change_add_tasks(m->st, change_id, tasks, after, n_after, before, n_before, reterr);
    if (r >= 0 && change_id && m->runner)
        sn_taskrunner_kick(m->runner);
    sn_state_unlock(m->st);
    return r < 0 ? r : change_id ? 1 : 0;
}

static int ctl_control(void *userdata, SnHookContext *ctx, const char *action, char *const *names, bool flag,
                       int64_t *ret_change, SnError **reterr)
{
    SnServiceMgr *m = userdata;
    const char *snap = sn_hook_context_snap(ctx);
    const char *modifier = !flag                         ? ""
                           : SN_STREQ(action, "start")   ? "enable"
                           : SN_STREQ(action, "stop")    ? "disable"
                           : SN_STREQ(action, "restart") ? "reload"
                                                         : NULL;
    if (!modifier)
        return sn_error_set(reterr, -EINVAL, "unknown service action %s", action);
    const char *act = SN_STREQ(action, "restart") && flag ? "reload-or-restart" : action;
    json_t *svcs = json_array();
    SnBuf quoted = {0};
    size_t len = strlen(snap);
    for (char *const *n = names; svcs && n && *n; n++) {
        if (strncmp(*n, snap, len) != 0 || (*n)[len] != '.') {
            json_decref(svcs);
            sn_buf_done(&quoted);
            return sn_error_set(reterr, -EINVAL, "unknown service: \"%s\"", *n);
        }
        json_array_append_new(svcs, json_string(*n + len + 1));
        sn_buf_printf(&quoted, "%s\"%s\"", quoted.len ? " " : "", *n + len + 1);
    }
    json_t *data = svcs ? json_pack("{s:{s:s, s:s, s:s, s:o}}", "service-action", "snap-name", snap, "action", act,
                                    "action-modifier", modifier, "services", svcs)
                        : NULL;
    _sn_free_ char *summary = sn_buf_ok(&quoted)
                                  ? sn_strdup_printf("Run service command \"%s\" for services [%s] of snap \"%s\"", act,
                                                     quoted.data ? quoted.data : "", snap)
                                  : NULL;
    sn_buf_done(&quoted);
    _sn_free_ char *chg_summary = sn_strdup_printf("Running service command for snap \"%s\"", snap);
    _sn_cleanup_(sn_new_change_freep) SnNewChange *c =
        chg_summary ? sn_new_change_new("service-control", chg_summary) : NULL;
    int r = data && summary && c ? sn_new_change_add_task(c, "service-control", summary, data, NULL) : -ENOMEM;
    json_decref(data);
    if (r < 0)
        return r;
    const char *hook = sn_hook_context_hook(ctx);
    if (!sn_hook_context_ephemeral(ctx) && hook &&
        (SN_STREQ(hook, "configure") || SN_STREQ(hook, "default-configure"))) {
        r = queue_in_hook_change(m, ctx, c, reterr);
        if (r != 0) {
            if (r > 0)
                *ret_change = 0;
            return r < 0 ? r : 0;
        }
    }
    /*
     * A change of its own, waited for. From a hook the hook's own change touches the snap: snapd
     * ignores that conflict (Control is given the context), so this change does not name the snap.
     */
    if (sn_hook_context_ephemeral(ctx) && (r = sn_new_change_add_snap(c, snap)) < 0)
        return r;
    int64_t id = 0;
    sn_state_lock(m->st);
    r = sn_change_create(m->st, c, &id, NULL, reterr);
    if (r >= 0 && m->runner)
        sn_taskrunner_kick(m->runner);
    sn_state_unlock(m->st);
    if (r < 0)
        return r;
    *ret_change = id;
    return 0;
}

/* ---- life ---- */

int sn_servicemgr_new(SnState *st, struct event_base *base, const SnServiceMgrOptions *opts, SnServiceMgr **ret,
                      SnError **reterr)
{
    static const SnServiceMgrOptions none = {0};
    if (!opts)
        opts = &none;
    _sn_cleanup_(sn_servicemgr_freep) SnServiceMgr *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    const char *root = opts->root && !SN_STREQ(opts->root, "/") ? opts->root : "";
    m->st = st;
    m->loop_thread = pthread_self();
    m->root = strdup(root);
    m->snap_command = opts->snap_command ? strdup(opts->snap_command) : default_snap_command(root);
    m->environment_file = sn_strdup_printf("%s/etc/environment", root);
    m->run_dir = sn_strdup_printf("%s/run/snapd/services", root);
    if (!m->root || !m->snap_command || !m->environment_file || !m->run_dir)
        return -ENOMEM;
    m->window_ns = opts->start_window_ns;
    const char *w = secure_getenv("SN_SERVICE_START_WINDOW_MS");
    uint64_t ms;
    if (!m->window_ns && w && sn_parse_u64(w, &ms) >= 0)
        m->window_ns = (int64_t)ms * 1000000;
    else if (!m->window_ns)
        m->window_ns = SN_SERVICES_DEFAULT_START_WINDOW_NS;
    if (*root) {
        _sn_free_ char *e = sn_strdup_printf("SNAPPY_GLOBAL_ROOT=%s", root);
        if (!e || sn_strv_push(&m->extra_env, e) < 0)
            return -ENOMEM;
    }
    int r = sn_mkdir_p(m->run_dir, 0755);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s: %s", m->run_dir, strerror(-r));
    SnSupervisorOptions so = {
        .notify_socket = opts->notify_socket,
        .extra_env = m->extra_env,
        .environment_file = m->environment_file,
        .run_dir = m->run_dir,
    };
    r = sn_supervisor_new(base, &so, &m->sup, reterr);
    if (r < 0)
        return r;
    m->ctl = (SnCtlServices){.status = ctl_status, .control = ctl_control, .userdata = m};
    *ret = SN_TAKE_PTR(m);
    return 0;
}

SnServiceMgr *sn_servicemgr_free(SnServiceMgr *m)
{
    if (!m)
        return NULL;
    sn_supervisor_free(m->sup);
    sn_strv_free(m->extra_env);
    free(m->root);
    free(m->snap_command);
    free(m->environment_file);
    free(m->run_dir);
    free(m);
    return NULL;
}

SnSupervisor *sn_servicemgr_supervisor(SnServiceMgr *m)
{
    return m->sup;
}

const SnCtlServices *sn_servicemgr_ctl(SnServiceMgr *m)
{
    return &m->ctl;
}

int64_t sn_servicemgr_start_window(const SnServiceMgr *m)
{
    return m->window_ns;
}

const char *sn_servicemgr_root(const SnServiceMgr *m)
{
    return m->root;
}
