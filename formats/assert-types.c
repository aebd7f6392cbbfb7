/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The registry of assertion types (snapd's asserts.typeRegistry): names, primary keys, flags,
 * highest formats and each type's check. The checks live in assert-types-account.c,
 * assert-types-snap.c and assert-types-device.c (the few one-line ones here), built from the
 * header checks of assert-types-checks.c.
 */
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "assert-types-internal.h"
#include "strutil.h"

static int check_base_declaration(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *v;
    int r;
    if ((r = sn_assert_check_kind(a->headers, "plugs", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = sn_assert_check_kind(a->headers, "slots", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0)
        return r;
    return sn_assert_check_timestamp(a, reterr);
}

static int check_confdb_schema(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_matches(a->headers, "name", "header", sn_assert_lower_alnum_dash_name_valid, NULL,
                                     reterr)) < 0 ||
        (r = sn_assert_check_kind(a->headers, "views", SN_ASSERT_VALUE_MAP, "header", &(SnAssertValue *){NULL},
                                  reterr)) < 0)
        return r;
    return sn_assert_check_timestamp(a, reterr);
}

static int check_timestamp_only(SnAssertion *a, SnError **reterr)
{
    return sn_assert_check_timestamp(a, reterr);
}

#define PK(...) {__VA_ARGS__}, SN_ELEMENTSOF(((const char *[]){__VA_ARGS__}))
#define PK0 {NULL}, 0

static const SnAssertType types[] = {
    {"account", PK("account-id"), NULL, 0, 0, sn_assert_type_check_account},
    {"account-key", PK("public-key-sha3-384"), NULL, 0, 1, sn_assert_type_check_account_key},
    {"repair", PK("brand-id", "repair-id"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0, check_timestamp_only},
    {"model", PK("series", "brand-id", "model"), NULL, 0, 0, sn_assert_type_check_model},
    {"serial", PK("brand-id", "model", "serial"), NULL, 0, 0, sn_assert_type_check_serial},
    {"base-declaration", PK("series"), NULL, 0, 0, check_base_declaration},
    {"snap-declaration", PK("series", "snap-id"), NULL, 0, 7, sn_assert_type_check_snap_declaration},
    {"snap-build", PK("snap-sha3-384"), NULL, 0, 0, sn_assert_type_check_snap_build},
    {"snap-revision", PK("snap-sha3-384", "provenance"), SN_ASSERT_DEFAULT_PROVENANCE, 0, 0,
     sn_assert_type_check_snap_revision},
    {"snap-developer", PK("snap-id", "publisher-id"), NULL, 0, 0, NULL},
    {"system-user", PK("brand-id", "email"), NULL, 0, 2, sn_assert_type_check_system_user},
    {"validation", PK("series", "snap-id", "approved-snap-id", "approved-snap-revision"), NULL, 0, 0,
     check_timestamp_only},
    {"validation-set", PK("series", "account-id", "name", "sequence"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0,
     sn_assert_type_check_validation_set},
    {"store", PK("store"), NULL, 0, 0, sn_assert_type_check_store},
    {"preseed", PK("series", "brand-id", "model", "system-label"), NULL, 0, 0, check_timestamp_only},
    {"snap-resource-revision", PK("snap-id", "resource-name", "resource-sha3-384", "provenance"),
     SN_ASSERT_DEFAULT_PROVENANCE, 0, 0, check_timestamp_only},
    {"snap-resource-pair", PK("snap-id", "resource-name", "resource-revision", "snap-revision", "provenance"),
     SN_ASSERT_DEFAULT_PROVENANCE, 0, 0, check_timestamp_only},
    {"confdb-schema", PK("account-id", "name"), NULL, SN_ASSERT_JSON_BODY, 0, check_confdb_schema},
    {"cluster", PK("cluster-id", "sequence"), NULL, SN_ASSERT_SEQUENCE_FORMING, 0, NULL},
    {"request-message", PK("account-id", "message-id"), NULL, 0, 0, NULL},
    {"hardware-identity", PK("issuer-id", "hardware-id-key-sha3-384"), NULL, 0, 0, NULL},
    {"device-session-request", PK("brand-id", "model", "serial"), NULL, SN_ASSERT_NO_AUTHORITY, 0,
     sn_assert_type_check_device_session_request},
    {"serial-request", PK0, NULL, SN_ASSERT_NO_AUTHORITY, 0, sn_assert_type_check_serial_request},
    {"account-key-request", PK("public-key-sha3-384"), NULL, SN_ASSERT_NO_AUTHORITY, 0,
     sn_assert_type_check_account_key_request},
    {"confdb-control", PK("brand-id", "model", "serial"), NULL, SN_ASSERT_NO_AUTHORITY, 0, NULL},
    {"response-message", PK("account-id", "message-id", "device"), NULL, SN_ASSERT_NO_AUTHORITY, 0, NULL},
};

const SnAssertType *sn_assert_type_lookup(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < SN_ELEMENTSOF(types); i++)
        if (SN_STREQ(types[i].name, name))
            return &types[i];
    return NULL;
}

const char *sn_assert_type_key_default(const SnAssertType *t, const char *key)
{
    if (!t->optional_last_default || t->n_primary_key == 0)
        return NULL;
    return SN_STREQ(t->primary_key[t->n_primary_key - 1], key) ? t->optional_last_default : NULL;
}

const SnAssertType *const *sn_assert_types(void)
{
    static const SnAssertType *list[SN_ELEMENTSOF(types) + 1];
    if (!list[0])
        for (size_t i = 0; i < SN_ELEMENTSOF(types); i++)
            list[i] = &types[i];
    return list;
}
