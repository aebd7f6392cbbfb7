/* SPDX-License-Identifier: GPL-3.0-only */
/* Names and revisions: kept apart from the compiler so that `snap run` links no libseccomp. */
#include <string.h>

#include "policy-build.h"
#include "policy-internal.h"
#include "strutil.h"

/* The same name rules as snap-confine's gate: a profile or path never carries anything else. */
bool sn_policy_name_ok(const char *s, bool allow_upper)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  (allow_upper && c >= 'A' && c <= 'Z');
        if (!ok || (c == '-' && s[i + 1] == '-'))
            return false;
    }
    return true;
}

char *sn_policy_security_tag(const SnPolicyInput *in)
{
    if (!sn_policy_name_ok(in->snap_name, false) || (!in->app == !in->hook))
        return NULL;
    if (in->app)
        return sn_policy_name_ok(in->app, true) && !strchr(in->app, '_')
                   ? sn_strdup_printf("snap.%s.%s", in->snap_name, in->app)
                   : NULL;
    return sn_policy_name_ok(in->hook, false) && !strchr(in->hook, '_')
               ? sn_strdup_printf("snap.%s.hook.%s", in->snap_name, in->hook)
               : NULL;
}

/* Revisions as snapd writes them: a positive number, or x and a positive number for local ones. */
bool sn_policy_revision_valid(const char *rev)
{
    const char *p = rev && rev[0] == 'x' ? rev + 1 : rev;
    if (!p || !*p || *p == '0' || strlen(p) > 19)
        return false;
    for (; *p; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}
