/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strutil.h"
#include "trusted-path.h"

static char dir[64];

static void setup(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    strcpy(dir, "/tmp/sn-trusted-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(chmod(dir, 0755), 0);
}

static void teardown(void)
{
    if (dir[0]) {
        _sn_free_ char *cmd = sn_strdup_printf("rm -rf %s", dir);
        cr_assert_eq(system(cmd), 0);
    }
}

static void mk(const char *rel, mode_t mode, uid_t uid)
{
    _sn_free_ char *p = sn_strdup_printf("%s/%s", dir, rel);
    cr_assert_eq(mkdir(p, mode), 0, "mkdir %s", p);
    cr_assert_eq(chmod(p, mode), 0);
    cr_assert_eq(chown(p, uid, 0), 0);
}

Test(trusted_path, accepts_a_root_owned_tree_under_sticky_tmp, .init = setup, .fini = teardown)
{
    mk("a", 0755, 0);
    mk("a/b", 0755, 0);
    _sn_free_ char *root = sn_strdup_printf("%s/a/b", dir);
    int fd = sn_confine_open_root(root, NULL);
    cr_assert_geq(fd, 0);
    close(fd);
}

Test(trusted_path, refuses_a_user_owned_component, .init = setup, .fini = teardown)
{
    mk("user", 0755, 1000);
    mk("user/b", 0755, 0);
    _sn_free_ char *root = sn_strdup_printf("%s/user/b", dir);
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_confine_open_root(root, &err), -EPERM);
    cr_assert(strstr(err->message, "\"user\" is not owned by root"), "%s", err->message);
}

Test(trusted_path, refuses_a_world_writable_component, .init = setup, .fini = teardown)
{
    mk("ww", 0777, 0);
    mk("ww/b", 0755, 0);
    _sn_free_ char *root = sn_strdup_printf("%s/ww/b", dir);
    cr_assert_eq(sn_confine_open_root(root, NULL), -EPERM);
}

Test(trusted_path, refuses_a_symlinked_component, .init = setup, .fini = teardown)
{
    mk("real", 0755, 0);
    _sn_free_ char *link = sn_strdup_printf("%s/link", dir);
    cr_assert_eq(symlink("real", link), 0);
    _sn_free_ char *root = sn_strdup_printf("%s/link", dir);
    cr_assert_eq(sn_confine_open_root(root, NULL), -ELOOP);
}

Test(trusted_path, follows_a_current_symlink_to_a_sibling_only, .init = setup, .fini = teardown)
{
    mk("snap", 0755, 0);
    mk("snap/x1", 0755, 0);
    _sn_free_ char *cur = sn_strdup_printf("%s/snap/current", dir);
    cr_assert_eq(symlink("x1", cur), 0);
    _sn_free_ char *bad = sn_strdup_printf("%s/snap/escape", dir);
    cr_assert_eq(symlink("/etc", bad), 0);
    _sn_close_ int root = sn_confine_open_root(dir, NULL);
    cr_assert_geq(root, 0);
    int fd = sn_confine_open_trusted_dir(root, "snap/current", true, NULL);
    cr_assert_geq(fd, 0);
    close(fd);
    cr_assert_eq(sn_confine_open_trusted_dir(root, "snap/current", false, NULL), -ELOOP);
    cr_assert_eq(sn_confine_open_trusted_dir(root, "snap/escape", true, NULL), -ELOOP);
    cr_assert_eq(sn_confine_open_trusted_dir(root, "snap/../snap", true, NULL), -EINVAL);
    cr_assert_eq(sn_confine_open_trusted_dir(root, "snap/missing", true, NULL), -ENOENT);
}

Test(trusted_path, cve_2022_3328_mkdir_never_repairs_an_untrusted_directory, .init = setup, .fini = teardown)
{
    mk("run", 0755, 0);
    mk("run/snapd", 0755, 1000); /* pre-created by a user */
    _sn_close_ int root = sn_confine_open_root(dir, NULL);
    cr_assert_eq(sn_confine_mkdir_trusted(root, "run/snapd/ns", 0755, NULL), -EPERM);
    _sn_free_ char *p = sn_strdup_printf("%s/run/snapd", dir);
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_uid, 1000, "the helper must not chown or move it");
}

Test(trusted_path, mkdir_creates_a_trusted_chain, .init = setup, .fini = teardown)
{
    _sn_close_ int root = sn_confine_open_root(dir, NULL);
    umask(022);
    int fd = sn_confine_mkdir_trusted(root, "run/snapd/ns", 0755, NULL);
    cr_assert_geq(fd, 0);
    close(fd);
    fd = sn_confine_mkdir_trusted(root, "run/snapd/ns", 0755, NULL);
    cr_assert_geq(fd, 0, "existing trusted directories are fine");
    close(fd);
}

Test(trusted_path, trust_rule)
{
    struct stat st = {.st_uid = 0, .st_gid = 0, .st_mode = S_IFDIR | 0775};
    cr_assert(sn_confine_stat_is_trusted(&st));
    st.st_gid = 100;
    cr_assert_not(sn_confine_stat_is_trusted(&st));
    st.st_mode = S_IFDIR | 01777;
    cr_assert(sn_confine_stat_is_trusted(&st));
    st.st_uid = 1;
    cr_assert_not(sn_confine_stat_is_trusted(&st));
}
