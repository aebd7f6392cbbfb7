/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The checks of snap-related assertion types (snapd's assembleSnapDeclaration,
 * assembleSnapRevision, assembleSnapBuild, assembleValidationSet): snap-declaration,
 * snap-revision, snap-build and validation-set.
 */
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "assert-types-internal.h"
#include "naming.h"
#include "strutil.h"

#define E(reterr, ...) sn_error_set(reterr, -EBADMSG, __VA_ARGS__)

int sn_assert_type_check_snap_declaration(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers, *v;
    int r;
    if ((r = sn_assert_check_exists_string(h, "snap-name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "publisher-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_timestamp(a, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "refresh-control", NULL, reterr)) < 0 ||
        (r = sn_assert_check_kind(h, "plugs", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = sn_assert_check_kind(h, "slots", SN_ASSERT_VALUE_MAP, "header", &v, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "auto-aliases", sn_name_alias_valid, reterr)) < 0)
        return r;
    if ((r = sn_assert_check_kind(h, "aliases", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"aliases\" header must be a list of alias maps");
        if ((r = sn_assert_check_matches(item, "name", "in \"aliases\" item", sn_name_alias_valid, NULL, reterr)) < 0 ||
            (r = sn_assert_check_matches(item, "target", "for alias", sn_name_app_valid, NULL, reterr)) < 0)
            return r;
    }
    if ((r = sn_assert_check_kind(h, "revision-authority", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    if (v && v->n == 0)
        return E(reterr, "\"revision-authority\" header cannot be empty");
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "revision-authority must be a list of maps");
        if ((r = sn_assert_check_matches(item, "account-id", "in revision authority", sn_name_account_id_valid, NULL,
                                         reterr)) < 0)
            return r;
        SnAssertValue *prov = sn_assert_value_map_get(item, "provenance");
        if (!prov || prov->kind != SN_ASSERT_VALUE_LIST || prov->n == 0)
            return E(reterr, "provenance in revision authority cannot be empty");
        if ((r = sn_assert_check_string_list(item, "provenance", sn_name_provenance_valid, reterr)) < 0)
            return r;
        if (sn_assert_value_map_get(item, "min-revision") &&
            (r = sn_assert_check_snap_revision(item, "min-revision", "in revision authority", reterr)) < 0)
            return r;
        if (sn_assert_value_map_get(item, "max-revision") &&
            (r = sn_assert_check_snap_revision(item, "max-revision", "in revision authority", reterr)) < 0)
            return r;
    }
    return 0;
}

int sn_assert_type_check_snap_revision(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers, *v;
    uint64_t size;
    int r;
    if ((r = sn_assert_check_digest(h, "snap-sha3-384", "header", reterr)) < 0 ||
        (r = sn_assert_check_matches(h, "provenance", "header", sn_name_provenance_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "snap-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_uint(h, "snap-size", "header", &size, reterr)) < 0 ||
        (r = sn_assert_check_snap_revision(h, "snap-revision", "header", reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "developer-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_timestamp(a, reterr)) < 0 ||
        (r = sn_assert_check_kind(h, "integrity", SN_ASSERT_VALUE_LIST, "header", &v, reterr)) < 0)
        return r;
    for (size_t i = 0; v && i < v->n; i++) {
        const SnAssertValue *item = v->items[i];
        const char *type;
        if (item->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"integrity\" header must be a list of maps");
        if ((r = sn_assert_check_exists_string(item, "type", "of integrity data", &type, reterr)) < 0)
            return r;
        if (!SN_STREQ(type, "dm-verity"))
            return E(reterr, "invalid integrity data type: \"%.32s\"", type);
    }
    return 0;
}

int sn_assert_type_check_snap_build(SnAssertion *a, SnError **reterr)
{
    uint64_t size;
    int r;
    if ((r = sn_assert_check_digest(a->headers, "snap-sha3-384", "header", reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "snap-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "grade", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_uint(a->headers, "snap-size", "header", &size, reterr)) < 0 ||
        (r = sn_assert_check_timestamp(a, reterr)) < 0)
        return r;
    return 0;
}

int sn_assert_type_check_validation_set(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    const char *acc = sn_assertion_header(a, "account-id");
    int64_t seq;
    int r;
    if (!acc || !SN_STREQ(acc, sn_assertion_authority(a)))
        return E(reterr, "authority-id and account-id must match, validation-set assertions are expected to be signed "
                         "by the issuer account");
    if ((r = sn_assert_check_matches(h, "name", "header", sn_assert_lower_alnum_dash_name_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_int(h, "sequence", "header", &seq, reterr)) < 0)
        return r;
    if (seq < 1)
        return E(reterr, "\"sequence\" must be >=1: %lld", (long long)seq);
    SnAssertValue *snaps;
    if ((r = sn_assert_check_kind(h, "snaps", SN_ASSERT_VALUE_LIST, "header", &snaps, reterr)) < 0)
        return r;
    if (!snaps)
        return E(reterr, "\"snaps\" header is mandatory");
    for (size_t i = 0; i < snaps->n; i++) {
        const SnAssertValue *s = snaps->items[i];
        const char *name, *presence;
        if (s->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "\"snaps\" header must be a list of maps");
        if ((r = sn_assert_check_not_empty(s, "name", "of snap", &name, reterr)) < 0)
            return r;
        if (!sn_name_snap_valid(name))
            return E(reterr, "invalid snap name \"%.64s\"", name);
        if ((r = sn_assert_check_matches(s, "id", "of snap", sn_name_snap_id_valid, NULL, reterr)) < 0 ||
            (r = sn_assert_check_optional_string(s, "presence", "of snap", &presence, reterr)) < 0)
            return r;
        if (*presence && !SN_STREQ(presence, "required") && !SN_STREQ(presence, "optional") &&
            !SN_STREQ(presence, "invalid"))
            return E(reterr, "presence of snap \"%s\" must be one of required|optional|invalid", name);
        if (sn_assert_value_map_get(s, "revision") &&
            (r = sn_assert_check_snap_revision(s, "revision", "of snap", reterr)) < 0)
            return r;
    }
    return sn_assert_check_timestamp(a, reterr);
}
