/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keystore.h"
#include "strutil.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof(dir), "/tmp/sn-keystore-XXXXXX");
    cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        cr_log_warn("cannot remove %s", dir);
}

TestSuite(keystore, .init = setup, .fini = teardown, .timeout = 120);

Test(keystore, create_list_export_and_decrypt)
{
    _sn_free_ char *kd = sn_strdup_printf("%s/.snap/keys", dir);
    SnError *err = NULL;
    int r = sn_keystore_create(kd, "mykey", "s3cret", 2048, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(sn_keystore_create(kd, "plain", "", 2048, NULL), 0);
    cr_assert_eq(sn_keystore_create(kd, "mykey", "x", 2048, NULL), -EEXIST);
    cr_assert_eq(sn_keystore_create(kd, "Bad_Name", "x", 2048, NULL), -EINVAL);

    struct stat st;
    _sn_free_ char *path = sn_strdup_printf("%s/mykey.key", kd);
    cr_assert_eq(stat(path, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
    cr_assert_eq(stat(kd, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0700);

    char **names = NULL;
    cr_assert_eq(sn_keystore_list(kd, &names, NULL), 0);
    cr_assert_eq(sn_strv_length(names), 2);
    cr_assert_str_eq(names[0], "mykey");
    cr_assert_str_eq(names[1], "plain");
    sn_strv_free(names);

    bool enc;
    cr_assert_eq(sn_keystore_is_encrypted(kd, "mykey", &enc, NULL), 0);
    cr_assert(enc);
    cr_assert_eq(sn_keystore_is_encrypted(kd, "plain", &enc, NULL), 0);
    cr_assert_not(enc);

    SnPgpPublicKey *pub = NULL;
    cr_assert_eq(sn_keystore_public(kd, "mykey", &pub, NULL), 0);
    EVP_PKEY *priv = NULL;
    cr_assert_eq(sn_keystore_private(kd, "mykey", "wrong", &priv, &err), -EACCES);
    sn_error_free(err);
    cr_assert_eq(sn_keystore_private(kd, "mykey", "s3cret", &priv, NULL), 0);
    SnPgpPublicKey *again = NULL;
    cr_assert_eq(sn_pgp_public_key_from_pkey(priv, &again, NULL), 0);
    cr_assert_str_eq(pub->id, again->id, "the stored public key matches the private key");
    /* the passphrase is not stored in the clear */
    _sn_free_ char *cmd = sn_strdup_printf("grep -q s3cret '%s'", path);
    cr_assert_neq(system(cmd), 0);
    EVP_PKEY_free(priv);
    sn_pgp_public_key_free(pub);
    sn_pgp_public_key_free(again);
    cr_assert_eq(sn_keystore_private(kd, "plain", "", &priv, NULL), 0);
    EVP_PKEY_free(priv);
    cr_assert_eq(sn_keystore_public(kd, "nokey", &pub, NULL), -ENOENT);
}

Test(keystore, missing_dir_lists_nothing)
{
    _sn_free_ char *kd = sn_strdup_printf("%s/none", dir);
    char **names = (char **)1;
    cr_assert_eq(sn_keystore_list(kd, &names, NULL), 0);
    cr_assert_null(names);
    cr_assert(sn_keystore_name_valid("default"));
    cr_assert(sn_keystore_name_valid("my-key-2"));
    cr_assert_not(sn_keystore_name_valid("-a"));
    cr_assert_not(sn_keystore_name_valid("123"));
    cr_assert_not(sn_keystore_name_valid("a/b"));
}
