/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "privs.h"

/* Criterion runs each test in its own process, so dropping privileges here is real and contained. */

Test(privs, drops_to_the_caller_and_cannot_get_back)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    sn_confine_set_caller(65534, 65534);
    sn_confine_drop_privileges();
    uid_t r, e, s;
    cr_assert_eq(getresuid(&r, &e, &s), 0);
    cr_assert(r == 65534 && e == 65534 && s == 65534);
    cr_assert_neq(setuid(0), 0);
    cap_t caps = cap_get_proc();
    cap_flag_value_t v = CAP_SET;
    cr_assert_eq(cap_get_flag(caps, CAP_SYS_ADMIN, CAP_PERMITTED, &v), 0);
    cr_assert_eq(v, CAP_CLEAR);
    cap_free(caps);
}

Test(privs, a_root_caller_keeps_only_dac_override)
{
    if (geteuid() != 0)
        cr_skip_test("needs root");
    sn_confine_set_caller(0, 0);
    sn_confine_drop_privileges();
    cap_t caps = cap_get_proc();
    cap_flag_value_t v = CAP_SET;
    cr_assert_eq(cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v), 0);
    cr_assert_eq(v, CAP_CLEAR);
    cr_assert_eq(cap_get_flag(caps, CAP_DAC_OVERRIDE, CAP_EFFECTIVE, &v), 0);
    cr_assert_eq(v, CAP_SET);
    cap_free(caps);
    cr_assert_eq(prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0), 0);
}

Test(privs, sets_no_new_privs)
{
    sn_confine_set_no_new_privs();
    cr_assert_eq(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
}

Test(privs, dies_when_setresuid_fails, .exit_code = 1)
{
    if (geteuid() != 0)
        exit(1);
    setenv("SN_FAULTS", "setresuid", 1);
    sn_confine_set_caller(65534, 65534);
    sn_confine_drop_privileges();
    /* Only reached when fault injection is compiled out: exit like the helper would have. */
    exit(geteuid() == 65534 ? 1 : 0);
}
