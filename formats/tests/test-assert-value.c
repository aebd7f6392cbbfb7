/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-value.c: header values (strings, lists, maps keeping insertion order).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-value.h"

Test(assert_value, maps_keep_insertion_order_and_replace_in_place)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = sn_assert_value_new_map();
    cr_assert_not_null(m);
    cr_assert_eq(sn_assert_value_map_set_string(m, "z", "1"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "a", "2"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(m, "m", "3"), 0);
    cr_assert_eq(m->n, 3);
    cr_assert_str_eq(m->keys[0], "z");
    cr_assert_str_eq(m->keys[1], "a");
    cr_assert_eq(sn_assert_value_map_set_string(m, "a", "two"), 0);
    cr_assert_eq(m->n, 3, "setting an existing key replaces its value");
    cr_assert_str_eq(m->keys[1], "a");
    cr_assert_str_eq(sn_assert_value_map_get_string(m, "a"), "two");
    sn_assert_value_map_remove(m, "z");
    sn_assert_value_map_remove(m, "nope");
    cr_assert_eq(m->n, 2);
    cr_assert_str_eq(m->keys[0], "a");
    cr_assert_str_eq(m->keys[1], "m");
    cr_assert_null(sn_assert_value_map_get(m, "z"));
    cr_assert_null(sn_assert_value_map_get(NULL, "a"));
}

Test(assert_value, get_string_only_returns_strings)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *m = sn_assert_value_new_map();
    SnAssertValue *l = sn_assert_value_new_list();
    cr_assert_eq(sn_assert_value_list_append(l, sn_assert_value_new_string("x")), 0);
    cr_assert_eq(sn_assert_value_map_set(m, "list", l), 0);
    cr_assert_not_null(sn_assert_value_map_get(m, "list"));
    cr_assert_null(sn_assert_value_map_get_string(m, "list"));
    cr_assert_null(sn_assert_value_map_get(sn_assert_value_map_get(m, "list"), "x"), "a list is not a map");
    SnAssertValue *s = sn_assert_value_new_string_len("abcdef", 3);
    cr_assert_str_eq(s->str, "abc");
    cr_assert_null(sn_assert_value_map_get(s, "abc"));
    sn_assert_value_free(s);
}

Test(assert_value, copies_are_deep_and_equality_ignores_map_order)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *a = sn_assert_value_new_map();
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *b = sn_assert_value_new_map();
    SnAssertValue *l = sn_assert_value_new_list();
    cr_assert_eq(sn_assert_value_list_append(l, sn_assert_value_new_string("1")), 0);
    cr_assert_eq(sn_assert_value_list_append(l, sn_assert_value_new_string("2")), 0);
    cr_assert_eq(sn_assert_value_map_set(a, "l", l), 0);
    cr_assert_eq(sn_assert_value_map_set_string(a, "k", "v"), 0);
    cr_assert_eq(sn_assert_value_map_set_string(b, "k", "v"), 0);
    cr_assert_eq(sn_assert_value_map_set(b, "l", sn_assert_value_copy(l)), 0);
    cr_assert(sn_assert_value_equal(a, b), "maps with the same entries in another order are equal");

    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *c = sn_assert_value_copy(a);
    cr_assert(sn_assert_value_equal(a, c));
    SnAssertValue *cl = sn_assert_value_map_get(c, "l");
    cr_assert_neq(cl, l, "the copy has its own list");
    cr_assert_eq(sn_assert_value_list_append(cl, sn_assert_value_new_string("3")), 0);
    cr_assert_eq(l->n, 2, "changing the copy leaves the original");
    cr_assert_not(sn_assert_value_equal(a, c));
    cr_assert_eq(sn_assert_value_map_set_string(c, "k", "w"), 0);
    cr_assert_str_eq(sn_assert_value_map_get_string(a, "k"), "v");

    /* lists compare in order */
    SnAssertValue *l2 = sn_assert_value_new_list();
    cr_assert_eq(sn_assert_value_list_append(l2, sn_assert_value_new_string("2")), 0);
    cr_assert_eq(sn_assert_value_list_append(l2, sn_assert_value_new_string("1")), 0);
    cr_assert_not(sn_assert_value_equal(l, l2));
    sn_assert_value_free(l2);
    cr_assert_not(sn_assert_value_equal(sn_assert_value_map_get(a, "k"), l), "kinds differ");
}

Test(assert_value, free_accepts_null)
{
    cr_assert_null(sn_assert_value_free(NULL));
}
