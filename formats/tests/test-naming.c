/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>

#include "naming.h"

Test(naming, snap_names_follow_snapd)
{
    const char *good[] = {
        "aa", "a0", "hello-world", "0ad", "x1-y2", "a-b-c", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"};
    const char *bad[] = {"",
                         "a",
                         "a--b",
                         "-ab",
                         "ab-",
                         "Hello",
                         "123",
                         "foo.bar",
                         "foo_bad",
                         "a b",
                         "xxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxx",
                         "é1"};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        cr_assert(sn_name_snap_valid(good[i]), "%s should be valid", good[i]);
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        cr_assert_not(sn_name_snap_valid(bad[i]), "%s should be invalid", bad[i]);
    cr_assert_not(sn_name_snap_valid(NULL));
}

Test(naming, instance_names_take_a_short_key)
{
    cr_assert(sn_name_instance_valid("foo_bar1"));
    cr_assert(sn_name_instance_valid("foo"));
    cr_assert_not(sn_name_instance_valid("foo_"));
    cr_assert_not(sn_name_instance_valid("foo_BAR"));
    cr_assert_not(sn_name_instance_valid("foo_12345678901"));
    cr_assert_not(sn_name_instance_valid("f_x"));
}

Test(naming, app_plug_alias_rules)
{
    cr_assert(sn_name_app_valid("Foo-1"));
    cr_assert_not(sn_name_app_valid("my_app"));
    cr_assert_not(sn_name_app_valid("tes!me"));
    cr_assert_not(sn_name_app_valid("a-"));
    cr_assert(sn_name_plug_valid("network-bind"));
    cr_assert_not(sn_name_plug_valid("p--lug"));
    cr_assert_not(sn_name_plug_valid("1abc"));
    cr_assert_not(sn_name_plug_valid("Abc"));
    cr_assert(sn_name_alias_valid("foo.bar_baz-1"));
    cr_assert_not(sn_name_alias_valid("foo$"));
    cr_assert_not(sn_name_alias_valid(".foo"));
}

Test(naming, ids_and_accounts)
{
    cr_assert(sn_name_snap_id_valid("buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ"));
    cr_assert_not(sn_name_snap_id_valid("buPKUD3TKqCOgLEjjHx5kSiCpIs5cMu"));
    cr_assert_not(sn_name_snap_id_valid("buPKUD3TKqCOgLEjjHx5kSiCpIs5cMu-"));
    cr_assert(sn_name_account_id_valid("canonical"));
    cr_assert(sn_name_account_id_valid("testrootorg"));
    cr_assert(sn_name_account_id_valid("generic"));
    cr_assert_not(sn_name_account_id_valid("a"));
    cr_assert_not(sn_name_account_id_valid("Canonical"));
}
