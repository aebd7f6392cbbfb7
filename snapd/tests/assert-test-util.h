/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Helpers for the assertion tests of the daemon (header-only, tests only): the conformance
 * corpus, snapd's published test keys, signing under the testrootorg test root and trusting it
 * through $ROOT/etc/microsnap/trusted.d.
 */
#pragma once

#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "assert-encode.h"
#include "assert-input.h"
#include "fd-util.h"
#include "fileio.h"
#include "openpgp.h"
#include "strutil.h"

#define TEST_STORE_KEY_ID "XCIC_Wvj9_hiAt0b10sDon74oGr3a6xGODkMZqrj63ZzNYUD5N87-ojjPoeN7f1Y"
#define TEST_SNAP_ID "AcmeSnapIdAcmeSnapIdAcmeSnapId01"

/* A corpus file (relative to formats/tests/conformance/assertions). Caller frees. */
static inline char *corpus_file(const char *rel, size_t *ret_len)
{
    const char *src = getenv("SN_SOURCE_ROOT");
    cr_assert_not_null(src, "SN_SOURCE_ROOT is not set");
    _sn_free_ char *path = sn_strdup_printf("%s/formats/tests/conformance/assertions/%s", src, rel);
    char *data = NULL;
    size_t len = 0;
    cr_assert_geq(sn_read_file_at(AT_FDCWD, path, 4 << 20, &data, &len), 0, "cannot read %s", path);
    if (ret_len)
        *ret_len = len;
    return data;
}

static inline EVP_PKEY *test_private_key(const char *file)
{
    _sn_free_ char *rel = sn_strdup_printf("test-keys/%s", file);
    size_t len;
    _sn_free_ char *data = corpus_file(rel, &len);
    EVP_PKEY *key = NULL;
    SnError *err = NULL;
    int r = sn_pgp_private_key_from_armor(data, len, &key, &err);
    cr_assert_eq(r, 0, "%s: %s", file, sn_error_message(err, r));
    return key;
}

/* The encoded public key of a private key, as an account-key body. Caller frees. */
static inline char *test_public_body(EVP_PKEY *key)
{
    SnPgpPublicKey *pub = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(key, &pub, NULL), 0);
    char *body = sn_pgp_public_key_encode(pub);
    sn_pgp_public_key_free(pub);
    return body;
}

/* Signs an assertion from JSON headers (and body) with key, now. Returns its encoding (caller frees). */
static inline char *test_sign(const char *type, const char *json, const char *body, EVP_PKEY *key)
{
    SnAssertValue *h = NULL;
    SnError *err = NULL;
    char *no_body = NULL;
    int r = sn_assert_input_parse(json, strlen(json), &h, &no_body, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    free(no_body);
    SnAssertion *a = NULL;
    r = sn_assert_sign(type, h, body, body ? strlen(body) : 0, key, time(NULL), &a, &err);
    cr_assert_eq(r, 0, "signing %s: %s", type, sn_error_message(err, r));
    sn_assert_value_free(h);
    char *enc = NULL;
    size_t len = 0;
    cr_assert_eq(sn_assert_encode(a, &enc, &len), 0);
    sn_assertion_free(a);
    return enc;
}

/* An RFC3339 time n seconds from now. */
static inline const char *test_time(long n)
{
    static char buf[8][32];
    static int i;
    time_t t = time(NULL) + n;
    struct tm tm;
    gmtime_r(&t, &tm);
    char *b = buf[i++ % 8];
    strftime(b, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return b;
}

/* Makes the testrootorg test authority a trusted root of the system at root (trusted.d, root-owned). */
static inline void test_trust_testrootorg(const char *root)
{
    _sn_free_ char *dir = sn_strdup_printf("%s/etc/microsnap/trusted.d", root);
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(chmod(dir, 0755), 0);
    size_t l1, l2;
    _sn_free_ char *acc = corpus_file("testrootorg/testrootorg.account", &l1);
    _sn_free_ char *key = corpus_file("testrootorg/testrootorg-root.account-key", &l2);
    _sn_free_ char *both = sn_strdup_printf("%s\n%s", acc, key);
    _sn_free_ char *path = sn_strdup_printf("%s/testrootorg", dir);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, both, strlen(both), 0644), 0);
}

/* The store key, the acme-dev account and the declaration of "acme-hello" (TEST_SNAP_ID) as one stream. */
static inline char *test_acme_chain(EVP_PKEY *store)
{
    _sn_free_ char *store_key = corpus_file("testrootorg/testrootorg-store.account-key", NULL);
    _sn_free_ char *json = sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"account-id\": \"acme-dev\","
                                            " \"username\": \"acme\", \"display-name\": \"Acme Inc\","
                                            " \"validation\": \"verified\", \"timestamp\": \"%s\"}",
                                            test_time(-60));
    _sn_free_ char *account = test_sign("account", json, NULL, store);
    free(json);
    json = sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"series\": \"16\", \"snap-id\": \"" TEST_SNAP_ID
                            "\", \"snap-name\": \"acme-hello\", \"publisher-id\": \"acme-dev\", \"timestamp\": \"%s\"}",
                            test_time(-60));
    _sn_free_ char *decl = test_sign("snap-declaration", json, NULL, store);
    return sn_strdup_printf("%s\n%s\n%s", store_key, account, decl);
}

/* A snap-revision of TEST_SNAP_ID for a file of this digest and size. Caller frees. */
static inline char *test_snap_revision(EVP_PKEY *store, const char *digest, unsigned long long size, int revision,
                                       int assertion_revision)
{
    char rev[48] = "";
    if (assertion_revision > 0)
        snprintf(rev, sizeof(rev), " \"revision\": \"%d\",", assertion_revision);
    _sn_free_ char *json =
        sn_strdup_printf("{\"authority-id\": \"testrootorg\", \"snap-sha3-384\": \"%s\", \"snap-id\": \"" TEST_SNAP_ID
                         "\", \"snap-size\": \"%llu\", \"snap-revision\": \"%d\", \"developer-id\": \"acme-dev\",%s"
                         " \"timestamp\": \"%s\"}",
                         digest, size, revision, rev, test_time(-60));
    return test_sign("snap-revision", json, NULL, store);
}
