/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service-log.h"
#include "strutil.h"

static char *joined(SnServiceLog *log, char *const *sids, long n)
{
    SnServiceLogEntry *e = NULL;
    size_t count = 0;
    cr_assert_eq(sn_service_log_read(log, sids, n, &e, &count), 0);
    SnBuf b = {0};
    for (size_t i = 0; i < count; i++)
        sn_buf_printf(&b, "%s:%s|", e[i].sid, e[i].message);
    sn_service_log_entries_free(e, count);
    return sn_buf_steal(&b);
}

Test(service_log, read_merges_services_in_time_order_and_keeps_the_last_n)
{
    _sn_cleanup_(sn_service_log_freep) SnServiceLog *log = sn_service_log_new(0, 0);
    cr_assert_eq(sn_service_log_append(log, "a.x", 1, 100, "a1", 2), 0);
    cr_assert_eq(sn_service_log_append(log, "b.y", 2, 50, "b1", 2), 0);
    cr_assert_eq(sn_service_log_append(log, "a.x", 1, 200, "a2", 2), 0);
    cr_assert_eq(sn_service_log_append(log, "b.y", 2, 200, "b2", 2), 0); /* same time: order of arrival */
    _sn_free_ char *all = joined(log, NULL, -1);
    cr_assert_str_eq(all, "b.y:b1|a.x:a1|a.x:a2|b.y:b2|");
    _sn_free_ char *last2 = joined(log, NULL, 2);
    cr_assert_str_eq(last2, "a.x:a2|b.y:b2|");
    char *only_a[] = {"a.x", NULL};
    _sn_free_ char *a = joined(log, only_a, 10);
    cr_assert_str_eq(a, "a.x:a1|a.x:a2|");
    _sn_free_ char *none = joined(log, NULL, 0);
    cr_assert_str_eq(none, "");
    char *unknown[] = {"c.z", NULL};
    _sn_free_ char *empty = joined(log, unknown, -1);
    cr_assert_str_eq(empty, "");
}

Test(service_log, rings_drop_the_oldest_by_lines_and_by_bytes)
{
    _sn_cleanup_(sn_service_log_freep) SnServiceLog *log = sn_service_log_new(3, 10);
    for (int i = 0; i < 5; i++) {
        char m[16];
        snprintf(m, sizeof(m), "m%d", i);
        cr_assert_eq(sn_service_log_append(log, "s.a", 1, i, m, strlen(m)), 0);
    }
    cr_assert_eq(sn_service_log_append(log, "s.b", 1, 9, "x", 1), 0);
    char *a[] = {"s.a", NULL};
    _sn_free_ char *lines = joined(log, a, -1);
    cr_assert_str_eq(lines, "s.a:m2|s.a:m3|s.a:m4|");
    cr_assert_eq(sn_service_log_append(log, "s.a", 1, 10, "0123456789", 10), 0);
    _sn_free_ char *bytes = joined(log, a, -1);
    cr_assert_str_eq(bytes, "s.a:0123456789|");
    /* the other service's ring is its own */
    char *b[] = {"s.b", NULL};
    _sn_free_ char *other = joined(log, b, -1);
    cr_assert_str_eq(other, "s.b:x|");
}

Test(service_log, feed_splits_lines_keeps_partials_and_cuts_long_lines)
{
    _sn_cleanup_(sn_service_log_freep) SnServiceLog *log = sn_service_log_new(0, 1 << 20);
    SnServiceLogPartial part = {0};
    cr_assert_eq(sn_service_log_feed(log, "s.a", 7, &part, "one\ntw", 6), 0);
    _sn_free_ char *t1 = joined(log, NULL, -1);
    cr_assert_str_eq(t1, "s.a:one|");
    cr_assert_eq(sn_service_log_feed(log, "s.a", 7, &part, "o\n\nthree", 8), 0);
    _sn_free_ char *t2 = joined(log, NULL, -1);
    cr_assert_str_eq(t2, "s.a:one|s.a:two|s.a:|");
    cr_assert_eq(sn_service_log_flush(log, "s.a", 7, &part), 0);
    _sn_free_ char *t3 = joined(log, NULL, -1);
    cr_assert_str_eq(t3, "s.a:one|s.a:two|s.a:|s.a:three|");

    _sn_cleanup_(sn_service_log_freep) SnServiceLog *big = sn_service_log_new(0, 1 << 20);
    size_t len = SN_SERVICE_LOG_LINE_MAX * 2 + 10;
    char *data = malloc(len + 1);
    memset(data, 'x', len);
    data[len] = '\n';
    SnServiceLogPartial p2 = {0};
    cr_assert_eq(sn_service_log_feed(big, "s.b", 1, &p2, data, len + 1), 0);
    SnServiceLogEntry *e = NULL;
    size_t n = 0;
    cr_assert_eq(sn_service_log_read(big, NULL, -1, &e, &n), 0);
    cr_assert_eq(n, 3);
    cr_assert_eq(strlen(e[0].message), SN_SERVICE_LOG_LINE_MAX);
    cr_assert_eq(strlen(e[2].message), 10);
    sn_service_log_entries_free(e, n);
    /* a line of exactly the maximum is one entry */
    SnServiceLogPartial p3 = {0};
    _sn_cleanup_(sn_service_log_freep) SnServiceLog *exact = sn_service_log_new(0, 1 << 20);
    data[SN_SERVICE_LOG_LINE_MAX] = '\n';
    cr_assert_eq(sn_service_log_feed(exact, "s.c", 1, &p3, data, SN_SERVICE_LOG_LINE_MAX + 1), 0);
    cr_assert_eq(sn_service_log_read(exact, NULL, -1, &e, &n), 0);
    cr_assert_eq(n, 1);
    sn_service_log_entries_free(e, n);
    free(data);
}

typedef struct Seen {
    int n;
    char last[64];
} Seen;

static void follower(const SnServiceLogEntry *e, void *ud)
{
    Seen *s = ud;
    s->n++;
    snprintf(s->last, sizeof(s->last), "%s:%s", e->sid, e->message);
}

Test(service_log, followers_see_new_entries_of_their_services_until_unfollowed)
{
    _sn_cleanup_(sn_service_log_freep) SnServiceLog *log = sn_service_log_new(0, 0);
    cr_assert_eq(sn_service_log_append(log, "a.x", 1, 1, "before", 6), 0);
    Seen a = {0}, all = {0};
    char *sids[] = {"a.x", NULL};
    uint64_t ida, idall;
    cr_assert_eq(sn_service_log_follow(log, sids, follower, &a, &ida), 0);
    cr_assert_eq(sn_service_log_follow(log, NULL, follower, &all, &idall), 0);
    cr_assert_eq(sn_service_log_append(log, "a.x", 1, 2, "hello", 5), 0);
    cr_assert_eq(sn_service_log_append(log, "b.y", 1, 3, "other", 5), 0);
    cr_assert_eq(a.n, 1);
    cr_assert_str_eq(a.last, "a.x:hello");
    cr_assert_eq(all.n, 2);
    sn_service_log_unfollow(log, ida);
    sn_service_log_unfollow(log, 12345);
    cr_assert_eq(sn_service_log_append(log, "a.x", 1, 4, "again", 5), 0);
    cr_assert_eq(a.n, 1);
    cr_assert_eq(all.n, 3);
    sn_service_log_forget(log, "a.x");
    _sn_free_ char *left = joined(log, NULL, -1);
    cr_assert_str_eq(left, "b.y:other|");
}

Test(service_log, entries_format_as_snap_logs_prints_them)
{
    SnServiceLogEntry e = {.timestamp_ns = 1795910400LL * 1000000000 + 123456789,
                           .sid = "hello.svc",
                           .pid = 42,
                           .message = "listening on :80"};
    _sn_free_ char *line = sn_service_log_entry_format(&e);
    cr_assert_str_eq(line, "2026-11-29T00:00:00Z hello.svc[42]: listening on :80");
    char buf[64];
    cr_assert_str_eq(sn_service_log_format_timestamp(e.timestamp_ns, buf, sizeof(buf)),
                     "2026-11-29T00:00:00.123456789Z");
    cr_assert_str_eq(sn_service_log_format_timestamp(1795910400LL * 1000000000 + 500000000, buf, sizeof(buf)),
                     "2026-11-29T00:00:00.5Z");
    cr_assert_str_eq(sn_service_log_format_timestamp(1795910400LL * 1000000000, buf, sizeof(buf)),
                     "2026-11-29T00:00:00Z");
}
