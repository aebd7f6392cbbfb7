/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "macros.h"
#include "spdx.h"

Test(spdx, accepts_expressions_snapd_accepts)
{
    static const char *const good[] = {
        "GPL-3.0",
        "GPL-3.0+",
        "MIT",
        "GPL-2.0-only OR MIT",
        "Apache-2.0 AND MIT",
        "GPL-2.0-or-later WITH Classpath-exception-2.0",
        "(MIT OR Apache-2.0) AND BSD-3-Clause",
        "((MIT))",
        "MIT\nAND  Zlib",
        "(GPL-2.0 WITH GCC-exception-2.0)",
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        cr_assert_eq(sn_spdx_validate_license(good[i], &e), 0, "%s: %s", good[i], sn_error_message(e, -EINVAL));
    }
}

Test(spdx, refuses_with_snapd_messages)
{
    static const char *const bad[][2] = {
        {"GPL~3.0", "unknown license: GPL~3.0"},
        {"mit", "unknown license: mit"},
        {"", "empty expression"},
        {"()", "empty expression"},
        {"MIT AND", "missing license after AND"},
        {"AND MIT", "missing license before AND"},
        {"MIT AND OR GPL-3.0", "expected license name, got \"OR\""},
        {"MIT GPL-3.0", "missing AND or OR between \"MIT\" and \"GPL-3.0\""},
        {"MIT foo", "unexpected string: \"foo\""},
        {"MIT WITH Foo-exception", "unknown license exception: Foo-exception"},
        {"MIT WITH (Classpath-exception-2.0)", "\"(\" not allowed after WITH"},
        {"MIT WITH AND", "expected exception name, got \"AND\""},
        {"(WITH MIT)", "missing license before WITH"},
        {"MIT)", "unexpected \")\""},
        {"(MIT", "expected \")\" got \"\""},
        {"(MIT) WITH Classpath-exception-2.0", "expected license name before WITH"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        _sn_cleanup_(sn_error_freep) SnError *e = NULL;
        cr_assert_eq(sn_spdx_validate_license(bad[i][0], &e), -EINVAL, "accepted \"%s\"", bad[i][0]);
        cr_assert(strstr(e->message, bad[i][1]), "%s: \"%s\" lacks \"%s\"", bad[i][0], e->message, bad[i][1]);
    }
}

Test(spdx, deep_nesting_and_long_tokens_are_bounded)
{
    char deep[400];
    memset(deep, '(', 100);
    strcpy(deep + 100, "MIT");
    memset(deep + 103, ')', 100);
    deep[203] = '\0';
    cr_assert_eq(sn_spdx_validate_license(deep, NULL), -EINVAL);
    char lng[1000];
    memset(lng, 'A', sizeof(lng) - 1);
    lng[sizeof(lng) - 1] = '\0';
    cr_assert_eq(sn_spdx_validate_license(lng, NULL), -EINVAL);
    cr_assert(sn_spdx_license_known("0BSD"));
    cr_assert(sn_spdx_license_known("ZPL-2.1"));
    cr_assert_not(sn_spdx_license_known("zpl-2.1"));
    cr_assert(sn_spdx_exception_known("WxWindows-exception-3.1"));
    cr_assert_not(sn_spdx_license_known(NULL));
}
