/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <stdlib.h>
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
