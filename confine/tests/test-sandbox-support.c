/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
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
