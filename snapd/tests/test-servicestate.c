/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The service manager's task handlers and snapctl table, with the supervisor running plain
 * commands: the services' "snap" command is a shell script that runs a command per NAME.APP.
 */
#include <criterion/criterion.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "hookstate.h"
#include "servicestate.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"

static char root[] = "/tmp/sn-servicestate-XXXXXX";
static SnState *st;
static struct event_base *base;
static SnServiceMgr *mgr;
static SnTaskRunner *runner;

static void sh(const char *fmt, ...) _sn_printf_(1, 2);
static void sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *cmd = NULL;
    cr_assert_geq(vasprintf(&cmd, fmt, ap), 0);
    va_end(ap);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
}

/* An installed, active snap at revision 3 with the given apps: section. */
static void add_snap(const char *name, const char *apps)
{
    SnSnapState *s = sn_snap_state_new(name);
    cr_assert_eq(sn_snap_state_append(s, 3, "", ""), 0);
    s->current = 3;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);
    sn_snap_state_free(s);
    sh("mkdir -p %s/var/snap/%s/3", root, name);
    sh("mkdir -p %s/snap/%s/3/meta && printf 'name: %s\\nversion: \"1\"\\napps:\\n%s' > %s/snap/%s/3/meta/snap.yaml",
       root, name, name, apps, root, name);
}

static int do_fail(SnTaskCtx *ctx, void *userdata, SnError **reterr)
{
    return sn_error_set(reterr, -EIO, "failing on purpose");
}

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    /* the services' "snap run NAME.APP" */
    sh("printf '#!/bin/sh\\ncase \"$2\" in\\n"
       "svc.web|svc.keep) echo \"$2 up\"; exec sleep 60;;\\n"
       "svc.off) exec sleep 60;;\\n"
       "bad.crash) echo boom; exit 3;;\\n"
       "esac\\nexit 9\\n' > %s/fake-snap && chmod +x %s/fake-snap",
       root, root);
    base = event_base_new();
    cr_assert_not_null(base);
    _sn_free_ char *cmd = sn_strdup_printf("%s/fake-snap", root);
    SnServiceMgrOptions o = {.root = root, .snap_command = cmd, .start_window_ns = 300LL * 1000000};
    SnError *e = NULL;
    int r = sn_servicemgr_new(st, base, &o, &mgr, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    cr_assert_eq(sn_taskrunner_new(st, 2, &runner), 0);
    cr_assert_eq(sn_servicemgr_register(mgr, runner), 0);
    cr_assert_eq(sn_taskrunner_add_handler(runner, "fail-here", do_fail, NULL, NULL), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
}

static void teardown(void)
{
    /* as the daemon: services stop while the loop runs, so that no handler waits forever */
    sn_servicemgr_shutdown(mgr, base);
    sn_taskrunner_stop(runner);
    runner = sn_taskrunner_free(runner);
    mgr = sn_servicemgr_free(mgr);
    event_base_free(base);
    st = sn_state_free(st);
    sh("rm -rf %s", root);
}

TestSuite(servicestate, .init = setup, .fini = teardown, .timeout = 60);

/* Stores a change of kind with tasks (kind, snap) chained, runs the loop until it is ready. */
static SnStatus run_change(const char *kind, const char *const *tasks, const char *snap)
{
    SnNewChange *c = sn_new_change_new(kind, "test");
    cr_assert_not_null(c);
    json_t *data = json_pack("{s:{s:s}}", "snap-setup", "name", snap);
    for (const char *const *t = tasks; *t; t++)
        cr_assert_eq(sn_new_change_add_task(c, *t, *t, data, NULL), 0);
    json_decref(data);
    cr_assert_eq(sn_new_change_chain(c), 0);
    int64_t id = 0;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(c);
    for (int i = 0; i < 2000; i++) {
        struct timeval tv = {0, 10000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
        SnChange *ch = NULL;
        sn_state_lock(st);
        cr_assert_eq(sn_change_load(st, id, &ch, NULL), 0);
        sn_state_unlock(st);
        SnStatus s = ch->status;
        if (sn_status_ready(s))
            for (size_t k = 0; k < ch->n_tasks; k++)
                if (json_array_size(ch->tasks[k].log)) {
                    _sn_free_ char *log = json_dumps(ch->tasks[k].log, 0);
                    cr_log_info("%s: %s", ch->tasks[k].kind, log);
                }
        sn_change_free(ch);
        if (sn_status_ready(s))
            return s;
    }
    cr_assert_fail("the change did not finish");
    return SN_STATUS_DEFAULT;
}

static SnServiceStatus status(const char *name)
{
    SnServiceStatus s = {0};
    cr_assert_eq(sn_supervisor_status(sn_servicemgr_supervisor(mgr), name, &s), 0, "no service %s", name);
    return s;
}

static bool wants(const char *name)
{
    _sn_free_ char *p = sn_strdup_printf("%s/etc/systemd/system/multi-user.target.wants/snap.%s.service", root, name);
    struct stat sb;
    return lstat(p, &sb) == 0; /* a link to the unit's path without the root */
}

static void run_for(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

#define SVC_APPS                                                                                                       \
    "  web:\\n    command: web\\n    daemon: simple\\n"                                                                \
    "  off:\\n    command: off\\n    daemon: simple\\n    install-mode: disable\\n"                                    \
    "  keep:\\n    command: keep\\n    daemon: simple\\n    refresh-mode: endure\\n"                                   \
    "  cmd:\\n    command: cmd\\n"

Test(servicestate, start_snap_services_writes_units_enables_and_starts_honouring_install_mode)
{
    add_snap("svc", SVC_APPS);
    const char *tasks[] = {"start-snap-services", NULL};
    cr_assert_eq(run_change("install-snap", tasks, "svc"), SN_STATUS_DONE);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_ACTIVE);
    cr_assert(status("svc.web").enabled);
    cr_assert_eq(status("svc.keep").active, SN_SERVICE_ACTIVE);
    cr_assert_eq(status("svc.off").active, SN_SERVICE_INACTIVE);
    cr_assert_not(status("svc.off").enabled);
    cr_assert(wants("svc.web"));
    cr_assert_not(wants("svc.off"));
    /* the plain command is no service */
    SnServiceStatus s;
    cr_assert_eq(sn_supervisor_status(sn_servicemgr_supervisor(mgr), "svc.cmd", &s), -ENOENT);
    /* its output is in the log ring */
    SnServiceLogEntry *e = NULL;
    size_t n = 0;
    char *sids[] = {"svc.web", NULL};
    cr_assert_eq(sn_service_log_read(sn_supervisor_log(sn_servicemgr_supervisor(mgr)), sids, -1, &e, &n), 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(e[0].message, "svc.web up");
    sn_service_log_entries_free(e, n);
}

Test(servicestate, a_service_dying_within_its_window_fails_the_task)
{
    add_snap("bad", "  crash:\\n    command: crash\\n    daemon: simple\\n    restart-condition: always\\n");
    const char *tasks[] = {"start-snap-services", NULL};
    cr_assert_eq(run_change("install-snap", tasks, "bad"), SN_STATUS_ERROR);
    SnServiceStatus s = status("bad.crash");
    cr_assert(s.active == SN_SERVICE_INACTIVE || s.active == SN_SERVICE_FAILED, "%s/%s",
              sn_service_active_to_string(s.active), s.sub);
    run_for(300);
    cr_assert_eq(status("bad.crash").main_pid, 0, "nothing restarts it after the failed start");
}

Test(servicestate, refresh_stop_keeps_endure_services_and_undo_restarts_the_stopped)
{
    add_snap("svc", SVC_APPS);
    const char *start[] = {"start-snap-services", NULL};
    cr_assert_eq(run_change("install-snap", start, "svc"), SN_STATUS_DONE);
    pid_t keep = status("svc.keep").main_pid;
    cr_assert_gt(keep, 0);
    /* a refresh that fails after stopping: the stop is undone */
    const char *tasks[] = {"stop-snap-services", "fail-here", NULL};
    cr_assert_eq(run_change("refresh-snap", tasks, "svc"), SN_STATUS_ERROR);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_ACTIVE, "web runs again after the undo");
    cr_assert_eq(status("svc.keep").main_pid, keep, "the endure service was never stopped");
    cr_assert_eq(status("svc.off").active, SN_SERVICE_INACTIVE, "the disabled one stays stopped");
    /* a refresh that goes through leaves web stopped until start-snap-services */
    const char *stop[] = {"stop-snap-services", NULL};
    cr_assert_eq(run_change("refresh-snap", stop, "svc"), SN_STATUS_DONE);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_INACTIVE);
    cr_assert_eq(status("svc.keep").main_pid, keep);
}

Test(servicestate, remove_stops_everything_and_forgets_units_and_services)
{
    add_snap("svc", SVC_APPS);
    const char *start[] = {"start-snap-services", NULL};
    cr_assert_eq(run_change("install-snap", start, "svc"), SN_STATUS_DONE);
    const char *failing[] = {"stop-snap-services", "fail-here", NULL};
    cr_assert_eq(run_change("remove-snap", failing, "svc"), SN_STATUS_ERROR);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_ACTIVE, "an undone remove brings web back");
    cr_assert(wants("svc.web"));
    cr_assert_not(wants("svc.off"), "the enablement is restored as it was");
    const char *stop[] = {"stop-snap-services", NULL};
    cr_assert_eq(run_change("remove-snap", stop, "svc"), SN_STATUS_DONE);
    char **names = NULL;
    cr_assert_eq(sn_supervisor_list(sn_servicemgr_supervisor(mgr), "svc", &names), 0);
    cr_assert(!names || !names[0]);
    sn_strv_free(names);
    _sn_free_ char *unit = sn_strdup_printf("%s/etc/systemd/system/snap.svc.web.service", root);
    cr_assert_neq(access(unit, F_OK), 0);
}

Test(servicestate, service_control_tasks_start_stop_enable_disable)
{
    add_snap("svc", SVC_APPS);
    const char *start[] = {"start-snap-services", NULL};
    cr_assert_eq(run_change("install-snap", start, "svc"), SN_STATUS_DONE);
    SnNewChange *c = sn_new_change_new("service-control", "Running service command");
    json_t *d = json_pack("{s:{s:s, s:s, s:s, s:[s]}}", "service-action", "snap-name", "svc", "action", "start",
                          "action-modifier", "enable", "services", "off");
    cr_assert_eq(sn_new_change_add_task(c, "service-control", "x", d, NULL), 0);
    json_decref(d);
    int64_t id;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(c);
    for (int i = 0; i < 500 && status("svc.off").active != SN_SERVICE_ACTIVE; i++)
        run_for(10);
    cr_assert_eq(status("svc.off").active, SN_SERVICE_ACTIVE);
    cr_assert(status("svc.off").enabled);
    cr_assert(wants("svc.off"));
    SnStatus done = SN_STATUS_DEFAULT;
    for (int i = 0; i < 500 && !sn_status_ready(done); i++) {
        run_for(10);
        SnChange *ch = NULL;
        sn_state_lock(st);
        cr_assert_eq(sn_change_load(st, id, &ch, NULL), 0);
        sn_state_unlock(st);
        done = ch->status;
        sn_change_free(ch);
    }
    cr_assert_eq(done, SN_STATUS_DONE);
}

Test(servicestate, boot_starts_the_enabled_services_of_active_snaps)
{
    add_snap("svc", SVC_APPS);
    SnError *e = NULL;
    int r = sn_servicemgr_start_installed(mgr, &e);
    cr_assert_eq(r, 3, "%s", sn_error_message(e, r));
    for (int i = 0; i < 300 && status("svc.web").active != SN_SERVICE_ACTIVE; i++)
        run_for(10);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_ACTIVE);
    cr_assert_eq(status("svc.off").active, SN_SERVICE_INACTIVE);
    sn_servicemgr_shutdown(mgr, base);
    cr_assert_eq(status("svc.web").active, SN_SERVICE_INACTIVE);
}

/* The status of change id once ready (runs the loop meanwhile). */
static SnChange *wait_change(int64_t id)
{
    for (int i = 0; i < 1000; i++) {
        run_for(10);
        SnChange *ch = NULL;
        sn_state_lock(st);
        cr_assert_eq(sn_change_load(st, id, &ch, NULL), 0);
        sn_state_unlock(st);
        if (sn_status_ready(ch->status))
            return ch;
        sn_change_free(ch);
    }
    cr_assert_fail("change %lld did not finish", (long long)id);
    return NULL;
}

/* The ephemeral context of snap (an app calling snapctl with the snap's cookie). */
static SnHookContext *app_context(SnHookMgr *hooks, const char *snap)
{
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    cr_assert_eq(sn_hookstate_cookie_create(st, snap, NULL), 0);
    cr_assert_eq(sn_state_commit(st, NULL), 0);
    sn_state_unlock(st);
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.%s", root, snap);
    _sn_free_ char *cookie = NULL;
    size_t len = 0;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, path, 4096, &cookie, &len), 0);
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    cr_assert(sn_hook_context_ephemeral(ctx));
    return ctx;
}

Test(servicestate, snapctl_table_reports_and_makes_a_change_to_wait_for)
{
    add_snap("svc", SVC_APPS);
    cr_assert_geq(sn_servicemgr_start_installed(mgr, NULL), 0);
    for (int i = 0; i < 300 && status("svc.web").active != SN_SERVICE_ACTIVE; i++)
        run_for(10);
    const SnCtlServices *ctl = sn_servicemgr_ctl(mgr);
    bool enabled = false, active = false;
    cr_assert_eq(ctl->status(ctl->userdata, "svc.web", &enabled, &active), 0);
    cr_assert(enabled && active);
    cr_assert_eq(ctl->status(ctl->userdata, "svc.nope", &enabled, &active), -ENOENT);
    SnHookMgr *hooks = NULL;
    cr_assert_eq(sn_hookmgr_new(st, NULL, &hooks), 0);
    SnHookContext *ctx = app_context(hooks, "svc");
    char *names[] = {"svc.web", NULL};
    int64_t id = 0;
    SnError *e = NULL;
    int r = ctl->control(ctl->userdata, ctx, "stop", names, true, &id, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    cr_assert_gt(id, 0, "a change to wait for");
    /* it touches the snap: another change of the snap conflicts while it runs */
    SnConflict cf = {0};
    sn_state_lock(st);
    int found = sn_change_find_conflict(st, "svc", &cf, NULL);
    sn_state_unlock(st);
    if (found > 0) {
        cr_assert_eq(cf.change_id, id);
        cr_assert_str_eq(cf.change_kind, "service-control");
    }
    sn_conflict_done(&cf);
    SnChange *ch = wait_change(id);
    cr_assert_eq(ch->status, SN_STATUS_DONE);
    cr_assert_str_eq(ch->kind, "service-control");
    cr_assert_str_eq(ch->summary, "Running service command for snap \"svc\"");
    cr_assert_eq(ch->n_tasks, 1);
    cr_assert_str_eq(ch->tasks[0].summary, "Run service command \"stop\" for services [\"web\"] of snap \"svc\"");
    cr_assert_str_eq(ch->snaps[0], "svc");
    sn_change_free(ch);
    /* once the change is ready the service is down and disabled: nothing left to wait for */
    cr_assert_eq(status("svc.web").active, SN_SERVICE_INACTIVE);
    cr_assert_not(wants("svc.web"), "stop --disable removed the link");
    cr_assert_not(status("svc.web").enabled);
    /* a start that fails within its window fails the change: the caller reports its error */
    add_snap("bad", "  crash:\n    command: crash\n    daemon: simple\n");
    SnHookContext *bctx = app_context(hooks, "bad");
    char *bad[] = {"bad.crash", NULL};
    cr_assert_eq(ctl->control(ctl->userdata, bctx, "start", bad, false, &id, NULL), 0);
    ch = wait_change(id);
    cr_assert_eq(ch->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(ch);
    cr_assert(sn_startswith(err, "cannot perform the following tasks:\n- Run service command \"start\""), "%s", err);
    sn_change_free(ch);
    /* a name of another snap is refused */
    char *other[] = {"bad.crash", NULL};
    e = NULL;
    cr_assert_eq(ctl->control(ctl->userdata, ctx, "start", other, false, &id, &e), -EINVAL);
    cr_assert_str_eq(sn_error_message(e, -EINVAL), "unknown service: \"bad.crash\"");
    sn_error_free(e);
    sn_hook_context_unref(bctx);
    sn_hook_context_unref(ctx);
    sn_hookmgr_free(hooks);
}
