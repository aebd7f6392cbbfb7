/* SPDX-License-Identifier: GPL-3.0-only */
#include "fault.h"

#if SN_FAULT_INJECTION
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

/* Counts calls per name; a handful of distinct names per process is all tests use. */
static struct {
    char name[64];
    unsigned long calls;
} counters[32];

static unsigned long bump(const char *name)
{
    for (size_t i = 0; i < 32; i++) {
        if (counters[i].name[0] == '\0') {
            snprintf(counters[i].name, sizeof(counters[i].name), "%s", name);
            return ++counters[i].calls;
        }
        if (strcmp(counters[i].name, name) == 0)
            return ++counters[i].calls;
    }
    return 0;
}

bool sn_faulty(const char *name)
{
    const char *spec = secure_getenv("SN_FAULTS");
    if (!spec || !*spec)
        return false;
    size_t len = strlen(name);
    unsigned long n = bump(name);
    for (const char *p = spec; *p;) {
        const char *end = strchrnul(p, ',');
        if ((size_t)(end - p) >= len && strncmp(p, name, len) == 0) {
            const char *rest = p + len;
            if (rest == end)
                return true;
            if (*rest == ':') {
                uint64_t want;
                _sn_free_ char *num = strndup(rest + 1, (size_t)(end - rest - 1));
                if (num && sn_parse_u64(num, &want) >= 0 && want == n)
                    return true;
            }
        }
        p = *end ? end + 1 : end;
    }
    return false;
}
#endif
