/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * openpgp-sign.c: signatures as snapd makes them, verified and refused.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "openpgp-test.h"

static SnPgpPublicKey *public_of(const SnAssertion *account_key)
{
    SnPgpPublicKey *k = NULL;
    cr_assert_eq(sn_pgp_public_key_decode(account_key->body, account_key->body_len, &k, NULL), 0);
    return k;
}

Test(openpgp_sign, a_real_self_signed_root_verifies_and_a_flipped_bit_does_not)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = corpus_assertion("testrootorg/testrootorg-root.account-key");
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *k = public_of(a);
    _sn_cleanup_(sn_pgp_signature_freep) SnPgpSignature *sig = NULL;
    cr_assert_eq(sn_pgp_signature_decode(a->signature, a->signature_len, &sig, NULL), 0);
    cr_assert_eq(sig->hash_algo, SN_PGP_HASH_SHA512);
    SnError *e = NULL;
    int r = sn_pgp_verify(k, a->content, a->content_len, sig, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));

    /* every bit of a few content bytes matters */
    _sn_free_ char *copy = malloc(a->content_len);
    for (size_t at = 0; at < a->content_len; at += a->content_len / 7) {
        memcpy(copy, a->content, a->content_len);
        copy[at] ^= 0x10;
        e = NULL;
        cr_assert_eq(sn_pgp_verify(k, copy, a->content_len, sig, &e), -EBADMSG, "byte %zu flipped", at);
        cr_assert(sn_startswith(e->message, "failed signature verification: "), "%s", e->message);
        sn_error_free(e);
    }
    /* and of the signature value */
    sig->mpi[sig->mpi_len / 2] ^= 1;
    e = NULL;
    cr_assert_eq(sn_pgp_verify(k, a->content, a->content_len, sig, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "failed signature verification: crypto/rsa: verification error");
    sn_error_free(e);
}

Test(openpgp_sign, a_key_does_not_verify_another_keys_signature)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *root = corpus_assertion("testrootorg/testrootorg-root.account-key");
    _sn_cleanup_(sn_assertion_freep) SnAssertion *store = corpus_assertion("testrootorg/testrootorg-store.account-key");
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *store_key = public_of(store);
    _sn_cleanup_(sn_pgp_signature_freep) SnPgpSignature *sig = NULL;
    cr_assert_eq(sn_pgp_signature_decode(root->signature, root->signature_len, &sig, NULL), 0);
    cr_assert_eq(sn_pgp_verify(store_key, root->content, root->content_len, sig, NULL), -EBADMSG);
}

Test(openpgp_sign, our_signatures_verify_and_have_snapds_shape)
{
    EVP_PKEY *priv = test_key("developer1.private.asc");
    const char *content = "type: test\nauthority-id: developer1";
    _sn_free_ char *text = NULL;
    SnError *e = NULL;
    int r = sn_pgp_sign(priv, content, strlen(content), 1700000000u, &text, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    cr_assert(sn_startswith(text, "Ac"), "base64 of 0x01 and a new-format packet");
    _sn_cleanup_(sn_pgp_signature_freep) SnPgpSignature *sig = NULL;
    cr_assert_eq(sn_pgp_signature_decode(text, strlen(text), &sig, NULL), 0);
    cr_assert_eq(sig->created, 1700000000u);
    cr_assert_eq(sig->hash_algo, SN_PGP_HASH_SHA512);
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *pub = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(priv, &pub, NULL), 0);
    cr_assert_str_eq(pub->id, DEVELOPER1_ID);
    cr_assert_eq(sn_pgp_verify(pub, content, strlen(content), sig, NULL), 0);
    cr_assert_eq(sn_pgp_verify(pub, content, strlen(content) - 1, sig, NULL), -EBADMSG);
    EVP_PKEY_free(priv);

    /* a public key cannot sign */
    EVP_PKEY *pub_only = pub->pkey;
    _sn_free_ char *none = NULL;
    e = NULL;
    cr_assert_eq(sn_pgp_sign(pub_only, content, strlen(content), 1, &none, &e), -EINVAL);
    cr_assert_null(none);
    sn_error_free(e);
}

/* Re-encodes a corpus signature with one byte of its packet changed. */
static int decode_edited(size_t at, uint8_t value, SnError **reterr)
{
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = corpus_assertion("testrootorg/testrootorg-root.account-key");
    _sn_free_ uint8_t *raw = NULL;
    size_t n;
    cr_assert_eq(sn_base64_decode(a->signature, a->signature_len, &raw, &n), 0);
    cr_assert_lt(at, n);
    raw[at] = value;
    _sn_free_ char *text = sn_base64_encode_wrapped(raw, n);
    SnPgpSignature *sig = NULL;
    int r = sn_pgp_signature_decode(text, strlen(text), &sig, reterr);
    sn_pgp_signature_free(sig);
    return r;
}

Test(openpgp_sign, signatures_snapd_does_not_make_are_refused)
{
    /* 0x01, then the packet header (new format, 2-byte length): the body starts at byte 4 */
    static const struct {
        size_t at;
        uint8_t value;
        const char *message;
    } edits[] = {
        {0, 0x05, "unsupported signature format version: 5"},
        {4, 3, "expected a v4 signature, got version 3"},
        {5, 0x01, "unexpected signature type 0x01 (want binary document)"},
        {6, 17, "unsupported signature public key algorithm 17"},
        {7, 2, "unsupported signature hash algorithm 2"},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(edits); i++) {
        SnError *e = NULL;
        cr_assert_eq(decode_edited(edits[i].at, edits[i].value, &e), -EBADMSG, "case %zu", i);
        cr_assert_str_eq(e->message, edits[i].message);
        sn_error_free(e);
    }
    SnPgpSignature *sig = NULL;
    SnError *e = NULL;
    cr_assert_eq(sn_pgp_signature_decode("AXNpZw==", 8, &sig, &e), -EBADMSG, "snapd's fake \"sig\" vector");
    sn_error_free(e);
}
