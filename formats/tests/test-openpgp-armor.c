/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * openpgp-armor.c: importing snapd's armored test secret keys.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "openpgp-test.h"

static char *read_key(const char *file, size_t *ret_len)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "test-keys/%s", file);
    return corpus_read(rel, ret_len);
}

Test(openpgp_armor, snapds_test_keys_import_with_their_key_ids)
{
    static const struct {
        const char *file, *id;
    } keys[] = {
        {"testrootorg-root.private.asc", ROOT_ID},
        {"testrootorg-store.private.asc", STORE_ID},
        {"developer1.private.asc", DEVELOPER1_ID},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(keys); i++) {
        EVP_PKEY *k = test_key(keys[i].file);
        cr_assert_eq(EVP_PKEY_get_base_id(k), EVP_PKEY_RSA);
        _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *pub = NULL;
        cr_assert_eq(sn_pgp_public_key_from_pkey(k, &pub, NULL), 0);
        cr_assert_str_eq(pub->id, keys[i].id, "%s", keys[i].file);
        EVP_PKEY_free(k);
    }
}

static int import(const char *text, size_t len, SnError **reterr)
{
    EVP_PKEY *k = NULL;
    int r = sn_pgp_private_key_from_armor(text, len, &k, reterr);
    EVP_PKEY_free(k);
    return r;
}

Test(openpgp_armor, a_damaged_armor_is_refused)
{
    size_t len;
    _sn_free_ char *key = read_key("developer1.private.asc", &len);

    /* a changed base64 character: the CRC-24 no longer matches */
    char *body = strstr(key, "\n\n");
    cr_assert_not_null(body);
    char *c = body + 40;
    const char saved = *c;
    *c = saved == 'A' ? 'B' : 'A';
    SnError *e = NULL;
    cr_assert_eq(import(key, len, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "armor checksum mismatch");
    sn_error_free(e);
    *c = saved;

    e = NULL;
    cr_assert_eq(import(key, len, &e), 0, "restored: %s", e ? e->message : "");

    e = NULL;
    cr_assert_eq(import("hello", 5, &e), -EBADMSG);
    cr_assert_str_eq(e->message, "no armored OpenPGP private key found");
    sn_error_free(e);

    const char *pub = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nmQ==\n-----END PGP PRIVATE KEY BLOCK-----\n";
    e = NULL;
    cr_assert_eq(import(pub, strlen(pub), &e), -EBADMSG);
    sn_error_free(e);
}

Test(openpgp_armor, armor_without_a_secret_key_packet_is_refused)
{
    /* a public-key packet (tag 6) only: take one from the corpus and armor it ourselves */
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = corpus_assertion("testrootorg/testrootorg-root.account-key");
    _sn_free_ uint8_t *raw = NULL;
    size_t n;
    cr_assert_eq(sn_base64_decode(a->body, a->body_len, &raw, &n), 0);
    _sn_free_ char *b64 = sn_base64_encode_wrapped(raw + 1, n - 1);
    _sn_free_ char *armor = sn_strdup_printf(
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: test\n\n%s\n-----END PGP PRIVATE KEY BLOCK-----\n", b64);
    SnError *e = NULL;
    cr_assert_eq(import(armor, strlen(armor), &e), -EBADMSG);
    cr_assert_str_eq(e->message, "no secret key packet in armor");
    sn_error_free(e);
}
