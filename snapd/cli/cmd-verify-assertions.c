/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "assert-db.h"
#include "assert-trusted.h"
#include "cmd.h"
#include "fd-util.h"
#include "openpgp.h"
#include "strutil.h"

/* base64url SHA3-384 of a file, streamed. */
static int file_digest(const char *path, char ret[SN_PGP_KEY_ID_LEN + 1], uint64_t *ret_size)
{
    _sn_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sn_negative_errno();
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha3_384(), NULL) != 1) {
        EVP_MD_CTX_free(md);
        return -ENOMEM;
    }
    static char buf[1 << 16];
    uint64_t size = 0;
    int r = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            r = sn_negative_errno();
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        size += (uint64_t)n;
    }
    unsigned char d[48];
    unsigned dl = 0;
    if (r == 0 && EVP_DigestFinal_ex(md, d, &dl) != 1)
        r = -EIO;
    EVP_MD_CTX_free(md);
    if (r < 0)
        return r;
    _sn_free_ char *s = sn_base64url_encode(d, sizeof(d));
    if (!s)
        return -ENOMEM;
    memcpy(ret, s, SN_PGP_KEY_ID_LEN + 1);
    *ret_size = size;
    return 0;
}

static int usage(void)
{
    printf("Usage: snap debug verify-assertions [--trusted=<file>]... [--snap=<file> --snap-name=<name>] "
           "<file>...\n\n"
           "Checks assertions offline against the built-in trusted roots, the roots in\n"
           "$SNAPPY_GLOBAL_ROOT/etc/microsnap/trusted.d and any given with --trusted. The\n"
           "assertions of all files are pooled, so a chain may span files. Prints one line per\n"
           "assertion, \"ok\" or the reason, and exits 1 when any fails. With --snap, also\n"
           "cross-checks that snap file against its snap-revision and snap-declaration.\n");
    return 0;
}

int sn_cmd_debug_verify_assertions(int argc, char **argv)
{
    static const struct option opts[] = {{"trusted", required_argument, NULL, 't'},
                                         {"snap", required_argument, NULL, 's'},
                                         {"snap-name", required_argument, NULL, 'n'},
                                         {"help", no_argument, NULL, 'h'},
                                         {}};
    _sn_strv_free_ char **trusted = NULL;
    const char *snap = NULL, *snap_name = NULL;
    optind = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1;) {
        switch (c) {
        case 'h':
            return usage();
        case 't':
            if (sn_strv_push(&trusted, optarg) < 0)
                return sn_cli_fail(-ENOMEM, NULL);
            break;
        case 's':
            snap = optarg;
            break;
        case 'n':
            snap_name = optarg;
            break;
        default:
            return 1;
        }
    }
    if (optind >= argc)
        return sn_cli_failf("the required argument `<file> (at least 1 argument)` was not provided");
    if (snap && !snap_name)
        return sn_cli_failf("--snap needs --snap-name");

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = NULL;
    int r = sn_assert_db_new(&db);
    if (r < 0 || (r = sn_assert_db_add_builtin(db, &err)) < 0)
        return sn_cli_fail(r, err);
    _sn_free_ char *dir = sn_assert_trusted_dir();
    if (!dir)
        return sn_cli_fail(-ENOMEM, NULL);
    r = sn_assert_db_load_trusted_dir(db, dir, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    for (char **t = trusted; t && *t; t++) {
        _sn_free_ char *data = NULL;
        size_t len;
        r = sn_read_file_at(AT_FDCWD, *t, 16u << 20, &data, &len);
        if (r < 0)
            return sn_cli_failf("cannot read %s: %s", *t, strerror(-r));
        r = sn_assert_db_add_trusted_stream(db, data, len, &err);
        if (r < 0)
            return sn_cli_failf("%s: %s", *t, sn_error_message(err, r));
    }

    /* pool every assertion of every file, remembering where each came from */
    SnAssertion **pool = NULL;
    char **labels = NULL;
    size_t n = 0;
    int failed = 0;
    for (int i = optind; i < argc; i++) {
        _sn_free_ char *data = NULL;
        size_t len;
        r = sn_read_file_at(AT_FDCWD, argv[i], 16u << 20, &data, &len);
        if (r < 0) {
            printf("%s: cannot read: %s\n", argv[i], strerror(-r));
            failed++;
            continue;
        }
        SnAssertion **list = NULL;
        size_t k = 0;
        SnError *e = NULL;
        r = sn_assert_decode_stream(data, len, &list, &k, &e);
        if (r < 0 || k == 0) {
            printf("%s: %s\n", argv[i], r < 0 ? sn_error_message(e, r) : "no assertion found");
            sn_error_free(e);
            free(list);
            failed++;
            continue;
        }
        SnAssertion **np = realloc(pool, (n + k) * sizeof(*pool));
        char **nl = np ? realloc(labels, (n + k) * sizeof(*labels)) : NULL;
        if (np)
            pool = np;
        if (!np || !nl) {
            sn_assertion_list_free(list);
            break;
        }
        labels = nl;
        for (size_t j = 0; j < k; j++) {
            _sn_free_ char *what = sn_assertion_describe(list[j]);
            labels[n] = k > 1 ? sn_strdup_printf("%s:%zu: %s", argv[i], j + 1, what ? what : "")
                              : sn_strdup_printf("%s: %s", argv[i], what ? what : "");
            pool[n++] = list[j];
        }
        free(list);
    }
    char **errors = NULL;
    int bad = n > 0 ? sn_assert_db_add_many(db, pool, n, 0, &errors) : 0;
    if (bad < 0)
        return sn_cli_fail(bad, NULL);
    for (size_t i = 0; i < n; i++) {
        printf("%s: %s\n", labels[i], errors[i] ? errors[i] : "ok");
        free(labels[i]);
    }
    failed += bad;
    sn_assert_db_errors_free(errors, n);
    free(labels);
    free(pool);

    if (snap) {
        char digest[SN_PGP_KEY_ID_LEN + 1];
        uint64_t size;
        r = file_digest(snap, digest, &size);
        if (r < 0) {
            printf("%s: cannot read: %s\n", snap, strerror(-r));
            failed++;
        } else {
            SnError *e = NULL;
            r = sn_assert_db_cross_check_snap(db, digest, size, snap_name, NULL, NULL, &e);
            printf("%s: snap \"%s\" (sha3-384 %s, %llu bytes): %s\n", snap, snap_name, digest, (unsigned long long)size,
                   r < 0 ? sn_error_message(e, r) : "ok");
            sn_error_free(e);
            failed += r < 0;
        }
    }
    return failed ? 1 : 0;
}
