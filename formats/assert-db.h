/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * An in-memory assertion database with snapd's trust rules (asserts/database.go):
 *
 *   - trusted assertions (root accounts and their keys) are added without checks; an account is
 *     "directly trusted" when its account assertion is trusted;
 *   - every other assertion is checked before it is stored: its signing account-key is found by
 *     sign-key-sha3-384 and must belong to its authority-id, be valid now and at the assertion's
 *     timestamp, and allow it by its constraints; the signature must verify; the type's
 *     consistency rules must hold (an account-key signed by a trusted authority and with a
 *     matching account, a snap-revision with its snap-declaration and developer account, ...);
 *   - a newer revision of an assertion replaces an older one, never the reverse.
 *
 * Parsed public keys are cached per account-key, so verifying many assertions costs one RSA
 * verification each.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assert-decode.h"
#include "error.h"

typedef struct SnAssertDb SnAssertDb;

/* Check flags. */
#define SN_ASSERT_DB_SKIP_CONSISTENCY 0x1u /* signature chain only: no cross-assertion rules */
#define SN_ASSERT_DB_SKIP_TIME 0x2u        /* no key validity checks against now and the timestamp */

int sn_assert_db_new(SnAssertDb **ret);
SnAssertDb *sn_assert_db_free(SnAssertDb *db);
SN_DEFINE_CLEANUP_FUNC(SnAssertDb *, sn_assert_db_free)

/* The time the checks use ("now"); 0 (the default) means the real clock. */
void sn_assert_db_set_time(SnAssertDb *db, int64_t now);

/*
 * Adds a trusted account or account-key without checking it (a root of trust). Takes a (also
 * on failure). Refuses other types with -EINVAL.
 */
int sn_assert_db_add_trusted(SnAssertDb *db, SnAssertion *a, SnError **reterr);

/*
 * Adds an assertion that is known good without being a trust root (snapd's "predefined" ones,
 * such as the generic models key), without checking it. Takes a.
 */
int sn_assert_db_add_predefined(SnAssertDb *db, SnAssertion *a, SnError **reterr);

/* Decodes a stream of assertions and adds them all as trusted accounts / account-keys. */
int sn_assert_db_add_trusted_stream(SnAssertDb *db, const char *data, size_t len, SnError **reterr);

/*
 * Checks a as snapd's Database.Check does (signing key, expiry, signature, timestamp within the
 * key's validity, constraints, then the type's consistency rules unless flags skip them).
 * Returns 0, -ENOKEY ("no matching public key ..."), or -EBADMSG / -EPERM with the reason.
 */
int sn_assert_db_check(SnAssertDb *db, const SnAssertion *a, unsigned flags, SnError **reterr);

/*
 * Checks a and stores it. Takes a (freed on failure). An assertion already present at a higher
 * revision, or at the same revision with different content, is refused (-EEXIST); the very same
 * assertion again is accepted (nothing changes); one with the primary key of a trusted or
 * predefined assertion is refused.
 */
int sn_assert_db_add(SnAssertDb *db, SnAssertion *a, unsigned flags, SnError **reterr);

/*
 * Adds many assertions in whatever order their prerequisites allow (snapd's pool): it retries
 * the ones that failed for a missing key or prerequisite until no progress is made. Takes every
 * element of list (n of them). One that verifies while the database already holds it at the
 * same or a newer revision counts as added (snapd ignores such unaccepted updates). Returns the number that failed;
 * when ret_errors is not NULL it gets an array of n messages (NULL for the ones added; free with sn_strv_free-like loop
 * over n, see sn_assert_db_errors_free).
 */
int sn_assert_db_add_many(SnAssertDb *db, SnAssertion **list, size_t n, unsigned flags, char ***ret_errors);
void sn_assert_db_errors_free(char **errors, size_t n);

/* Finds the assertion of type with the given primary key values (count n_keys, an optional default may be left out). */
const SnAssertion *sn_assert_db_find(SnAssertDb *db, const char *type, const char *const *keys, size_t n_keys);

/* True when account_id is a directly trusted account. */
bool sn_assert_db_is_trusted_account(SnAssertDb *db, const char *account_id);

/* Number of assertions held (trusted and predefined included). */
size_t sn_assert_db_count(SnAssertDb *db);

/*
 * The cross-checks of a snap file against the database (snapd's snapasserts.CrossCheck): a
 * snap-revision for snap_sha3_384 must be present (and therefore verified), its snap-size must
 * equal snap_size, its snap-declaration (series 16, same snap-id) must be present and name
 * snap_name. The digest is base64url(SHA3-384(file)) as sn_sha3_384_digest_string makes it.
 * Returns 0 and (when not NULL) the two assertions; -ENOENT when the revision or declaration is
 * missing, -EBADMSG when something does not match.
 */
int sn_assert_db_cross_check_snap(SnAssertDb *db, const char *snap_sha3_384, uint64_t snap_size, const char *snap_name,
                                  const SnAssertion **ret_revision, const SnAssertion **ret_declaration,
                                  SnError **reterr);
