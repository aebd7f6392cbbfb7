/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Fuzzes the assertion decoders (stream and single), the canonical re-encoder, the signature
 * and public-key packet parsers and a signature check against the built-in roots.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "assert-db.h"
#include "assert-decode.h"
#include "assert-encode.h"
#include "assert-trusted.h"
#include "openpgp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encoding drops "format" and "revision" at 0 (as snapd's signer does): compare without them. */
static void drop_zero_iterations(SnAssertValue *h)
{
    static const char *const names[] = {"format", "revision"};
    for (size_t i = 0; i < 2; i++) {
        const char *v = sn_assert_value_map_get_string(h, names[i]);
        int64_t n;
        if (v && sn_assert_atoi(v, &n) == 0 && n == 0)
            sn_assert_value_map_remove(h, names[i]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static SnAssertDb *db;
    if (!db && (sn_assert_db_new(&db) < 0 || sn_assert_db_add_builtin(db, NULL) < 0))
        __builtin_trap();
    const char *text = (const char *)data;

    SnAssertion **list = NULL;
    size_t n = 0;
    SnError *err = NULL;
    if (sn_assert_decode_stream(text, size, &list, &n, &err) == 0) {
        for (size_t i = 0; i < n; i++) {
            char *enc = NULL;
            size_t len;
            /* a decoded assertion re-encodes and decodes again to the same headers */
            if (sn_assert_encode_canonical(list[i], &enc, &len) == 0) {
                SnAssertion *again = NULL;
                if (sn_assert_decode(enc, len, &again, NULL) == 0) {
                    drop_zero_iterations(again->headers);
                    drop_zero_iterations(list[i]->headers);
                    if (!sn_assert_value_equal(again->headers, list[i]->headers))
                        __builtin_trap();
                    sn_assertion_free(again);
                }
                free(enc);
            }
            sn_assert_db_check(db, list[i], SN_ASSERT_DB_SKIP_TIME, NULL);
        }
        sn_assertion_list_free(list);
    }
    sn_error_free(err);

    SnAssertion *one = NULL;
    if (sn_assert_decode(text, size, &one, NULL) == 0)
        sn_assertion_free(one);

    SnPgpSignature *sig = NULL;
    if (sn_pgp_signature_decode(text, size, &sig, NULL) == 0)
        sn_pgp_signature_free(sig);
    SnPgpPublicKey *key = NULL;
    if (sn_pgp_public_key_decode(text, size, &key, NULL) == 0)
        sn_pgp_public_key_free(key);
    return 0;
}
