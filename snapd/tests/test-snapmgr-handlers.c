/* SPDX-License-Identifier: GPL-3.0-only */
#include <fcntl.h>

#include "ifacestate.h"
#include "policy-blob.h"
#include "snapmgr-test-util.h"

/*
 * Kinds with nothing to do are settled by the runner unless a fault names them when the handlers
 * are registered: name start-snap-services (with a count never reached) so that tests can fail it.
 */
static void setup(void)
{
    setenv("SN_FAULTS", "fail-start-snap-services:1000000", 1);
    t_setup();
    /* As in the daemon: setup-profiles of an enable reads the connections (snapmgr-profiles.c). */
    if (t_st)
        cr_assert_eq(sn_ifacestate_init(t_st, NULL), 0);
}

TestSuite(snapmgr_handlers, .init = setup, .fini = t_teardown, .timeout = 120);

Test(snapmgr_handlers, a_failed_first_install_leaves_nothing)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    setenv("SN_FAULTS", "fail-start-snap-services", 1);
    cr_assert_eq(t_install(snap), SN_STATUS_ERROR);
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "none");
    cr_assert_not(t_mounted("hello", "x1"));
    cr_assert_not(t_exists("var/lib/snapd/snaps/hello_x1.snap"));
    cr_assert_not(t_exists("snap/hello"));
    cr_assert_not(t_exists("var/snap/hello"));
    cr_assert_not(t_exists("var/lib/snapd/policy/snap.hello.hello.policy"), "undo left the policy blob");
}

Test(snapmgr_handlers, a_failed_refresh_ends_with_exactly_the_old_revision)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    setenv("SN_FAULTS", "fail-start-snap-services", 1);
    cr_assert_eq(t_install(snap), SN_STATUS_ERROR);
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "x1 current=x1");
    _sn_free_ char *cur = sn_strdup_printf("%s/snap/hello/current", t_root);
    char t[16] = {0};
    cr_assert_eq(readlink(cur, t, sizeof(t) - 1), 2);
    cr_assert_str_eq(t, "x1");
    cr_assert_not(t_mounted("hello", "x2"));
    cr_assert_not(t_exists("var/snap/hello/x2"));
    cr_assert_not(t_exists("var/lib/snapd/snaps/hello_x2.snap"));
}

Test(snapmgr_handlers, a_missing_base_fails_mount_snap_with_snapds_error)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("needy", "base: core22");
    cr_assert_eq(t_install(snap), SN_STATUS_ERROR);
    _sn_cleanup_(sn_change_freep) SnChange *ch = NULL;
    sn_state_lock(t_st);
    int64_t *ids = NULL;
    size_t n = 0;
    cr_assert_eq(sn_change_list(t_st, SN_CHANGES_ALL, NULL, &ids, &n, NULL), 0);
    cr_assert_eq(sn_change_load(t_st, ids[n - 1], &ch, NULL), 0);
    free(ids);
    sn_state_unlock(t_st);
    _sn_free_ char *err = sn_change_err(ch);
    cr_assert(strstr(err, "Mount snap \"needy\" (unset) (cannot find required base \"core22\")"), "%s", err);
    _sn_free_ char *d = t_describe("needy");
    cr_assert_str_eq(d, "none");
}

Test(snapmgr_handlers, disable_unlinks_and_enable_relinks)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    cr_assert_eq(({
                     SnNewChange *c = t_begin("disable-snap");
                     SnError *e = NULL;
                     t_added(sn_snapmgr_add_disable(t_mgr, c, "hello", &e), e);
                     t_finish(c);
                 }),
                 SN_STATUS_DONE);
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "x1 current=x1 disabled");
    cr_assert_not(t_exists("snap/hello/current"));
    cr_assert(t_mounted("hello", "x1"), "disable must keep the mount");
    cr_assert_eq(({
                     SnNewChange *c = t_begin("enable-snap");
                     SnError *e = NULL;
                     t_added(sn_snapmgr_add_enable(t_mgr, c, "hello", &e), e);
                     t_finish(c);
                 }),
                 SN_STATUS_DONE);
    _sn_free_ char *d2 = t_describe("hello");
    cr_assert_str_eq(d2, "x1 current=x1");
    cr_assert(t_exists("snap/hello/current"));
}

Test(snapmgr_handlers, every_handler_runs_twice_without_harm)
{
    t_require_root();
    /*
     * A handler found Doing after a crash runs again from its start (spread-tests/snaps/kill9 kills
     * for real): here, what an interrupted refresh to x2 left (blob, mount dir, data, a partial
     * copy) must not get in the way of the next one.
     */
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    /* A leftover of an interrupted attempt at x2: blob, mount dir, data and a partial copy. */
    _sn_free_ char *cmd =
        sn_strdup_printf("set -e; cp %1$s/var/lib/snapd/snaps/hello_x1.snap %1$s/var/lib/snapd/snaps/hello_x2.snap; "
                         "mkdir -p %1$s/snap/hello/x2 %1$s/var/snap/hello/x2/junk %1$s/var/snap/hello/.x2.copying",
                         t_root);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "x1 x2 current=x2");
    cr_assert_not(t_exists("var/snap/hello/x2/junk"), "a leftover data dir was kept");
    cr_assert_not(t_exists("var/snap/hello/.x2.copying"));
    cr_assert(t_mounted("hello", "x2"));
}

/* Whether the snap's app blob leaves TCP bind to the app (a network-bind grant releases it from Landlock). */
static bool blob_allows_bind(const char *tag)
{
    _sn_free_ char *path = sn_strdup_printf("%s/var/lib/snapd/policy/%s.policy", t_root, tag);
    _sn_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "%s is missing", path);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), 0);
    return (blob->header->landlock_net_handled & 1 /* LANDLOCK_ACCESS_NET_BIND_TCP */) == 0;
}

static SnStatus t_run_chain(const char *kind, int (*add)(SnSnapMgr *, SnNewChange *, const char *, SnError **))
{
    SnNewChange *c = t_begin(kind);
    SnError *e = NULL;
    t_added(add(t_mgr, c, "hello", &e), e);
    return t_finish(c);
}

Test(snapmgr_handlers, enable_brings_back_the_connections_grants)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", "plugs:\n  network-bind:\n");
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    /* The install chain's auto-connect task belongs to the interface manager, not registered here. */
    SnError *err = NULL;
    cr_assert_eq(sn_ifacestate_auto_connect(t_st, "hello", NULL, &err), 0, "%s", err ? err->message : "");
    cr_assert(blob_allows_bind("snap.hello.hello"), "network-bind connected: bind must be allowed");

    cr_assert_eq(t_run_chain("disable-snap", sn_snapmgr_add_disable), SN_STATUS_DONE);
    cr_assert_not(t_exists("var/lib/snapd/policy/snap.hello.hello.policy"));
    cr_assert_eq(t_run_chain("enable-snap", sn_snapmgr_add_enable), SN_STATUS_DONE);
    /* Before the fix the enable compiled the baseline alone: bind denied though still connected. */
    cr_assert(blob_allows_bind("snap.hello.hello"), "enable must restore the network-bind grant");
}
