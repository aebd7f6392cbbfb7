/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>

#include "error.h"

Test(error, set_returns_code_and_keeps_first)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_error_set(&e, -EINVAL, "first %d", 1), -EINVAL);
    cr_assert_eq(sn_error_set(&e, -ENOENT, "second"), -ENOENT);
    cr_assert_str_eq(e->message, "first 1");
    cr_assert_eq(e->code, -EINVAL);
    cr_assert_eq(e->line, 0);
}

Test(error, set_accepts_null)
{
    cr_assert_eq(sn_error_set(NULL, -EIO, "ignored"), -EIO);
    cr_assert_str_eq(sn_error_message(NULL, -ENOENT), "No such file or directory");
}

Test(error, set_at_records_line)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    sn_error_set_at(&e, -EINVAL, 7, "bad %s", "field");
    cr_assert_eq(e->line, 7);
    cr_assert_str_eq(sn_error_message(e, -EINVAL), "bad field");
}

Test(error, prefix_prepends)
{
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    sn_error_set(&e, -EINVAL, "inner");
    cr_assert_eq(sn_error_prefix(&e, -EINVAL, "outer %s", "x"), -EINVAL);
    cr_assert_str_eq(e->message, "outer x: inner");
    cr_assert_eq(sn_error_prefix(NULL, -EIO, "nothing"), -EIO);
}
