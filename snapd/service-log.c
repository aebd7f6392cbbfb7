/* SPDX-License-Identifier: GPL-3.0-only */
#include "service-log.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strutil.h"

typedef struct Slot {
    SnServiceLogEntry e;
    uint64_t seq; /* order of arrival across all rings: breaks timestamp ties */
} Slot;

typedef struct Ring {
    char *sid;
    Slot *slots; /* max_lines of them, circular */
    size_t head; /* index of the oldest */
    size_t count;
    size_t bytes;
} Ring;

typedef struct Follower {
    uint64_t id;
    char **sids;
    SnServiceLogFollowFn fn;
    void *userdata;
} Follower;

struct SnServiceLog {
    pthread_mutex_t lock;
    size_t max_lines;
    size_t max_bytes;
    Ring *rings;
    size_t n_rings;
    Follower *followers;
    size_t n_followers;
    uint64_t next_seq;
    uint64_t next_follower;
};

SnServiceLog *sn_service_log_new(size_t max_lines, size_t max_bytes)
{
    SnServiceLog *log = calloc(1, sizeof(*log));
    if (!log)
        return NULL;
    pthread_mutex_init(&log->lock, NULL);
    log->max_lines = max_lines ? max_lines : SN_SERVICE_LOG_DEFAULT_LINES;
    log->max_bytes = max_bytes ? max_bytes : SN_SERVICE_LOG_DEFAULT_BYTES;
    log->next_follower = 1;
    return log;
}

static void ring_done(Ring *r, size_t max_lines)
{
    for (size_t i = 0; i < r->count; i++)
        free(r->slots[(r->head + i) % max_lines].e.message);
    free(r->slots);
    free(r->sid);
}

SnServiceLog *sn_service_log_free(SnServiceLog *log)
{
    if (!log)
        return NULL;
    for (size_t i = 0; i < log->n_rings; i++)
        ring_done(&log->rings[i], log->max_lines);
    free(log->rings);
    for (size_t i = 0; i < log->n_followers; i++)
        sn_strv_free(log->followers[i].sids);
    free(log->followers);
    pthread_mutex_destroy(&log->lock);
    free(log);
    return NULL;
}

static Ring *find_ring(SnServiceLog *log, const char *sid)
{
    for (size_t i = 0; i < log->n_rings; i++)
        if (SN_STREQ(log->rings[i].sid, sid))
            return &log->rings[i];
    return NULL;
}

static Ring *get_ring(SnServiceLog *log, const char *sid)
{
    Ring *r = find_ring(log, sid);
    if (r)
        return r;
    Ring *rings = realloc(log->rings, (log->n_rings + 1) * sizeof(*rings));
    if (!rings)
        return NULL;
    log->rings = rings;
    r = &rings[log->n_rings];
    *r = (Ring){0};
    r->sid = strdup(sid);
    r->slots = calloc(log->max_lines, sizeof(*r->slots));
    if (!r->sid || !r->slots) {
        free(r->sid);
        free(r->slots);
        return NULL;
    }
    log->n_rings++;
    return r;
}

static void ring_drop_oldest(Ring *r, size_t max_lines)
{
    Slot *s = &r->slots[r->head];
    r->bytes -= strlen(s->e.message);
    free(s->e.message);
    s->e.message = NULL;
    r->head = (r->head + 1) % max_lines;
    r->count--;
}

static void notify_followers(SnServiceLog *log, const SnServiceLogEntry *e)
{
    for (size_t i = 0; i < log->n_followers; i++) {
        Follower *f = &log->followers[i];
        if (!f->sids || sn_strv_contains(f->sids, e->sid))
            f->fn(e, f->userdata);
    }
}

static int append_one(SnServiceLog *log, Ring *r, pid_t pid, int64_t ts, const char *msg, size_t len)
{
    char *copy = strndup(msg, len);
    if (!copy)
        return -ENOMEM;
    len = strlen(copy); /* a NUL byte ends the line */
    while (r->count > 0 && (r->count == log->max_lines || r->bytes + len > log->max_bytes))
        ring_drop_oldest(r, log->max_lines);
    Slot *s = &r->slots[(r->head + r->count) % log->max_lines];
    s->e = (SnServiceLogEntry){.timestamp_ns = ts, .sid = r->sid, .pid = pid, .message = copy};
    s->seq = log->next_seq++;
    r->count++;
    r->bytes += len;
    notify_followers(log, &s->e);
    return 0;
}

int sn_service_log_append(SnServiceLog *log, const char *sid, pid_t pid, int64_t timestamp_ns, const char *msg,
                          size_t len)
{
    pthread_mutex_lock(&log->lock);
    int r = 0;
    Ring *ring = get_ring(log, sid);
    if (!ring)
        r = -ENOMEM;
    /* An empty line is still a line; a long one is cut into pieces. */
    size_t off = 0;
    do {
        size_t piece = SN_MIN(len - off, (size_t)SN_SERVICE_LOG_LINE_MAX);
        if (r >= 0)
            r = append_one(log, ring, pid, timestamp_ns, msg + off, piece);
        off += piece;
    } while (r >= 0 && off < len);
    pthread_mutex_unlock(&log->lock);
    return r;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int sn_service_log_feed(SnServiceLog *log, const char *sid, pid_t pid, SnServiceLogPartial *partial, const char *data,
                        size_t len)
{
    int64_t ts = now_ns();
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t take = nl ? (size_t)(nl - data) : len;
        size_t room = sizeof(partial->buf) - partial->len;
        if (take > room || (take == room && !nl)) {
            /* The line fills the buffer: append it as a piece of its own, keep reading the rest. */
            memcpy(partial->buf + partial->len, data, room);
            partial->len += room;
            int r = sn_service_log_append(log, sid, pid, ts, partial->buf, partial->len);
            partial->len = 0;
            if (r < 0)
                return r;
            data += room;
            len -= room;
            continue;
        }
        memcpy(partial->buf + partial->len, data, take);
        partial->len += take;
        data += take;
        len -= take;
        if (nl) {
            int r = sn_service_log_append(log, sid, pid, ts, partial->buf, partial->len);
            partial->len = 0;
            if (r < 0)
                return r;
            data++;
            len--;
        }
    }
    return 0;
}

int sn_service_log_flush(SnServiceLog *log, const char *sid, pid_t pid, SnServiceLogPartial *partial)
{
    if (partial->len == 0)
        return 0;
    int r = sn_service_log_append(log, sid, pid, now_ns(), partial->buf, partial->len);
    partial->len = 0;
    return r;
}

static int cmp_slot(const void *a, const void *b)
{
    const Slot *x = *(const Slot *const *)a, *y = *(const Slot *const *)b;
    if (x->e.timestamp_ns != y->e.timestamp_ns)
        return x->e.timestamp_ns < y->e.timestamp_ns ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void sn_service_log_entries_free(SnServiceLogEntry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++) {
        free(entries[i].sid);
        free(entries[i].message);
    }
    free(entries);
}

int sn_service_log_read(SnServiceLog *log, char *const *sids, long n, SnServiceLogEntry **ret_entries, size_t *ret_n)
{
    pthread_mutex_lock(&log->lock);
    size_t total = 0;
    for (size_t i = 0; i < log->n_rings; i++)
        if (!sids || sn_strv_contains(sids, log->rings[i].sid))
            total += log->rings[i].count;
    int r = 0;
    SnServiceLogEntry *out = NULL;
    size_t n_out = 0;
    Slot **all = total ? calloc(total, sizeof(*all)) : NULL;
    if (total && !all) {
        r = -ENOMEM;
        goto out;
    }
    size_t k = 0;
    for (size_t i = 0; i < log->n_rings; i++) {
        Ring *ring = &log->rings[i];
        if (sids && !sn_strv_contains(sids, ring->sid))
            continue;
        for (size_t j = 0; j < ring->count; j++)
            all[k++] = &ring->slots[(ring->head + j) % log->max_lines];
    }
    if (total > 1)
        qsort(all, total, sizeof(*all), cmp_slot);
    size_t first = (n >= 0 && (size_t)n < total) ? total - (size_t)n : 0;
    if (total - first > 0) {
        out = calloc(total - first, sizeof(*out));
        if (!out) {
            r = -ENOMEM;
            goto out;
        }
    }
    for (size_t i = first; i < total; i++) {
        SnServiceLogEntry *e = &out[n_out++];
        *e = all[i]->e;
        e->sid = strdup(all[i]->e.sid);
        e->message = strdup(all[i]->e.message);
        if (!e->sid || !e->message) {
            r = -ENOMEM;
            goto out;
        }
    }
out:
    pthread_mutex_unlock(&log->lock);
    free(all);
    if (r < 0) {
        sn_service_log_entries_free(out, n_out);
        return r;
    }
    *ret_entries = out;
    *ret_n = n_out;
    return 0;
}

void sn_service_log_forget(SnServiceLog *log, const char *sid)
{
    pthread_mutex_lock(&log->lock);
    Ring *r = find_ring(log, sid);
    if (r) {
        ring_done(r, log->max_lines);
        size_t idx = (size_t)(r - log->rings);
        memmove(r, r + 1, (log->n_rings - idx - 1) * sizeof(*r));
        log->n_rings--;
    }
    pthread_mutex_unlock(&log->lock);
}

int sn_service_log_follow(SnServiceLog *log, char *const *sids, SnServiceLogFollowFn fn, void *userdata,
                          uint64_t *ret_id)
{
    char **copy = NULL;
    for (char *const *s = sids; s && *s; s++)
        if (sn_strv_push(&copy, *s) < 0) {
            sn_strv_free(copy);
            return -ENOMEM;
        }
    if (sids && !copy) {
        /* An empty list follows nothing, not everything. */
        copy = calloc(1, sizeof(char *));
        if (!copy)
            return -ENOMEM;
    }
    pthread_mutex_lock(&log->lock);
    Follower *f = realloc(log->followers, (log->n_followers + 1) * sizeof(*f));
    if (!f) {
        pthread_mutex_unlock(&log->lock);
        sn_strv_free(copy);
        return -ENOMEM;
    }
    log->followers = f;
    uint64_t id = log->next_follower++;
    f[log->n_followers++] = (Follower){.id = id, .sids = copy, .fn = fn, .userdata = userdata};
    pthread_mutex_unlock(&log->lock);
    *ret_id = id;
    return 0;
}

void sn_service_log_unfollow(SnServiceLog *log, uint64_t id)
{
    pthread_mutex_lock(&log->lock);
    for (size_t i = 0; i < log->n_followers; i++) {
        if (log->followers[i].id != id)
            continue;
        sn_strv_free(log->followers[i].sids);
        memmove(&log->followers[i], &log->followers[i + 1], (log->n_followers - i - 1) * sizeof(Follower));
        log->n_followers--;
        break;
    }
    pthread_mutex_unlock(&log->lock);
}

static void utc(int64_t ns, struct tm *tm, long *frac)
{
    int64_t sec = ns / 1000000000;
    int64_t rem = ns % 1000000000;
    if (rem < 0) {
        rem += 1000000000;
        sec--;
    }
    time_t t = (time_t)sec;
    gmtime_r(&t, tm);
    *frac = (long)rem;
}

char *sn_service_log_entry_format(const SnServiceLogEntry *entry)
{
    struct tm tm;
    long frac;
    utc(entry->timestamp_ns, &tm, &frac);
    char when[32];
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return sn_strdup_printf("%s %s[%d]: %s", when, entry->sid, (int)entry->pid, entry->message);
}

char *sn_service_log_format_timestamp(int64_t timestamp_ns, char *buf, size_t size)
{
    struct tm tm;
    long frac;
    utc(timestamp_ns, &tm, &frac);
    char date[32];
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
    if (frac == 0) {
        snprintf(buf, size, "%sZ", date);
        return buf;
    }
    char digits[16];
    snprintf(digits, sizeof(digits), "%09ld", frac);
    for (int i = 8; i > 0 && digits[i] == '0'; i--)
        digits[i] = '\0';
    snprintf(buf, size, "%s.%sZ", date, digits);
    return buf;
}
