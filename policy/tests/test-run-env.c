/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run-env.h"
#include "strutil.h"

static const char *get(char *const *env, const char *key)
{
    size_t n = strlen(key);
    const char *found = NULL;
    for (char *const *e = env; e && *e; e++)
        if (strncmp(*e, key, n) == 0 && (*e)[n] == '=') {
            cr_assert_null(found, "%s is set twice", key);
            found = *e + n + 1;
        }
    return found;
}

Test(run_env, builds_snapds_variables_for_an_instance)
{
    char *base[] = {"PATH=/usr/bin", "HOME=/home/u", "SNAP=/evil", "TERM=xterm", NULL};
    SnRunEnvInput in = {.instance_name = "hello_k1",
                        .revision = "x2",
                        .version = "1.0",
                        .real_home = "/home/u",
                        .uid = 1000,
                        .euid = 1000};
    _sn_strv_free_ char **env = NULL;
    cr_assert_eq(sn_run_env_build(base, &in, &env), 0);
    cr_assert_str_eq(get(env, "SNAP"), "/snap/hello/x2");
    cr_assert_str_eq(get(env, "SNAP_DATA"), "/var/snap/hello/x2");
    cr_assert_str_eq(get(env, "SNAP_COMMON"), "/var/snap/hello/common");
    cr_assert_str_eq(get(env, "SNAP_NAME"), "hello");
    cr_assert_str_eq(get(env, "SNAP_INSTANCE_NAME"), "hello_k1");
    cr_assert_str_eq(get(env, "SNAP_INSTANCE_KEY"), "k1");
    cr_assert_str_eq(get(env, "SNAP_VERSION"), "1.0");
    cr_assert_str_eq(get(env, "SNAP_REVISION"), "x2");
    cr_assert_str_eq(get(env, "SNAP_ARCH"), sn_run_env_arch());
    cr_assert_str_eq(get(env, "SNAP_USER_DATA"), "/home/u/snap/hello_k1/x2");
    cr_assert_str_eq(get(env, "SNAP_USER_COMMON"), "/home/u/snap/hello_k1/common");
    cr_assert_str_eq(get(env, "HOME"), "/home/u/snap/hello_k1/x2");
    cr_assert_str_eq(get(env, "SNAP_REAL_HOME"), "/home/u");
    cr_assert_str_eq(get(env, "XDG_RUNTIME_DIR"), "/run/user/1000/snap.hello_k1");
    cr_assert_str_eq(get(env, "SNAP_UID"), "1000");
    cr_assert(sn_startswith(get(env, "SNAP_LIBRARY_PATH"), "/var/lib/snapd/lib/gl:"));
    cr_assert_str_eq(get(env, "TERM"), "xterm");
    cr_assert_str_eq(get(env, "PATH"), "/usr/bin");
}

Test(run_env, renames_the_variables_a_privileged_exec_drops)
{
    char *base[] = {"LD_PRELOAD=/x.so", "LD_LIBRARY_PATH=/l", "TMPDIR=/t",
                    "LD_PRELOADX=keep", "GLIBC_TUNABLES=a",   NULL};
    SnRunEnvInput in = {.instance_name = "hello", .revision = "1"};
    _sn_strv_free_ char **env = NULL;
    cr_assert_eq(sn_run_env_build(base, &in, &env), 0);
    cr_assert_null(get(env, "LD_PRELOAD"));
    cr_assert_null(get(env, "LD_LIBRARY_PATH"));
    cr_assert_null(get(env, "TMPDIR"));
    cr_assert_null(get(env, "GLIBC_TUNABLES"));
    cr_assert_str_eq(get(env, "SNAP_SAVED_LD_PRELOAD"), "/x.so");
    cr_assert_str_eq(get(env, "SNAP_SAVED_LD_LIBRARY_PATH"), "/l");
    cr_assert_str_eq(get(env, "SNAP_SAVED_TMPDIR"), "/t");
    cr_assert_str_eq(get(env, "LD_PRELOADX"), "keep");
    cr_assert_str_eq(get(env, "SNAP_INSTANCE_KEY"), "");
    cr_assert_null(get(env, "SNAP_USER_DATA"), "no home, no user data");
}

Test(run_env, refuses_invalid_names_and_revisions)
{
    _sn_strv_free_ char **env = NULL;
    SnRunEnvInput bad[] = {
        {.instance_name = "../x", .revision = "1"},
        {.instance_name = "Hello", .revision = "1"},
        {.instance_name = "hello", .revision = "../1"},
        {.instance_name = "hello", .revision = NULL},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++)
        cr_assert_eq(sn_run_env_build(NULL, &bad[i], &env), -EINVAL, "case %zu", i);
    cr_assert_null(env);
}

static char home[64];

static void make_home(void)
{
    strcpy(home, "/tmp/sn-home-XXXXXX");
    cr_assert_not_null(mkdtemp(home));
}

static void remove_home(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", home);
    cr_assert_eq(system(cmd), 0);
}

Test(run_env, creates_the_user_data_dirs_with_a_private_snap_dir, .init = make_home, .fini = remove_home)
{
    SnError *err = NULL;
    umask(0);
    cr_assert_eq(sn_run_make_user_dirs(home, "hello", "x1", &err), 0, "%s", err ? err->message : "");
    struct stat st;
    _sn_free_ char *snap = sn_strdup_printf("%s/snap", home);
    cr_assert_eq(stat(snap, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700, "~/snap must be created 0700 (CVE-2021-3155)");
    _sn_free_ char *rev = sn_strdup_printf("%s/snap/hello/x1", home);
    _sn_free_ char *common = sn_strdup_printf("%s/snap/hello/common", home);
    cr_assert_eq(stat(rev, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(stat(common, &st), 0);
    _sn_free_ char *cur = sn_strdup_printf("%s/snap/hello/current", home);
    char buf[32] = "";
    cr_assert_eq(readlink(cur, buf, sizeof(buf) - 1), 2);
    cr_assert_str_eq(buf, "x1");
    cr_assert_eq(sn_run_make_user_dirs(home, "hello", "x1", NULL), 0, "idempotent");
    cr_assert_eq(sn_run_make_user_dirs(home, "hello", "3", NULL), 0);
    memset(buf, 0, sizeof(buf));
    cr_assert_eq(readlink(cur, buf, sizeof(buf) - 1), 1);
    cr_assert_str_eq(buf, "3");
    sn_error_free(err);
}

Test(run_env, does_not_follow_a_symlinked_snap_dir, .init = make_home, .fini = remove_home)
{
    _sn_free_ char *snap = sn_strdup_printf("%s/snap", home);
    cr_assert_eq(symlink("/etc", snap), 0);
    SnError *err = NULL;
    cr_assert_lt(sn_run_make_user_dirs(home, "hello", "1", &err), 0);
    cr_assert_eq(access("/etc/hello", F_OK), -1);
    sn_error_free(err);
}
