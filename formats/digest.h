/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * File digests as snapd writes them: SHA3-384 of the whole file, as unpadded base64url (the
 * snap-sha3-384 header of snap-revision assertions) or as lower-case hex (the store's
 * download.sha3-384).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SN_SHA3_384_SIZE 48

/*
 * Hashes everything readable from fd, from its current offset to EOF, with SHA3-384 (OpenSSL
 * EVP, 1 MiB read() chunks). Writes the raw digest to ret_digest and, when ret_size is not NULL,
 * the byte count. Returns 0 or -errno (-EIO for an OpenSSL failure).
 */
int sn_digest_sha3_384_fd(int fd, uint8_t ret_digest[SN_SHA3_384_SIZE], uint64_t *ret_size);

/* SHA3-384 of a memory buffer. Returns 0 or -EIO. */
int sn_digest_sha3_384(const void *data, size_t len, uint8_t ret_digest[SN_SHA3_384_SIZE]);

/*
 * Hashes the file at path (relative to dirfd; AT_FDCWD allowed) and returns the digest in
 * snapd's forms: *ret_b64url (64 characters) and/or *ret_hex (96 characters); either pointer may
 * be NULL; strings are the caller's to free. *ret_size (may be NULL) gets the file size.
 * Returns 0 or -errno with *reterr naming the file.
 */
int sn_digest_file_sha3_384(int dirfd, const char *path, char **ret_b64url, char **ret_hex, uint64_t *ret_size,
                            SnError **reterr);
