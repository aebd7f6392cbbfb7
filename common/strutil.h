/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Strings: checked number parsing, a growable buffer, string vectors.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macros.h"

/*
 * Parses a whole string as an unsigned decimal number: no sign, no spaces, no leading zeros
 * (except "0" itself), no overflow. Returns 0 or -EINVAL / -ERANGE; *ret written only on success.
 */
int sn_parse_u64(const char *s, uint64_t *ret);

/* The same, for a signed number with an optional leading '-'. */
int sn_parse_i64(const char *s, int64_t *ret);

/* True when s starts with prefix / ends with suffix. NULL s gives false. */
bool sn_startswith(const char *s, const char *prefix);
bool sn_endswith(const char *s, const char *suffix);

/* asprintf that returns the string or NULL on allocation failure. Caller frees. */
char *sn_strdup_printf(const char *fmt, ...) _sn_printf_(1, 2);

/* Number of strings in a NULL-terminated vector (NULL counts 0). */
size_t sn_strv_length(char *const *v);

/* Appends a copy of s to *v (NULL-terminated; *v may be NULL). Returns 0 or -ENOMEM. */
int sn_strv_push(char ***v, const char *s);

/* True when v contains s. */
bool sn_strv_contains(char *const *v, const char *s);

/*
 * A growable byte buffer, always NUL-terminated after its length. Zero-initialise it
 * (SnBuf b = {0};) and release it with sn_buf_done(). Appends return 0 or -ENOMEM; once an
 * append fails the buffer keeps its contents and later appends fail too (check once at the end
 * with sn_buf_ok()).
 */
typedef struct SnBuf {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
} SnBuf;

int sn_buf_append(SnBuf *b, const void *data, size_t len);
int sn_buf_puts(SnBuf *b, const char *s);
int sn_buf_putc(SnBuf *b, char c);
int sn_buf_printf(SnBuf *b, const char *fmt, ...) _sn_printf_(2, 3);
bool sn_buf_ok(const SnBuf *b);
/* Returns the contents (caller frees; "" for an empty buffer) and resets b; NULL if an append failed. */
char *sn_buf_steal(SnBuf *b);
void sn_buf_done(SnBuf *b);

/* Base64url without padding (RFC 4648 section 5), as snapd prints digests. Caller frees. */
char *sn_base64url_encode(const void *data, size_t len);
/* Standard base64 with padding. Caller frees. */
char *sn_base64_encode(const void *data, size_t len);
/* Lower-case hex. Caller frees. */
char *sn_hex_encode(const void *data, size_t len);
