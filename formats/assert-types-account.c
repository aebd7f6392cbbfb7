/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The checks of account-related assertion types (snapd's assembleAccount, assembleAccountKey,
 * assembleAccountKeyRequest, assembleStore, assembleSystemUser): account, account-key (with its
 * assertion constraints), account-key-request, store and system-user.
 */
#include <errno.h>
#include <string.h>

#include "assert-decode.h"
#include "assert-types-internal.h"
#include "naming.h"
#include "strutil.h"

#define E(reterr, ...) sn_error_set(reterr, -EBADMSG, __VA_ARGS__)

int sn_assert_type_check_account(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_not_empty(a->headers, "display-name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(a->headers, "validation", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_timestamp(a, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(a->headers, "username", "header", NULL, reterr)) < 0)
        return r;
    return 0;
}

static int check_ak_constraints(const SnAssertValue *cs, SnError **reterr)
{
    if (cs->kind != SN_ASSERT_VALUE_LIST)
        return E(reterr, "assertions constraints must be a list of maps");
    if (cs->n == 0)
        return E(reterr, "assertions constraints cannot be empty");
    for (size_t i = 0; i < cs->n; i++) {
        const SnAssertValue *m = cs->items[i];
        if (m->kind != SN_ASSERT_VALUE_MAP)
            return E(reterr, "assertions constraints must be a list of maps");
        SnAssertValue *hm;
        int r = sn_assert_check_kind(m, "headers", SN_ASSERT_VALUE_MAP, "constraint", &hm, reterr);
        if (r < 0)
            return r;
        if (!hm)
            return E(reterr, "\"headers\" constraint mandatory in asserions constraints");
        SnAssertValue *t = sn_assert_value_map_get(hm, "type");
        if (!t)
            return E(reterr, "type header constraint mandatory in asserions constraints");
        if (t->kind != SN_ASSERT_VALUE_STRING)
            return E(reterr, "type header constraint must be a string");
        if (strpbrk(t->str, "\\.+*?()|[]{}^$"))
            return E(reterr, "type header constraint must be a precise string and not a regexp");
    }
    return 0;
}

int sn_assert_type_check_account_key(SnAssertion *a, SnError **reterr)
{
    int r;
    int64_t since, until;
    if ((r = sn_assert_check_not_empty(a->headers, "account-id", "header", NULL, reterr)) < 0)
        return r;
    if (sn_assert_value_map_get(a->headers, "name") &&
        (r = sn_assert_check_matches(a->headers, "name", "header", sn_assert_account_key_name_valid, NULL, reterr)) < 0)
        return r;
    if ((r = sn_assert_key_validity(a, &since, &until, reterr)) < 0 ||
        (r = sn_assert_check_public_key_body(a, "public-key-sha3-384", reterr)) < 0)
        return r;
    SnAssertValue *cs = sn_assert_value_map_get(a->headers, "constraints");
    if (cs && (r = check_ak_constraints(cs, reterr)) < 0)
        return r;
    return 0;
}

int sn_assert_type_check_account_key_request(SnAssertion *a, SnError **reterr)
{
    int r;
    int64_t since, until;
    if ((r = sn_assert_check_not_empty(a->headers, "account-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_matches(a->headers, "name", "header", sn_assert_account_key_name_valid, NULL, reterr)) <
            0 ||
        (r = sn_assert_key_validity(a, &since, &until, reterr)) < 0 ||
        (r = sn_assert_check_public_key_body(a, "public-key-sha3-384", reterr)) < 0)
        return r;
    return 0;
}

int sn_assert_type_check_store(SnAssertion *a, SnError **reterr)
{
    int r;
    if ((r = sn_assert_check_not_empty(a->headers, "operator-id", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(a->headers, "url", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(a->headers, "location", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_string_list(a->headers, "friendly-stores", NULL, reterr)) < 0)
        return r;
    const char *url = sn_assertion_header(a, "url");
    if (url && *url && !sn_startswith(url, "http://") && !sn_startswith(url, "https://"))
        return E(reterr, "\"url\" header scheme must be \"https\" or \"http\"");
    return sn_assert_check_timestamp(a, reterr);
}

int sn_assert_type_check_system_user(SnAssertion *a, SnError **reterr)
{
    SnAssertValue *h = a->headers;
    int64_t since, until;
    int r;
    if ((r = sn_assert_check_matches(h, "brand-id", "header", sn_name_account_id_valid, NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "email", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "series", NULL, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "models", NULL, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "serials", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(h, "name", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_not_empty(h, "username", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_optional_string(h, "password", "header", NULL, reterr)) < 0 ||
        (r = sn_assert_check_string_list(h, "ssh-keys", NULL, reterr)) < 0 ||
        (r = sn_assert_check_time(h, "since", "header", &since, reterr)) < 0 ||
        (r = sn_assert_check_time(h, "until", "header", &until, reterr)) < 0)
        return r;
    if (until < since)
        return E(reterr, "'until' time cannot be before 'since' time");
    if (sn_assert_value_map_get(h, "serials") && a->format < 1)
        return E(reterr, "the \"serials\" header is only supported for format 1 or greater");
    return 0;
}
