/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapd's assertion wire format, decoded (asserts/asserts.go Decode and Decoder):
 *
 *   HEADERS ( "\n\n" BODY )? "\n\n" SIGNATURE "\n"?
 *
 * The signed content is HEADERS (+ "\n\n" + BODY when body-length > 0). A decoded assertion has
 * passed snapd's generic checks (header syntax, UTF-8, body-length, sign-key-sha3-384, type,
 * authority-id, format, revision, primary keys) and its type's own checks (assert-types.h). Its
 * signature is NOT verified here: that is the trust database's job (assert-db.h).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assert-types.h"
#include "assert-value.h"
#include "error.h"

/* snapd's limits (asserts.MaxHeadersSize, MaxBodySize, MaxSignatureSize). */
#define SN_ASSERT_MAX_HEADERS_SIZE (128u * 1024u)
#define SN_ASSERT_MAX_BODY_SIZE (2u * 1024u * 1024u)
#define SN_ASSERT_MAX_SIGNATURE_SIZE (128u * 1024u)
/* Our cap on header nesting (snapd has none; 64 levels is far beyond any real assertion). */
#define SN_ASSERT_MAX_NESTING 64

struct SnAssertion {
    const SnAssertType *type;
    SnAssertValue *headers; /* MAP, decoding order; optional primary keys filled with defaults */
    char *body;             /* NULL when body-length is 0; else NUL-terminated copy */
    size_t body_len;        /* */
    char *content;          /* the signed bytes, owned, NUL-terminated */
    size_t content_len;     /* */
    char *signature;        /* the signature text (base64 lines), without a final '\n', owned */
    size_t signature_len;   /* */
    bool signature_newline; /* the encoded form had a '\n' after the signature */
    int format;             /* "format", 0 when absent */
    int revision;           /* "revision", 0 when absent */
    bool default_filled;    /* an optional primary key was absent and got its default */
    bool has_timestamp;     /* the type has a "timestamp" header (checked RFC3339) */
    int64_t timestamp;      /* seconds since the epoch */
};

/*
 * Decodes exactly one assertion as asserts.Decode does: content/signature split at the LAST
 * "\n\n", headers/body split at the first. Returns 0 and *ret (sn_assertion_free), or -EBADMSG
 * (-ENOMEM) with snapd's message in *reterr.
 */
int sn_assert_decode(const char *data, size_t len, SnAssertion **ret, SnError **reterr);

/*
 * Decodes the next assertion of a stream as asserts.Decoder does (headers up to "\n\n",
 * body-length bytes, "\n\n", signature up to "\n\n" or the end), starting at *offset and
 * advancing it. At the end of the stream returns 0 with *ret = NULL.
 */
int sn_assert_decode_next(const char *data, size_t len, size_t *offset, SnAssertion **ret, SnError **reterr);

/* Decodes a whole stream into a NULL-terminated array (free with sn_assertion_list_free); *ret_n may be NULL. */
int sn_assert_decode_stream(const char *data, size_t len, SnAssertion ***ret, size_t *ret_n, SnError **reterr);

SnAssertion *sn_assertion_free(SnAssertion *a);
SN_DEFINE_CLEANUP_FUNC(SnAssertion *, sn_assertion_free)
SnAssertion **sn_assertion_list_free(SnAssertion **list);
SN_DEFINE_CLEANUP_FUNC(SnAssertion **, sn_assertion_list_free)

/* The string value of a header, or NULL when absent or not a string. */
const char *sn_assertion_header(const SnAssertion *a, const char *name);

/* "authority-id" / "sign-key-sha3-384" / "type" shortcuts (NULL when absent). */
const char *sn_assertion_authority(const SnAssertion *a);
const char *sn_assertion_sign_key(const SnAssertion *a);

/*
 * A unique reference "TYPE/PK1/PK2..." with trailing optional primary keys equal to their
 * default dropped (snapd's Ref.Unique). Caller frees; NULL on ENOMEM.
 */
char *sn_assertion_unique_ref(const SnAssertion *a);
/* A readable reference, "TYPE (PK1; PK2...)" (for messages). Caller frees. */
char *sn_assertion_describe(const SnAssertion *a);

/* Checks that s is valid UTF-8 as Go's utf8.Valid does (no surrogates, no overlongs). */
bool sn_assert_utf8_valid(const char *s, size_t len);

/*
 * Parses the header block (no trailing "\n\n") into a MAP. Exposed for tests and for `snap sign`.
 * Errors use snapd's wording ("header entry missing ':' separator: ...", "repeated header: ...").
 */
int sn_assert_parse_headers(const char *head, size_t len, SnAssertValue **ret, SnError **reterr);

/*
 * Runs snapd's assemble step on parsed parts (takes headers; copies body, content, signature).
 * Used by the decoders and by signing.
 */
int sn_assert_assemble(SnAssertValue *headers, const char *body, size_t body_len, const char *content,
                       size_t content_len, const char *signature, size_t signature_len, bool signature_newline,
                       SnAssertion **ret, SnError **reterr);
