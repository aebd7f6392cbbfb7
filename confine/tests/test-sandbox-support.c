/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "macros.h"
#include "sandbox-support.h"

Test(sandbox_support, apparmor_detection_answers_on_this_kernel)
{
    int r = sn_confine_apparmor_enabled();
    cr_assert(r == 0 || r == 1, "got %d", r);
}

/* Qualys 2022: aa_is_enabled() failing (RLIMIT_NOFILE) was read as "no AppArmor". Here it is an error. */
Test(sandbox_support, qualys_aa_is_enabled_failure_is_an_error_not_disabled)
{
    if (!SN_FAULT_INJECTION)
        cr_skip_test("fault injection is compiled out");
    setenv("SN_FAULTS", "apparmor-detect", 1);
    int r = sn_confine_apparmor_enabled();
    unsetenv("SN_FAULTS");
    cr_assert_lt(r, 0, "a failed detection must not read as disabled (got %d)", r);
}

Test(sandbox_support, device_list_expected_is_the_controllers_rendering)
{
    const SnPolicyDeviceRule rules[] = {
        {.type = 'c', .access = SN_POLICY_DEV_READ | SN_POLICY_DEV_WRITE | SN_POLICY_DEV_MKNOD, .major = 1, .minor = 3},
        {.type = 'c', .access = SN_POLICY_DEV_READ, .major = 136, .minor = SN_POLICY_DEV_ANY},
        {.type = 'b', .access = SN_POLICY_DEV_MKNOD, .major = SN_POLICY_DEV_ANY, .minor = SN_POLICY_DEV_ANY},
        /* the same device again: merged into the first line with its access added, as the kernel does */
        {.type = 'c', .access = SN_POLICY_DEV_WRITE, .major = 136, .minor = SN_POLICY_DEV_ANY},
        {.type = 'b', .access = SN_POLICY_DEV_WRITE | SN_POLICY_DEV_READ, .major = 7, .minor = 0},
    };
    char buf[SN_DEVICE_LIST_MAX];
    ssize_t n = sn_confine_device_list_expected(rules, SN_ELEMENTSOF(rules), buf, sizeof(buf));
    const char *want = "c 1:3 rwm\nc 136:* rw\nb *:* m\nb 7:0 rw\n";
    cr_assert_eq(n, (ssize_t)strlen(want));
    cr_assert_str_eq(buf, want);

    cr_assert_eq(sn_confine_device_list_expected(rules, 0, buf, sizeof(buf)), 0);
    cr_assert_str_eq(buf, "");
}

Test(sandbox_support, device_list_expected_refuses_all_devices_and_overflow)
{
    const SnPolicyDeviceRule all = {.type = 'a', .access = SN_POLICY_DEV_READ, .major = -1, .minor = -1};
    char buf[SN_DEVICE_LIST_MAX];
    /* "a" switches the controller to allow-all: its list is then not the rules, so never skipped. */
    cr_assert_eq(sn_confine_device_list_expected(&all, 1, buf, sizeof(buf)), -EINVAL);
    const SnPolicyDeviceRule one = {.type = 'c', .access = SN_POLICY_DEV_READ, .major = 10, .minor = 200};
    cr_assert_eq(sn_confine_device_list_expected(&one, 1, buf, 8), -E2BIG);
    cr_assert_eq(sn_confine_device_list_expected(&one, 1, buf, 0), -E2BIG);
    cr_assert_eq(sn_confine_device_list_expected(&one, 1, buf, 12), 11);

    /* The largest list a blob can carry fits the buffer. */
    SnPolicyDeviceRule many[SN_POLICY_BLOB_MAX_DEVICE_RULES];
    for (size_t i = 0; i < SN_ELEMENTSOF(many); i++)
        many[i] = (SnPolicyDeviceRule){.type = 'c', .access = 7, .major = INT32_MAX, .minor = INT32_MAX - (int32_t)i};
    cr_assert_gt(sn_confine_device_list_expected(many, SN_ELEMENTSOF(many), buf, sizeof(buf)), 0);
}

/* A stand-in for /proc/thread-self/attr: a temporary directory with the given files. */
static int make_attr_dir(char *tmpl, bool stacking)
{
    cr_assert_not_null(mkdtemp(tmpl));
    int dir = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(dir, 0);
    if (stacking) {
        cr_assert_eq(mkdirat(dir, "apparmor", 0755), 0);
        int fd = openat(dir, "apparmor/exec", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        cr_assert_geq(fd, 0);
        close(fd);
    }
    int fd = openat(dir, "exec", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    cr_assert_geq(fd, 0);
    close(fd);
    return dir;
}

static void expect_file(int dir, const char *name, const char *want)
{
    char buf[256] = "";
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    cr_assert_geq(fd, 0, "%s", name);
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    cr_assert_geq(n, 0);
    buf[n] = '\0';
    cr_assert_str_eq(buf, want, "%s", name);
}

static void remove_attr_dir(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    cr_assert_eq(system(cmd), 0);
}

Test(sandbox_support, apparmor_exec_is_written_to_the_stacking_interface_first)
{
    char tmpl[] = "/tmp/sn-aa-attr-XXXXXX";
    int dir = make_attr_dir(tmpl, true);
    cr_assert_eq(sn_confine_apparmor_set_exec(dir, "snap.hello.world"), 0);
    expect_file(dir, "apparmor/exec", "exec snap.hello.world");
    expect_file(dir, "exec", "");
    close(dir);
    remove_attr_dir(tmpl);
}

Test(sandbox_support, apparmor_exec_falls_back_to_the_classic_interface)
{
    char tmpl[] = "/tmp/sn-aa-attr-XXXXXX";
    int dir = make_attr_dir(tmpl, false);
    cr_assert_eq(sn_confine_apparmor_set_exec(dir, "snap.hello.hook.configure"), 0);
    expect_file(dir, "exec", "exec snap.hello.hook.configure");
    cr_assert_eq(unlinkat(dir, "exec", 0), 0);
    cr_assert_eq(sn_confine_apparmor_set_exec(dir, "snap.hello.world"), -ENOENT);
    char huge[5000];
    memset(huge, 'a', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    cr_assert_eq(sn_confine_apparmor_set_exec(dir, huge), -ENAMETOOLONG);
    close(dir);
    remove_attr_dir(tmpl);
}

Test(sandbox_support, apparmor_exec_write_failure_is_reported)
{
    if (!SN_FAULT_INJECTION)
        cr_skip_test("fault injection is compiled out");
    char tmpl[] = "/tmp/sn-aa-attr-XXXXXX";
    int dir = make_attr_dir(tmpl, true);
    setenv("SN_FAULTS", "apparmor-exec", 1);
    int r = sn_confine_apparmor_set_exec(dir, "snap.hello.world");
    unsetenv("SN_FAULTS");
    cr_assert_eq(r, -EACCES);
    expect_file(dir, "apparmor/exec", "");
    close(dir);
    remove_attr_dir(tmpl);
}

Test(sandbox_support, apparmor_profile_list_matches_the_whole_name_in_enforce_mode)
{
    const char *list = "snap.hello.world (complain)\n"
                       "snap.hello.worldwide (enforce)\n"
                       "snap-update-ns.hello (enforce)\n"
                       "snap.other.app (enforce)\n";
    cr_assert_not(sn_confine_apparmor_profile_enforced(list, "snap.hello.world"), "complain mode or a longer name");
    cr_assert(sn_confine_apparmor_profile_enforced(list, "snap.hello.worldwide"));
    cr_assert(sn_confine_apparmor_profile_enforced(list, "snap.other.app"));
    cr_assert_not(sn_confine_apparmor_profile_enforced(list, "snap.other"));
    cr_assert_not(sn_confine_apparmor_profile_enforced("", "snap.other.app"));
    cr_assert_not(sn_confine_apparmor_profile_enforced("snap.other.app (enforce)", "snap.other.app"),
                  "a line without its newline is not complete");
}
