/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "digest.h"
#include "strutil.h"

static const char abc_hex[] = "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2"
                              "98d88cea927ac7f539f1edf228376d25";
static const char empty_hex[] = "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2a"
                                "c3713831264adb47fb6bd1e058d5f004";

static char *write_temp(const void *data, size_t len)
{
    char *path = strdup("/tmp/sn-test-digest-XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

Test(digest, known_vectors_in_memory)
{
    uint8_t d[SN_SHA3_384_SIZE];
    cr_assert_eq(sn_digest_sha3_384("abc", 3, d), 0);
    _sn_free_ char *hex = sn_hex_encode(d, sizeof(d));
    cr_assert_str_eq(hex, abc_hex);
    cr_assert_eq(sn_digest_sha3_384("", 0, d), 0);
    _sn_free_ char *hex2 = sn_hex_encode(d, sizeof(d));
    cr_assert_str_eq(hex2, empty_hex);
}

Test(digest, file_gives_snapd_base64url_and_store_hex)
{
    _sn_free_ char *path = write_temp("abc", 3);
    _sn_free_ char *b64 = NULL, *hex = NULL;
    uint64_t size = 0;
    cr_assert_eq(sn_digest_file_sha3_384(AT_FDCWD, path, &b64, &hex, &size, NULL), 0);
    unlink(path);
    cr_assert_str_eq(hex, abc_hex);
    cr_assert_eq(size, 3);
    /* snapd's EncodeDigest: base64url without padding, 64 characters for 48 bytes. */
    cr_assert_str_eq(b64, "7AFJgohRb8kmRZ9Y4satjfm0c8sPwIwlltp88OSb5LKY2IzqknrH9Tnx7fIoN20l");
    cr_assert_eq(strlen(b64), 64);
    cr_assert_null(strchr(b64, '='));
}

Test(digest, large_file_matches_memory_digest_across_chunk_boundaries)
{
    size_t len = 3 * 1024 * 1024 + 12345;
    uint8_t *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 2654435761u >> 13);
    _sn_free_ char *path = write_temp(data, len);
    uint8_t want[SN_SHA3_384_SIZE], got[SN_SHA3_384_SIZE];
    cr_assert_eq(sn_digest_sha3_384(data, len, want), 0);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    uint64_t size = 0;
    cr_assert_eq(sn_digest_sha3_384_fd(fd, got, &size), 0);
    close(fd);
    unlink(path);
    free(data);
    cr_assert_eq(size, len);
    cr_assert_eq(memcmp(want, got, sizeof(want)), 0);
}

Test(digest, missing_file_names_the_path)
{
    SnError *err = NULL;
    _sn_free_ char *b64 = NULL;
    cr_assert_eq(sn_digest_file_sha3_384(AT_FDCWD, "/nonexistent/x.snap", &b64, NULL, NULL, &err), -ENOENT);
    cr_assert_null(b64);
    cr_assert(strstr(err->message, "/nonexistent/x.snap"));
    sn_error_free(err);
}

Test(digest, openssl_failure_is_reported)
{
    setenv("SN_FAULTS", "digest", 1);
    _sn_free_ char *path = write_temp("abc", 3);
    SnError *err = NULL;
    _sn_free_ char *hex = NULL;
    int r = sn_digest_file_sha3_384(AT_FDCWD, path, NULL, &hex, NULL, &err);
    unlink(path);
    cr_assert_eq(r, -EIO);
    cr_assert_null(hex);
    cr_assert(strstr(err->message, "sha3-384"));
    sn_error_free(err);
}
