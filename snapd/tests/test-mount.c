/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "mount.h"
#include "strutil.h"

static char dir[] = "/tmp/sn-mount-XXXXXX";
static char blob[64], where[64];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(blob, sizeof(blob), "%s/t_x1.snap", dir);
    snprintf(where, sizeof(where), "%s/snap/t/x1", dir);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "set -e; mkdir -p %1$s/src/meta %2$s; echo 'name: t' >%1$s/src/meta/snap.yaml; "
             "mksquashfs %1$s/src %3$s -noappend -comp xz -all-root -no-xattrs -quiet >/dev/null",
             dir, where, blob);
    cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
    unsetenv("SN_FAULTS");
    (void)sn_umount_snap(blob, where, NULL);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(mount, .init = setup, .fini = teardown, .timeout = 60);

static size_t loops_of(const char *path)
{
    _sn_free_ int *v = NULL;
    size_t n = 0;
    cr_assert_eq(sn_loop_find_backing(path, &v, &n), 0);
    return n;
}

static void require_root(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root for loop devices and mounts");
}

Test(mount, mounts_read_only_through_a_loop_device_and_detaches_on_unmount)
{
    require_root();
    cr_assert_eq(sn_mount_is_mounted(where), 0);
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    cr_assert_eq(sn_mount_is_mounted(where), 1);
    cr_assert_eq(loops_of(blob), 1);
    char p[512];
    snprintf(p, sizeof(p), "%s/meta/snap.yaml", where);
    cr_assert_eq(access(p, R_OK), 0);
    cr_assert_eq(access(p, W_OK), -1, "the mount is writable");
    cr_assert_eq(sn_mount_snap(blob, where, NULL), 0, "mounting twice is not idempotent");
    cr_assert_eq(loops_of(blob), 1, "a second loop device for a mounted snap");
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "awk '$5 == \"%s\"' /proc/self/mountinfo | grep -q ' ro,nodev[, ].* - squashfs '",
             where);
    cr_assert_eq(system(cmd), 0, "not mounted ro,nodev as squashfs");
    cr_assert_eq(sn_umount_snap(blob, where, NULL), 0);
    cr_assert_eq(sn_mount_is_mounted(where), 0);
    cr_assert_eq(loops_of(blob), 0, "the loop device stayed attached");
    cr_assert_eq(sn_umount_snap(blob, where, NULL), 0, "unmounting twice is not idempotent");
}

Test(mount, falls_back_to_squashfuse_without_loop_devices)
{
    require_root();
    if (access(SN_SQUASHFUSE_PATH, X_OK) < 0 || access("/dev/fuse", F_OK) < 0)
        cr_skip_test("no squashfuse or /dev/fuse");
    setenv("SN_FAULTS", "mount-no-loop", 1);
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    cr_assert_eq(sn_mount_is_mounted(where), 1);
    cr_assert_eq(loops_of(blob), 0);
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "awk '$5 == \"%s\"' /proc/self/mountinfo | grep -q ' - fuse[.a-z]* squashfuse'", where);
    cr_assert_eq(system(cmd), 0, "not a squashfuse mount");
    cr_assert_eq(sn_umount_snap(blob, where, NULL), 0);
    cr_assert_eq(sn_mount_is_mounted(where), 0);
}

Test(mount, a_missing_blob_is_an_error_naming_it)
{
    require_root();
    SnError *e = NULL;
    char p[512];
    snprintf(p, sizeof(p), "%s/none.snap", dir);
    cr_assert_eq(sn_mount_snap(p, where, &e), -ENOENT);
    cr_assert_not_null(strstr(e->message, "none.snap"));
    sn_error_free(e);
    cr_assert_eq(sn_mount_is_mounted(where), 0);
}

Test(mount, unit_names_escape_as_systemd_does)
{
    static const char *const paths[] = {"/snap/hello-world/29", "/snap/a.b/x1", "/tmp/r o/snap/c_d/1", "/snap/x//y/"};
    for (size_t i = 0; i < SN_ELEMENTSOF(paths); i++) {
        _sn_free_ char *mine = sn_mount_unit_name(paths[i]);
        if (access("/usr/bin/systemd-escape", X_OK) < 0) {
            cr_assert_str_eq(sn_mount_unit_name("/snap/hello-world/29"), "snap-hello\\x2dworld-29.mount");
            continue;
        }
        char cmd[1024];
        snprintf(cmd, sizeof(cmd), "systemd-escape --path --suffix=mount '%s'", paths[i]);
        FILE *f = popen(cmd, "r");
        char theirs[256] = {0};
        cr_assert_not_null(fgets(theirs, sizeof(theirs), f));
        pclose(f);
        theirs[strcspn(theirs, "\n")] = '\0';
        cr_assert_str_eq(mine, theirs, "%s", paths[i]);
    }
}

Test(mount, mount_units_pass_systemd_analyze_verify)
{
    if (access("/usr/bin/systemd-analyze", X_OK) < 0)
        cr_skip_test("no systemd-analyze (package systemd)");
    static const bool fuse[] = {false, true};
    for (size_t i = 0; i < SN_ELEMENTSOF(fuse); i++) {
        _sn_free_ char *name = sn_mount_unit_name(where);
        _sn_free_ char *content = sn_mount_unit_content("t", "x1", blob, where, fuse[i]);
        cr_assert(strstr(content, "Options=nodev,ro,x-gdu.hide,x-gvfs-hide"));
        cr_assert(strstr(content, fuse[i] ? "Type=fuse.squashfuse" : "Type=squashfs\n"));
        _sn_free_ char *path = sn_strdup_printf("%s/%s", dir, name);
        cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, content, strlen(content), 0644), 0);
        _sn_free_ char *cmd = sn_strdup_printf("systemd-analyze verify --man=no '%s' >%s/verify.log 2>&1", path, dir);
        cr_assert_eq(system(cmd), 0, "systemd-analyze verify refused %s:\n%s", name, content);
    }
    /* The check can fail: a unit whose name does not match Where= is refused. */
    _sn_free_ char *content = sn_mount_unit_content("t", "x1", blob, "/elsewhere", false);
    _sn_free_ char *path = sn_strdup_printf("%s/%s", dir, "wrong.mount");
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, content, strlen(content), 0644), 0);
    _sn_free_ char *cmd = sn_strdup_printf("systemd-analyze verify --man=no '%s' >/dev/null 2>&1", path);
    cr_assert_neq(system(cmd), 0);
}
