/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The connect / disconnect chains with interface hooks (ifacestate-hooks.c): as a new change, as
 * the interface manager builds them from the snaps' hooks, injected into a running change; and the
 * attributes interface hooks read and write with snapctl (hookstate.c, ctlcmd.c).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctlcmd.h"
#include "hookstate.h"
#include "ifacestate-hooks.h"
#include "ifacestate.h"
#include "state-change.h"
#include "state-snap.h"
#include "strutil.h"
#include "taskrunner.h"

static char root[] = "/tmp/sn-ifacehooks-XXXXXX";
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

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    cr_assert_eq(sn_ifacestate_init(st, NULL), 0);
}

static void teardown(void)
{
    runner = sn_taskrunner_free(runner);
    hooks = sn_hookmgr_free(hooks);
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ifacestate_hooks, .init = setup, .fini = teardown, .timeout = 60);

static const SnIfaceConnRef ref = {"consumer", "db", "provider", "db-server"};

/* Stores c and loads it back. */
static SnChange *store(SnNewChange *c)
{
    int64_t id = 0;
    SnChange *ch = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    cr_assert_eq(sn_change_load(st, id, &ch, NULL), 0);
    sn_state_unlock(st);
    sn_new_change_free(c);
    return ch;
}

/* "KIND SUMMARY" of each task, one a line. */
static char *describe(const SnChange *ch)
{
    SnBuf b = {0};
    for (size_t i = 0; i < ch->n_tasks; i++)
        sn_buf_printf(&b, "%s %s\n", ch->tasks[i].kind, ch->tasks[i].summary);
    return sn_buf_steal(&b);
}

static const char *setup_field(const SnTask *t, const char *key, const char *field)
{
    return json_string_value(json_object_get(json_object_get(t->data, key), field));
}

static bool setup_flag(const SnTask *t, const char *key, const char *field)
{
    return json_is_true(json_object_get(json_object_get(t->data, key), field));
}

/* Each task waits for exactly the one before it. */
static void assert_chained(const SnChange *ch)
{
    for (size_t i = 0; i < ch->n_tasks; i++) {
        if (i == 0) {
            cr_assert_eq(ch->tasks[i].n_waits, 0);
            continue;
        }
        cr_assert_eq(ch->tasks[i].n_waits, 1, "task %zu waits for %zu tasks", i, ch->tasks[i].n_waits);
        cr_assert_eq(ch->tasks[i].waits[0], ch->tasks[i - 1].id);
    }
}

Test(ifacestate_hooks, connect_chain_is_snapds_order_with_undo_hooks_and_the_attrs_task)
{
    SnIfaceTaskSet ts = {0};
    json_t *ps = json_pack("{s:s}", "content", "db"), *ss = json_pack("{s:s}", "path", "/x");
    unsigned all = SN_IFACE_HOOK_PREPARE_PLUG | SN_IFACE_HOOK_PREPARE_SLOT | SN_IFACE_HOOK_CONNECT_SLOT |
                   SN_IFACE_HOOK_CONNECT_PLUG;
    cr_assert_eq(sn_iface_tasks_connect(&ts, &ref, ps, ss, all, 0), 0);
    json_decref(ps);
    json_decref(ss);
    SnNewChange *c = sn_new_change_new("connect-snap", "Connect");
    cr_assert_eq(sn_iface_tasks_add_to_change(&ts, c, -1, NULL), 0);
    sn_iface_task_set_done(&ts);
    _sn_cleanup_(sn_change_freep) SnChange *ch = store(c);
    _sn_free_ char *d = describe(ch);
    cr_assert_str_eq(d, "run-hook Run hook prepare-plug-db of snap \"consumer\"\n"
                        "run-hook Run hook prepare-slot-db-server of snap \"provider\"\n"
                        "connect Connect consumer:db to provider:db-server\n"
                        "run-hook Run hook connect-slot-db-server of snap \"provider\"\n"
                        "run-hook Run hook connect-plug-db of snap \"consumer\"\n");
    assert_chained(ch);
    const SnTask *conn = &ch->tasks[2];
    const char *undo[] = {"unprepare-plug-db", "unprepare-slot-db-server", NULL, "disconnect-slot-db-server",
                          "disconnect-plug-db"};
    for (size_t i = 0; i < 5; i++) {
        const SnTask *t = &ch->tasks[i];
        if (i == 2)
            continue;
        cr_assert(setup_flag(t, "hook-setup", "optional"));
        cr_assert_not(setup_flag(t, "hook-setup", "ignore-error"));
        cr_assert_str_eq(setup_field(t, "undo-hook-setup", "hook"), undo[i]);
        cr_assert_str_eq(setup_field(t, "undo-hook-setup", "snap"), setup_field(t, "hook-setup", "snap"));
        cr_assert(setup_flag(t, "undo-hook-setup", "optional"));
        cr_assert(setup_flag(t, "undo-hook-setup", "ignore-error"));
        cr_assert_eq(json_integer_value(json_object_get(t->data, "attrs-task")), conn->id);
    }
    _sn_free_ char *cd = json_dumps(conn->data, JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(cd, "{\"plug\":{\"plug\":\"db\",\"snap\":\"consumer\"},\"plug-dynamic\":{},\"plug-static\":"
                         "{\"content\":\"db\"},\"slot\":{\"slot\":\"db-server\",\"snap\":\"provider\"},"
                         "\"slot-dynamic\":{},\"slot-static\":{\"path\":\"/x\"}}");
}

Test(ifacestate_hooks, only_the_hooks_the_snaps_have_get_tasks)
{
    SnIfaceTaskSet ts = {0};
    cr_assert_eq(sn_iface_tasks_connect(&ts, &ref, NULL, NULL, 0, SN_IFACE_TASK_AUTO | SN_IFACE_TASK_BY_GADGET), 0);
    cr_assert_eq(ts.n, 1);
    cr_assert_str_eq(ts.tasks[0].kind, "connect");
    cr_assert(json_is_true(json_object_get(ts.tasks[0].data, "auto")));
    cr_assert(json_is_true(json_object_get(ts.tasks[0].data, "by-gadget")));
    cr_assert_eq(ts.tasks[0].attrs_task, -1);
    cr_assert_eq(
        sn_iface_tasks_connect(&ts, &ref, NULL, NULL, SN_IFACE_HOOK_CONNECT_PLUG | SN_IFACE_HOOK_PREPARE_SLOT, 0), 0);
    cr_assert_eq(ts.n, 4);
    cr_assert_str_eq(ts.tasks[1].summary, "Run hook prepare-slot-db-server of snap \"provider\"");
    cr_assert_str_eq(ts.tasks[2].kind, "connect");
    cr_assert_not(json_object_get(ts.tasks[2].data, "auto"));
    cr_assert_str_eq(ts.tasks[3].summary, "Run hook connect-plug-db of snap \"consumer\"");
    cr_assert_eq(ts.tasks[1].attrs_task, 2);
    cr_assert_eq(ts.tasks[3].attrs_task, 2);
    /* two chains in one change: one line of tasks, each set's hooks point at its own connect */
    SnNewChange *c = sn_new_change_new("auto", "auto");
    cr_assert_eq(sn_iface_tasks_add_to_change(&ts, c, -1, NULL), 0);
    sn_iface_task_set_done(&ts);
    _sn_cleanup_(sn_change_freep) SnChange *ch = store(c);
    assert_chained(ch);
    cr_assert_eq(json_integer_value(json_object_get(ch->tasks[3].data, "attrs-task")), ch->tasks[2].id);
    cr_assert_null(json_object_get(ch->tasks[0].data, "attrs-task"));
}

Test(ifacestate_hooks, disconnect_chain_runs_the_hooks_first_and_a_removal_ignores_their_errors)
{
    SnIfaceTaskSet ts = {0};
    json_t *pd = json_pack("{s:i}", "port", 5432);
    unsigned both = SN_IFACE_HOOK_DISCONNECT_PLUG | SN_IFACE_HOOK_DISCONNECT_SLOT;
    cr_assert_eq(sn_iface_tasks_disconnect(&ts, &ref, NULL, pd, NULL, NULL, both, SN_IFACE_TASK_FORGET), 0);
    cr_assert_eq(sn_iface_tasks_disconnect(&ts, &ref, NULL, pd, NULL, NULL, SN_IFACE_HOOK_DISCONNECT_PLUG,
                                           SN_IFACE_TASK_AUTO_DISCONNECT),
                 0);
    json_decref(pd);
    SnNewChange *c = sn_new_change_new("disconnect-snap", "Disconnect");
    cr_assert_eq(sn_iface_tasks_add_to_change(&ts, c, -1, NULL), 0);
    sn_iface_task_set_done(&ts);
    _sn_cleanup_(sn_change_freep) SnChange *ch = store(c);
    _sn_free_ char *d = describe(ch);
    cr_assert_str_eq(d, "run-hook Run hook disconnect-slot-db-server of snap \"provider\"\n"
                        "run-hook Run hook disconnect-plug-db of snap \"consumer\"\n"
                        "disconnect Disconnect consumer:db from provider:db-server\n"
                        "run-hook Run hook disconnect-plug-db of snap \"consumer\"\n"
                        "disconnect Disconnect consumer:db from provider:db-server\n");
    assert_chained(ch);
    cr_assert_str_eq(setup_field(&ch->tasks[0], "undo-hook-setup", "hook"), "connect-slot-db-server");
    cr_assert_str_eq(setup_field(&ch->tasks[1], "undo-hook-setup", "hook"), "connect-plug-db");
    cr_assert_not(setup_flag(&ch->tasks[0], "hook-setup", "ignore-error"));
    cr_assert(setup_flag(&ch->tasks[3], "hook-setup", "ignore-error"));
    cr_assert(setup_flag(&ch->tasks[3], "undo-hook-setup", "ignore-error"));
    cr_assert(json_is_true(json_object_get(ch->tasks[2].data, "forget")));
    cr_assert_null(json_object_get(ch->tasks[2].data, "auto-disconnect"));
    cr_assert(json_is_true(json_object_get(ch->tasks[4].data, "auto-disconnect")));
    cr_assert_eq(json_integer_value(json_object_get(json_object_get(ch->tasks[2].data, "plug-dynamic"), "port")), 5432);
    cr_assert_eq(json_integer_value(json_object_get(ch->tasks[1].data, "attrs-task")), ch->tasks[2].id);
    cr_assert_eq(json_integer_value(json_object_get(ch->tasks[3].data, "attrs-task")), ch->tasks[4].id);
}

static bool waits_for(const SnTask *t, int64_t id)
{
    for (size_t i = 0; i < t->n_waits; i++)
        if (t->waits[i] == id)
            return true;
    return false;
}

Test(ifacestate_hooks, injected_tasks_run_between_the_main_task_and_what_waited_for_it)
{
    /* a -> b, and c waits for a too: injecting after a puts the set before b and c */
    SnNewChange *c = sn_new_change_new("install", "install");
    size_t a, b, x;
    cr_assert_eq(sn_new_change_add_task(c, "auto-connect", "a", NULL, &a), 0);
    cr_assert_eq(sn_new_change_add_task(c, "set-auto-aliases", "b", NULL, &b), 0);
    cr_assert_eq(sn_new_change_add_task(c, "run-hook", "c", NULL, &x), 0);
    cr_assert_eq(sn_new_change_wait(c, b, a), 0);
    cr_assert_eq(sn_new_change_wait(c, x, a), 0);
    _sn_cleanup_(sn_change_freep) SnChange *ch = store(c);
    SnIfaceTaskSet ts = {0};
    cr_assert_eq(sn_iface_tasks_connect(&ts, &ref, NULL, NULL, SN_IFACE_HOOK_PREPARE_PLUG | SN_IFACE_HOOK_CONNECT_SLOT,
                                        SN_IFACE_TASK_AUTO),
                 0);
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    cr_assert_eq(sn_iface_tasks_inject(st, &ts, ch->id, ch->tasks[0].id, NULL), 0);
    cr_assert_eq(sn_state_commit(st, NULL), 0);
    _sn_cleanup_(sn_change_freep) SnChange *after = NULL;
    cr_assert_eq(sn_change_load(st, ch->id, &after, NULL), 0);
    sn_state_unlock(st);
    sn_iface_task_set_done(&ts);
    cr_assert_eq(after->n_tasks, 6);
    _sn_free_ char *d = describe(after);
    cr_assert_str_eq(d, "auto-connect a\nset-auto-aliases b\nrun-hook c\n"
                        "run-hook Run hook prepare-plug-db of snap \"consumer\"\n"
                        "connect Connect consumer:db to provider:db-server\n"
                        "run-hook Run hook connect-slot-db-server of snap \"provider\"\n");
    /* snapd's InjectTasks: every injected task waits for the main task (and the chain for its
     * predecessor); every task that waited for the main task waits for all of the injected ones. */
    const SnTask *t = after->tasks;
    cr_assert_eq(t[3].n_waits, 1);
    cr_assert_eq(t[3].waits[0], t[0].id);
    for (int i = 4; i <= 5; i++) {
        cr_assert_eq(t[i].n_waits, 2, "task %d waits for %zu", i, t[i].n_waits);
        cr_assert(waits_for(&t[i], t[0].id) && waits_for(&t[i], t[i - 1].id), "task %d", i);
    }
    cr_assert_eq(t[3].status, SN_STATUS_DO);
    for (int i = 1; i <= 2; i++) {
        cr_assert_eq(t[i].n_waits, 4, "task %d waits for %zu", i, t[i].n_waits);
        for (int k = 3; k <= 5; k++)
            cr_assert(waits_for(&t[i], t[k].id), "task %d waits for %d", i, k);
    }
    cr_assert_eq(json_integer_value(json_object_get(t[3].data, "attrs-task")), t[4].id);
    cr_assert_eq(json_integer_value(json_object_get(t[5].data, "attrs-task")), t[4].id);
    cr_assert(json_is_true(json_object_get(t[4].data, "auto")));
}

/* ---- the interface manager builds the chains from the snaps' hooks ---- */

static void install(const char *name, const char *yaml)
{
    SnSnapState *s = sn_snap_state_new(name);
    cr_assert_eq(sn_snap_state_append(s, -1, "", ""), 0);
    s->current = -1;
    s->active = true;
    sn_state_lock(st);
    cr_assert_eq(sn_snap_state_put(st, s, NULL), 0);
    sn_state_unlock(st);
    sn_snap_state_free(s);
    _sn_free_ char *rel = sn_strdup_printf("snap/%s/x1/meta/snap.yaml", name);
    write_file(rel, yaml, 0644);
}

static void two_content_snaps(void)
{
    install("consumer", "name: consumer\nversion: '1'\nplugs:\n  db:\n    interface: content\n    content: db\n"
                        "    target: $SNAP/data\nhooks:\n  prepare-plug-db:\n");
    write_file("snap/consumer/x1/meta/hooks/connect-plug-db", "#!/bin/sh\n", 0755);
    write_file("snap/consumer/x1/meta/hooks/disconnect-plug-db", "#!/bin/sh\n", 0755);
    install("provider", "name: provider\nversion: '1'\nslots:\n  db-server:\n    interface: content\n    content: db\n"
                        "    read:\n      - $SNAP/shared\n");
    write_file("snap/provider/x1/meta/hooks/prepare-slot-db-server", "#!/bin/sh\n", 0755);
}

Test(ifacestate_hooks, connect_and_disconnect_changes_carry_the_hooks_declared_or_in_meta_hooks)
{
    two_content_snaps();
    SnNewChange *c = NULL;
    SnError *e = NULL;
    sn_state_lock(st);
    int r = sn_ifacestate_connect_change(st, "consumer", "db", "provider", "db-server", &c, &e);
    sn_state_unlock(st);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    _sn_cleanup_(sn_change_freep) SnChange *ch = store(c);
    _sn_free_ char *d = describe(ch);
    cr_assert_str_eq(d, "run-hook Run hook prepare-plug-db of snap \"consumer\"\n"
                        "run-hook Run hook prepare-slot-db-server of snap \"provider\"\n"
                        "connect Connect consumer:db to provider:db-server\n"
                        "run-hook Run hook connect-plug-db of snap \"consumer\"\n");
    assert_chained(ch);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(ch->tasks[2].data, "plug-static"), "content")),
                     "db");

    /* a stored connection with dynamic attributes: its disconnect runs the plug side's hook */
    sn_state_lock(st);
    cr_assert_eq(sn_state_exec(st, "DELETE FROM changes", NULL), 0); /* no conflict with the connect change */
    cr_assert_eq(sn_state_exec(st,
                               "INSERT INTO connections (id, plug_snap, plug, slot_snap, slot, interface, plug_dynamic)"
                               " VALUES ('consumer:db provider:db-server', 'consumer', 'db', 'provider', 'db-server',"
                               " 'content', '{\"k\":\"v\"}')",
                               NULL),
                 0);
    SnNewChange *dc = NULL;
    r = sn_ifacestate_disconnect_change(st, "consumer", "db", "", "", false, &dc, &e);
    sn_state_unlock(st);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    _sn_cleanup_(sn_change_freep) SnChange *dch = store(dc);
    _sn_free_ char *dd = describe(dch);
    cr_assert_str_eq(dd, "run-hook Run hook disconnect-plug-db of snap \"consumer\"\n"
                         "disconnect Disconnect consumer:db from provider:db-server\n");
    assert_chained(dch);
    cr_assert_str_eq(json_string_value(json_object_get(json_object_get(dch->tasks[1].data, "plug-dynamic"), "k")), "v");
}

/* ---- snapctl get/set :NAME in a running interface hook ---- */

/* The hook writes its cookie and waits for $D/go (its exit status). */
#define WAITING_HOOK "echo \"$SNAP_COOKIE\" > $D/cookie; while [ ! -s $D/go ]; do sleep 0.02; done; exit $(cat $D/go)"

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

static char *ctl(SnHookContext *ctx, int *ret, const char *a0, const char *a1, const char *a2, const char *a3)
{
    char *args[] = {(char *)a0, (char *)a1, (char *)a2, (char *)a3, NULL};
    SnCtlOutput out = {0};
    SnError *err = NULL;
    *ret = sn_ctlcmd_run(st, ctx, NULL, args, 0, &out, &err);
    char *text = *ret >= 0 ? strdup(out.out) : strdup(sn_error_message(err, *ret));
    sn_ctl_output_done(&out);
    sn_error_free(err);
    return text;
}

/* prepare-plug-db of consumer, then a "connect" task (no-op here) holding the attributes. */
static int64_t start_prepare_change(void)
{
    two_content_snaps();
    _sn_free_ char *script = sn_strdup_printf("D=%s; %s", root, WAITING_HOOK);
    char *argv[] = {"/bin/sh", "-c", script, "fake-snap", NULL};
    SnHookMgrOptions o = {.snap_command = argv};
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, &o, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_taskrunner_add_noop(runner, "connect"), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
    SnIfaceTaskSet ts = {0};
    json_t *ps = json_pack("{s:s, s:{s:i}}", "content", "db", "nested", "a", 1);
    json_t *ss = json_pack("{s:s}", "content", "db");
    cr_assert_eq(sn_iface_tasks_connect(&ts, &ref, ps, ss, SN_IFACE_HOOK_PREPARE_PLUG, 0), 0);
    json_decref(ps);
    json_decref(ss);
    SnNewChange *c = sn_new_change_new("connect-snap", "Connect");
    cr_assert_eq(sn_iface_tasks_add_to_change(&ts, c, -1, NULL), 0);
    sn_iface_task_set_done(&ts);
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

Test(ifacestate_hooks, prepare_hook_reads_both_sides_and_sets_its_own_dynamic_attributes)
{
    int64_t id = start_prepare_change();
    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    cr_assert_str_eq(sn_hook_context_hook(ctx), "prepare-plug-db");
    int r;
    _sn_free_ char *a = ctl(ctx, &r, "get", ":db", "content", NULL);
    cr_assert_str_eq(a, "db\n");
    _sn_free_ char *n = ctl(ctx, &r, "get", ":db", "nested.a", NULL);
    cr_assert_str_eq(n, "1\n");
    _sn_free_ char *slot = ctl(ctx, &r, "get", "--slot", ":db", "content");
    cr_assert_eq(r, 0, "%s", slot);
    cr_assert_str_eq(slot, "db\n");
    _sn_free_ char *missing = ctl(ctx, &r, "get", ":db", "nope", NULL);
    cr_assert_eq(r, -ENOENT);
    cr_assert_str_eq(missing, "no \"nope\" attribute");
    _sn_free_ char *other = ctl(ctx, &r, "get", ":db-server", "content", NULL);
    cr_assert_str_eq(other, "unknown plug or slot \"db-server\"");
    _sn_unused_ _sn_free_ char *both = ctl(ctx, &r, "get", "--slot", "--plug", ":db");
    cr_assert_eq(r, -EINVAL);

    _sn_free_ char *s1 = ctl(ctx, &r, "set", ":db", "port=5432", "user.name=app");
    cr_assert_eq(r, 0, "%s", s1);
    _sn_free_ char *s2 = ctl(ctx, &r, "set", ":db", "content=other", NULL);
    cr_assert_str_eq(s2, "cannot set attribute: attribute \"content\" cannot be overwritten");
    _sn_free_ char *s3 = ctl(ctx, &r, "set", ":db", "novalue", NULL);
    cr_assert_str_eq(s3, "invalid parameter: \"novalue\" (want key=value)");
    /* the hook sees what it set, -d prints a document */
    _sn_free_ char *doc = ctl(ctx, &r, "get", "-d", ":db", "user");
    cr_assert_str_eq(doc, "{\n\t\"user\": {\n\t\t\"name\": \"app\"\n\t}\n}\n");
    _sn_free_ char *port = ctl(ctx, &r, "get", ":db", "port", NULL);
    cr_assert_str_eq(port, "5432\n");
    /* nothing is in the connect task until the hook succeeded */
    sn_state_lock(st);
    _sn_cleanup_(sn_task_freep) SnTask *ct = NULL;
    cr_assert_eq(sn_task_load(st, sn_hook_context_attrs_task(ctx), &ct, NULL), 0);
    sn_state_unlock(st);
    cr_assert_eq(json_object_size(json_object_get(ct->data, "plug-dynamic")), 0);
    sn_hook_context_unref(ctx);
    write_file("go", "0\n", 0644);
    _sn_cleanup_(sn_change_freep) SnChange *c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_DONE);
    _sn_free_ char *dyn = json_dumps(json_object_get(c->tasks[1].data, "plug-dynamic"), JSON_SORT_KEYS | JSON_COMPACT);
    cr_assert_str_eq(dyn, "{\"port\":5432,\"user\":{\"name\":\"app\"}}");
    cr_assert_eq(json_object_size(json_object_get(c->tasks[1].data, "slot-dynamic")), 0);
}

Test(ifacestate_hooks, a_failing_prepare_hook_stores_nothing_and_fails_the_change)
{
    int64_t id = start_prepare_change();
    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    int r;
    _sn_free_ char *s1 = ctl(ctx, &r, "set", ":db", "port=1", NULL);
    cr_assert_eq(r, 0, "%s", s1);
    sn_hook_context_unref(ctx);
    write_file("go", "1\n", 0644);
    _sn_cleanup_(sn_change_freep) SnChange *c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[0].status, SN_STATUS_ERROR);
    cr_assert_eq(c->tasks[1].status, SN_STATUS_HOLD);
    cr_assert_eq(json_object_size(json_object_get(c->tasks[1].data, "plug-dynamic")), 0);
}

Test(ifacestate_hooks, attributes_outside_interface_hooks_are_refused_as_snapd)
{
    two_content_snaps();
    /* an ephemeral context (the snap's cookie): not an interface hook */
    sn_state_lock(st);
    cr_assert_eq(sn_state_begin(st, NULL), 0);
    cr_assert_eq(sn_hookstate_cookie_create(st, "consumer", NULL), 0);
    cr_assert_eq(sn_state_commit(st, NULL), 0);
    sn_state_unlock(st);
    cr_assert_eq(sn_hookmgr_new(st, NULL, &hooks), 0);
    _sn_free_ char *cpath = sn_strdup_printf("%s/var/lib/snapd/cookie/snap.consumer", root);
    FILE *f = fopen(cpath, "r");
    cr_assert_not_null(f);
    char cookie[128] = {0};
    cr_assert_not_null(fgets(cookie, sizeof(cookie), f));
    fclose(f);
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    int r;
    _sn_free_ char *g = ctl(ctx, &r, "get", ":db", "content", NULL);
    cr_assert_str_eq(g, "interface attributes can only be read during the execution of interface hooks");
    _sn_free_ char *s = ctl(ctx, &r, "set", ":db", "a=b", NULL);
    cr_assert_str_eq(s, "interface attributes can only be set during the execution of prepare hooks");
    _sn_free_ char *w = ctl(ctx, &r, "get", ":db", NULL, NULL);
    cr_assert_str_eq(w, "get which attribute?");
    sn_hook_context_unref(ctx);
}

/* ---- the interface manager's handlers with the hooks: dynamic attributes stored, a failing hook undone ---- */

/* prepare-plug-db waits for the test (its cookie in $D/cookie); connect-plug-db exits with $D/connect-status. */
#define CHAIN_HOOKS                                                                                                    \
    "case \"$2\" in --hook=prepare-plug-db) echo \"$SNAP_COOKIE\" > $D/cookie;"                                        \
    " while [ ! -s $D/go ]; do sleep 0.02; done;; --hook=connect-plug-db) echo ran >> $D/connect-ran;"                 \
    " exit $(cat $D/connect-status 2>/dev/null || echo 0);; --hook=disconnect-plug-db) echo ran >> $D/undo-ran;; esac"

static void start_manager(void)
{
    _sn_free_ char *script = sn_strdup_printf("D=%s; %s", root, CHAIN_HOOKS);
    char *argv[] = {"/bin/sh", "-c", script, "fake-snap", NULL};
    SnHookMgrOptions o = {.snap_command = argv};
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, &o, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_ifacestate_register(runner), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
}

static int64_t connect_change(void)
{
    SnNewChange *c = NULL;
    SnError *e = NULL;
    int64_t id = 0;
    sn_state_lock(st);
    int r = sn_ifacestate_connect_change(st, "consumer", "db", "provider", "db-server", &c, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(c);
    return id;
}

static char *stored_conns(void)
{
    json_t *j = NULL;
    sn_state_lock(st);
    cr_assert_eq(sn_ifacestate_connections_json(st, NULL, NULL, false, &j, NULL), 0);
    sn_state_unlock(st);
    char *text = json_dumps(json_object_get(j, "established"), JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(j);
    return text;
}

Test(ifacestate_hooks, the_connect_task_stores_what_the_prepare_hook_set_and_a_failing_connect_hook_undoes_it)
{
    two_content_snaps();
    start_manager();
    int64_t id = connect_change();
    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    int r;
    _sn_free_ char *s = ctl(ctx, &r, "set", ":db", "port=5432", NULL);
    cr_assert_eq(r, 0, "%s", s);
    sn_hook_context_unref(ctx);
    write_file("go", "0\n", 0644);
    _sn_cleanup_(sn_change_freep) SnChange *c = settle(id);
    cr_assert_eq(c->status, SN_STATUS_DONE, "%s", sn_change_err(c));
    _sn_free_ char *conns = stored_conns();
    cr_assert_str_eq(conns,
                     "[{\"interface\":\"content\",\"manual\":true,\"plug\":{\"plug\":\"db\",\"snap\":\"consumer\"},"
                     "\"plug-attrs\":{\"content\":\"db\",\"port\":5432,\"target\":\"$SNAP/data\"},"
                     "\"slot\":{\"slot\":\"db-server\",\"snap\":\"provider\"},"
                     "\"slot-attrs\":{\"content\":\"db\",\"read\":[\"$SNAP/shared\"]}}]");
    _sn_free_ char *ran = read_text("connect-ran");
    cr_assert_str_eq(ran, "ran");

    /* disconnect, then connect again with a connect-plug hook that fails */
    SnNewChange *dc = NULL;
    int64_t did = 0;
    sn_state_lock(st);
    cr_assert_eq(sn_ifacestate_disconnect_change(st, "consumer", "db", "provider", "db-server", false, &dc, NULL), 0);
    cr_assert_eq(sn_change_create(st, dc, &did, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(dc);
    _sn_cleanup_(sn_change_freep) SnChange *d = settle(did);
    cr_assert_eq(d->status, SN_STATUS_DONE, "%s", sn_change_err(d));
    _sn_free_ char *none = stored_conns();
    cr_assert_str_eq(none, "[]");
    _sn_unused_ _sn_free_ char *undo1 = read_text("undo-ran"); /* the disconnect-plug-db hook of the disconnect */
    write_file("connect-status", "3\n", 0644);
    _sn_free_ char *undo_path = sn_strdup_printf("%s/undo-ran", root);
    unlink(undo_path);
    id = connect_change();
    _sn_cleanup_(sn_change_freep) SnChange *f = settle(id);
    cr_assert_eq(f->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(f);
    cr_assert(
        strstr(err, "Run hook connect-plug-db of snap \"consumer\" (run hook \"connect-plug-db\": exit status 3)"),
        "%s", err);
    _sn_free_ char *after = stored_conns();
    cr_assert_str_eq(after, "[]", "the failed connection stayed: %s", after);
    for (size_t i = 0; i < f->n_tasks; i++)
        if (SN_STREQ(f->tasks[i].kind, "connect"))
            cr_assert_eq(f->tasks[i].status, SN_STATUS_UNDONE);
    /* connect-plug-db itself failed: its undo (disconnect-plug-db) is not run, as in snapd */
    cr_assert_neq(access(undo_path, F_OK), 0);
}

Test(ifacestate_hooks, the_connection_policy_sees_the_dynamic_attributes)
{
    /* home's base-declaration denies a plug with read: all; a prepare hook may add it dynamically */
    install("reader", "name: reader\nversion: '1'\nplugs:\n  h:\n    interface: home\nhooks:\n  prepare-plug-h:\n");
    _sn_free_ char *script = sn_strdup_printf("D=%s; %s", root, WAITING_HOOK);
    char *argv[] = {"/bin/sh", "-c", script, "fake-snap", NULL};
    SnHookMgrOptions o = {.snap_command = argv};
    cr_assert_eq(sn_taskrunner_new(st, 1, &runner), 0);
    cr_assert_eq(sn_hookmgr_new(st, &o, &hooks), 0);
    cr_assert_eq(sn_hookmgr_register(hooks, runner), 0);
    cr_assert_eq(sn_ifacestate_register(runner), 0);
    cr_assert_eq(sn_taskrunner_start(runner), 0);
    SnNewChange *c = NULL;
    SnError *e = NULL;
    int64_t id = 0;
    sn_state_lock(st);
    int r = sn_ifacestate_connect_change(st, "reader", "h", "", "", &c, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    cr_assert_eq(sn_change_create(st, c, &id, NULL, NULL), 0);
    sn_taskrunner_kick(runner);
    sn_state_unlock(st);
    sn_new_change_free(c);
    _sn_free_ char *cookie = read_text("cookie");
    SnHookContext *ctx = NULL;
    cr_assert_eq(sn_hookmgr_context(hooks, cookie, &ctx), 0);
    _sn_free_ char *s = ctl(ctx, &r, "set", ":h", "read=all", NULL);
    cr_assert_eq(r, 0, "%s", s);
    sn_hook_context_unref(ctx);
    write_file("go", "0\n", 0644);
    _sn_cleanup_(sn_change_freep) SnChange *ch = settle(id);
    cr_assert_eq(ch->status, SN_STATUS_ERROR);
    _sn_free_ char *err = sn_change_err(ch);
    cr_assert(strstr(err, "- Connect reader:h to snapd:home (cannot connect plug \"h\" of snap \"reader\": "), "%s",
              err);
    _sn_free_ char *conns = stored_conns();
    cr_assert_str_eq(conns, "[]");
}
