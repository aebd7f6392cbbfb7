/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Encoding and signing in snapd's format (asserts/asserts.go assembleAndSign, Encode, Encoder;
 * asserts/headers.go appendEntry):
 *
 *   type, format (if > 0), authority-id (unless the type has none), revision (if > 0), the
 *   primary keys in type order (an optional one equal to its default omitted), every other
 *   header sorted bytewise, body-length (if > 0), sign-key-sha3-384; maps sorted by key, empty
 *   lists and maps omitted, multi-line strings indented by 4 spaces.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "assert-decode.h"
#include "error.h"
#include "strutil.h"

/*
 * Appends the header block of headers (a MAP holding "type" and "sign-key-sha3-384") in snapd's
 * order to out, without a final newline. body_len decides whether body-length is written.
 * An optional primary key equal to its default is omitted, as snapd signs; with keep_defaults it
 * is written among the other (sorted) headers instead, which is how the store wrote some of the
 * assertions it signed (a decoded assertion that carried it re-encodes to the same bytes).
 * Returns 0, -EINVAL (unknown type, missing primary key) or -ENOMEM.
 */
int sn_assert_encode_headers(const SnAssertType *t, const SnAssertValue *headers, size_t body_len, bool keep_defaults,
                             SnBuf *out);

/*
 * The assertion as snapd's Encode returns it: the received content, "\n\n", the received
 * signature text, and '\n' when the input had one. Returns 0 with *ret (caller frees) and *ret_len.
 */
int sn_assert_encode(const SnAssertion *a, char **ret, size_t *ret_len);

/*
 * The assertion rebuilt from its decoded parts: headers in snapd's order, the body, and the
 * signature packet re-encoded as base64 at 76 columns. For anything snapd signed this equals
 * sn_assert_encode's bytes. Returns -EBADMSG when the signature text is not base64.
 */
int sn_assert_encode_canonical(const SnAssertion *a, char **ret, size_t *ret_len);

/*
 * A stream of assertions as snapd's Encoder writes it: each encoding, separated by one blank
 * line (a '\n' is added after an encoding that does not end with one, except after the last).
 * canonical selects sn_assert_encode_canonical for each element.
 */
int sn_assert_encode_stream(SnAssertion *const *list, size_t n, bool canonical, char **ret, size_t *ret_len);

/*
 * Signs a new assertion of type `type` with priv, as snapd's assembleAndSign does: headers
 * (a MAP, not taken) must not hold "body-length"/"sign-key-sha3-384" (they are set here), body
 * may be NULL. The signature's creation time is `now`. The result is decoded again with
 * sn_assert_decode (so it passed every check we have) and returned in *ret.
 */
int sn_assert_sign(const char *type, const SnAssertValue *headers, const char *body, size_t body_len, EVP_PKEY *priv,
                   int64_t now, SnAssertion **ret, SnError **reterr);
