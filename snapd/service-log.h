/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The services' logs where there is no journal: one bounded ring of lines per service, kept in
 * memory by the daemon's supervisor, read by `snap logs` through GET /v2/logs.
 *
 * Each entry is what journald would have kept for a line of a service's stdout or stderr: the
 * time it was read (CLOCK_REALTIME), the syslog identifier (snapd's SyslogIdentifier=NAME.APP),
 * the pid of the service's process, and the line without its newline. A line longer than
 * SN_SERVICE_LOG_LINE_MAX is cut into pieces of that size, as journald cuts at its line maximum.
 * A ring keeps at most max_lines entries and max_bytes of message text; the oldest entries go first.
 *
 * Thread safety: every function may be called from any thread (one mutex). Follow callbacks run
 * on the thread that appends (the daemon's event loop), with the log's lock held: they must not
 * call back into the log.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"

#define SN_SERVICE_LOG_LINE_MAX 4096
#define SN_SERVICE_LOG_DEFAULT_LINES 1000
#define SN_SERVICE_LOG_DEFAULT_BYTES (256u * 1024u)

typedef struct SnServiceLogEntry {
    int64_t timestamp_ns; /* CLOCK_REALTIME, nanoseconds since the epoch */
    char *sid;            /* syslog identifier, "NAME.APP" */
    pid_t pid;
    char *message; /* one line, no newline; may contain any other byte but NUL */
} SnServiceLogEntry;

typedef struct SnServiceLog SnServiceLog;

/* A new, empty log set; 0 for either limit takes the default. NULL on ENOMEM. */
SnServiceLog *sn_service_log_new(size_t max_lines, size_t max_bytes);
/* Frees the log, its entries and its followers. Accepts NULL; returns NULL. */
SnServiceLog *sn_service_log_free(SnServiceLog *log);
SN_DEFINE_CLEANUP_FUNC(SnServiceLog *, sn_service_log_free)

/*
 * Appends one line (len bytes of msg, not NUL-terminated; a trailing "\n" is not expected and a
 * NUL byte ends it) for sid with the given time and pid, cutting it into pieces of at most
 * SN_SERVICE_LOG_LINE_MAX bytes, and hands each piece to the followers of sid. Returns 0 or -ENOMEM.
 */
int sn_service_log_append(SnServiceLog *log, const char *sid, pid_t pid, int64_t timestamp_ns, const char *msg,
                          size_t len);

/*
 * Feeds raw bytes read from a service's output: complete lines are appended (timestamped now),
 * an incomplete last line waits in *partial (caller-owned, start it zeroed) until the next feed or
 * sn_service_log_flush(). A partial line that reaches SN_SERVICE_LOG_LINE_MAX is appended as is.
 * Returns 0 or -ENOMEM.
 */
typedef struct SnServiceLogPartial {
    char buf[SN_SERVICE_LOG_LINE_MAX];
    size_t len;
} SnServiceLogPartial;
int sn_service_log_feed(SnServiceLog *log, const char *sid, pid_t pid, SnServiceLogPartial *partial, const char *data,
                        size_t len);
/* Appends what waits in *partial (the output closed without a last newline) and empties it. */
int sn_service_log_flush(SnServiceLog *log, const char *sid, pid_t pid, SnServiceLogPartial *partial);

/*
 * The last n entries (n < 0: all of them) of the services named in sids (a NULL-terminated
 * vector of syslog identifiers; NULL means every service), merged in time order, oldest first
 * (ties keep the order of arrival). *ret_entries is a new array of copies (free it with
 * sn_service_log_entries_free; NULL when *ret_n is 0). Returns 0 or -ENOMEM.
 */
int sn_service_log_read(SnServiceLog *log, char *const *sids, long n, SnServiceLogEntry **ret_entries, size_t *ret_n);
void sn_service_log_entries_free(SnServiceLogEntry *entries, size_t n);

/* Forgets the entries of sid (a removed snap's services). */
void sn_service_log_forget(SnServiceLog *log, const char *sid);

/*
 * `snap logs -f`: calls fn(entry, userdata) for every entry appended from now on for the services
 * in sids (NULL: all), on the appending thread with the lock held. *ret_id identifies the
 * follower for sn_service_log_unfollow. Returns 0 or -ENOMEM.
 */
typedef void (*SnServiceLogFollowFn)(const SnServiceLogEntry *entry, void *userdata);
int sn_service_log_follow(SnServiceLog *log, char *const *sids, SnServiceLogFollowFn fn, void *userdata,
                          uint64_t *ret_id);
/* Removes a follower; an unknown id is ignored. After it returns fn is not called any more. */
void sn_service_log_unfollow(SnServiceLog *log, uint64_t id);

/*
 * The line `snap logs` prints for an entry: "2026-11-29T00:00:00Z NAME.APP[PID]: message"
 * (RFC 3339 in UTC, whole seconds). Caller frees; NULL on ENOMEM.
 */
char *sn_service_log_entry_format(const SnServiceLogEntry *entry);

/*
 * The entry's time as GET /v2/logs sends it ("timestamp": RFC 3339 with nanoseconds in UTC, as
 * Go's time.RFC3339Nano: trailing zeros of the fraction dropped) into buf (at least 40 bytes).
 * Returns buf.
 */
char *sn_service_log_format_timestamp(int64_t timestamp_ns, char *buf, size_t size);
