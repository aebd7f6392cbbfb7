/* SPDX-License-Identifier: GPL-3.0-only */
#include "timer-schedule.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

typedef struct Week {
    int day;
    unsigned pos; /* 0: every week; 1..5: nth (5: last) */
} Week;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ^([0-9]|0[0-9]|1[0-9]|2[0-3]):([0-5][0-9])$|^24:00$ */
static bool valid_clock(const char *s, size_t n)
{
    if (n == 5 && memcmp(s, "24:00", 5) == 0)
        return true;
    const char *colon = memchr(s, ':', n);
    if (!colon)
        return false;
    size_t h = (size_t)(colon - s), m = n - h - 1;
    if (m != 2 || !is_digit(colon[1]) || colon[1] > '5' || !is_digit(colon[2]))
        return false;
    if (h == 1)
        return is_digit(s[0]);
    if (h == 2)
        return (s[0] == '0' || s[0] == '1') ? is_digit(s[1]) : (s[0] == '2' && s[1] >= '0' && s[1] <= '3');
    return false;
}

static bool parse_weekday(const char *s, size_t n, Week *ret)
{
    static const char *const days[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    if (n != 3 && n != 4)
        return false;
    unsigned pos = 0;
    if (n == 4) {
        if (s[3] < '1' || s[3] > '5')
            return false;
        pos = (unsigned)(s[3] - '0');
    }
    for (int i = 0; i < 7; i++)
        if (memcmp(s, days[i], 3) == 0) {
            *ret = (Week){i, pos};
            return true;
        }
    return false;
}

static int week_span(const char *s, size_t n, SnError **reterr)
{
    const char *dash = memchr(s, '-', n);
    Week start, end;
    if (dash && memchr(dash + 1, '-', n - (size_t)(dash - s) - 1))
        return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": invalid week span", (int)n, s);
    size_t first = dash ? (size_t)(dash - s) : n;
    if (!parse_weekday(s, first, &start))
        return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": \"%.*s\" is not a valid weekday", (int)n, s,
                            (int)first, s);
    end = start;
    if (dash) {
        size_t second = n - first - 1;
        if (!parse_weekday(dash + 1, second, &end))
            return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": \"%.*s\" is not a valid weekday", (int)n, s,
                                (int)second, dash + 1);
    }
    if (start.pos != 0 && end.pos != 0 && end.pos < start.pos)
        return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": unsupported schedule", (int)n, s);
    return 0;
}

static int clock_span(const char *s, size_t n, SnError **reterr)
{
    _sn_free_ char *rest = strndup(s, n);
    if (!rest)
        return -ENOMEM;
    char *slash = strchr(rest, '/');
    if (slash) {
        uint64_t count;
        if (strchr(slash + 1, '/'))
            return sn_error_set(reterr, -EINVAL, "cannot parse \"%s\": not a valid interval", rest);
        if (sn_parse_u64(slash + 1, &count) < 0 || count == 0 || count > UINT32_MAX) {
            /* Go's ParseUint accepts leading zeros; sn_parse_u64 does not, so retry without them. */
            const char *c = slash + 1;
            while (*c == '0' && c[1])
                c++;
            if (sn_parse_u64(c, &count) < 0 || count == 0 || count > UINT32_MAX) {
                *slash = '\0';
                return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": not a valid interval", (int)n, s);
            }
        }
        *slash = '\0';
    }
    char *tilde = strchr(rest, '~');
    if (tilde)
        *tilde = '-';
    if (SN_STREQ(rest, "-"))
        return 0;
    char *dash = strchr(rest, '-');
    bool ok;
    if (dash)
        ok = valid_clock(rest, (size_t)(dash - rest)) && valid_clock(dash + 1, strlen(dash + 1));
    else
        ok = valid_clock(rest, strlen(rest));
    if (!ok)
        return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": not a valid time", (int)n, s);
    return 0;
}

static int event_set(const char *s, size_t n, SnError **reterr)
{
    bool expect_time = false;
    const char *p = s, *end = s + n;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *fend = comma ? comma : end;
        size_t flen = (size_t)(fend - p);
        int r;
        if (flen == 0)
            return sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": not a valid fragment", (int)n, s);
        if (memchr(p, ':', flen)) {
            r = clock_span(p, flen, reterr);
            expect_time = true;
        } else if (!expect_time) {
            r = week_span(p, flen, reterr);
        } else {
            r = sn_error_set(reterr, -EINVAL, "cannot parse \"%.*s\": invalid schedule fragment", (int)flen, p);
        }
        if (r < 0)
            return r;
        if (!comma)
            return 0;
        p = comma + 1;
    }
}

int sn_timer_schedule_validate(const char *spec, SnError **reterr)
{
    if (!spec)
        return sn_error_set(reterr, -EINVAL, "cannot parse an absent schedule");
    const char *p = spec;
    for (;;) {
        const char *sep = strstr(p, ",,");
        size_t n = sep ? (size_t)(sep - p) : strlen(p);
        int r = event_set(p, n, reterr);
        if (r < 0)
            return r;
        if (!sep)
            return 0;
        p = sep + 2;
    }
}
