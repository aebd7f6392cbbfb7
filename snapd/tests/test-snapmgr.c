/* SPDX-License-Identifier: GPL-3.0-only */
#include <fcntl.h>

#include "fileio.h"
#include "snapmgr-test-util.h"

TestSuite(snapmgr, .init = t_setup, .fini = t_teardown, .timeout = 120);

Test(snapmgr, install_refresh_revert_remove)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);

    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    _sn_free_ char *d1 = t_describe("hello");
    cr_assert_str_eq(d1, "x1 current=x1");
    cr_assert(t_mounted("hello", "x1"));
    cr_assert(t_exists("var/lib/snapd/snaps/hello_x1.snap"));
    cr_assert(t_exists("var/snap/hello/common"));
    cr_assert(t_exists("var/lib/snapd/policy/snap.hello.hello.policy"), "setup-profiles wrote no policy blob");
    _sn_free_ char *data = sn_strdup_printf("%s/var/snap/hello/x1/f", t_root);
    FILE *f = fopen(data, "w");
    cr_assert_not_null(f);
    fputs("kept", f);
    fclose(f);

    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    _sn_free_ char *d2 = t_describe("hello");
    cr_assert_str_eq(d2, "x1 x2 current=x2");
    cr_assert(t_exists("var/snap/hello/x2/f"), "SNAP_DATA not copied");

    cr_assert_eq(({
                     SnNewChange *c = t_begin("revert-snap");
                     SnError *e = NULL;
                     t_added(sn_snapmgr_add_revert(t_mgr, c, "hello", 0, &e), e);
                     t_finish(c);
                 }),
                 SN_STATUS_DONE);
    _sn_free_ char *d3 = t_describe("hello");
    cr_assert_str_eq(d3, "x1 x2 current=x1");

    cr_assert_eq(({
                     SnNewChange *c = t_begin("remove-snap");
                     SnError *e = NULL;
                     t_added(sn_snapmgr_add_remove(t_mgr, c, "hello", 0, false, &e), e);
                     t_finish(c);
                 }),
                 SN_STATUS_DONE);
    _sn_free_ char *d4 = t_describe("hello");
    cr_assert_str_eq(d4, "none");
    cr_assert_not(t_mounted("hello", "x1"));
    cr_assert_not(t_exists("var/lib/snapd/policy/snap.hello.hello.policy"), "remove-profiles left the blob");
    cr_assert_not(t_exists("snap/hello"));
    cr_assert_not(t_exists("var/snap/hello"));
}

Test(snapmgr, refusals_in_snapds_words)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    SnError *e = NULL;
    _sn_cleanup_(sn_new_change_freep) SnNewChange *cc = sn_new_change_new("x", "x");
    sn_state_lock(t_st);
    cr_assert_eq(sn_snapmgr_add_remove(t_mgr, cc, "hello", 0, false, &e), -ENOENT);
    cr_assert_str_eq(e->message, "snap \"hello\" is not installed");
    e = sn_error_free(e);
    sn_state_unlock(t_st);

    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    sn_state_lock(t_st);
    cr_assert_eq(sn_snapmgr_add_revert(t_mgr, cc, "hello", 0, &e), -EINVAL);
    cr_assert_str_eq(e->message, "no revision to revert to");
    e = sn_error_free(e);
    cr_assert_eq(sn_snapmgr_add_revert(t_mgr, cc, "hello", -7, &e), -EINVAL);
    cr_assert_str_eq(e->message, "cannot find revision x7 for snap \"hello\"");
    e = sn_error_free(e);
    cr_assert_eq(sn_snapmgr_add_enable(t_mgr, cc, "hello", &e), -EINVAL);
    cr_assert_str_eq(e->message, "snap \"hello\" already enabled");
    e = sn_error_free(e);
    cr_assert_eq(sn_snapmgr_add_remove(t_mgr, cc, "hello", -3, false, &e), -ENOENT);
    cr_assert_str_eq(e->message, "revision x3 of snap \"hello\" is not installed");
    e = sn_error_free(e);

    /* A change in flight on the snap: snap-change-conflict. */
    _sn_cleanup_(sn_new_change_freep) SnNewChange *held = sn_new_change_new("disable-snap", "held");
    cr_assert_eq(sn_new_change_add_task(held, "frobnicate-never", "never runs", NULL, NULL), 0);
    cr_assert_eq(sn_new_change_add_snap(held, "hello"), 0);
    sn_state_unlock(t_st);
    sn_taskrunner_stop(t_runner); /* keep it in flight */
    sn_state_lock(t_st);
    cr_assert_eq(sn_change_create(t_st, held, NULL, NULL, NULL), 0);
    cr_assert_eq(sn_snapmgr_add_disable(t_mgr, cc, "hello", &e), -EBUSY);
    cr_assert_str_eq(e->message, "snap \"hello\" has \"disable-snap\" change in progress");
    e = sn_error_free(e);
    cr_assert_eq(sn_snapmgr_add_install_path(t_mgr, cc, snap, &(SnInstallOptions){.dangerous = true}, &e), -EBUSY);
    e = sn_error_free(e);
    sn_state_unlock(t_st);
}

Test(snapmgr, a_file_that_is_not_a_snap)
{
    t_require_root();
    _sn_free_ char *p = sn_strdup_printf("%s/junk.snap", t_root);
    FILE *f = fopen(p, "w");
    fputs("junk", f);
    fclose(f);
    char *name = NULL;
    SnError *e = NULL;
    cr_assert_lt(sn_snapmgr_read_snap_name(p, &name, &e), 0);
    cr_assert(sn_startswith(e->message, "cannot read snap file: "), "%s", e->message);
    sn_error_free(e);
    _sn_free_ char *snap = t_make_snap("okay", NULL);
    cr_assert_eq(sn_snapmgr_read_snap_name(snap, &name, NULL), 0);
    cr_assert_str_eq(name, "okay");
    free(name);
}

Test(snapmgr, refresh_retain_from_the_config)
{
    t_require_root();
    sn_state_lock(t_st);
    cr_assert_eq(sn_snapmgr_refresh_retain(t_st), 2);
    cr_assert_eq(
        sn_state_exec(t_st, "INSERT INTO config (snap, doc) VALUES ('core', '{\"refresh\":{\"retain\":5}}')", NULL), 0);
    cr_assert_eq(sn_snapmgr_refresh_retain(t_st), 5);
    cr_assert_eq(sn_state_exec(t_st, "UPDATE config SET doc = '{\"refresh\":{\"retain\":40}}'", NULL), 0);
    cr_assert_eq(sn_snapmgr_refresh_retain(t_st), 2, "out of range must fall back to the default");
    sn_state_unlock(t_st);
}

Test(snapmgr, retain_discards_the_oldest_revision)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    _sn_free_ char *d = t_describe("hello");
    cr_assert_str_eq(d, "x2 x3 current=x3");
    cr_assert_not(t_mounted("hello", "x1"));
    cr_assert_not(t_exists("var/lib/snapd/snaps/hello_x1.snap"));
}

Test(snapmgr, ensure_mounts_mounts_what_a_reboot_lost)
{
    t_require_root();
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(t_install(snap), SN_STATUS_DONE);
    _sn_free_ char *cmd = sn_strdup_printf("umount %s/snap/hello/x1", t_root);
    cr_assert_eq(system(cmd), 0);
    cr_assert_not(t_mounted("hello", "x1"));
    unsigned n = 0;
    cr_assert_eq(sn_snapmgr_ensure_mounts(t_mgr, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert(t_mounted("hello", "x1"));
    cr_assert_eq(sn_snapmgr_ensure_mounts(t_mgr, &n, NULL), 0);
    cr_assert_eq(n, 0, "mounted twice");
}

Test(snapmgr, sweep_removes_uploads_no_change_owns)
{
    t_require_root();
    _sn_free_ char *dir = sn_strdup_printf("%s/var/lib/snapd/snaps", t_root);
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    _sn_free_ char *orphan = sn_strdup_printf("%s/.local-install-AAAAAA", dir);
    _sn_free_ char *owned = sn_strdup_printf("%s/.local-install-BBBBBB", dir);
    _sn_free_ char *blob = sn_strdup_printf("%s/keep_x1.snap", dir);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, orphan, "x", 1, 0600), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, blob, "x", 1, 0600), 0);
    _sn_free_ char *snap = t_make_snap("hello", NULL);
    cr_assert_eq(rename(snap, owned), 0);
    /* A change in flight owns the second one. */
    sn_taskrunner_stop(t_runner);
    SnNewChange *c = t_begin("install-snap");
    SnError *e = NULL;
    SnInstallOptions o = {.dangerous = true, .remove_path = true};
    t_added(sn_snapmgr_add_install_path(t_mgr, c, owned, &o, &e), e);
    cr_assert_eq(sn_change_create(t_st, c, NULL, NULL, NULL), 0);
    sn_state_unlock(t_st);
    sn_new_change_free(c);
    unsigned n = 0;
    cr_assert_eq(sn_snapmgr_sweep_spool(t_mgr, &n, NULL), 0);
    cr_assert_eq(n, 1);
    cr_assert_eq(access(orphan, F_OK), -1);
    cr_assert_eq(access(owned, F_OK), 0, "the upload a change owns was removed");
    cr_assert_eq(access(blob, F_OK), 0);
}
