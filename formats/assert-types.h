/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The assertion types snapd knows (asserts/asserts.go typeRegistry), their primary keys, flags,
 * the highest format each supports, and each type's own header checks (the `assemble*`
 * functions of snapd's asserts package). A type outside snapd's registry is refused.
 *
 * Header check helpers follow snapd's messages ("\"x\" header is mandatory", "... should not be
 * empty", "... is not a RFC3339 date", ...) so that people and tests see the same words.
 *
 * Implemented by assert-types.c (the registry), assert-types-checks.c (parsing and header
 * checks) and assert-types-{account,snap,device}.c (the types' checks).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assert-value.h"
#include "error.h"

typedef struct SnAssertion SnAssertion;

#define SN_ASSERT_NO_AUTHORITY 0x1u
#define SN_ASSERT_SEQUENCE_FORMING 0x2u
#define SN_ASSERT_JSON_BODY 0x4u

/* naming.DefaultProvenance, the default of optional "provenance" primary keys. */
#define SN_ASSERT_DEFAULT_PROVENANCE "global-upload"

typedef struct SnAssertType {
    const char *name;
    const char *primary_key[5];
    size_t n_primary_key;
    /* Default of the last primary key when it is optional (only "provenance" today), or NULL. */
    const char *optional_last_default;
    unsigned flags;
    int max_format;
    /* Type-specific checks on a decoded assertion; NULL for none. Messages without the "assertion TYPE: " prefix. */
    int (*check)(SnAssertion *a, SnError **reterr);
} SnAssertType;

/* The type called name, or NULL. */
const SnAssertType *sn_assert_type_lookup(const char *name);

/* The default of primary key `key` of type t when it is optional, or NULL. */
const char *sn_assert_type_key_default(const SnAssertType *t, const char *key);

/* All known types, NULL-terminated (for listings and tests). */
const SnAssertType *const *sn_assert_types(void);

/*
 * Parses an RFC 3339 date as Go's time.Parse(time.RFC3339) does ("2016-01-02T15:04:05Z",
 * optional fractional seconds, "Z" or "+hh:mm"), giving seconds since the epoch (fractions
 * dropped toward minus infinity). Returns 0 or -EINVAL.
 */
int sn_assert_parse_time(const char *s, int64_t *ret);

/* Formats t as RFC 3339 UTC ("2016-01-02T15:04:05Z") into buf (at least 32 bytes). */
void sn_assert_format_time(int64_t t, char *buf, size_t size);

/*
 * Go's strconv.Atoi plus snapd's "no prefix zeros" rule (a leading '+' or '-' is allowed).
 * Returns 0, -EINVAL (not an integer / prefix zeros) or -ERANGE.
 */
int sn_assert_atoi(const char *s, int64_t *ret);

/* Checks that a header holds a base64url SHA3-384 digest string. */
int sn_assert_check_digest(const SnAssertValue *headers, const char *name, const char *what, SnError **reterr);

/* snapd's header checks, exposed for assert-db.c. */
int sn_assert_check_not_empty(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                              SnError **reterr);
int sn_assert_check_time(const SnAssertValue *m, const char *name, const char *what, int64_t *ret, SnError **reterr);

/* Validity window of an account-key (or account-key-request, serial device key): since, until (0 = none). */
int sn_assert_key_validity(const SnAssertion *a, int64_t *ret_since, int64_t *ret_until, SnError **reterr);
