/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-types-account.c: account, account-key, account-key-request, store and system-user
 * checks, on hand-made assertions.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-corpus.h"
#include "assert-test.h"

#define ACCOUNT                                                                                                        \
    "type: account\nauthority-id: canonical\naccount-id: acc1\ndisplay-name: Acc One\nvalidation: unproven\n"          \
    "timestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_account, account_required_headers)
{
    static const char *const required[] = {"account-id", "display-name", "validation", "timestamp"};
    check_required(ACCOUNT, required, SN_ELEMENTSOF(required));
    a_ok(ACCOUNT "username: acc\n");
    a_bad(ACCOUNT "username:\n  - a\n", "\"username\" header must be a string");
}

/* The testrootorg store key's headers and body, with edits. */
static char *account_key(const char *edit_name, const char *edit_value, const char *extra, SnAssertion **ret)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *ref = NULL;
    size_t len;
    _sn_free_ char *data = corpus_read("testrootorg/testrootorg-store.account-key", &len);
    cr_assert_eq(sn_assert_decode(data, len, &ref, NULL), 0);
    _sn_free_ char *h = sn_strdup_printf("type: account-key\nauthority-id: testrootorg\npublic-key-sha3-384: %s\n"
                                         "account-id: testrootorg\nname: test-store\nsince: 2016-08-11T18:42:22+02:00\n"
                                         "%s",
                                         sn_assertion_header(ref, "public-key-sha3-384"), extra ? extra : "");
    if (edit_name) {
        char *edited = edit_value ? set_header(h, edit_name, edit_value) : drop_header(h, edit_name);
        free(h);
        h = edited;
    }
    return try_decode(h, ref->body, ret);
}

Test(assert_types_account, account_key_checks)
{
    _sn_free_ char *ok = account_key(NULL, NULL, NULL, NULL);
    cr_assert_null(ok, "%s", ok);
    static const struct {
        const char *name, *value, *message;
    } bad[] = {
        {"account-id", NULL, "\"account-id\" header is mandatory"},
        {"since", NULL, "\"since\" header is mandatory"},
        {"since", "soon", "\"since\" header is not a RFC3339 date: soon"},
        {"name", "Bad--Name", "\"name\" header contains invalid characters: \"Bad--Name\""},
        {"public-key-sha3-384", SIGN_KEY, "public key does not match provided key id"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        _sn_free_ char *m = account_key(bad[i].name, bad[i].value, NULL, NULL);
        cr_assert(m && strstr(m, bad[i].message), "%s=%s: %s", bad[i].name, bad[i].value, m);
    }
    _sn_free_ char *until = account_key(NULL, NULL, "until: 2016-01-01T00:00:00Z\n", NULL);
    cr_assert(until && strstr(until, "'until' time cannot be before 'since' time"), "%s", until);
    _sn_free_ char *noname = account_key("name", NULL, NULL, NULL);
    cr_assert_null(noname, "an account-key name is optional: %s", noname);
}

Test(assert_types_account, account_key_constraints)
{
    _sn_free_ char *ok = account_key(NULL, NULL, "constraints:\n  -\n    headers:\n      type: model\n", NULL);
    cr_assert_null(ok, "%s", ok);
    static const struct {
        const char *extra, *message;
    } bad[] = {
        {"constraints: x\n", "assertions constraints must be a list of maps"},
        {"constraints:\n  - x\n", "assertions constraints must be a list of maps"},
        {"constraints:\n  -\n    other: x\n", "\"headers\" constraint mandatory in asserions constraints"},
        {"constraints:\n  -\n    headers:\n      model: x\n", "type header constraint mandatory"},
        {"constraints:\n  -\n    headers:\n      type: mod.*\n", "type header constraint must be a precise string"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        _sn_free_ char *m = account_key(NULL, NULL, bad[i].extra, NULL);
        cr_assert(m && strstr(m, bad[i].message), "%s: %s", bad[i].extra, m);
    }
}

#define STORE                                                                                                          \
    "type: store\nauthority-id: canonical\nstore: fake\noperator-id: canonical\ntimestamp: 2020-01-01T00:00:00Z\n"

Test(assert_types_account, store_checks)
{
    static const char *const required[] = {"store", "operator-id", "timestamp"};
    check_required(STORE, required, SN_ELEMENTSOF(required));
    a_ok(STORE "url: https://store.example\nfriendly-stores:\n  - a\n");
    a_bad(STORE "url: ftp://store.example\n", "\"url\" header scheme must be \"https\" or \"http\"");
    a_bad(STORE "friendly-stores: a\n", "\"friendly-stores\" header must be a list of strings");
}

#define SYSTEM_USER                                                                                                    \
    "type: system-user\nauthority-id: canonical\nbrand-id: canonical\nemail: a@example.com\nseries:\n  - 16\n"         \
    "models:\n  - pc\nname: A\nusername: a\npassword: $6$x\nsince: 2020-01-01T00:00:00Z\n"                             \
    "until: 2030-01-01T00:00:00Z\n"

Test(assert_types_account, system_user_checks)
{
    static const char *const required[] = {"brand-id", "email", "username", "since", "until"};
    check_required(SYSTEM_USER, required, SN_ELEMENTSOF(required));
    _sn_free_ char *backwards = set_header(SYSTEM_USER, "until", "2019-01-01T00:00:00Z");
    a_bad(backwards, "'until' time cannot be before 'since' time");
    a_bad(SYSTEM_USER "serials:\n  - s1\n", "the \"serials\" header is only supported for format 1 or greater");
    a_ok(SYSTEM_USER "format: 1\nserials:\n  - s1\n");
    _sn_free_ char *bad_brand = set_header(SYSTEM_USER, "brand-id", "bad.brand");
    a_bad(bad_brand, "\"brand-id\" header contains invalid characters");
}

Test(assert_types_account, account_key_request_is_self_signed)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *ref = NULL;
    size_t len;
    _sn_free_ char *data = corpus_read("testrootorg/testrootorg-store.account-key", &len);
    cr_assert_eq(sn_assert_decode(data, len, &ref, NULL), 0);
    _sn_free_ char *h = sn_strdup_printf("type: account-key-request\npublic-key-sha3-384: %s\naccount-id: acc1\n"
                                         "name: default\nsince: 2020-01-01T00:00:00Z\n",
                                         sn_assertion_header(ref, "public-key-sha3-384"));
    _sn_free_ char *m = try_decode(h, ref->body, NULL);
    cr_assert_null(m, "%s", m);
    _sn_free_ char *noname = drop_header(h, "name");
    _sn_free_ char *m2 = try_decode(noname, ref->body, NULL);
    cr_assert(m2 && strstr(m2, "\"name\" header is mandatory"), "a request needs a name: %s", m2);
}
