/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap-data.h"
#include "strutil.h"

static char dir[] = "/tmp/sn-data-XXXXXX";
static char src[64], dst[64];

static void setup(void)
{
    cr_assert_not_null(mkdtemp(dir));
    snprintf(src, sizeof(src), "%s/x1", dir);
    snprintf(dst, sizeof(dst), "%s/x2", dir);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd),
             "set -e; mkdir -p %1$s/sub/deep; echo hello >%1$s/file; chmod 0640 %1$s/file; "
             "chown 1234:5678 %1$s/file; ln -s ../file %1$s/sub/link; mkfifo %1$s/fifo; "
             "head -c 300000 /dev/urandom >%1$s/sub/deep/blob; chmod 0700 %1$s/sub; touch -d 2001-02-03 %1$s/file",
             src);
    cr_assert_eq(system(cmd), 0);
}

static void teardown(void)
{
    char cmd[128];
    unsetenv("SN_FAULTS");
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(snap_data, .init = setup, .fini = teardown);

Test(snap_data, copies_contents_modes_owners_times_links_and_fifos)
{
    cr_assert_eq(sn_snap_data_copy(src, dst, NULL), 0);
    char cmd[2048];
    snprintf(cmd, sizeof(cmd), "diff -r --no-dereference '%s' '%s' >/dev/null 2>&1 || [ -p '%s/fifo' ]", src, dst, dst);
    cr_assert_eq(system(cmd), 0);
    char p[512];
    struct stat a, b;
    snprintf(p, sizeof(p), "%s/file", dst);
    cr_assert_eq(lstat(p, &b), 0);
    snprintf(p, sizeof(p), "%s/file", src);
    cr_assert_eq(lstat(p, &a), 0);
    cr_assert_eq(b.st_mode, a.st_mode);
    cr_assert_eq(b.st_uid, 1234);
    cr_assert_eq(b.st_gid, 5678);
    cr_assert_eq(b.st_mtim.tv_sec, a.st_mtim.tv_sec);
    snprintf(p, sizeof(p), "%s/sub", dst);
    cr_assert_eq(lstat(p, &b), 0);
    cr_assert_eq(b.st_mode & 07777, 0700);
    snprintf(p, sizeof(p), "%s/sub/link", dst);
    char t[64] = {0};
    cr_assert_eq(readlink(p, t, sizeof(t) - 1), 7);
    cr_assert_str_eq(t, "../file");
    snprintf(p, sizeof(p), "%s/fifo", dst);
    cr_assert_eq(lstat(p, &b), 0);
    cr_assert(S_ISFIFO(b.st_mode));
    snprintf(cmd, sizeof(cmd), "cmp -s '%s/sub/deep/blob' '%s/sub/deep/blob'", src, dst);
    cr_assert_eq(system(cmd), 0);
    _sn_free_ char *tmp = sn_snap_data_copying_path(dst);
    cr_assert_eq(access(tmp, F_OK), -1, "the temporary copy is left behind");
}

Test(snap_data, refuses_an_existing_target)
{
    cr_assert_eq(mkdir(dst, 0755), 0);
    SnError *e = NULL;
    cr_assert_eq(sn_snap_data_copy(src, dst, &e), -EEXIST);
    sn_error_free(e);
}

Test(snap_data, a_full_disk_leaves_no_partial_copy)
{
    setenv("SN_FAULTS", "copy-snap-data-enospc", 1);
    SnError *e = NULL;
    cr_assert_eq(sn_snap_data_copy(src, dst, &e), -ENOSPC);
    cr_assert_not_null(strstr(e->message, "No space left on device"), "%s", e->message);
    sn_error_free(e);
    cr_assert_eq(access(dst, F_OK), -1);
    _sn_free_ char *tmp = sn_snap_data_copying_path(dst);
    cr_assert_eq(access(tmp, F_OK), -1);
}

Test(snap_data, a_stale_copy_from_a_crash_is_replaced)
{
    _sn_free_ char *tmp = sn_snap_data_copying_path(dst);
    cr_assert_str_eq(strrchr(tmp, '/'), "/.x2.copying");
    cr_assert_eq(mkdir(tmp, 0700), 0);
    char p[512];
    snprintf(p, sizeof(p), "%s/half-written", tmp);
    cr_assert_eq(close(open(p, O_CREAT | O_WRONLY, 0600)), 0);
    cr_assert_eq(sn_snap_data_copy(src, dst, NULL), 0);
    snprintf(p, sizeof(p), "%s/half-written", dst);
    cr_assert_eq(access(p, F_OK), -1);
    cr_assert_eq(access(tmp, F_OK), -1);
}

Test(snap_data, rm_rf_removes_trees_and_never_follows_symlinks)
{
    char outside[128], p[512];
    snprintf(outside, sizeof(outside), "%s/outside", dir);
    cr_assert_eq(mkdir(outside, 0755), 0);
    snprintf(p, sizeof(p), "%s/keep", outside);
    cr_assert_eq(close(open(p, O_CREAT | O_WRONLY, 0600)), 0);
    snprintf(p, sizeof(p), "%s/escape", src);
    cr_assert_eq(symlink(outside, p), 0);
    cr_assert_eq(sn_rm_rf(src), 0);
    cr_assert_eq(access(src, F_OK), -1);
    snprintf(p, sizeof(p), "%s/keep", outside);
    cr_assert_eq(access(p, F_OK), 0, "rm -rf followed a symlink");
    cr_assert_eq(sn_rm_rf(src), 0); /* missing is fine */
}
