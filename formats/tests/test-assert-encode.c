/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>

#include "assert-corpus.h"
#include "assert-db.h"
#include "assert-encode.h"
#include "assert-input.h"
#include "assert-trusted.h"
#include "openpgp.h"

#define ROOT_ID "hIedp1AvrWlcDI4uS_qjoFLzjKl5enu4G2FYJpgB3Pj-tUzGlTQBxMBsBmi-tnJR"
#define STORE_ID "XCIC_Wvj9_hiAt0b10sDon74oGr3a6xGODkMZqrj63ZzNYUD5N87-ojjPoeN7f1Y"
#define NOW 1700000000

static EVP_PKEY *test_key(const char *file)
{
    char rel[256];
    snprintf(rel, sizeof(rel), "test-keys/%s", file);
    size_t len;
    _sn_free_ char *data = corpus_read(rel, &len);
    EVP_PKEY *key = NULL;
    SnError *err = NULL;
    int r = sn_pgp_private_key_from_armor(data, len, &key, &err);
    cr_assert_eq(r, 0, "%s: %s", file, sn_error_message(err, r));
    return key;
}

static SnAssertValue *headers_from(const char *json)
{
    SnAssertValue *h = NULL;
    char *body = NULL;
    SnError *err = NULL;
    int r = sn_assert_input_parse(json, strlen(json), &h, &body, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_null(body);
    return h;
}

static SnAssertion *sign(const char *type, const char *json, const char *body, EVP_PKEY *key)
{
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = headers_from(json);
    SnAssertion *a = NULL;
    SnError *err = NULL;
    int r = sn_assert_sign(type, h, body, body ? strlen(body) : 0, key, NOW, &a, &err);
    cr_assert_eq(r, 0, "signing %s: %s", type, sn_error_message(err, r));
    return a;
}

Test(assert_encode, test_keys_import_with_snapd_key_ids)
{
    const char *files[] = {"testrootorg-root.private.asc", "testrootorg-store.private.asc", "developer1.private.asc"};
    const char *ids[] = {ROOT_ID, STORE_ID, "EAD4DbLxK_kn0gzNCXOs3kd6DeMU3f-L6BEsSEuJGBqCORR0gXkdDxMbOm11mRFu"};
    for (size_t i = 0; i < SN_ELEMENTSOF(files); i++) {
        EVP_PKEY *k = test_key(files[i]);
        SnPgpPublicKey *pub = NULL;
        cr_assert_eq(sn_pgp_public_key_from_pkey(k, &pub, NULL), 0);
        cr_assert_str_eq(pub->id, ids[i]);
        sn_pgp_public_key_free(pub);
        EVP_PKEY_free(k);
    }
}

/* The shape snapd's decoder and assembleAndSign expect, checked on our own output. */
static void check_shape(const SnAssertion *a)
{
    char *enc = NULL, *canon = NULL;
    size_t len, clen;
    cr_assert_eq(sn_assert_encode(a, &enc, &len), 0);
    cr_assert_eq(sn_assert_encode_canonical(a, &canon, &clen), 0);
    cr_assert(len == clen && memcmp(enc, canon, len) == 0, "our signed output is not in snapd's canonical order");
    /* header order: type, authority-id, (revision), primary keys, sorted others, body-length, sign-key */
    cr_assert(sn_startswith(enc, "type: "));
    const char *auth = strstr(enc, "\nauthority-id: ");
    const char *sign = strstr(enc, "\nsign-key-sha3-384: ");
    cr_assert(sign);
    if (!(a->type->flags & SN_ASSERT_NO_AUTHORITY))
        cr_assert(auth && auth == strchr(enc, '\n'), "authority-id must come second");
    const char *prev = NULL;
    for (size_t i = 0; i < a->type->n_primary_key; i++) {
        char needle[80];
        snprintf(needle, sizeof(needle), "\n%s: ", a->type->primary_key[i]);
        const char *p = strstr(enc, needle);
        if (!p)
            continue; /* optional key at its default */
        cr_assert(!prev || p > prev, "primary key %s out of order", a->type->primary_key[i]);
        prev = p;
    }
    /* the signature field: base64 lines of at most 76 columns of 0x01 + v4 RSA/SHA-512 packet */
    const char *sig = strstr(enc, "\n\nAc");
    cr_assert(sig);
    for (const char *l = sig + 2; *l;) {
        const char *nl = strchr(l, '\n');
        size_t w = nl ? (size_t)(nl - l) : strlen(l);
        cr_assert_leq(w, 76);
        l = nl ? nl + 1 : l + w;
    }
    SnPgpSignature *s = NULL;
    cr_assert_eq(sn_pgp_signature_decode(a->signature, a->signature_len, &s, NULL), 0);
    cr_assert_eq(s->hash_algo, SN_PGP_HASH_SHA512);
    cr_assert_eq(s->hashed[0], 4);
    cr_assert_eq(s->hashed[1], 0x00);
    cr_assert_eq(s->hashed[2], 1);
    cr_assert_eq(s->created, NOW);
    cr_assert(a->signature_newline, "the signer appends a newline");
    sn_pgp_signature_free(s);
    free(enc);
    free(canon);
}

Test(assert_encode, a_chain_signed_under_the_test_root_verifies_and_has_snapds_shape, .timeout = 120)
{
    EVP_PKEY *root = test_key("testrootorg-root.private.asc");
    EVP_PKEY *store = test_key("testrootorg-store.private.asc");
    EVP_PKEY *dev = test_key("developer1.private.asc");
    SnPgpPublicKey *devpub = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(dev, &devpub, NULL), 0);
    _sn_free_ char *devbody = sn_pgp_public_key_encode(devpub);

    SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    sn_assert_db_set_time(db, NOW + 10);
    size_t len;
    _sn_free_ char *acc = corpus_read("testrootorg/testrootorg.account", &len);
    cr_assert_eq(sn_assert_db_add_trusted_stream(db, acc, len, NULL), 0);
    _sn_free_ char *rk = corpus_read("testrootorg/testrootorg-root.account-key", &len);
    cr_assert_eq(sn_assert_db_add_trusted_stream(db, rk, len, NULL), 0);

    /* the store key, re-signed by us with the root key */
    _sn_free_ char *storebody = NULL;
    {
        SnPgpPublicKey *sp = NULL;
        cr_assert_eq(sn_pgp_public_key_from_pkey(store, &sp, NULL), 0);
        storebody = sn_pgp_public_key_encode(sp);
        sn_pgp_public_key_free(sp);
    }
    SnAssertion *chain[5];
    chain[0] = sign("account-key",
                    "{\"authority-id\": \"testrootorg\", \"account-id\": \"testrootorg\", \"name\": \"test-store\","
                    "\"public-key-sha3-384\": \"" STORE_ID "\", \"since\": \"2016-01-01T00:00:00Z\"}",
                    storebody, root);
    chain[1] = sign("account",
                    "{\"authority-id\": \"testrootorg\", \"account-id\": \"acme-dev\", \"display-name\": \"Acme\","
                    "\"validation\": \"unproven\", \"timestamp\": \"2023-01-01T00:00:00Z\"}",
                    NULL, store);
    _sn_free_ char *akjson =
        sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"account-id\": \"acme-dev\", \"name\": \"default\","
                         "\"public-key-sha3-384\": \"%s\", \"since\": \"2023-01-01T00:00:00Z\"}",
                         devpub->id);
    chain[2] = sign("account-key", akjson, devbody, store);
    chain[3] = sign("snap-declaration",
                    "{\"authority-id\": \"testrootorg\", \"series\": \"16\", \"snap-id\": "
                    "\"AcmeSnapIdAcmeSnapIdAcmeSnapId01\", \"snap-name\": \"acme-hello\", \"publisher-id\": "
                    "\"acme-dev\", \"timestamp\": \"2023-01-02T00:00:00Z\", \"auto-aliases\": [\"hello\"]}",
                    NULL, store);
    /* the snap file: any bytes; the digest is what snap-revision signs */
    const char snapfile[] = "hsqs not really a squashfs, but the bytes are what count";
    char digest[SN_PGP_KEY_ID_LEN + 1];
    cr_assert_eq(sn_sha3_384_digest_string(snapfile, sizeof(snapfile) - 1, digest), 0);
    _sn_free_ char *revjson =
        sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"snap-sha3-384\": \"%s\", \"snap-id\": "
                         "\"AcmeSnapIdAcmeSnapIdAcmeSnapId01\", \"snap-size\": \"%zu\", \"snap-revision\": \"1\","
                         "\"developer-id\": \"acme-dev\", \"timestamp\": \"2023-01-03T00:00:00Z\"}",
                         digest, sizeof(snapfile) - 1);
    chain[4] = sign("snap-revision", revjson, NULL, store);

    for (size_t i = 0; i < 5; i++)
        check_shape(chain[i]);
    /* snap-revision's optional primary key "provenance" is left out at its default, as snapd does */
    cr_assert_null(strstr(chain[4]->content, "provenance"));

    /* our verifier accepts the chain with snapd's full rules, in reverse order too */
    SnAssertion *rev[5];
    for (size_t i = 0; i < 5; i++) {
        char *enc;
        size_t l;
        cr_assert_eq(sn_assert_encode(chain[4 - i], &enc, &l), 0);
        cr_assert_eq(sn_assert_decode(enc, l, &rev[i], NULL), 0);
        free(enc);
    }
    char **errors = NULL;
    int failed = sn_assert_db_add_many(db, rev, 5, 0, &errors);
    for (size_t i = 0; i < 5; i++)
        cr_expect_null(errors[i], "#%zu: %s", i, errors[i]);
    cr_assert_eq(failed, 0);
    sn_assert_db_errors_free(errors, 5);

    /* the snap cross-check: digest, size, snap-id, name */
    const SnAssertion *r1 = NULL, *d1 = NULL;
    SnError *err = NULL;
    int r = sn_assert_db_cross_check_snap(db, digest, sizeof(snapfile) - 1, "acme-hello", &r1, &d1, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(sn_assert_db_cross_check_snap(db, digest, sizeof(snapfile), "acme-hello", NULL, NULL, NULL), -EBADMSG);
    cr_assert_eq(sn_assert_db_cross_check_snap(db, digest, sizeof(snapfile) - 1, "other", NULL, NULL, NULL), -EBADMSG);
    cr_assert_eq(sn_assert_db_cross_check_snap(db, STORE_ID, 1, "acme-hello", NULL, NULL, NULL), -ENOENT);

    /* a developer-signed snap-revision is not a store's: refused by the consistency rules */
    SnAssertion *forged = sign("snap-revision",
                               "{\"authority-id\": \"acme-dev\", \"snap-sha3-384\": \"" ROOT_ID
                               "\", \"snap-id\": \"AcmeSnapIdAcmeSnapIdAcmeSnapId01\", \"snap-size\": \"1\","
                               "\"snap-revision\": \"2\", \"developer-id\": \"acme-dev\", \"timestamp\": "
                               "\"2023-01-03T00:00:00Z\"}",
                               NULL, dev);
    r = sn_assert_db_add(db, forged, 0, &err);
    cr_assert_eq(r, -EPERM);
    cr_assert(strstr(err->message, "not signed by a store"), "%s", err->message);
    sn_error_free(err);
    err = NULL;

    /* revisions: a newer account replaces the old one, an older one is refused */
    SnAssertion *acc2 = sign("account",
                             "{\"authority-id\": \"testrootorg\", \"account-id\": \"acme-dev\", \"display-name\": "
                             "\"Acme Inc\", \"validation\": \"verified\", \"revision\": \"2\", \"timestamp\": "
                             "\"2023-02-01T00:00:00Z\"}",
                             NULL, store);
    cr_assert(strstr(acc2->content, "authority-id: testrootorg\nrevision: 2\naccount-id: acme-dev\n"), "%s",
              acc2->content);
    r = sn_assert_db_add(db, acc2, 0, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    SnAssertion *acc1 = sign("account",
                             "{\"authority-id\": \"testrootorg\", \"account-id\": \"acme-dev\", \"display-name\": "
                             "\"Acme\", \"validation\": \"unproven\", \"revision\": \"1\", \"timestamp\": "
                             "\"2023-02-01T00:00:00Z\"}",
                             NULL, store);
    r = sn_assert_db_add(db, acc1, 0, &err);
    cr_assert_eq(r, -EEXIST);
    cr_assert(strstr(err->message, "revision 1 is older than current revision 2"), "%s", err->message);
    sn_error_free(err);
    const char *id = "acme-dev";
    cr_assert_str_eq(sn_assertion_header(sn_assert_db_find(db, "account", &id, 1), "display-name"), "Acme Inc");

    for (size_t i = 0; i < 5; i++)
        sn_assertion_free(chain[i]);
    sn_assert_db_free(db);
    sn_pgp_public_key_free(devpub);
    EVP_PKEY_free(root);
    EVP_PKEY_free(store);
    EVP_PKEY_free(dev);
}

Test(assert_encode, key_constraints_limit_what_a_key_signs)
{
    EVP_PKEY *root = test_key("testrootorg-root.private.asc");
    EVP_PKEY *dev = test_key("developer1.private.asc");
    SnPgpPublicKey *devpub = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(dev, &devpub, NULL), 0);
    _sn_free_ char *devbody = sn_pgp_public_key_encode(devpub);
    SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    size_t len;
    _sn_free_ char *acc = corpus_read("testrootorg/testrootorg.account", &len);
    cr_assert_eq(sn_assert_db_add_trusted_stream(db, acc, len, NULL), 0);
    _sn_free_ char *rk = corpus_read("testrootorg/testrootorg-root.account-key", &len);
    cr_assert_eq(sn_assert_db_add_trusted_stream(db, rk, len, NULL), 0);
    SnError *err = NULL;
    /* constraints need format 1, as snapd's SuggestFormat says */
    _sn_free_ char *bad =
        sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"account-id\": \"testrootorg\", \"name\": \"models\","
                         "\"public-key-sha3-384\": \"%s\", \"since\": \"2016-01-01T00:00:00Z\","
                         "\"constraints\": [{\"headers\": {\"type\": \"model\", \"model\": \"pc-.*\"}}]}",
                         devpub->id);
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = headers_from(bad);
    SnAssertion *a = NULL;
    cr_assert_lt(sn_assert_sign("account-key", h, devbody, strlen(devbody), root, NOW, &a, &err), 0);
    cr_assert(strstr(err->message, "lower than min format 1"), "%s", err->message);
    sn_error_free(err);
    err = NULL;
    cr_assert_eq(sn_assert_value_map_set_string(h, "format", "1"), 0);
    cr_assert_eq(sn_assert_sign("account-key", h, devbody, strlen(devbody), root, NOW, &a, &err), 0, "%s",
                 sn_error_message(err, -1));
    cr_assert(sn_startswith(a->content, "type: account-key\nformat: 1\nauthority-id: testrootorg\n"));
    cr_assert_eq(sn_assert_db_add(db, a, 0, &err), 0, "%s", sn_error_message(err, -1));

#define MODEL                                                                                                          \
    "{\"authority-id\": \"testrootorg\", \"brand-id\": \"testrootorg\", \"series\": \"16\", \"model\": \"%s\","        \
    "\"architecture\": \"amd64\", \"gadget\": \"pc\", \"kernel\": \"pc-kernel\", \"timestamp\": "                      \
    "\"2023-01-01T00:00:00Z\"}"
    _sn_free_ char *ok_json = sn_strdup_printf(MODEL, "pc-22");
    _sn_free_ char *no_json = sn_strdup_printf(MODEL, "laptop");
    SnAssertion *ok = sign("model", ok_json, NULL, dev);
    SnAssertion *no = sign("model", no_json, NULL, dev);
    cr_assert_eq(sn_assert_db_check(db, ok, SN_ASSERT_DB_SKIP_TIME, &err), 0, "%s", sn_error_message(err, -1));
    cr_assert_eq(sn_assert_db_check(db, no, SN_ASSERT_DB_SKIP_TIME, &err), -EPERM);
    cr_assert(strstr(err->message, "does not match signing constraints"), "%s", err->message);
    sn_error_free(err);
    sn_assertion_free(ok);
    sn_assertion_free(no);
    sn_assert_db_free(db);
    sn_pgp_public_key_free(devpub);
    EVP_PKEY_free(root);
    EVP_PKEY_free(dev);
}

Test(assert_encode, sign_input_accepts_json_and_yaml_and_refuses_numbers)
{
    SnAssertValue *h = NULL;
    char *body = NULL;
    SnError *err = NULL;
    const char *yaml = "type: account\nauthority-id: x\nlist:\n  - a\n  - b\nbody: hello\n";
    cr_assert_eq(sn_assert_input_parse(yaml, strlen(yaml), &h, &body, &err), 0);
    cr_assert_str_eq(body, "hello");
    cr_assert_null(sn_assert_value_map_get(h, "body"));
    cr_assert_eq(sn_assert_value_map_get(h, "list")->n, 2);
    free(body);
    sn_assert_value_free(h);
    const char *num = "{\"type\": \"account\", \"revision\": 2}";
    cr_assert_lt(sn_assert_input_parse(num, strlen(num), &h, &body, &err), 0);
    cr_assert(strstr(err->message, "must be strings"));
    sn_error_free(err);
}
