/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Shared by the OpenPGP files: openpgp.c (base64, key IDs, public keys), openpgp-packet.c
 * (packet framing, below), openpgp-sign.c (signatures) and openpgp-armor.c (armored secret
 * keys). Not for use outside formats/; the public API is openpgp.h.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/bn.h>
#include <openssl/evp.h>

#include "error.h"
#include "openpgp.h"
#include "strutil.h"

#define PGP_TAG_SIGNATURE 2
#define PGP_TAG_SECRET_KEY 5
#define PGP_TAG_PUBLIC_KEY 6
#define PGP_ALGO_RSA 1
#define PGP_ALGO_RSA_ENCRYPT_ONLY 2
#define PGP_ALGO_RSA_SIGN_ONLY 3

/* Caps: an RSA modulus of 16384 bits is far beyond anything snapd makes (8192 for roots). */
#define PGP_MAX_MPI_BITS 16384u

/* Cleanup functions for the OpenSSL objects the openpgp files hold. */
static inline void bn_freep(BIGNUM **p)
{
    BN_free(*p);
}
static inline void bn_ctx_freep(BN_CTX **p)
{
    BN_CTX_free(*p);
}
static inline void pkey_freep(EVP_PKEY **p)
{
    EVP_PKEY_free(*p);
}
static inline void pkey_ctx_freep(EVP_PKEY_CTX **p)
{
    EVP_PKEY_CTX_free(*p);
}
static inline void md_ctx_freep(EVP_MD_CTX **p)
{
    EVP_MD_CTX_free(*p);
}

/* ---- openpgp-packet.c ---- */

/* A window over untrusted bytes: p, with left bytes remaining. */
typedef struct SnPgpReader {
    const uint8_t *p;
    size_t left;
} SnPgpReader;

/* Takes n bytes (*ret points at them) and advances; false, with nothing consumed, when fewer are left. */
bool sn_pgp_reader_take(SnPgpReader *r, size_t n, const uint8_t **ret);
/* One byte, a big-endian 16-bit or 32-bit number; false when truncated. */
bool sn_pgp_reader_u8(SnPgpReader *r, uint8_t *ret);
bool sn_pgp_reader_be16(SnPgpReader *r, uint32_t *ret);
bool sn_pgp_reader_be32(SnPgpReader *r, uint32_t *ret);

/*
 * Reads one packet header (old or new format; partial lengths refused; an old-format
 * indeterminate length runs to the end) and gives its tag and body, advancing r past the body.
 * Returns 0 or -EBADMSG with "cannot decode KIND: ..." in *reterr.
 */
int sn_pgp_read_packet(SnPgpReader *r, unsigned *ret_tag, SnPgpReader *ret_body, SnError **reterr, const char *kind);

/*
 * Reads an MPI (bit count, then bytes; at most PGP_MAX_MPI_BITS) and gives its bytes without
 * leading zero bytes (*ret points into r). Returns 0 or -EBADMSG.
 */
int sn_pgp_read_mpi(SnPgpReader *r, const uint8_t **ret, size_t *ret_len);

/* Appends p[0..n) as a minimal MPI (leading zero bytes dropped, exact bit count). sn_buf_append's result. */
int sn_pgp_append_mpi(SnBuf *b, const uint8_t *p, size_t n);

/* Appends a new-format packet header for tag and a body of len bytes (1, 2 or 5 length bytes). */
int sn_pgp_append_packet_header(SnBuf *b, unsigned tag, size_t len);

/* Writes v big-endian into p[0..4). */
void sn_pgp_put_be32(uint8_t *p, uint32_t v);
