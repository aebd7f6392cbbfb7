/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * openpgp.c: strict base64, SHA3-384 key IDs and public keys as snapd encodes them.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "openpgp-test.h"

static int b64(const char *s, uint8_t **ret, size_t *ret_len)
{
    return sn_base64_decode(s, strlen(s), ret, ret_len);
}

Test(openpgp, base64_is_strict_like_go_std_encoding)
{
    static const struct {
        const char *in, *out;
    } good[] = {
        {"", ""}, {"YQ==", "a"}, {"YWI=", "ab"}, {"YWJj", "abc"}, {"YW\nJj\r\n", "abc"}, {"YWJjZA==\n", "abcd"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(good); i++) {
        _sn_free_ uint8_t *out = NULL;
        size_t n = 99;
        cr_assert_eq(b64(good[i].in, &out, &n), 0, "%s", good[i].in);
        cr_assert_eq(n, strlen(good[i].out));
        cr_assert(memcmp(out, good[i].out, n) == 0, "%s", good[i].in);
        cr_assert_eq(out[n], 0, "NUL-terminated");
    }
    static const char *const bad[] = {
        "YQ", "YQ=", "YQ===", "Y===", "YQ==YQ==", "YR==", "YWK=", "YW Jj", "YW-j", "=YWJ"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        uint8_t *out = NULL;
        size_t n = 0;
        cr_assert_eq(b64(bad[i], &out, &n), -EBADMSG, "accepted \"%s\"", bad[i]);
        cr_assert_null(out);
    }
}

Test(openpgp, wrapped_base64_has_76_columns)
{
    uint8_t data[200];
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7);
    _sn_free_ char *s = sn_base64_encode_wrapped(data, sizeof(data));
    cr_assert_not_null(s);
    /* 200 bytes -> 268 chars -> 76 + 76 + 76 + 40 */
    cr_assert_eq(strlen(s), 268 + 3);
    cr_assert_eq(s[76], '\n');
    cr_assert_eq(s[153], '\n');
    cr_assert_eq(s[230], '\n');
    cr_assert_neq(s[strlen(s) - 1], '\n');
    _sn_free_ uint8_t *back = NULL;
    size_t n;
    cr_assert_eq(sn_base64_decode(s, strlen(s), &back, &n), 0);
    cr_assert_eq(n, sizeof(data));
    cr_assert(memcmp(back, data, n) == 0);
}

Test(openpgp, sha3_384_digest_strings_are_unpadded_base64url)
{
    char id[SN_PGP_KEY_ID_LEN + 1];
    cr_assert_eq(sn_sha3_384_digest_string("", 0, id), 0);
    cr_assert_str_eq(id, "DGOnW4ReT30BEH2FLkwkhcUaUKqqlPxhmV5xu-6YOirDcTgxJkrbR_tr0eBY1fAE");
    cr_assert_eq(sn_sha3_384_digest_string("abc", 3, id), 0);
    cr_assert_str_eq(id, "7AFJgohRb8kmRZ9Y4satjfm0c8sPwIwlltp88OSb5LKY2IzqknrH9Tnx7fIoN20l");
}

Test(openpgp, account_key_bodies_decode_to_their_key_ids)
{
    static const struct {
        const char *file, *id;
        unsigned bits;
    } keys[] = {
        {"testrootorg/testrootorg-root.account-key", ROOT_ID, 4096},
        {"testrootorg/testrootorg-store.account-key", STORE_ID, 4096},
        {"canonical-trusted/canonical-root.account-key",
         "-CvQKAwRQ5h3Ffn10FILJoEZUXOv6km9FwA80-Rcj-f-6jadQ89VRswHNiEB9Lxk", 8192},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(keys); i++) {
        _sn_cleanup_(sn_assertion_freep) SnAssertion *a = corpus_assertion(keys[i].file);
        _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *k = NULL;
        SnError *e = NULL;
        int r = sn_pgp_public_key_decode(a->body, a->body_len, &k, &e);
        cr_assert_eq(r, 0, "%s: %s", keys[i].file, sn_error_message(e, r));
        cr_assert_str_eq(k->id, keys[i].id);
        cr_assert_str_eq(k->id, sn_assertion_header(a, "public-key-sha3-384"));
        cr_assert_eq(k->bits, keys[i].bits);
        /* re-encoding gives the body back (snapd's keys are already normalised) */
        _sn_free_ char *enc = sn_pgp_public_key_encode(k);
        cr_assert_str_eq(enc, a->body);
    }
}

Test(openpgp, public_key_ids_ignore_the_packet_creation_time)
{
    /* the testrootorg root private key's packet says 1970; its key ID is still snapd's (fixed 2016 time) */
    EVP_PKEY *priv = test_key("testrootorg-root.private.asc");
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *k = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(priv, &k, NULL), 0);
    cr_assert_str_eq(k->id, ROOT_ID);
    EVP_PKEY_free(priv);
}

Test(openpgp, malformed_public_keys_are_refused)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = corpus_assertion("testrootorg/testrootorg-root.account-key");
    _sn_free_ uint8_t *raw = NULL;
    size_t n;
    cr_assert_eq(sn_base64_decode(a->body, a->body_len, &raw, &n), 0);
    struct {
        size_t at;
        uint8_t value;
        const char *message;
    } edits[] = {
        {0, 0x02, "unsupported public key format version: 2"},
        {1, 0xc2, "expected public key, got instead packet tag 2"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(edits); i++) {
        _sn_free_ uint8_t *copy = malloc(n);
        memcpy(copy, raw, n);
        copy[edits[i].at] = edits[i].value;
        _sn_free_ char *text = sn_base64_encode_wrapped(copy, n);
        SnPgpPublicKey *k = NULL;
        SnError *e = NULL;
        cr_assert_eq(sn_pgp_public_key_decode(text, strlen(text), &k, &e), -EBADMSG);
        cr_assert_str_eq(e->message, edits[i].message);
        sn_error_free(e);
    }
    /* one byte more than the packet */
    _sn_free_ uint8_t *longer = calloc(1, n + 1);
    memcpy(longer, raw, n);
    _sn_free_ char *text = sn_base64_encode_wrapped(longer, n + 1);
    SnPgpPublicKey *k = NULL;
    SnError *e = NULL;
    cr_assert_eq(sn_pgp_public_key_decode(text, strlen(text), &k, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "public key has spurious trailing data");
    sn_error_free(e);
    e = NULL;
    cr_assert_eq(sn_pgp_public_key_decode("AQ=", 3, &k, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "cannot decode public key: invalid base64");
    sn_error_free(e);
    cr_assert_eq(sn_pgp_public_key_decode("", 0, &k, NULL), -EBADMSG);
}
