/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * assert-trusted.c: the built-in roots of trust and the root-owned trusted.d directory.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assert-corpus.h"
#include "assert-trusted.h"

#define CANONICAL_ROOT "-CvQKAwRQ5h3Ffn10FILJoEZUXOv6km9FwA80-Rcj-f-6jadQ89VRswHNiEB9Lxk"
#define GENERIC_MODELS "d-JcZF9nD9eBw7bwMnH61x-bklnQOhQud1Is6o_cn2wTj8EYDi9musrIT9z2MdAa"
#define TEST_ROOT "hIedp1AvrWlcDI4uS_qjoFLzjKl5enu4G2FYJpgB3Pj-tUzGlTQBxMBsBmi-tnJR"

static SnAssertDb *builtin_db(void)
{
    SnAssertDb *db = NULL;
    SnError *e = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    int r = sn_assert_db_add_builtin(db, &e);
    cr_assert_eq(r, 0, "%s", sn_error_message(e, r));
    return db;
}

Test(assert_trusted, builtin_root_is_canonicals_root_key)
{
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = builtin_db();
    const char *key = CANONICAL_ROOT;
    const SnAssertion *ak = sn_assert_db_find(db, "account-key", &key, 1);
    cr_assert_not_null(ak);
    cr_assert_str_eq(sn_assertion_header(ak, "account-id"), "canonical");
    cr_assert_str_eq(sn_assertion_header(ak, "name"), "root");
    cr_assert_str_eq(sn_assertion_sign_key(ak), CANONICAL_ROOT, "the root key is self-signed");
    const char *acc = "canonical";
    const SnAssertion *account = sn_assert_db_find(db, "account", &acc, 1);
    cr_assert_not_null(account);
    cr_assert_str_eq(sn_assertion_header(account, "validation"), "certified");
    cr_assert(sn_assert_db_is_trusted_account(db, "canonical"));
    cr_assert_not(sn_assert_db_is_trusted_account(db, "generic"), "generic is predefined, not trusted");
    cr_assert_not(sn_assert_db_is_trusted_account(db, "testrootorg"));

    /* the built-in copy is byte for byte the root snapd compiles in (vendored in the corpus) */
    size_t len;
    _sn_free_ char *data = corpus_read("canonical-trusted/canonical-root.account-key", &len);
    _sn_cleanup_(sn_assertion_freep) SnAssertion *vendored = NULL;
    cr_assert_eq(sn_assert_decode(data, len, &vendored, NULL), 0);
    cr_assert_eq(vendored->content_len, ak->content_len);
    cr_assert(memcmp(vendored->content, ak->content, ak->content_len) == 0);
    cr_assert_str_eq(vendored->signature, ak->signature);
}

Test(assert_trusted, builtin_generic_assertions_are_predefined)
{
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = builtin_db();
    cr_assert_eq(sn_assert_db_count(db), 5, "2 trusted + generic account, models key and model");
    const char *key = GENERIC_MODELS;
    const SnAssertion *models = sn_assert_db_find(db, "account-key", &key, 1);
    cr_assert_not_null(models);
    cr_assert_str_eq(sn_assertion_header(models, "account-id"), "generic");
    const char *pk[] = {"16", "generic", "generic-classic"};
    const SnAssertion *model = sn_assert_db_find(db, "model", pk, 3);
    cr_assert_not_null(model);
    cr_assert_str_eq(sn_assertion_header(model, "classic"), "true");
    /* and a model signed by the generic models key checks against them */
    cr_assert_eq(sn_assert_db_check(db, model, 0, NULL), 0);
}

Test(assert_trusted, trusted_dir_follows_snappy_global_root)
{
    setenv("SNAPPY_GLOBAL_ROOT", "/tmp/alt-root", 1);
    _sn_free_ char *dir = sn_assert_trusted_dir();
    cr_assert_str_eq(dir, "/tmp/alt-root/etc/microsnap/trusted.d");
    unsetenv("SNAPPY_GLOBAL_ROOT");
    _sn_free_ char *dflt = sn_assert_trusted_dir();
    cr_assert_str_eq(dflt, "/etc/microsnap/trusted.d");
}

static char tmpdir[64];

static void write_file(const char *name, const char *rel_corpus, mode_t mode)
{
    size_t len;
    _sn_free_ char *data = corpus_read(rel_corpus, &len);
    _sn_free_ char *path = sn_strdup_printf("%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    cr_assert_not_null(fp);
    cr_assert_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
    cr_assert_eq(chmod(path, mode), 0);
}

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sn-trusted-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    cr_assert_eq(chmod(tmpdir, 0755), 0);
}

static void remove_tmpdir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

static int load(SnAssertDb *db, char **ret_message)
{
    SnError *e = NULL;
    int r = sn_assert_db_load_trusted_dir(db, tmpdir, &e);
    *ret_message = e ? strdup(e->message) : NULL;
    sn_error_free(e);
    return r;
}

TestSuite(assert_trusted_dir, .init = make_tmpdir, .fini = remove_tmpdir);

Test(assert_trusted_dir, loads_root_owned_files_as_roots)
{
    if (getuid() != 0)
        cr_skip_test("needs root to own the files");
    write_file("root.assert", "testrootorg/testrootorg-root.account-key", 0644);
    write_file("account.assert", "testrootorg/testrootorg.account", 0600);
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    _sn_free_ char *m = NULL;
    cr_assert_eq(load(db, &m), 0, "%s", m);
    const char *key = TEST_ROOT;
    cr_assert_not_null(sn_assert_db_find(db, "account-key", &key, 1));
    cr_assert(sn_assert_db_is_trusted_account(db, "testrootorg"));
}

Test(assert_trusted_dir, group_or_other_writable_dir_or_file_is_refused)
{
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    _sn_free_ char *m = NULL;
    cr_assert_eq(chmod(tmpdir, 0775), 0);
    cr_assert_eq(load(db, &m), -EPERM);
    cr_assert(strstr(m, "must be owned by root and not writable by group or others"), "%s", m);
    free(m);
    cr_assert_eq(chmod(tmpdir, 0757), 0);
    cr_assert_eq(load(db, &m), -EPERM, "other-writable");
    free(m);
    cr_assert_eq(chmod(tmpdir, 0755), 0);
    if (getuid() != 0)
        cr_skip_test("the rest needs root to own the files");
    write_file("root.assert", "testrootorg/testrootorg-root.account-key", 0664);
    cr_assert_eq(load(db, &m), -EPERM);
    cr_assert(strstr(m, "/root.assert must be owned by root and not writable by group or others"), "%s", m);
    free(m);
    m = NULL;
    cr_assert_eq(sn_assert_db_count(db), 0, "nothing was trusted");
    _sn_free_ char *path = sn_strdup_printf("%s/root.assert", tmpdir);
    cr_assert_eq(chmod(path, 0646), 0);
    cr_assert_eq(load(db, &m), -EPERM, "other-writable file");
}

Test(assert_trusted_dir, symlinks_are_refused_and_subdirectories_skipped)
{
    if (getuid() != 0)
        cr_skip_test("needs root to own the files");
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    _sn_free_ char *sub = sn_strdup_printf("%s/subdir", tmpdir);
    cr_assert_eq(mkdir(sub, 0755), 0);
    _sn_free_ char *m = NULL;
    cr_assert_eq(load(db, &m), 0, "%s", m);
    cr_assert_eq(sn_assert_db_count(db), 0);
    _sn_free_ char *link = sn_strdup_printf("%s/link.assert", tmpdir);
    cr_assert_eq(symlink("/etc/passwd", link), 0);
    cr_assert_lt(load(db, &m), 0, "a symlink is refused");
}

Test(assert_trusted_dir, a_missing_dir_is_not_an_error_and_bad_content_is)
{
    _sn_cleanup_(sn_assert_db_freep) SnAssertDb *db = NULL;
    cr_assert_eq(sn_assert_db_new(&db), 0);
    _sn_free_ char *missing = sn_strdup_printf("%s/none", tmpdir);
    cr_assert_eq(sn_assert_db_load_trusted_dir(db, missing, NULL), 0);
    if (getuid() != 0)
        cr_skip_test("the rest needs root to own the files");
    write_file("model.assert", "testrootorg/developer1-pc.model", 0644);
    _sn_free_ char *m = NULL;
    cr_assert_lt(load(db, &m), 0, "only accounts and account-keys can be roots");
    cr_assert(strstr(m, "/model.assert"), "the message names the file: %s", m);
}
