/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "assert-encode.h"
#include "cmd-keys.h"
#include "cmd.h"
#include "fd-util.h"
#include "keystore.h"
#include "openpgp.h"
#include "strutil.h"

static int read_line_fd(int fd, char **ret)
{
    SnBuf b = {0};
    for (;;) {
        char c;
        ssize_t n = read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int r = sn_negative_errno();
            sn_buf_done(&b);
            return r;
        }
        if (n == 0 || c == '\n')
            break;
        sn_buf_putc(&b, c);
        if (b.len > 4096) {
            sn_buf_done(&b);
            return -E2BIG;
        }
    }
    if (b.len > 0 && b.data[b.len - 1] == '\r')
        b.data[--b.len] = 0;
    if (!sn_buf_ok(&b))
        return -ENOMEM;
    *ret = sn_buf_steal(&b);
    return *ret ? 0 : -ENOMEM;
}

int sn_cli_read_passphrase_stdin(char **ret)
{
    return read_line_fd(STDIN_FILENO, ret);
}

static int ask_once(int tty, const char *prompt, char **ret)
{
    struct termios old, noecho;
    bool restore = tcgetattr(tty, &old) == 0;
    if (restore) {
        noecho = old;
        noecho.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(tty, TCSAFLUSH, &noecho);
    }
    sn_write_all(tty, prompt, strlen(prompt));
    int r = read_line_fd(tty, ret);
    if (restore)
        tcsetattr(tty, TCSAFLUSH, &old);
    sn_write_all(tty, "\n", 1);
    return r;
}

int sn_cli_ask_passphrase(const char *prompt, bool confirm, char **ret)
{
    _sn_close_ int tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
    if (tty < 0)
        return -ENXIO;
    _sn_free_ char *first = NULL;
    int r = ask_once(tty, prompt, &first);
    if (r < 0)
        return r;
    if (confirm) {
        _sn_free_ char *second = NULL;
        r = ask_once(tty, "Confirm passphrase: ", &second);
        if (r < 0)
            return r;
        bool same = SN_STREQ(first, second);
        OPENSSL_cleanse(second, strlen(second));
        if (!same) {
            OPENSSL_cleanse(first, strlen(first));
            return -EINVAL;
        }
    }
    *ret = SN_TAKE_PTR(first);
    return 0;
}

static int usage_create_key(void)
{
    printf("Usage: snap create-key [--import=<file.asc>] [<key-name>]\n\n"
           "Creates an RSA-4096 key pair for signing assertions, stored under ~/.snap/keys.\n"
           "The passphrase is asked twice on a terminal, or read as one line from stdin\n"
           "otherwise; an empty passphrase stores the key unencrypted. --import stores an\n"
           "unprotected armored OpenPGP RSA secret key instead (e.g. snapd's test keys).\n");
    return 0;
}

int sn_cmd_create_key(int argc, char **argv)
{
    static const struct option opts[] = {
        {"import", required_argument, NULL, 'i'}, {"help", no_argument, NULL, 'h'}, {}};
    const char *import = NULL;
    optind = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1;) {
        if (c == 'h')
            return usage_create_key();
        if (c == 'i')
            import = optarg;
        else
            return 1;
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *name = optind < argc ? argv[optind] : "default";
    if (!sn_keystore_name_valid(name))
        return sn_cli_failf("key name \"%s\" is not valid; only ASCII letters, digits, and hyphens are allowed", name);
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_free_ char *dir = NULL;
    int r = sn_keystore_default_dir(&dir, &err);
    if (r < 0)
        return sn_cli_fail(r, err);

    _sn_free_ char *pass = NULL;
    if (isatty(STDIN_FILENO)) {
        r = sn_cli_ask_passphrase("Passphrase: ", true, &pass);
        if (r == -EINVAL)
            return sn_cli_failf("passphrases do not match");
    } else {
        r = sn_cli_read_passphrase_stdin(&pass);
    }
    if (r < 0)
        return sn_cli_failf("cannot read the passphrase: %s", strerror(-r));

    if (import) {
        _sn_free_ char *data = NULL;
        size_t len;
        r = sn_read_file_at(AT_FDCWD, import, 1u << 20, &data, &len);
        if (r < 0)
            return sn_cli_failf("cannot read %s: %s", import, strerror(-r));
        EVP_PKEY *key = NULL;
        r = sn_pgp_private_key_from_armor(data, len, &key, &err);
        if (r < 0)
            return sn_cli_fail(r, err);
        r = sn_keystore_import(dir, name, key, pass, &err);
        EVP_PKEY_free(key);
    } else {
        r = sn_keystore_create(dir, name, pass, 4096, &err);
    }
    OPENSSL_cleanse(pass, strlen(pass));
    if (r < 0)
        return sn_cli_fail(r, err);
    return 0;
}

int sn_cmd_keys(int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {"help", no_argument, NULL, 'h'}, {}};
    bool json = false;
    optind = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1;) {
        if (c == 'h') {
            printf("Usage: snap keys [--json]\n\nLists the keys in ~/.snap/keys that can sign assertions.\n");
            return 0;
        }
        if (c == 'j')
            json = true;
        else
            return 1;
    }
    if (optind < argc)
        return sn_cli_failf("too many arguments for command");
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_free_ char *dir = NULL;
    _sn_strv_free_ char **names = NULL;
    int r = sn_keystore_default_dir(&dir, &err);
    if (r < 0 || (r = sn_keystore_list(dir, &names, &err)) < 0)
        return sn_cli_fail(r, err);
    size_t n = sn_strv_length(names);
    char(*ids)[SN_PGP_KEY_ID_LEN + 1] = calloc(n + 1, sizeof(*ids));
    if (!ids)
        return sn_cli_fail(-ENOMEM, NULL);
    size_t width = 4;
    for (size_t i = 0; i < n; i++) {
        SnPgpPublicKey *pub = NULL;
        r = sn_keystore_public(dir, names[i], &pub, &err);
        if (r < 0) {
            free(ids);
            return sn_cli_fail(r, err);
        }
        memcpy(ids[i], pub->id, sizeof(ids[i]));
        sn_pgp_public_key_free(pub);
        width = SN_MAX(width, strlen(names[i]));
    }
    if (json) {
        printf("[");
        for (size_t i = 0; i < n; i++)
            printf("%s{\"name\":\"%s\",\"sha3-384\":\"%s\"}", i ? "," : "", names[i], ids[i]);
        printf("]\n");
    } else if (n == 0) {
        fprintf(stderr, "No keys registered, see `snapcraft create-key`\n");
    } else {
        printf("%-*s  %s\n", (int)width, "Name", "SHA3-384");
        for (size_t i = 0; i < n; i++)
            printf("%-*s  %s\n", (int)width, names[i], ids[i]);
    }
    free(ids);
    return 0;
}

int sn_cli_load_private_key(const char *dir, const char *name, EVP_PKEY **ret, SnError **reterr)
{
    bool enc = false;
    int r = sn_keystore_is_encrypted(dir, name, &enc, reterr);
    if (r < 0)
        return r;
    if (!enc)
        return sn_keystore_private(dir, name, "", ret, reterr);
    const char *env = getenv(SN_KEY_PASSPHRASE_ENV);
    if (env)
        return sn_keystore_private(dir, name, env, ret, reterr);
    _sn_free_ char *pass = NULL;
    _sn_free_ char *prompt = sn_strdup_printf("Passphrase for key \"%s\": ", name);
    r = sn_cli_ask_passphrase(prompt ? prompt : "Passphrase: ", false, &pass);
    if (r == -ENXIO)
        return sn_error_set(reterr, r,
                            "key \"%s\" is encrypted: cannot ask for its passphrase without a terminal (set %s)", name,
                            SN_KEY_PASSPHRASE_ENV);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read the passphrase");
    r = sn_keystore_private(dir, name, pass, ret, reterr);
    OPENSSL_cleanse(pass, strlen(pass));
    return r;
}

int sn_cmd_export_key(int argc, char **argv)
{
    static const struct option opts[] = {
        {"account", required_argument, NULL, 'a'}, {"help", no_argument, NULL, 'h'}, {}};
    const char *account = NULL;
    optind = 0;
    for (int c; (c = getopt_long(argc, argv, "+h", opts, NULL)) != -1;) {
        if (c == 'h') {
            printf("Usage: snap export-key [--account=<account-id>] [<key-name>]\n\n"
                   "Prints the public key (an account-key body), or with --account an\n"
                   "account-key-request signed by the key.\n");
            return 0;
        }
        if (c == 'a')
            account = optarg;
        else
            return 1;
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *name = optind < argc ? argv[optind] : "default";
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_free_ char *dir = NULL;
    int r = sn_keystore_default_dir(&dir, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    _sn_cleanup_(sn_pgp_public_key_freep) SnPgpPublicKey *pub = NULL;
    r = sn_keystore_public(dir, name, &pub, &err);
    if (r < 0)
        return sn_cli_failf("cannot export key named \"%s\": %s", name, sn_error_message(err, r));
    _sn_free_ char *encoded = sn_pgp_public_key_encode(pub);
    if (!encoded)
        return sn_cli_fail(-ENOMEM, NULL);
    if (!account) {
        printf("%s\n", encoded);
        return 0;
    }
    EVP_PKEY *priv = NULL;
    r = sn_cli_load_private_key(dir, name, &priv, &err);
    if (r < 0)
        return sn_cli_failf("cannot find key named \"%s\": %s", name, sn_error_message(err, r));
    char since[40];
    sn_assert_format_time((int64_t)time(NULL), since, sizeof(since));
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *h = sn_assert_value_new_map();
    if (!h || sn_assert_value_map_set_string(h, "account-id", account) < 0 ||
        sn_assert_value_map_set_string(h, "name", name) < 0 ||
        sn_assert_value_map_set_string(h, "public-key-sha3-384", pub->id) < 0 ||
        sn_assert_value_map_set_string(h, "since", since) < 0) {
        EVP_PKEY_free(priv);
        return sn_cli_fail(-ENOMEM, NULL);
    }
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = NULL;
    r = sn_assert_sign("account-key-request", h, encoded, strlen(encoded), priv, (int64_t)time(NULL), &a, &err);
    EVP_PKEY_free(priv);
    if (r < 0)
        return sn_cli_fail(r, err);
    _sn_free_ char *out = NULL;
    size_t len;
    if (sn_assert_encode(a, &out, &len) < 0)
        return sn_cli_fail(-ENOMEM, NULL);
    fwrite(out, 1, len, stdout);
    return 0;
}
