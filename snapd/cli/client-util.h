/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Output helpers of the client verbs, shaped as snapd's CLI prints: an elastic-tab column writer
 * (Go's text/tabwriter rules), snapd's human and absolute times, the Notes column, the escapes of
 * --color/--unicode, and the parsing of `snap set` arguments into a configuration patch.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "client.h"
#include "error.h"
#include "strutil.h"

/*
 * Columns aligned as Go's tabwriter with flags 0: text is split into cells at '\t'; a cell ends
 * with its tab; the text after the last tab of a line is not part of any column. A column is the
 * run of consecutive lines that have a cell at that position; its width is the widest cell plus
 * padding, at least minwidth. Widths count UTF-8 code points.
 */
typedef struct SnTable {
    SnBuf text;
    size_t minwidth, padding;
} SnTable;

/* snapd's tabWriter() (list, changes, tasks, version): minwidth 5, padding 2. */
#define SN_TABLE_INIT                                                                                                  \
    {                                                                                                                  \
        .minwidth = 5, .padding = 2                                                                                    \
    }
/* snap info's writer: minwidth 2, padding 1. */
#define SN_TABLE_INFO_INIT                                                                                             \
    {                                                                                                                  \
        .minwidth = 2, .padding = 1                                                                                    \
    }

void sn_table_printf(SnTable *t, const char *fmt, ...) _sn_printf_(2, 3);
/* Writes the aligned text to out and empties the table (it can be reused). Returns 0 or -ENOMEM. */
int sn_table_flush(SnTable *t, FILE *out);
/* The aligned text as a new string (caller frees), the table emptied; NULL on allocation failure. */
char *sn_table_format(SnTable *t);
void sn_table_done(SnTable *t);

/* A point in time as the daemon sent it: UTC seconds, nanoseconds, and the offset it was written with. */
typedef struct SnTime {
    int64_t sec;
    int32_t nsec;
    int32_t offset; /* seconds east of UTC of the text, for --abs-time */
    bool set;       /* false: absent or the zero time */
} SnTime;

/*
 * Parses an RFC 3339 time ("2024-05-01T10:20:30.5Z", "...+02:00"). NULL, "" and Go's zero time
 * ("0001-01-01T00:00:00Z") give an unset time. Returns 0 or -EINVAL.
 */
int sn_time_parse(const char *s, SnTime *ret);

/*
 * snapd's timeutil.Human: relative to now in the local time zone, "today at 15:04 MST",
 * "yesterday at ...", "N days ago, at ...", "tomorrow at ...", "in N days, at ...", up to 60 days,
 * then "2006-01-02". now is the current time (a parameter, for tests). Writes into buf.
 */
void sn_time_human(const SnTime *t, time_t now, char *buf, size_t size);
/* Go's time.RFC3339 of t in its own offset ("2024-05-01T10:20:30Z", "...+02:00"). */
void sn_time_rfc3339(const SnTime *t, char *buf, size_t size);
/* --abs-time ? RFC 3339 : human. "-" for an unset time. */
void sn_time_format(const SnTime *t, bool abs_time, char *buf, size_t size);

/* The decorations of snapd's --color / --unicode: all "" for never. */
typedef struct SnEscapes {
    const char *green, *bright_yellow, *bold, *end;
    const char *tick, *dash, *star;
} SnEscapes;

/*
 * Escapes for mode "auto" | "never" | "always" as snapd chooses them (auto: color only on a
 * terminal, mono under NO_COLOR or TERM=xterm-mono/linux-m; unicode on a UTF-8 terminal).
 * stdout_tty tells whether stdout is a terminal. Returns -EINVAL for another mode.
 */
int sn_escapes_get(const char *color, const char *unicode, bool stdout_tty, SnEscapes *ret);

/* "Publisher" column: username plus the validation badge, or "-" (shortPublisher). Caller frees. */
char *sn_short_publisher(const SnEscapes *esc, json_t *publisher);
/* "publisher:" of snap info: display name, with "(username)" when they differ, plus badge. Caller frees. */
char *sn_long_publisher(const SnEscapes *esc, json_t *publisher);

/*
 * The Notes column of `snap list` for a snap object of the API (NotesFromLocal): type (except
 * app), disabled, devmode, jailmode, classic, private, try, broken, ignore-validation, in-cohort,
 * health other than okay, held; "-" when none. now is the current time. Caller frees.
 */
char *sn_snap_notes(json_t *snap, time_t now);

/* snapd's fmtChannel: "" -> "-", "track/risk/branch" -> "track/risk/…". Caller frees. */
char *sn_fmt_channel(const char *channel);

/*
 * Parses `snap set` arguments (key=value, key! to unset) into a patch object: values that are
 * JSON are decoded (unless as_string), others kept as strings (typed: an error instead). Dotted
 * keys are kept whole: the daemon expands them. Errors carry snapd's wording. On success
 * *ret_patch is a new object and *ret_keys (may be NULL) the keys in argument order.
 */
int sn_config_parse_values(char *const *args, size_t n, bool as_string, bool typed, json_t **ret_patch,
                           char ***ret_keys, SnError **reterr);

/* Formats a value of `snap get`: strings bare (unless typed), others as indented JSON. Caller frees. */
char *sn_config_format_value(json_t *v, bool typed);

/*
 * The rows of `snap get -l` / the root document: keys sorted with snapd's path order, nested
 * objects shown as "{...}" (root) or one level expanded (a requested key). Prints "Key\tValue"
 * rows into t.
 */
void sn_config_list(SnTable *t, json_t *conf, bool root);

/* ---- shared by the client verbs (they print) ---- */

/*
 * A client for the verbs: $SNAPPY_GLOBAL_ROOT's socket, interactive when stdin is a terminal.
 * Prints "error: ..." and returns NULL on failure.
 */
SnClient *sn_cli_client_new(void);

/*
 * Reports a failed request as snapd's CLI does: an error envelope through
 * sn_client_error_message() (wrapped as snapd's fill() does), anything else as "error: <message>".
 * Returns the exit status: 1, or 0 for the kinds snapd reports without failing (the message then
 * goes to stderr without "error: ").
 */
int sn_cli_report(SnClient *c, int r, const SnError *err, const char *snap_name, const char *op, const char *revision,
                  const char *channel);

/* Wraps msg as snapd's fill(): words to 72 columns, continuation lines indented 7 spaces. Caller frees. */
char *sn_cli_fill(const char *msg);

/* Prints usage text for an unknown option as go-flags does: "error: unknown flag `x'"; returns 1. */
int sn_cli_unknown_flag(char **argv);
