/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The small part of OpenPGP (RFC 4880) that snapd's assertions use, on OpenSSL 3 (no GnuPG):
 *
 *   - public keys: base64( 0x01 || v4 public-key packet (tag 6, RSA) ), 76 columns;
 *   - key IDs: base64url without padding of SHA3-384( 0x01 || public-key packet ), where the
 *     packet is re-serialised the way snapd does: new-format header, version 4, creation time
 *     fixed at 2016-01-01T00:00:00Z, algorithm 1 (RSA), minimal MPIs;
 *   - signatures: base64( 0x01 || v4 signature packet (tag 2) ), type 0x00, RSA, SHA-512 when
 *     we sign (SHA-256, SHA-384 and SHA-224 are accepted when verifying, as snapd's Go build is);
 *   - armored secret keys (unprotected RSA, as snapd's published test keys are), to import them.
 *
 * Everything that parses untrusted bytes checks every length and returns -EBADMSG with a message
 * in *reterr; allocation failures are -ENOMEM.
 *
 * Implemented by openpgp.c (base64, key IDs, public keys), openpgp-sign.c (signatures, sign and
 * verify) and openpgp-armor.c (armored secret keys), over openpgp-packet.c's packet framing.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/evp.h>

#include "error.h"
#include "macros.h"

/* snapd's "v1" format byte that precedes every encoded key and signature packet. */
#define SN_PGP_FORMAT_V1 0x01
/* snapd's fixed public-key creation time, 2016-01-01T00:00:00Z. */
#define SN_PGP_FIXED_KEY_TIME 1451606400u
/* Length of a base64url (no padding) SHA3-384 digest. */
#define SN_PGP_KEY_ID_LEN 64

/* OpenPGP hash algorithm ids. */
#define SN_PGP_HASH_SHA256 8
#define SN_PGP_HASH_SHA384 9
#define SN_PGP_HASH_SHA512 10
#define SN_PGP_HASH_SHA224 11

typedef struct SnPgpPublicKey {
    EVP_PKEY *pkey;                 /* RSA public key, owned */
    uint8_t *encoded;               /* 0x01 || normalised public-key packet, owned */
    size_t encoded_len;             /* */
    char id[SN_PGP_KEY_ID_LEN + 1]; /* base64url SHA3-384 of encoded */
    uint8_t issuer[8];              /* OpenPGP v4 key ID of the normalised packet */
    unsigned bits;                  /* modulus size */
} SnPgpPublicKey;

typedef struct SnPgpSignature {
    uint8_t hash_algo;   /* one of SN_PGP_HASH_* */
    uint8_t *hashed;     /* version .. end of hashed subpackets, owned */
    size_t hashed_len;   /* */
    uint8_t hash_tag[2]; /* left 16 bits of the digest */
    uint8_t *mpi;        /* the RSA signature, big-endian without leading zeros, owned */
    size_t mpi_len;      /* */
    uint32_t created;    /* creation time subpacket */
} SnPgpSignature;

/*
 * Strict standard base64 (RFC 4648, with padding), as Go's StdEncoding decodes: '\n' anywhere is
 * skipped (and '\r' too), any other byte outside the alphabet, misplaced padding or non-zero
 * trailing bits are refused. Returns 0 with *ret (caller frees, NUL-terminated) and *ret_len, or
 * -EBADMSG.
 */
int sn_base64_decode(const char *s, size_t len, uint8_t **ret, size_t *ret_len);

/* Standard base64 of data wrapped at 76 columns with '\n' between lines (none at the end). Caller frees. */
char *sn_base64_encode_wrapped(const void *data, size_t len);

/* Writes base64url(no padding) of SHA3-384(data) into ret (65 bytes). Returns 0 or -EIO. */
int sn_sha3_384_digest_string(const void *data, size_t len, char ret[SN_PGP_KEY_ID_LEN + 1]);

/*
 * Decodes an encoded public key (an account-key body, a serial's device-key): base64 text, 0x01,
 * one public-key packet and nothing after it; only RSA. The key ID is computed over the
 * normalised packet as snapd does. Returns 0 and *ret (free with sn_pgp_public_key_free).
 */
int sn_pgp_public_key_decode(const char *text, size_t len, SnPgpPublicKey **ret, SnError **reterr);

/* Builds the public key of an RSA key (public or private EVP_PKEY; not taken). */
int sn_pgp_public_key_from_pkey(EVP_PKEY *pkey, SnPgpPublicKey **ret, SnError **reterr);

/* The encoded form: base64 of 0x01 || packet at 76 columns, no final newline. Caller frees; NULL on ENOMEM. */
char *sn_pgp_public_key_encode(const SnPgpPublicKey *key);

SnPgpPublicKey *sn_pgp_public_key_free(SnPgpPublicKey *key);
SN_DEFINE_CLEANUP_FUNC(SnPgpPublicKey *, sn_pgp_public_key_free)

/*
 * Decodes a signature field (base64 text, newlines allowed): 0x01, one v4 signature packet
 * (sigtype 0, RSA, a supported hash, a creation time in the hashed area, no unknown critical
 * subpacket), nothing after it.
 */
int sn_pgp_signature_decode(const char *text, size_t len, SnPgpSignature **ret, SnError **reterr);

SnPgpSignature *sn_pgp_signature_free(SnPgpSignature *sig);
SN_DEFINE_CLEANUP_FUNC(SnPgpSignature *, sn_pgp_signature_free)

/*
 * Verifies sig over content with key: the digest of content || hashed part || 0x04 0xFF ||
 * be32(hashed length), its left 16 bits, then RSA PKCS#1 v1.5. Returns 0, or -EBADMSG with
 * "failed signature verification: ..." in *reterr.
 */
int sn_pgp_verify(const SnPgpPublicKey *key, const void *content, size_t len, const SnPgpSignature *sig,
                  SnError **reterr);

/*
 * Signs content with an RSA private key as snapd does (v4, type 0, SHA-512, hashed creation time
 * `created`, unhashed issuer key ID of the normalised public key). Returns 0 and *ret_text: the
 * encoded signature (base64 of 0x01 || packet, 76 columns, no final newline; caller frees).
 */
int sn_pgp_sign(EVP_PKEY *priv, const void *content, size_t len, uint32_t created, char **ret_text, SnError **reterr);

/*
 * Reads an ASCII-armored OpenPGP secret key ("-----BEGIN PGP PRIVATE KEY BLOCK-----", or the
 * same without "BLOCK"), checks its CRC-24, and returns the RSA key of its first secret-key
 * packet (tag 5), which must not be passphrase-protected. Returns 0 and *ret (EVP_PKEY_free).
 */
int sn_pgp_private_key_from_armor(const char *text, size_t len, EVP_PKEY **ret, SnError **reterr);
