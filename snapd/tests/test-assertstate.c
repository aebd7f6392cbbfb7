/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <unistd.h>

#include "assert-test-util.h"
#include "assertstate.h"
#include "digest.h"

static char root[] = "/tmp/sn-assertstate-XXXXXX";
static SnState *st;

static void setup(void)
{
    cr_assert_not_null(mkdtemp(root));
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
}

static void teardown(void)
{
    st = sn_state_free(st);
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", root);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(assertstate, .init = setup, .fini = teardown, .timeout = 120);

/* Acks a stream; returns the code and *ret_msg (the message, caller frees) when not NULL. */
static int ack(const char *stream, size_t *ret_stored, char **ret_msg)
{
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_assertstate_add_stream(st, stream, strlen(stream), ret_stored, NULL, &err);
    sn_state_unlock(st);
    if (ret_msg)
        *ret_msg = strdup(sn_error_message(err, r));
    sn_error_free(err);
    return r;
}

static void ack_ok(const char *stream, size_t *ret_stored)
{
    _sn_free_ char *msg = NULL;
    int r = ack(stream, ret_stored, &msg);
    cr_assert_eq(r, 0, "ack failed: %s", msg);
}

static size_t find(const char *type, const char *name, const char *value, SnAssertion ***ret)
{
    SnAssertFilter f = {name, value};
    SnAssertion **list = NULL;
    size_t n = 0;
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_assertstate_find(st, type, &f, name ? 1 : 0, &list, &n, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, 0, "find %s: %s", type, sn_error_message(err, r));
    sn_error_free(err);
    if (ret)
        *ret = list;
    else
        sn_assertion_list_free(list);
    return n;
}

static char *real_chain(void)
{
    _sn_free_ char *store = corpus_file("canonical-store-chain/fde-on-classic-model-etc.assert", NULL);
    _sn_free_ char *decl = corpus_file("snapd-spread-log-2022/snap-declaration-hello-world.assert", NULL);
    _sn_free_ char *rev = corpus_file("snapd-spread-log-2022/snap-revision-hello-world-29.assert", NULL);
    return sn_strdup_printf("%s\n%s\n%s", store, decl, rev);
}

Test(assertstate, builtin_roots_are_found_like_snapds_trusted_backstore)
{
    SnAssertion **list = NULL;
    size_t n = find("account-key", NULL, NULL, &list);
    cr_assert_eq(n, 2, "the root key and the generic models key, got %zu", n);
    cr_assert_str_eq(sn_assertion_header(list[0], "public-key-sha3-384"),
                     "-CvQKAwRQ5h3Ffn10FILJoEZUXOv6km9FwA80-Rcj-f-6jadQ89VRswHNiEB9Lxk");
    cr_assert_str_eq(sn_assertion_header(list[1], "account-id"), "generic");
    sn_assertion_list_free(list);
    cr_assert_eq(find("account", NULL, NULL, NULL), 2);
    cr_assert_eq(find("model", "model", "generic-classic", NULL), 1);
    cr_assert_eq(find("account", "account-id", "canonical", NULL), 1);
    cr_assert_eq(find("account", "account-id", "nobody", NULL), 0);
}

Test(assertstate, a_real_canonical_chain_is_acked_stored_and_found)
{
    _sn_free_ char *chain = real_chain();
    size_t stored = 0;
    ack_ok(chain, &stored);
    cr_assert_geq(stored, 3, "stored %zu", stored);
    SnAssertion **list = NULL;
    cr_assert_eq(find("snap-declaration", "snap-name", "hello-world", &list), 1);
    cr_assert_str_eq(sn_assertion_header(list[0], "snap-id"), "buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ");
    sn_assertion_list_free(list);
    cr_assert_eq(find("snap-revision", "snap-id", "buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ", NULL), 1);
    cr_assert_eq(find("account-key", "name", "store", NULL), 1);

    /* the same again: accepted, nothing new stored */
    ack_ok(chain, &stored);
    cr_assert_eq(stored, 0);
}

Test(assertstate, stored_assertions_survive_a_restart)
{
    _sn_free_ char *chain = real_chain();
    ack_ok(chain, NULL);
    st = sn_state_free(st);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    cr_assert_eq(find("snap-revision", "snap-revision", "29", NULL), 1);
}

Test(assertstate, a_missing_prerequisite_is_named_as_snapd_names_it)
{
    _sn_free_ char *rev = corpus_file("snapd-spread-log-2022/snap-revision-hello-world-29.assert", NULL);
    _sn_free_ char *msg = NULL;
    cr_assert_eq(ack(rev, NULL, &msg), -ENOKEY);
    cr_assert_str_eq(msg, "cannot resolve prerequisite assertion: snap-declaration "
                          "(buPKUD3TKqCOgLEjjHx5kSiCpIs5cMuQ; series:16)");
    _sn_free_ char *decl = corpus_file("snapd-spread-log-2022/snap-declaration-hello-world.assert", NULL);
    free(msg);
    cr_assert_eq(ack(decl, NULL, &msg), -ENOKEY);
    cr_assert_str_eq(msg, "cannot resolve prerequisite assertion: account-key "
                          "(BWDEoaqyr25nF5SNCvEv2v7QnM9QsfCc0PBMYD_i2NGSQ32EF2d4D0hqUel3m8ul)");
    cr_assert_eq(find("snap-declaration", NULL, NULL, NULL), 0);
}

Test(assertstate, a_forged_assertion_fails_the_whole_batch)
{
    _sn_free_ char *chain = real_chain();
    char *p = strstr(chain, "snap-name: hello-world");
    cr_assert_not_null(p);
    memcpy(p, "snap-name: hello-wormd", strlen("snap-name: hello-wormd"));
    _sn_free_ char *msg = NULL;
    cr_assert_eq(ack(chain, NULL, &msg), -EBADMSG);
    cr_assert(sn_startswith(msg, "cannot accept some assertions:\n - "), "%s", msg);
    cr_assert_not_null(strstr(msg, "failed signature verification"), "%s", msg);
    /* all or nothing: the store key that did verify is not stored either */
    cr_assert_eq(find("account-key", "name", "store", NULL), 0);
    cr_assert_eq(find("snap-declaration", NULL, NULL, NULL), 0);
}

Test(assertstate, an_undecodable_stream_says_so)
{
    bool decode_error = false;
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_assertstate_add_stream(st, "type: account\n\nnonsense", 23, NULL, &decode_error, &err);
    sn_state_unlock(st);
    cr_assert_lt(r, 0);
    cr_assert(decode_error);
    sn_error_free(err);
    size_t stored = 99;
    ack_ok("", &stored);
    cr_assert_eq(stored, 0);
}

Test(assertstate, the_test_root_is_trusted_only_through_trusted_d)
{
    EVP_PKEY *store = test_private_key("testrootorg-store.private.asc");
    _sn_free_ char *chain = test_acme_chain(store);
    _sn_free_ char *msg = NULL;
    /* the store key's own prerequisite: its account, a root nobody trusts yet */
    cr_assert_eq(ack(chain, NULL, &msg), -ENOKEY);
    cr_assert_str_eq(msg, "cannot resolve prerequisite assertion: account (testrootorg)");
    test_trust_testrootorg(root);
    size_t stored = 0;
    ack_ok(chain, &stored);
    cr_assert_eq(stored, 3);
    cr_assert_eq(find("account", "username", "acme", NULL), 1);
    /* the trusted.d roots are listed with the trusted ones, before what is stored */
    SnAssertion **list = NULL;
    cr_assert_eq(find("account-key", NULL, NULL, &list), 4);
    cr_assert_str_eq(sn_assertion_header(list[2], "account-id"), "testrootorg");
    cr_assert_str_eq(sn_assertion_header(list[3], "public-key-sha3-384"), TEST_STORE_KEY_ID);
    sn_assertion_list_free(list);
    EVP_PKEY_free(store);
}

Test(assertstate, a_trusted_d_writable_by_others_is_refused)
{
    test_trust_testrootorg(root);
    _sn_free_ char *dir = sn_strdup_printf("%s/etc/microsnap/trusted.d", root);
    cr_assert_eq(chmod(dir, 0777), 0);
    _sn_free_ char *msg = NULL;
    cr_assert_eq(ack("", NULL, &msg), -EPERM);
    cr_assert_not_null(strstr(msg, "must be owned by root"), "%s", msg);
}

static SnAssertion *find_one(const char *type, const char *name, const char *value)
{
    SnAssertion **list = NULL;
    cr_assert_eq(find(type, name, value, &list), 1);
    SnAssertion *a = list[0];
    list[0] = NULL;
    sn_assertion_list_free(list);
    return a;
}

Test(assertstate, a_newer_revision_replaces_an_older_one_never_the_reverse)
{
    test_trust_testrootorg(root);
    EVP_PKEY *store = test_private_key("testrootorg-store.private.asc");
    _sn_free_ char *chain = test_acme_chain(store);
    ack_ok(chain, NULL);
    const char *digest = "0000000000000000000000000000000000000000000000000000000000000000";
    _sn_free_ char *r0 = test_snap_revision(store, digest, 4096, 1, 0);
    _sn_free_ char *r2 = test_snap_revision(store, digest, 8192, 1, 2);
    _sn_free_ char *r1 = test_snap_revision(store, digest, 2048, 1, 1);
    size_t stored;
    ack_ok(r0, &stored);
    cr_assert_eq(stored, 1);
    ack_ok(r2, &stored);
    cr_assert_eq(stored, 1);
    SnAssertion *a = find_one("snap-revision", "snap-sha3-384", digest);
    cr_assert_eq(a->revision, 2);
    cr_assert_str_eq(sn_assertion_header(a, "snap-size"), "8192");
    sn_assertion_free(a);
    /* an older one verifies and is ignored, as snapd ignores unaccepted updates */
    ack_ok(r1, &stored);
    cr_assert_eq(stored, 0);
    a = find_one("snap-revision", "snap-sha3-384", digest);
    cr_assert_eq(a->revision, 2);
    sn_assertion_free(a);
    /* and survives a restart as revision 2 */
    st = sn_state_free(st);
    cr_assert_eq(sn_state_open(root, &st, NULL), 0);
    a = find_one("snap-revision", "snap-sha3-384", digest);
    cr_assert_eq(a->revision, 2);
    sn_assertion_free(a);
    EVP_PKEY_free(store);
}

Test(assertstate, check_snap_cross_checks_digest_size_and_name)
{
    test_trust_testrootorg(root);
    EVP_PKEY *store = test_private_key("testrootorg-store.private.asc");
    _sn_free_ char *path = sn_strdup_printf("%s/acme-hello_1.snap", root);
    const char content[] = "not really a squashfs, but bytes with a digest";
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, content, sizeof(content), 0644), 0);
    _sn_free_ char *digest = NULL;
    uint64_t size = 0;
    cr_assert_eq(sn_digest_file_sha3_384(AT_FDCWD, path, &digest, NULL, &size, NULL), 0);

    SnAssertSnapInfo info = {0};
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_assertstate_check_snap(st, path, NULL, 0, "acme-hello", &info, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, -ENOENT);
    _sn_free_ char *want = sn_strdup_printf("cannot find signatures with metadata for snap \"%s\"", path);
    cr_assert_str_eq(err->message, want);
    err = sn_error_free(err);

    _sn_free_ char *chain = test_acme_chain(store);
    _sn_free_ char *rev = test_snap_revision(store, digest, size, 7, 0);
    _sn_free_ char *all = sn_strdup_printf("%s\n%s", chain, rev);
    ack_ok(all, NULL);

    sn_state_lock(st);
    r = sn_assertstate_check_snap(st, path, NULL, 0, "acme-hello", &info, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(info.snap_id, TEST_SNAP_ID);
    cr_assert_str_eq(info.snap_name, "acme-hello");
    cr_assert_eq(info.revision, 7);
    cr_assert_str_eq(info.sha3_384, digest);
    cr_assert_eq(info.size, size);
    cr_assert_str_eq(info.publisher_id, "acme-dev");
    cr_assert_str_eq(info.publisher_username, "acme");
    cr_assert_str_eq(info.publisher_display_name, "Acme Inc");
    cr_assert_str_eq(info.publisher_validation, "verified");
    cr_assert_str_eq(info.developer_id, "acme-dev");
    sn_assert_snap_info_done(&info);

    /* a name the declaration does not give, and a size the revision does not say */
    sn_state_lock(st);
    r = sn_assertstate_check_snap(st, path, NULL, 0, "acme-other", &info, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, -EBADMSG);
    err = sn_error_free(err);
    sn_state_lock(st);
    r = sn_assertstate_check_snap(st, path, digest, size + 1, "acme-hello", &info, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, -EBADMSG);
    cr_assert_not_null(strstr(err->message, "does not have expected size"), "%s", err->message);
    err = sn_error_free(err);
    /* without a name, the declared one */
    sn_state_lock(st);
    r = sn_assertstate_check_snap(st, NULL, digest, size, NULL, &info, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_str_eq(info.snap_name, "acme-hello");
    sn_assert_snap_info_done(&info);
    EVP_PKEY_free(store);
}

Test(assertstate, find_refuses_an_unknown_type_and_matches_string_headers_only)
{
    SnAssertion **list = NULL;
    SnError *err = NULL;
    sn_state_lock(st);
    int r = sn_assertstate_find(st, "nosuch", NULL, 0, &list, NULL, &err);
    sn_state_unlock(st);
    cr_assert_eq(r, -EINVAL);
    cr_assert_str_eq(err->message, "invalid assert type: \"nosuch\"");
    sn_error_free(err);
    cr_assert_eq(find("account", "display-name", "Canonical", NULL), 1);
    cr_assert_eq(find("account", "no-such-header", "", NULL), 0);
}
