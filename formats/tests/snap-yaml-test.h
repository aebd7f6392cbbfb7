/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Test helpers (header-only, tests only) for the snap.yaml test files: parse a document and
 * expect it accepted or refused with a message.
 */
#pragma once

#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "snap-yaml.h"
#include "strutil.h"

/* Parses and validates yaml, which must be accepted. Caller frees. */
static inline SnSnapInfo *parse_ok(const char *yaml)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    cr_assert_eq(r, 0, "rejected: %s\n%s", sn_error_message(e, r), yaml);
    cr_assert_not_null(info);
    return info;
}

/* Returns the message of the rejection (caller frees), and the line through *ret_line. */
static inline char *parse_fail(const char *yaml, int *ret_line)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    cr_assert_lt(r, 0, "accepted:\n%s", yaml);
    cr_assert_null(info);
    cr_assert_not_null(e);
    if (ret_line)
        *ret_line = e->line;
    return strdup(e->message);
}

#define assert_rejected(yaml, substring)                                                                               \
    do {                                                                                                               \
        _sn_free_ char *_m = parse_fail((yaml), NULL);                                                                 \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)

/* NULL when accepted, else the message (caller frees). */
static inline char *check(const char *yaml)
{
    SnSnapInfo *info = NULL;
    _sn_cleanup_(sn_error_freep) SnError *e = NULL;
    int r = sn_snap_yaml_parse(yaml, strlen(yaml), &info, &e);
    if (r == 0) {
        sn_snap_info_free(info);
        return NULL;
    }
    cr_assert_not_null(e);
    return strdup(e->message);
}

#define ok(yaml)                                                                                                       \
    do {                                                                                                               \
        _sn_free_ char *_m = check(yaml);                                                                              \
        cr_assert_null(_m, "rejected: %s\n%s", _m, (yaml));                                                            \
    } while (0)

#define bad(yaml, substring)                                                                                           \
    do {                                                                                                               \
        _sn_free_ char *_m = check(yaml);                                                                              \
        cr_assert_not_null(_m, "accepted:\n%s", (yaml));                                                               \
        cr_assert(strstr(_m, (substring)), "message \"%s\" lacks \"%s\"", _m, (substring));                            \
    } while (0)
