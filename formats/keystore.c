/* SPDX-License-Identifier: GPL-3.0-only */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "fd-util.h"
#include "fileio.h"
#include "keystore.h"
#include "strutil.h"

static void pkey_freep(EVP_PKEY **p)
{
    EVP_PKEY_free(*p);
}

static void bio_freep(BIO **p)
{
    BIO_free(*p);
}

int sn_keystore_default_dir(char **ret, SnError **reterr)
{
    const char *home = secure_getenv("HOME");
    if (!home || !*home) {
        struct passwd *pw = getpwuid(getuid());
        home = pw ? pw->pw_dir : NULL;
    }
    if (!home || !*home)
        return sn_error_set(reterr, -ENOENT, "cannot find the home directory");
    *ret = sn_strdup_printf("%s/.snap/keys", home);
    return *ret ? 0 : -ENOMEM;
}

bool sn_keystore_name_valid(const char *s)
{
    /* ^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$ */
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 128 || s[0] == '-' || s[n - 1] == '-' || strstr(s, "--"))
        return false;
    bool letter = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] >= 'a' && s[i] <= 'z')
            letter = true;
        else if (!(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
            return false;
    }
    return letter;
}

static int key_path(const char *dir, const char *name, char **ret, SnError **reterr)
{
    if (!sn_keystore_name_valid(name))
        return sn_error_set(reterr, -EINVAL,
                            "key name \"%s\" is not valid; only ASCII letters, digits, and hyphens are allowed", name);
    *ret = sn_strdup_printf("%s/%s.key", dir, name);
    return *ret ? 0 : -ENOMEM;
}

int sn_keystore_import(const char *dir, const char *name, EVP_PKEY *key, const char *passphrase, SnError **reterr)
{
    _sn_free_ char *path = NULL;
    int r = key_path(dir, name, &path, reterr);
    if (r < 0)
        return r;
    if (access(path, F_OK) == 0)
        return sn_error_set(reterr, -EEXIST, "cannot import key: a key named \"%s\" already exists", name);
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA)
        return sn_error_set(reterr, -EINVAL, "only RSA keys can sign assertions");
    r = sn_mkdir_p(dir, 0700);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot create %s", dir);
    _sn_cleanup_(bio_freep) BIO *mem = BIO_new(BIO_s_mem());
    if (!mem || PEM_write_bio_PUBKEY(mem, key) != 1)
        return sn_error_set(reterr, -ENOMEM, "cannot encode the public key");
    int ok;
    if (passphrase && *passphrase)
        ok = PEM_write_bio_PKCS8PrivateKey(mem, key, EVP_aes_256_cbc(), NULL, 0, NULL, (void *)passphrase);
    else
        ok = PEM_write_bio_PKCS8PrivateKey(mem, key, NULL, NULL, 0, NULL, NULL);
    if (ok != 1)
        return sn_error_set(reterr, -ENOMEM, "cannot encode the private key");
    char *data = NULL;
    long len = BIO_get_mem_data(mem, &data);
    r = sn_write_file_atomic(AT_FDCWD, path, data, (size_t)len, 0600);
    OPENSSL_cleanse(data, (size_t)len);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot write %s", path);
    return 0;
}

int sn_keystore_create(const char *dir, const char *name, const char *passphrase, unsigned bits, SnError **reterr)
{
    _sn_free_ char *path = NULL;
    int r = key_path(dir, name, &path, reterr);
    if (r < 0)
        return r;
    if (access(path, F_OK) == 0)
        return sn_error_set(reterr, -EEXIST, "cannot create key named \"%s\": already exists", name);
    _sn_cleanup_(pkey_freep) EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
        EVP_PKEY_generate(ctx, &key) != 1) {
        EVP_PKEY_CTX_free(ctx);
        return sn_error_set(reterr, -EIO, "cannot generate an RSA-%u key", bits);
    }
    EVP_PKEY_CTX_free(ctx);
    return sn_keystore_import(dir, name, key, passphrase, reterr);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int sn_keystore_list(const char *dir, char ***ret_names, SnError **reterr)
{
    _sn_strv_free_ char **names = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno != ENOENT)
            return sn_error_set(reterr, sn_negative_errno(), "cannot read %s: %m", dir);
        *ret_names = NULL;
        return 0;
    }
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n <= 4 || !sn_endswith(de->d_name, ".key"))
            continue;
        _sn_free_ char *name = strndup(de->d_name, n - 4);
        if (!name) {
            r = -ENOMEM;
            break;
        }
        if (sn_keystore_name_valid(name) && (r = sn_strv_push(&names, name)) < 0)
            break;
    }
    closedir(d);
    if (r < 0)
        return r;
    if (names)
        qsort(names, sn_strv_length(names), sizeof(*names), name_cmp);
    *ret_names = SN_TAKE_PTR(names);
    return 0;
}

static int read_key_file(const char *dir, const char *name, char **ret, size_t *ret_len, SnError **reterr)
{
    _sn_free_ char *path = NULL;
    int r = key_path(dir, name, &path, reterr);
    if (r < 0)
        return r;
    r = sn_read_file_at(AT_FDCWD, path, 1u << 20, ret, ret_len);
    if (r == -ENOENT)
        return sn_error_set(reterr, r, "cannot find key named \"%s\"", name);
    if (r < 0)
        return sn_error_set(reterr, r, "cannot read %s", path);
    return 0;
}

int sn_keystore_public(const char *dir, const char *name, SnPgpPublicKey **ret, SnError **reterr)
{
    _sn_free_ char *data = NULL;
    size_t len;
    int r = read_key_file(dir, name, &data, &len, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(bio_freep) BIO *mem = BIO_new_mem_buf(data, (int)len);
    _sn_cleanup_(pkey_freep) EVP_PKEY *pub = mem ? PEM_read_bio_PUBKEY(mem, NULL, NULL, NULL) : NULL;
    if (!pub)
        return sn_error_set(reterr, -EBADMSG, "key \"%s\" has no readable public key", name);
    return sn_pgp_public_key_from_pkey(pub, ret, reterr);
}

int sn_keystore_is_encrypted(const char *dir, const char *name, bool *ret, SnError **reterr)
{
    _sn_free_ char *data = NULL;
    size_t len;
    int r = read_key_file(dir, name, &data, &len, reterr);
    if (r < 0)
        return r;
    *ret = strstr(data, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL;
    return 0;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
    (void)rwflag;
    const char *p = u ? u : "";
    int n = (int)strlen(p);
    if (n > size)
        return -1;
    memcpy(buf, p, (size_t)n);
    return n;
}

int sn_keystore_private(const char *dir, const char *name, const char *passphrase, EVP_PKEY **ret, SnError **reterr)
{
    _sn_free_ char *data = NULL;
    size_t len;
    int r = read_key_file(dir, name, &data, &len, reterr);
    if (r < 0)
        return r;
    const char *priv = strstr(data, "-----BEGIN ENCRYPTED PRIVATE KEY-----");
    if (!priv)
        priv = strstr(data, "-----BEGIN PRIVATE KEY-----");
    if (!priv) {
        OPENSSL_cleanse(data, len);
        return sn_error_set(reterr, -EBADMSG, "key \"%s\" has no private key", name);
    }
    BIO *mem = BIO_new_mem_buf(priv, (int)(len - (size_t)(priv - data)));
    EVP_PKEY *key = mem ? PEM_read_bio_PrivateKey(mem, NULL, pass_cb, (void *)(passphrase ? passphrase : "")) : NULL;
    BIO_free(mem);
    OPENSSL_cleanse(data, len);
    if (!key)
        return sn_error_set(reterr, -EACCES, "cannot decrypt key \"%s\": wrong passphrase?", name);
    *ret = key;
    return 0;
}
