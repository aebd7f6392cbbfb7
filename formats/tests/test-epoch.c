/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "epoch.h"
#include "yaml-tree.h"

static int epoch_of(const char *yaml, SnEpoch *ret, char **ret_msg)
{
    SnYamlNode root = {0};
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    cr_assert_eq(sn_yaml_tree_load(yaml, strlen(yaml), &root, NULL), 0);
    int r = sn_epoch_from_yaml(sn_yaml_node_get(&root, "epoch"), ret, &e);
    if (ret_msg)
        *ret_msg = r < 0 ? strdup(e->message) : NULL;
    sn_yaml_node_done(&root);
    return r;
}

static char *str_of(const char *yaml)
{
    SnEpoch ep;
    cr_assert_eq(epoch_of(yaml, &ep, NULL), 0, "%s", yaml);
    return sn_epoch_to_string(&ep);
}

Test(epoch, short_and_structured_forms)
{
    static const char *const cases[][2] = {
        {"epoch: 0", "0"},
        {"epoch:", "0"},
        {"epoch: \"\"", "0"},
        {"epoch: 1", "1"},
        {"epoch: 1*", "1*"},
        {"epoch: 400*", "400*"},
        {"epoch: {read: [1, 2], write: [2]}", "2*"},
        {"epoch: {read: [1, 3], write: [3]}", "{read: [1, 3], write: [3]}"},
        {"epoch: {write: [4]}", "4"},
        {"epoch: {read: [1, 2, 3]}", "{read: [1, 2, 3], write: [3]}"},
        {"epoch: {read: [0], write: [0]}", "0"},
        {"epoch: {}", "0"},
        {"epoch: 4294967295", "4294967295"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *s = str_of(cases[i][0]);
        cr_assert_str_eq(s, cases[i][1], "%s", cases[i][0]);
    }
}

Test(epoch, refuses_bad_epochs_with_snapd_messages)
{
    static const char *const cases[][2] = {
        {"epoch: 0*", "0* is an invalid epoch"},
        {"epoch: 01", "epoch numbers must be base 10 with no zero padding, but got \"01\""},
        {"epoch: -1", "base 10 with no zero padding, but got \"-1\""},
        {"epoch: 1**", "but got \"1*\""},
        {"epoch: 4294967296", "epoch numbers must be less than 2^32, but got \"4294967296\""},
        {"epoch: {read: []}", "epoch list cannot be explicitly empty"},
        {"epoch: {read: [1], write: []}", "epoch list cannot be explicitly empty"},
        {"epoch: {read: [2, 1], write: [2]}", "epoch list must be a strictly increasing sequence"},
        {"epoch: {read: [1, 1], write: [1]}", "strictly increasing"},
        {"epoch: {read: [0,1,2,3,4,5,6,7,8,9,10], write: [10]}", "epoch list must not have more than 10 entries"},
        {"epoch: {read: [1], write: [2]}", "epoch read and write lists must have a non-empty intersection"},
        {"epoch: {read: 1}", "epoch read/write attributes must be lists of epoch numbers"},
        {"epoch: {read: [[1]]}", "epoch read/write attributes must be lists of epoch numbers"},
        {"epoch: [1]", "epoch must be a number"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        SnEpoch ep = {.n_read = 77};
        _sn_free_ char *msg = NULL;
        cr_assert_lt(epoch_of(cases[i][0], &ep, &msg), 0, "%s", cases[i][0]);
        cr_assert_eq(ep.n_read, 77, "written on failure");
        cr_assert(strstr(msg, cases[i][1]), "%s: \"%s\" lacks \"%s\"", cases[i][0], msg, cases[i][1]);
    }
}

Test(epoch, from_string_and_can_read)
{
    SnEpoch a, b;
    cr_assert_eq(sn_epoch_from_string("2*", &a, NULL), 0);
    cr_assert_eq(sn_epoch_from_string("1", &b, NULL), 0);
    cr_assert(sn_epoch_can_read(&a, &b));
    cr_assert_not(sn_epoch_can_read(&b, &a));
    cr_assert(sn_epoch_can_read(NULL, NULL));
    cr_assert_eq(sn_epoch_validate(&a, NULL), 0);
    SnEpoch bad = {.read = {3, 2}, .n_read = 2, .write = {3}, .n_write = 1};
    cr_assert_eq(sn_epoch_validate(&bad, NULL), -EINVAL);
    _sn_free_ char *z = sn_epoch_to_string(NULL);
    cr_assert_str_eq(z, "0");
}
