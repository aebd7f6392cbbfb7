/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared by the assertion type files: assert-types.c (the registry), assert-types-checks.c (the
 * header checks below), assert-types-account.c, assert-types-snap.c and assert-types-device.c
 * (each type's check). Not for use outside formats/; the public API is assert-types.h.
 *
 * Every check returns 0 or -EBADMSG with snapd's message in *reterr (which may be NULL), and
 * -ENOMEM without one. `what` names the item in messages ("header", "of snap", ...).
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "assert-decode.h"
#include "assert-types.h"
#include "assert-value.h"
#include "error.h"

/* ---- assert-types-checks.c ---- */

/* m[name] exists and is a string ("" allowed); *ret (may be NULL) gets it. */
int sn_assert_check_exists_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                                  SnError **reterr);
/* m[name] is absent (*ret = "") or a string (*ret gets it). ret may be NULL. */
int sn_assert_check_optional_string(const SnAssertValue *m, const char *name, const char *what, const char **ret,
                                    SnError **reterr);
/* m[name] is absent (*ret = 0) or an RFC 3339 date. */
int sn_assert_check_optional_time(const SnAssertValue *m, const char *name, const char *what, int64_t *ret,
                                  SnError **reterr);
/* m[name] is a decimal unsigned 64-bit integer without prefix zeros. */
int sn_assert_check_uint(const SnAssertValue *m, const char *name, const char *what, uint64_t *ret, SnError **reterr);
/* m[name] is a signed 64-bit integer (sn_assert_atoi's rules). */
int sn_assert_check_int(const SnAssertValue *m, const char *name, const char *what, int64_t *ret, SnError **reterr);
/* m[name] is an integer >= 1. */
int sn_assert_check_snap_revision(const SnAssertValue *m, const char *name, const char *what, SnError **reterr);
/* m[name] is absent (*ret = false), "true" or "false". */
int sn_assert_check_bool(const SnAssertValue *m, const char *name, const char *what, bool *ret, SnError **reterr);
/* m[name] is absent or a list of strings each valid for `valid` (NULL: any). */
int sn_assert_check_string_list(const SnAssertValue *m, const char *name, bool (*valid)(const char *),
                                SnError **reterr);
/* m[name] is absent or of the given kind (MAP or LIST); *ret gets it or NULL. */
int sn_assert_check_kind(const SnAssertValue *m, const char *name, SnAssertValueKind kind, const char *what,
                         SnAssertValue **ret, SnError **reterr);
/* m[name] is a non-empty string valid for `valid` ("... contains invalid characters" otherwise). */
int sn_assert_check_matches(const SnAssertValue *m, const char *name, const char *what, bool (*valid)(const char *),
                            const char **ret, SnError **reterr);
/* The "timestamp" header (RFC 3339), stored in a->timestamp / a->has_timestamp. */
int sn_assert_check_timestamp(SnAssertion *a, SnError **reterr);
/* The body is an encoded public key whose key ID equals header id_header. */
int sn_assert_check_public_key_body(SnAssertion *a, const char *id_header, SnError **reterr);

/* Account-key names: ^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$ */
bool sn_assert_account_key_name_valid(const char *s);
/* ^[a-z0-9](?:-?[a-z0-9])*$ (validation-set and confdb-schema names) */
bool sn_assert_lower_alnum_dash_name_valid(const char *s);
/* Model names: as above (no uppercase). */
bool sn_assert_model_name_valid(const char *s);

/* ---- the types' checks (messages without the "assertion TYPE: " prefix) ---- */

/* assert-types-account.c */
int sn_assert_type_check_account(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_account_key(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_account_key_request(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_store(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_system_user(SnAssertion *a, SnError **reterr);

/* assert-types-snap.c */
int sn_assert_type_check_snap_declaration(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_snap_revision(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_snap_build(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_validation_set(SnAssertion *a, SnError **reterr);

/* assert-types-device.c */
int sn_assert_type_check_model(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_serial(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_serial_request(SnAssertion *a, SnError **reterr);
int sn_assert_type_check_device_session_request(SnAssertion *a, SnError **reterr);
