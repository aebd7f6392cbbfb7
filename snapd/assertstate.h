/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The daemon's assertion database (snapd's overlord/assertstate): every assertion acknowledged
 * with `snap ack` (POST /v2/assertions) is kept in the state database (table assertions, the
 * encoded assertion per type and primary key) and checked, when added, against the trust
 * database of formats/assert-db.h made of:
 *
 *   1. the built-in roots (Canonical's root account and key, snapd's predefined generic ones);
 *   2. the device owner's roots in $ROOT/etc/microsnap/trusted.d (root-owned, see assert-trusted.h);
 *   3. what is stored (already checked when it was added, so loaded without a second check).
 *
 * Adding is all or nothing per call (snapd's batch with precheck): every assertion's
 * prerequisites (signing key, account, declaration) must be in the batch or the database, every
 * one must verify, and only then are the new ones stored, in one transaction. A newer revision
 * replaces an older one; an older or equal one is accepted and ignored, never stored.
 *
 * Every function expects the state lock held (sn_state_lock). The trust database is rebuilt from
 * the state for each call: decoding only (stored assertions are not verified again), so a call
 * costs little more than decoding what is stored.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assert-db.h"
#include "assert-decode.h"
#include "error.h"
#include "state.h"

/*
 * The trust database of the system whose state is st: built-in roots, $ROOT/etc/microsnap/trusted.d
 * and every stored assertion. Returns 0 and *ret_db (sn_assert_db_free), or -errno: -EPERM for a
 * trusted.d that is not root-owned or is writable by others, -EIO for a stored assertion that no
 * longer decodes.
 */
int sn_assertstate_open_db(SnState *st, SnAssertDb **ret_db, SnError **reterr);

/*
 * Adds a batch of decoded assertions (takes every element of list, and list itself is left
 * with NULLs: the caller still frees the array). Checks prerequisites first, as snapd does
 * ("cannot resolve prerequisite assertion: account-key (KEYID)"), then every assertion
 * ("cannot accept some assertions:\n - REASON..."), and stores the new ones in a transaction
 * of its own. Returns 0 and *ret_stored (may be NULL: how many rows were written), -EBADMSG /
 * -ENOKEY / -EPERM with snapd's message when something was refused (nothing is stored then),
 * -EIO when the state could not be written.
 */
int sn_assertstate_add(SnState *st, SnAssertion **list, size_t n, size_t *ret_stored, SnError **reterr);

/*
 * Decodes a stream (POST /v2/assertions's body) and adds it as sn_assertstate_add does. A stream
 * that does not decode gives -EBADMSG with the decoder's message and *ret_decode_error (may be
 * NULL) set, so that the API can say "cannot decode request body into assertions". An empty
 * stream adds nothing and succeeds.
 */
int sn_assertstate_add_stream(SnState *st, const char *data, size_t len, size_t *ret_stored, bool *ret_decode_error,
                              SnError **reterr);

/* A header filter of a query: the header `name` must be a string equal to `value`. */
typedef struct SnAssertFilter {
    const char *name;
    const char *value;
} SnAssertFilter;

/*
 * The assertions of `type` whose headers match every filter (snapd's Database.FindMany), in
 * snapd's order: trusted ones, predefined ones, then the stored ones by primary key. Returns 0
 * and a NULL-terminated array of copies (sn_assertion_list_free; an array with no element when
 * nothing matches) and *ret_n (may be NULL); -EINVAL for an unknown type ("invalid assert type:
 * \"TYPE\"").
 */
int sn_assertstate_find(SnState *st, const char *type, const SnAssertFilter *filters, size_t n_filters,
                        SnAssertion ***ret_list, size_t *ret_n, SnError **reterr);

/* What the assertions say about a snap file (sn_assertstate_check_snap). */
typedef struct SnAssertSnapInfo {
    char *snap_id;
    char *snap_name;              /* the declaration's snap-name */
    int64_t revision;             /* snap-revision's snap-revision (>= 1) */
    char *sha3_384;               /* base64url SHA3-384 of the file, as in snap-sha3-384 */
    uint64_t size;                /* snap-size */
    char *developer_id;           /* snap-revision's developer-id */
    char *publisher_id;           /* snap-declaration's publisher-id */
    char *publisher_username;     /* the publisher's account: username ("" when it has none) */
    char *publisher_display_name; /* display-name */
    char *publisher_validation;   /* validation: "unproven", "starred" or "verified" */
} SnAssertSnapInfo;

void sn_assert_snap_info_done(SnAssertSnapInfo *info);

/*
 * For an asserted install (snapd's snapasserts.DeriveSideInfo + CrossCheck): finds the
 * snap-revision whose snap-sha3-384 is the file's digest and the snap-declaration of its snap-id
 * (both already verified when they were acknowledged), and cross-checks them against the file:
 * the size must equal snap-size and snap_name (when not NULL: the name in the file's snap.yaml)
 * must be the declared name.
 *
 * sha3_384 is the file's digest as base64url (sn_digest_file_sha3_384 makes it) and size its
 * size; when sha3_384 is NULL both are computed here from snap_path. snap_path is also what the
 * messages name.
 *
 * Returns 0 and fills *ret_info (sn_assert_snap_info_done), or:
 *   -ENOENT  no snap-revision for the digest: "cannot find signatures with metadata for snap
 *            \"PATH\"" (snapd's message; the API answers 400), or no snap-declaration for its
 *            snap-id ("cannot find pre-populated snap-declaration assertion for ...");
 *   -EBADMSG the size or the name do not match (snapd's messages);
 *   other -errno when the file cannot be read or the state cannot be loaded.
 */
int sn_assertstate_check_snap(SnState *st, const char *snap_path, const char *sha3_384, uint64_t size,
                              const char *snap_name, SnAssertSnapInfo *ret_info, SnError **reterr);
