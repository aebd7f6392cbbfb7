/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "digest.h"
#include "fault.h"
#include "strutil.h"

/* Large reads keep the syscall cost far below the hash's (about 1% at 1 MiB). */
#define DIGEST_CHUNK (1u << 20)

static void md_ctx_freep(EVP_MD_CTX **p)
{
    EVP_MD_CTX_free(*p);
    *p = NULL;
}

int sn_digest_sha3_384_fd(int fd, uint8_t ret_digest[SN_SHA3_384_SIZE], uint64_t *ret_size)
{
    _sn_cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx)
        return -ENOMEM;
    if (sn_faulty("digest") || EVP_DigestInit_ex(ctx, EVP_sha3_384(), NULL) != 1)
        return -EIO;
    _sn_free_ uint8_t *buf = malloc(DIGEST_CHUNK);
    if (!buf)
        return -ENOMEM;
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, DIGEST_CHUNK);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return sn_negative_errno();
        }
        if (n == 0)
            break;
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
            return -EIO;
        total += (uint64_t)n;
    }
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(ctx, ret_digest, &len) != 1 || len != SN_SHA3_384_SIZE)
        return -EIO;
    if (ret_size)
        *ret_size = total;
    return 0;
}

int sn_digest_sha3_384(const void *data, size_t len, uint8_t ret_digest[SN_SHA3_384_SIZE])
{
    unsigned int out = 0;
    if (EVP_Digest(data, len, ret_digest, &out, EVP_sha3_384(), NULL) != 1 || out != SN_SHA3_384_SIZE)
        return -EIO;
    return 0;
}

int sn_digest_file_sha3_384(int dirfd, const char *path, char **ret_b64url, char **ret_hex, uint64_t *ret_size,
                            SnError **reterr)
{
    _sn_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", path);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    uint8_t digest[SN_SHA3_384_SIZE];
    uint64_t size = 0;
    int r = sn_digest_sha3_384_fd(fd, digest, &size);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot compute the sha3-384 of %s: %s", path, sn_error_message(NULL, r));
    _sn_free_ char *b64 = NULL, *hex = NULL;
    if (ret_b64url && !(b64 = sn_base64url_encode(digest, sizeof(digest))))
        return -ENOMEM;
    if (ret_hex && !(hex = sn_hex_encode(digest, sizeof(digest))))
        return -ENOMEM;
    if (ret_b64url)
        *ret_b64url = SN_TAKE_PTR(b64);
    if (ret_hex)
        *ret_hex = SN_TAKE_PTR(hex);
    if (ret_size)
        *ret_size = size;
    return 0;
}
