/* SPDX-License-Identifier: GPL-3.0-only */
#include "service-def.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

static const char *const type_names[] = {
    [SN_SERVICE_SIMPLE] = "simple", [SN_SERVICE_FORKING] = "forking", [SN_SERVICE_ONESHOT] = "oneshot",
    [SN_SERVICE_DBUS] = "dbus",     [SN_SERVICE_NOTIFY] = "notify",
};

static const char *const restart_names[] = {
    [SN_RESTART_NO] = "no",
    [SN_RESTART_ON_SUCCESS] = "on-success",
    [SN_RESTART_ON_FAILURE] = "on-failure",
    [SN_RESTART_ON_ABNORMAL] = "on-abnormal",
    [SN_RESTART_ON_ABORT] = "on-abort",
    [SN_RESTART_ON_WATCHDOG] = "on-watchdog",
    [SN_RESTART_ALWAYS] = "always",
};

const char *sn_service_type_to_string(SnServiceType t)
{
    return (size_t)t < SN_ELEMENTSOF(type_names) ? type_names[t] : "simple";
}

int sn_service_type_from_string(const char *s, SnServiceType *ret)
{
    for (size_t i = 0; s && i < SN_ELEMENTSOF(type_names); i++)
        if (SN_STREQ(s, type_names[i])) {
            *ret = (SnServiceType)i;
            return 0;
        }
    return -EINVAL;
}

const char *sn_restart_condition_to_string(SnRestartCondition c)
{
    return (size_t)c < SN_ELEMENTSOF(restart_names) ? restart_names[c] : "no";
}

int sn_restart_condition_from_string(const char *s, SnRestartCondition *ret)
{
    if (s && SN_STREQ(s, "never")) {
        *ret = SN_RESTART_NO;
        return 0;
    }
    for (size_t i = 0; s && i < SN_ELEMENTSOF(restart_names); i++)
        if (SN_STREQ(s, restart_names[i])) {
            *ret = (SnRestartCondition)i;
            return 0;
        }
    return -EINVAL;
}

int sn_stop_mode_parse(const char *s, int *ret_signal, bool *ret_all)
{
    static const struct {
        const char *name;
        int sig;
    } modes[] = {
        {"sigterm", SIGTERM}, {"sighup", SIGHUP}, {"sigusr1", SIGUSR1}, {"sigusr2", SIGUSR2}, {"sigint", SIGINT},
    };
    if (!s || !*s) {
        *ret_signal = SIGTERM;
        *ret_all = true;
        return 0;
    }
    for (size_t i = 0; i < SN_ELEMENTSOF(modes); i++) {
        size_t n = strlen(modes[i].name);
        if (strncmp(s, modes[i].name, n) != 0)
            continue;
        if (s[n] == '\0' || SN_STREQ(s + n, "-all")) {
            *ret_signal = modes[i].sig;
            *ret_all = s[n] != '\0';
            return 0;
        }
    }
    return -EINVAL;
}

void sn_service_def_done(SnServiceDef *def)
{
    if (!def)
        return;
    free(def->name);
    free(def->snap);
    free(def->app);
    free(def->revision);
    sn_strv_free(def->start_argv);
    sn_strv_free(def->stop_argv);
    sn_strv_free(def->post_stop_argv);
    free(def->working_dir);
    free(def->success_exit_status);
    sn_strv_free(def->after);
    sn_strv_free(def->before);
    *def = (SnServiceDef){0};
}

void sn_service_defs_free(SnServiceDef *defs, size_t n)
{
    if (!defs)
        return;
    for (size_t i = 0; i < n; i++)
        sn_service_def_done(&defs[i]);
    free(defs);
}

static int strv_copy(char *const *v, char ***ret)
{
    char **out = NULL;
    for (char *const *s = v; s && *s; s++)
        if (sn_strv_push(&out, *s) < 0) {
            sn_strv_free(out);
            return -ENOMEM;
        }
    *ret = out;
    return 0;
}

static int dup_or_null(const char *s, char **ret)
{
    *ret = NULL;
    if (!s)
        return 0;
    *ret = strdup(s);
    return *ret ? 0 : -ENOMEM;
}

int sn_service_def_copy(const SnServiceDef *def, SnServiceDef *ret)
{
    SnServiceDef c = *def;
    c.name = c.snap = c.app = c.revision = c.working_dir = NULL;
    c.start_argv = c.stop_argv = c.post_stop_argv = c.after = c.before = NULL;
    c.success_exit_status = NULL;
    int r = 0;
    if (dup_or_null(def->name, &c.name) < 0 || dup_or_null(def->snap, &c.snap) < 0 ||
        dup_or_null(def->app, &c.app) < 0 || dup_or_null(def->revision, &c.revision) < 0 ||
        dup_or_null(def->working_dir, &c.working_dir) < 0 || strv_copy(def->start_argv, &c.start_argv) < 0 ||
        strv_copy(def->stop_argv, &c.stop_argv) < 0 || strv_copy(def->post_stop_argv, &c.post_stop_argv) < 0 ||
        strv_copy(def->after, &c.after) < 0 || strv_copy(def->before, &c.before) < 0)
        r = -ENOMEM;
    if (r >= 0 && def->n_success_exit_status > 0) {
        c.success_exit_status = calloc(def->n_success_exit_status, sizeof(int));
        if (!c.success_exit_status)
            r = -ENOMEM;
        else
            memcpy(c.success_exit_status, def->success_exit_status, def->n_success_exit_status * sizeof(int));
    }
    if (r < 0) {
        sn_service_def_done(&c);
        return r;
    }
    *ret = c;
    return 0;
}

/* {snap, "run", [extra,] NAME or NAME.APP}: snapd's AppInfo.launcherCommand. */
static char **launcher_argv(const char *snap_cmd, const SnSnapInfo *info, const char *instance, const SnApp *app,
                            const char *extra)
{
    _sn_free_ char *target =
        SN_STREQ(app->name, info->name) ? strdup(instance) : sn_strdup_printf("%s.%s", instance, app->name);
    char **v = NULL;
    if (!target || sn_strv_push(&v, snap_cmd) < 0 || sn_strv_push(&v, "run") < 0 ||
        (extra && sn_strv_push(&v, extra) < 0) || sn_strv_push(&v, target) < 0)
        return sn_strv_free(v);
    return v;
}

static int app_to_def(const SnSnapInfo *info, const char *instance, const char *revision, const SnApp *app,
                      const SnServiceExecOptions *opts, SnServiceDef *d, SnError **reterr)
{
    const char *snap_cmd = opts && opts->snap_command ? opts->snap_command : "/usr/bin/snap";
    const char *root = opts && opts->root ? opts->root : "";
    if (SN_STREQ(root, "/"))
        root = "";

    if (sn_service_type_from_string(app->daemon, &d->type) < 0)
        return sn_error_set(reterr, -EINVAL, "app %s: unknown daemon type \"%s\"", app->name, app->daemon);
    d->restart = SN_RESTART_ON_FAILURE;
    if (app->restart_condition && sn_restart_condition_from_string(app->restart_condition, &d->restart) < 0)
        return sn_error_set(reterr, -EINVAL, "app %s: invalid restart-condition \"%s\"", app->name,
                            app->restart_condition);
    if (sn_stop_mode_parse(app->stop_mode, &d->kill_signal, &d->kill_all) < 0)
        return sn_error_set(reterr, -EINVAL, "app %s: invalid stop-mode \"%s\"", app->name, app->stop_mode);

    d->name = sn_strdup_printf("%s.%s", instance, app->name);
    d->snap = strdup(instance);
    d->app = strdup(app->name);
    d->revision = strdup(revision);
    d->working_dir = sn_strdup_printf("%s/var/snap/%s/%s", root, instance, revision);
    _sn_free_ char *timer_arg = app->timer ? sn_strdup_printf("--timer=%s", app->timer) : NULL;
    d->start_argv = launcher_argv(snap_cmd, info, instance, app, timer_arg);
    if (app->stop_command)
        d->stop_argv = launcher_argv(snap_cmd, info, instance, app, "--command=stop");
    if (app->post_stop_command)
        d->post_stop_argv = launcher_argv(snap_cmd, info, instance, app, "--command=post-stop");
    if (!d->name || !d->snap || !d->app || !d->revision || !d->working_dir || (app->timer && !timer_arg) ||
        !d->start_argv || (app->stop_command && !d->stop_argv) || (app->post_stop_command && !d->post_stop_argv))
        return sn_error_set(reterr, -ENOMEM, "out of memory");

    d->restart_delay_ns = app->restart_delay > 0 ? app->restart_delay : SN_SERVICE_DEFAULT_RESTART_DELAY_NS;
    d->start_timeout_ns = app->start_timeout > 0          ? app->start_timeout
                          : d->type == SN_SERVICE_ONESHOT ? 0
                                                          : SN_SERVICE_DEFAULT_START_TIMEOUT_NS;
    d->stop_timeout_ns = app->stop_timeout > 0 ? app->stop_timeout : SN_SERVICE_DEFAULT_STOP_TIMEOUT_NS;
    d->watchdog_ns = app->watchdog_timeout > 0 ? app->watchdog_timeout : 0;
    if (d->type == SN_SERVICE_ONESHOT) {
        /* snapd: any restart condition but "no" is invalid for oneshot; a stop-command keeps it "active". */
        d->restart = SN_RESTART_NO;
        d->remain_after_exit = app->stop_command != NULL;
    }
    if (app->n_success_exit_status > 0) {
        d->success_exit_status = calloc(app->n_success_exit_status, sizeof(int));
        if (!d->success_exit_status)
            return sn_error_set(reterr, -ENOMEM, "out of memory");
        memcpy(d->success_exit_status, app->success_exit_status, app->n_success_exit_status * sizeof(int));
        d->n_success_exit_status = app->n_success_exit_status;
    }
    /* Ordering names only apps of this snap, as snapd's generateServiceNames. */
    for (char **a = app->after; a && *a; a++) {
        _sn_free_ char *n = sn_strdup_printf("%s.%s", instance, *a);
        if (sn_snap_info_find_app(info, *a) && (!n || sn_strv_push(&d->after, n) < 0))
            return sn_error_set(reterr, -ENOMEM, "out of memory");
    }
    for (char **b = app->before; b && *b; b++) {
        _sn_free_ char *n = sn_strdup_printf("%s.%s", instance, *b);
        if (sn_snap_info_find_app(info, *b) && (!n || sn_strv_push(&d->before, n) < 0))
            return sn_error_set(reterr, -ENOMEM, "out of memory");
    }
    d->enabled = !(app->install_mode && SN_STREQ(app->install_mode, "disable"));
    d->endure = app->refresh_mode && SN_STREQ(app->refresh_mode, "endure");
    d->user_daemon = app->daemon_scope && SN_STREQ(app->daemon_scope, "user");
    d->timer_activated = app->timer != NULL;
    d->socket_activated = app->n_sockets > 0;
    d->dbus_activated = app->activates_on && app->activates_on[0];
    return 0;
}

int sn_service_defs_from_snap(const SnSnapInfo *info, const char *instance, const char *revision,
                              const SnServiceExecOptions *opts, SnServiceDef **ret_defs, size_t *ret_n,
                              SnError **reterr)
{
    if (!instance)
        instance = info->name;
    size_t n = 0;
    for (size_t i = 0; i < info->n_apps; i++)
        n += info->apps[i].daemon != NULL;
    SnServiceDef *defs = n ? calloc(n, sizeof(*defs)) : NULL;
    if (n && !defs)
        return sn_error_set(reterr, -ENOMEM, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < info->n_apps; i++) {
        if (!info->apps[i].daemon)
            continue;
        int r = app_to_def(info, instance, revision, &info->apps[i], opts, &defs[k++], reterr);
        if (r < 0) {
            sn_service_defs_free(defs, k);
            return r;
        }
    }
    *ret_defs = defs;
    *ret_n = n;
    return 0;
}
