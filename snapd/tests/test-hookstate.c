/* SPDX-License-Identifier: GPL-3.0-only */
/* The run-hook handler with a fake `snap run` (a shell script), hook contexts, cookies and health. */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "configstate.h"
#include "ctlcmd.h"
#include "hook-run.h"
#include "hookstate.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"
#include "taskrunner.h"

static char root[] = "/tmp/sn-hookstate-XXXXXX";
static SnState *st;
static SnTaskRunner *runner;
static SnHookMgr *hooks;

static void write_file(const char *rel, const char *text, mode_t mode)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", root, rel);
    _sn_free_ char *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    _sn_free_ char *cmd = sn_strdup_printf("mkdir -p '%s'", dir);
    cr_assert_eq(system(cmd), 0);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

/* Snap "hello" installed at x1 with the given hooks files, run by the script (sh -c SCRIPT). */
static void setup_with(const char *script)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    SnSnapState *s = sn_snap_state_new("hello");
    cr_assert_eq(sn_snap_state_append(s, -1, "", ""), 0);
    s->current = -1;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);
    sn_snap_state_free(s);
    write_file("snap/hello/x1/meta/snap.yaml", "name: hello\nversion: '1'\nhooks:\n  install:\n", 0644);
    write_file("snap/hello/x1/meta/hooks/configure", "#!/bin/sh\n", 0755);
    write_file("snap/hello/x1/meta/hooks/check-health", "#!/bin/sh\n", 0755);
    _sn_free_ char *dir = sn_strdup_printf("D=%s; %s", root, script);
    char *argv[] = {"/bin/sh", "-c", dir, "fake-snap", NULL};
    SnHookMgrOptions o = {.snap_command = argv};
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, &o, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
}

static void teardown(void)
{
    runner = sn_taskrunner_free(runner);
    hooks = sn_hookmgr_free(hooks);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(hookstate, .fini = teardown, .timeout = 60);

/* A change with one run-hook task; returns its id. */
static int64_t add_hook_change(const char *hook, unsigned flags, json_t *extra)
{
    SnNewChange *c = sn_new_change_new("test", "test");
    json_t *data = sn_hookstate_task_data("hello", hook, flags, 0);
    if (extra)
        json_object_update(data, extra);
    cr_assert_eq(sn_new_change_add_task(c, "run-hook", "Run hook", data, NULL), 0);
    json_decref(data);
    int64_t id = 0;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(c);
    return id;
}

static SnChange *settle(int64_t id)
{
    cr_assert_eq(sn_taskrunner_settle(runner, 20000), 0);
    SnChange *c = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_load(st, id, &c, NULL), 0);
    sn_state_unlock(st);
    return c;
}

static char *read_text(const char *rel)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", root, rel);
    for (int i = 0; i < 400; i++) {
        FILE *f = fopen(path, "r");
        if (f) {
            char buf[512] = {0};
            size_t n = fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
            if (n > 0 && buf[n - 1] == '\n') {
                buf[n - 1] = '\0';
                return strdup(buf);
            }
        }
        usleep(50000);
    }
    cr_assert_fail("no %s", rel);
    return NULL;
}

static json_t *config(const char *key)
{
    json_t *v = NULL;
    sn_state_lock(st);
    int r = sn_configstate_get(st, "hello", key, &v, NULL);
    sn_state_unlock(st);
    return r < 0 ? NULL : v;
}

Test(hookstate, runs_snap_run_with_the_hook_revision_and_a_context_cookie)
{
    setup_with("echo \"$@\" > $D/args; echo \"$SNAP_COOKIE $SNAP_CONTEXT $SNAPPY_GLOBAL_ROOT\" > $D/env; echo hi");
    SnChange *c = settle(add_hook_change("install", 0, NULL));
    cr_assert_eq(c->tasks[0].status, SN_STATUS_DONE, "%s", sn_status_to_string(c->tasks[0].status));
    _sn_free_ char *args = read_text("args");
    cr_assert_str_eq(args, "run --hook=install -r x1 hello");
    _sn_free_ char *env = read_text("env");
    char a[64], b[64], rootvar[256];
    cr_assert_eq(sscanf(env, "%63s %63s %255s", a, b, rootvar), 3);
    cr_assert_str_eq(a, b);
    cr_assert_eq(strlen(a), 43); /* snapd's CryptoToken(32) */
    cr_assert_str_eq(rootvar, root);
    /* the output goes to the task log */
    _sn_free_ char *log = json_dumps(c->tasks[0].log, 0);
    cr_assert_not_null(strstr(log, "hook \\\"install\\\" output: hi"), "%s", log);
    sn_change_free(c);
    /* the snap got its cookie for its apps */
    _sn_free_ char *cpath = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.hello", root);
    cr_assert_eq(access(cpath, F_OK), 0);
}

Test(hookstate, a_missing_hook_is_skipped_when_optional_and_fails_otherwise)
{
    setup_with("echo ran > $D/ran");
    SnChange *c = settle(add_hook_change("post-refresh", SN_HOOK_OPTIONAL, NULL));
    cr_assert_eq(c->status, SN_STATUS_DONE);
    sn_change_free(c);
    _sn_free_ char *p = sn_strdup_printf("%s/ran", root);
    cr_assert_neq(access(p, F_OK), 0, "an absent hook must not run");
    c = settle(add_hook_change("post-refresh", 0, NULL));
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err,
                     "cannot perform the following tasks:\n- Run hook (snap \"hello\" has no \"post-refresh\" hook)");
    sn_change_free(c);
}

Test(hookstate, a_failing_hook_fails_the_task_with_snapds_message)
{
    setup_with("echo 'something broke' >&2; exit 3");
    SnChange *c = settle(add_hook_change("install", 0, NULL));
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Run hook (run hook \"install\": something broke)");
    sn_change_free(c);
}

Test(hookstate, ignore_error_and_the_remove_hook_keep_going)
{
    setup_with("exit 1");
    write_file("snap/hello/x1/meta/hooks/remove", "#!/bin/sh\n", 0755);
    SnChange *c = settle(add_hook_change("install", SN_HOOK_IGNORE_ERROR, NULL));
    cr_assert_eq(c->status, SN_STATUS_DONE);
    _sn_free_ char *log = json_dumps(c->tasks[0].log, 0);
    cr_assert_not_null(strstr(log, "ignoring failure in hook \\\"install\\\": exit status 1"), "%s", log);
    sn_change_free(c);
    c = settle(add_hook_change("remove", 0, NULL));
    cr_assert_eq(c->status, SN_STATUS_DONE);
    sn_change_free(c);
}

Test(hookstate, a_hook_past_its_timeout_is_killed)
{
    setup_with("sleep 30");
    json_t *extra = json_pack("{s:{s:s, s:s, s:I}}", "hook-setup", "snap", "hello", "hook", "install", "timeout",
                              (json_int_t)300000000);
    SnChange *c = settle(add_hook_change("install", 0, extra));
    json_decref(extra);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_not_null(strstr(err, "(run hook \"install\": <exceeded maximum runtime of 300ms>)"), "%s", err);
    sn_change_free(c);
}

/* The configure hook waits for $D/go (its exit status) after writing its cookie. */
#define WAITING_HOOK "echo \"$SNAP_COOKIE\" > $D/cookie; while [ ! -s $D/go ]; do sleep 0.02; done; exit $(cat $D/go)"

static void go(const char *status)
{
    write_file("go", status, 0644);
}

static char *ctl(SnHookContext *ctx, uid_t uid, int *ret, const char *a0, const char *a1, const char *a2)
{
    char *args[] = {(char *)a0, (char *)a1, (char *)a2, NULL};
    SnCtlOutput out = {0};
    SnError *err = NULL;
    *ret = sn_ctlcmd_run(st, ctx, NULL, args, uid, &out, &err);
    char *text = *ret >= 0 ? strdup(out.out) : strdup(sn_error_message(err, *ret));
    sn_ctl_output_done(&out);
    sn_error_free(err);
    return text;
}

Test(hookstate, configure_sees_the_patch_and_its_sets_are_stored_only_on_success)
{
    setup_with(WAITING_HOOK);
    int64_t id = 0;
    json_t *patch = json_pack("{s:i, s:s}", "a", 1, "name", "old");
    sn_state_lock(st);
    cr_assert_eq(sn_configstate_configure(st, "hello", patch, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    json_decref(patch);

    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    cr_assert_str_eq(sn_hook_context_hook(ctx), "configure");
    int r;
    _sn_free_ char *a = ctl(ctx, 0, &r, "get", "a", NULL);
    cr_assert_str_eq(a, "1\n");
    _sn_free_ char *s = ctl(ctx, 0, &r, "set", "b.c=2", "name=new");
    cr_assert_eq(r, 0, "%s", s);
    _sn_free_ char *doc = ctl(ctx, 0, &r, "get", "-d", "b");
    cr_assert_str_eq(doc, "{\n\t\"b\": {\n\t\t\"c\": 2\n\t}\n}\n");
    _sn_free_ char *name = ctl(ctx, 0, &r, "get", "name", NULL);
    cr_assert_str_eq(name, "new\n");
    /* nothing is stored while the hook runs */
    cr_assert_null(config("a"));
    go("0\n");
    SnChange *c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
    sn_change_free(c);
    sn_hook_context_unref(ctx);
    json_t *v = config("");
    _sn_free_ char *text = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(text, "{\"a\":1,\"b\":{\"c\":2},\"name\":\"new\"}");
    json_decref(v);
    /* the context is gone with the hook */
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), -ENOENT);

    /* a configure hook that fails: neither the patch nor its own sets are stored */
    _sn_free_ char *gopath = sn_strdup_printf("%s/go", root);
    _sn_free_ char *cookiepath = sn_strdup_printf("%s/cookie", root);
    unlink(gopath);
    unlink(cookiepath);
    patch = json_pack("{s:i}", "a", 99);
    sn_state_lock(st);
    cr_assert_eq(sn_configstate_configure(st, "hello", patch, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    json_decref(patch);
    _sn_free_ char *cookie2 = read_text("cookie");
    cr_assert_eq(sn_hookmgr_context(hooks, cookie2, &ctx), 0);
    _sn_unused_ _sn_free_ char *u = ctl(ctx, 0, &r, "unset", "name", NULL);
    _sn_free_ char *gone = ctl(ctx, 0, &r, "get", "name", NULL);
    cr_assert_str_eq(gone, "\n");
    sn_hook_context_unref(ctx);
    go("1\n");
    c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    sn_change_free(c);
    v = config("");
    _sn_free_ char *text2 = json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(text2, "{\"a\":1,\"b\":{\"c\":2},\"name\":\"new\"}");
    json_decref(v);
}

Test(hookstate, configure_of_a_snap_without_the_hook_fails_as_snapd)
{
    setup_with("exit 0");
    _sn_free_ char *p = sn_strdup_printf("%s/snap/hello/x1/meta/hooks/configure", root);
    cr_assert_eq(unlink(p), 0);
    int64_t id = 0;
    json_t *patch = json_pack("{s:i}", "a", 1);
    sn_state_lock(st);
    cr_assert_eq(sn_configstate_configure(st, "hello", patch, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    json_decref(patch);
    SnChange *c = settle(id);
    _sn_free_ char *err = sn_change_err(c);
    cr_assert_str_eq(err, "cannot perform the following tasks:\n- Run configure hook of \"hello\" snap (snap \"hello\" "
                          "has no \"configure\" hook)");
    sn_change_free(c);
    cr_assert_null(config("a"));
}

Test(hookstate, check_health_stores_what_the_hook_set_or_snapds_defaults)
{
    setup_with(WAITING_HOOK);
    int64_t id = add_hook_change("check-health", SN_HOOK_OPTIONAL, NULL);
    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    int r;
    _sn_free_ char *bad = ctl(ctx, 0, &r, "set-health", "waiting", "short");
    cr_assert_eq(r, -EINVAL);
    cr_assert_str_eq(bad, "message must be at least 7 characters long (got 5)");
    _sn_free_ char *ok = ctl(ctx, 0, &r, "set-health", "blocked", "needs a network");
    cr_assert_eq(r, 0, "%s", ok);
    sn_hook_context_unref(ctx);
    go("0\n");
    SnChange *c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
    sn_change_free(c);
    json_t *h = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_health_json(st, "hello", &h), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(json_string_value(json_object_get(h, "status")), "blocked");
    cr_assert_str_eq(json_string_value(json_object_get(h, "message")), "needs a network");
    cr_assert_str_eq(json_string_value(json_object_get(h, "revision")), "x1");
    json_decref(h);

    /* a hook that sets nothing: unknown, snapd-hook-no-health-set */
    _sn_free_ char *cookiepath = sn_strdup_printf("%s/cookie", root);
    unlink(cookiepath);
    id = add_hook_change("check-health", SN_HOOK_OPTIONAL, NULL);
    c = settle(id);
    sn_change_free(c);
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_health_json(st, "hello", &h), 0);
    sn_state_unlock(st);
    cr_assert_str_eq(json_string_value(json_object_get(h, "status")), "unknown");
    cr_assert_str_eq(json_string_value(json_object_get(h, "code")), "snapd-hook-no-health-set");
    json_decref(h);
}

Test(hookstate, cookies_are_created_synced_and_removed)
{
    setup_with("exit 0");
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_sync_cookies(st, NULL), 0);
    sn_state_unlock(st);
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.hello", root);
    struct stat sb;
    cr_assert_eq(stat(path, &sb), 0);
    cr_assert_eq(sb.st_mode & 07777, 0600);
    cr_assert_eq(sb.st_size, 52);
    FILE *f = fopen(path, "r");
    char buf[64] = {0};
    cr_assert_eq(fread(buf, 1, 63, f), 52);
    fclose(f);
    /* the cookie names an ephemeral context of the snap */
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, buf, &ctx), 0);
    cr_assert(sn_hook_context_ephemeral(ctx));
    cr_assert_str_eq(sn_hook_context_snap(ctx), "hello");
    sn_hook_context_unref(ctx);
    cr_assert_eq(sn_hookmgr_context(hooks, "not-a-cookie", &ctx), -ENOENT);
    cr_assert_eq(sn_hookmgr_context(hooks, "", &ctx), -ENOENT);
    /* creating again keeps the same cookie; a stale file of a snap that is gone is dropped */
    write_file("var/lib/snapd/cookie/snap.gone", "x", 0600);
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_cookie_create(st, "hello", NULL), 0);
    cr_assert_eq(sn_hookstate_sync_cookies(st, NULL), 0);
    char *snap = NULL;
    cr_assert_eq(sn_hookstate_cookie_snap(st, buf, &snap, NULL), 0);
    cr_assert_str_eq(snap, "hello");
    free(snap);
    sn_state_unlock(st);
    _sn_free_ char *gone = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.gone", root);
    cr_assert_neq(access(gone, F_OK), 0);
    /* removal: file and state */
    sn_state_lock(st);
    cr_assert_eq(sn_hookstate_cookie_remove(st, "hello", NULL), 0);
    cr_assert_eq(sn_hookstate_cookie_snap(st, buf, &snap, NULL), -ENOENT);
    sn_state_unlock(st);
    cr_assert_neq(access(path, F_OK), 0);
}

Test(hookstate, durations_and_output_errors_as_go_prints_them)
{
    char b[32];
    cr_assert_str_eq(sn_hook_format_duration(SN_HOOK_TIMEOUT_DEFAULT_NS, b), "10m0s");
    cr_assert_str_eq(sn_hook_format_duration(SN_HOOK_TIMEOUT_CONFIGURE_NS, b), "5m0s");
    cr_assert_str_eq(sn_hook_format_duration(SN_HOOK_TIMEOUT_CHECK_HEALTH_NS, b), "30s");
    cr_assert_str_eq(sn_hook_format_duration(1500000000, b), "1.5s");
    cr_assert_str_eq(sn_hook_format_duration(3600LL * 1000000000, b), "1h0m0s");
    cr_assert_str_eq(sn_hook_format_duration(250000000, b), "250ms");
    int64_t ns;
    cr_assert_eq(sn_hook_parse_duration("1m30s", &ns), 0);
    cr_assert_eq(ns, 90LL * 1000000000);
    cr_assert_eq(sn_hook_parse_duration("500ms", &ns), 0);
    cr_assert_eq(ns, 500000000);
    cr_assert_lt(sn_hook_parse_duration("10", &ns), 0);
    cr_assert_lt(sn_hook_parse_duration("s", &ns), 0);
    _sn_free_ char *one = sn_hook_output_error("  oops \n");
    cr_assert_str_eq(one, "oops");
    _sn_free_ char *two = sn_hook_output_error("a\nb\n");
    cr_assert_str_eq(two, "\n-----\na\nb\n-----");
}

Test(hookstate, output_keeps_the_last_lines)
{
    char *argv[] = {"/bin/sh", "-c", "i=0; while [ $i -lt 300 ]; do echo line$i; i=$((i+1)); done", NULL};
    char *env[] = {"PATH=/usr/bin:/bin", NULL};
    SnHookRunEnd end;
    int status = -1;
    _sn_free_ char *out = NULL;
    cr_assert_eq(sn_hook_run_process(argv, env, 10LL * 1000000000, NULL, NULL, &end, &status, &out, NULL), 0);
    cr_assert_eq(end, SN_HOOK_RUN_EXITED);
    cr_assert_eq(status, 0);
    cr_assert(sn_startswith(out, "line200\n"), "%.20s", out);
    cr_assert_not_null(strstr(out, "line299\n"));
}
