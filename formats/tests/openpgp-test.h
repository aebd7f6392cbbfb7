/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Test helpers (header-only, tests only) for the OpenPGP test files: snapd's published test keys
 * and corpus assertions.
 */
#pragma once

#include "assert-corpus.h"
#include "assert-decode.h"
#include "openpgp.h"

/* snapd's testrootorg root key, its store key and developer1's key (formats/tests/conformance/assertions/INDEX.md). */
#define ROOT_ID "hIedp1AvrWlcDI4uS_qjoFLzjKl5enu4G2FYJpgB3Pj-tUzGlTQBxMBsBmi-tnJR"
#define STORE_ID "XCIC_Wvj9_hiAt0b10sDon74oGr3a6xGODkMZqrj63ZzNYUD5N87-ojjPoeN7f1Y"
#define DEVELOPER1_ID "EAD4DbLxK_kn0gzNCXOs3kd6DeMU3f-L6BEsSEuJGBqCORR0gXkdDxMbOm11mRFu"

/* An armored test key of test-keys/ as an OpenSSL key (caller frees with EVP_PKEY_free). */
static inline EVP_PKEY *test_key(const char *file)
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

/* A corpus file holding one assertion, decoded (caller frees). */
static inline SnAssertion *corpus_assertion(const char *rel)
{
    size_t len;
    _sn_free_ char *data = corpus_read(rel, &len);
    SnAssertion *a = NULL;
    SnError *e = NULL;
    int r = sn_assert_decode(data, len, &a, &e);
    cr_assert_eq(r, 0, "%s: %s", rel, sn_error_message(e, r));
    return a;
}
