/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>

#include "landlock-support.h"

Test(landlock_support, masks_rights_by_abi)
{
    cr_assert_eq(sn_confine_landlock_fs_mask(0), 0);
    cr_assert_eq(sn_confine_landlock_fs_mask(1), 0x1fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(2), 0x3fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(4), 0x7fff);
    cr_assert_eq(sn_confine_landlock_fs_mask(5), 0xffff);
    cr_assert_eq(sn_confine_landlock_fs_mask(7), 0xffff);
    cr_assert_eq(sn_confine_landlock_net_mask(3), 0);
    cr_assert_eq(sn_confine_landlock_net_mask(4), 3);
    cr_assert_eq(sn_confine_landlock_scope_mask(5), 0);
    cr_assert_eq(sn_confine_landlock_scope_mask(6), 3);
}

Test(landlock_support, reads_the_kernel_abi)
{
    /* This machine documents ABI 7; elsewhere anything >= 0 is a valid answer. */
    int abi = sn_confine_landlock_abi();
    cr_assert_geq(abi, 0);
}
