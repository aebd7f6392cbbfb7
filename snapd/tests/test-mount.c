/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "mount.h"
#include "strutil.h"

static char dir[] = "/tmp/sn-mount-XXXXXX";
static char blob[64], where[64], snapdir[64];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(blob, sizeof(blob), "%s/t_x1.snap", dir);
    snprintf(where, sizeof(where), "%s/snap/t/x1", dir);
    snprintf(snapdir, sizeof(snapdir), "%s/snap", dir);
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
    /* Twice: a mount a failed share left hidden under the bind of snapdir shows again after it. */
    for (int k = 0; k < 2; k++) {
        (void)sn_umount_snap(blob, where, NULL);
        for (int i = 0; i < 4 && sn_mount_is_mounted(snapdir) > 0; i++)
            (void)umount2(snapdir, MNT_DETACH);
    }
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

/* The mountinfo line of the mount at path ("" when none), the top one when stacked. */
static void mountinfo_of(const char *path, char *buf, size_t size)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "awk '$5 == \"%s\"' /proc/self/mountinfo | tail -n 1", path);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    buf[0] = '\0';
    if (!fgets(buf, (int)size, f))
        buf[0] = '\0';
    pclose(f);
}

static bool is_shared_mount(const char *path)
{
    char line[4096];
    mountinfo_of(path, line, sizeof(line));
    char *sep = strstr(line, " - ");
    if (sep)
        *sep = '\0';
    return strstr(line, " shared:") != NULL;
}

Test(mount, shares_the_snap_dir_once_and_moves_the_mounts_already_below_it)
{
    require_root();
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    cr_assert_eq(sn_mount_is_mounted(snapdir), 0);

    cr_assert_eq(sn_mount_ensure_shared(snapdir, &e), 1, "%s", e ? e->message : "");
    cr_assert_eq(sn_mount_is_mounted(snapdir), 1);
    cr_assert(is_shared_mount(snapdir), "%s is not a shared mount", snapdir);
    /* The earlier mount was moved, not copied: one mount, one loop device, parented on the new mount. */
    cr_assert_eq(sn_mount_is_mounted(where), 1);
    cr_assert_eq(loops_of(blob), 1);
    char top[4096], child[4096];
    mountinfo_of(snapdir, top, sizeof(top));
    mountinfo_of(where, child, sizeof(child));
    unsigned long top_id = 0, parent = 0;
    cr_assert_eq(sscanf(top, "%lu", &top_id), 1);
    cr_assert_eq(sscanf(child, "%*u %lu", &parent), 1);
    cr_assert_eq(parent, top_id, "the snap mount is not below the shared mount:\n%s%s", top, child);

    cr_assert_eq(sn_mount_ensure_shared(snapdir, NULL), 0, "sharing twice is not idempotent");
    mountinfo_of(snapdir, child, sizeof(child));
    cr_assert_str_eq(child, top, "a second bind was stacked");

    cr_assert_eq(sn_umount_snap(blob, where, NULL), 0);
    cr_assert_eq(loops_of(blob), 0, "the moved mount left its loop device behind");
}

Test(mount, a_mount_point_that_is_not_shared_is_made_shared_in_place)
{
    require_root();
    cr_assert_eq(sn_mkdir_p(snapdir, 0755), 0);
    cr_assert_eq(mount(snapdir, snapdir, NULL, MS_BIND, NULL), 0);
    cr_assert_eq(mount(NULL, snapdir, NULL, MS_PRIVATE, NULL), 0);
    cr_assert_not(is_shared_mount(snapdir));
    cr_assert_eq(sn_mount_ensure_shared(snapdir, NULL), 1);
    cr_assert(is_shared_mount(snapdir));
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "test $(awk '$5 == \"%s\"' /proc/self/mountinfo | wc -l) = 1", snapdir);
    cr_assert_eq(system(cmd), 0, "a second mount was stacked on the mount point");
}

Test(mount, a_failing_bind_is_an_error_naming_the_dir_and_leaves_no_mount)
{
    require_root();
    setenv("SN_FAULTS", "mount-share", 1);
    SnError *e = NULL;
    cr_assert_lt(sn_mount_ensure_shared(snapdir, &e), 0);
    cr_assert_not_null(e);
    cr_assert_not_null(strstr(e->message, snapdir), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(sn_mount_is_mounted(snapdir), 0);
}

Test(mount, a_failing_move_is_an_error_naming_the_mount)
{
    require_root();
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    setenv("SN_FAULTS", "mount-share-move", 1);
    cr_assert_lt(sn_mount_ensure_shared(snapdir, &e), 0);
    cr_assert_not_null(strstr(e->message, where), "%s", e->message);
    cr_assert_null(strstr(e->message, "Success"), "%s", e->message);
    sn_error_free(e);
}

Test(mount, a_stacked_mount_below_the_dir_is_refused_before_anything_is_bound)
{
    require_root();
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    /* A second mount on top of the snap's: the path reaches the top one only. */
    cr_assert_eq(mount("none", where, "tmpfs", 0, NULL), 0);
    cr_assert_eq(sn_mount_ensure_shared(snapdir, &e), -EBUSY);
    cr_assert_not_null(strstr(e->message, where), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(sn_mount_is_mounted(snapdir), 0, "a bind was made anyway");
    cr_assert_eq(umount2(where, 0), 0);
}

/*
 * A child in a new mount namespace made as snap-confine makes one ("/" rslave) after step 0, then
 * reports, at each of the parent's steps, whether the snap is mounted in its namespace. Returns
 * the child's pid; the pipes are the parent's ends.
 */
static pid_t namespace_child(int *ret_go, int *ret_seen)
{
    int go[2], seen[2];
    cr_assert_eq(pipe(go), 0);
    cr_assert_eq(pipe(seen), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(go[1]);
        close(seen[0]);
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
            _exit(2);
        char c = 'r';
        if (write(seen[1], &c, 1) != 1)
            _exit(3);
        while (read(go[0], &c, 1) == 1) {
            char m = sn_mount_is_mounted(where) > 0 ? 'y' : 'n';
            if (write(seen[1], &m, 1) != 1)
                _exit(3);
        }
        _exit(0);
    }
    close(go[0]);
    close(seen[1]);
    char c;
    cr_assert_eq(read(seen[0], &c, 1), 1);
    cr_assert_eq(c, 'r', "the child could not make its namespace");
    *ret_go = go[1];
    *ret_seen = seen[0];
    return pid;
}

static char ask(int go, int seen)
{
    char c = '?';
    cr_assert_eq(write(go, "?", 1), 1);
    cr_assert_eq(read(seen, &c, 1), 1);
    return c;
}

static void end_child(pid_t pid, int go, int seen)
{
    close(go);
    close(seen);
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child failed: %d", status);
}

Test(mount, a_namespace_made_after_sharing_sees_later_mounts_and_unmounts)
{
    require_root();
    cr_assert_eq(sn_mount_ensure_shared(snapdir, NULL), 1);
    int go, seen;
    pid_t pid = namespace_child(&go, &seen);
    cr_assert_eq(ask(go, seen), 'n');
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    cr_assert_eq(ask(go, seen), 'y', "the mount did not reach the namespace");
    /* The namespace's copy goes with the unmount: nothing holds the loop device. */
    cr_assert_eq(sn_umount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    cr_assert_eq(ask(go, seen), 'n', "the unmount did not reach the namespace");
    cr_assert_eq(loops_of(blob), 0);
    end_child(pid, go, seen);
}

Test(mount, without_sharing_a_namespace_keeps_its_copy_and_the_unmount_still_succeeds)
{
    require_root();
    SnError *e = NULL;
    cr_assert_eq(sn_mount_snap(blob, where, &e), 0, "%s", e ? e->message : "");
    int go, seen;
    pid_t pid = namespace_child(&go, &seen);
    cr_assert_eq(ask(go, seen), 'y');
    /* The namespace's copy holds the device: the unmount succeeds and reports it left attached. */
    cr_assert_eq(sn_umount_snap(blob, where, &e), 1, "%s", e ? e->message : "");
    cr_assert_eq(sn_mount_is_mounted(where), 0);
    cr_assert_eq(ask(go, seen), 'y');
    _sn_free_ int *v = NULL;
    size_t n = 0;
    cr_assert_eq(sn_loop_find_backing(blob, &v, &n), 0);
    cr_assert_eq(n, 1);
    char p[128];
    snprintf(p, sizeof(p), "/sys/block/loop%d/loop/autoclear", v[0]);
    _sn_free_ char *autoclear = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, p, 64, &autoclear, NULL), 0);
    cr_assert_eq(autoclear[0], '1', "the held device is not set to autoclear");
    /* The namespace goes: so does the device. */
    end_child(pid, go, seen);
    for (int i = 0; i < 100 && loops_of(blob) > 0; i++)
        usleep(10000);
    cr_assert_eq(loops_of(blob), 0, "the device outlived the last mount");
}
