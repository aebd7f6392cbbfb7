/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>

#include "macros.h"
#include "path-util.h"

Test(path_util, clean_is_gos)
{
    const char *cases[][2] = {
        {"", "."},         {"a//b/./c/", "a/b/c"}, {"a/../../b", "../b"}, {"/../x", "/x"}, {"./bin/x y", "bin/x y"},
        {"/a/b/..", "/a"}, {"..", ".."},           {"a/..", "."},         {"/", "/"},      {"$SNAP/bin", "$SNAP/bin"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(cases); i++) {
        _sn_free_ char *c = sn_path_clean(cases[i][0]);
        cr_assert_str_eq(c, cases[i][1], "clean(%s)", cases[i][0]);
    }
}
