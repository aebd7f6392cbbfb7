/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cookie-support.h"
#include "strutil.h"

#define GOOD "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefghijklm"

static char dir[64];
static int rootfd = -1;

static void setup(void)
{
    if (geteuid() != 0)
        cr_skip_test("needs root (the cookie must be root's)");
    strcpy(dir, "/tmp/sn-cookie-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    rootfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    cr_assert_geq(rootfd, 0);
}

static void teardown(void)
{
    if (rootfd >= 0)
        close(rootfd);
    if (dir[0]) {
        _sn_free_ char *cmd = sn_strdup_printf("rm -rf %s", dir);
        cr_assert_eq(system(cmd), 0);
    }
}

static void mkdirs(mode_t mode)
{
    const char *parts[] = {"var", "var/lib", "var/lib/snapd", "var/lib/snapd/cookie"};
    for (size_t i = 0; i < SN_ELEMENTSOF(parts); i++) {
        _sn_free_ char *p = sn_strdup_printf("%s/%s", dir, parts[i]);
        cr_assert_eq(mkdir(p, 0755), 0, "mkdir %s", p);
    }
    _sn_free_ char *p = sn_strdup_printf("%s/var/lib/snapd/cookie", dir);
    cr_assert_eq(chmod(p, mode), 0);
}

static char *cookie_path(const char *name)
{
    return sn_strdup_printf("%s/var/lib/snapd/cookie/snap.%s", dir, name);
}

static void write_cookie(const char *name, const char *text, mode_t mode, uid_t uid)
{
    _sn_free_ char *p = cookie_path(name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    cr_assert_eq(fclose(f), 0);
    cr_assert_eq(chmod(p, mode), 0);
    cr_assert_eq(chown(p, uid, 0), 0);
}

/* Reads the cookie of name and returns the result; *ret_msg gets the error message (or ""). */
static int read_cookie(const char *name, char **ret_cookie, char *msg, size_t msglen)
{
    SnError *err = NULL;
    int r = sn_confine_read_cookie(rootfd, name, ret_cookie, &err);
    snprintf(msg, msglen, "%s", err ? err->message : "");
    sn_error_free(err);
    return r;
}

Test(cookie, valid_characters_are_unpadded_base64url)
{
    cr_assert(sn_confine_cookie_valid(GOOD, strlen(GOOD)));
    cr_assert(sn_confine_cookie_valid("a", 1));
    cr_assert_not(sn_confine_cookie_valid("", 0));
    cr_assert_not(sn_confine_cookie_valid("abc\n", 4));
    cr_assert_not(sn_confine_cookie_valid("abc=", 4));
    cr_assert_not(sn_confine_cookie_valid("a+b/", 4));
    cr_assert_not(sn_confine_cookie_valid("a b", 3));
    cr_assert_not(sn_confine_cookie_valid("a\0b", 3));
    char big[SN_CONFINE_COOKIE_MAX + 1];
    memset(big, 'x', sizeof(big));
    cr_assert(sn_confine_cookie_valid(big, SN_CONFINE_COOKIE_MAX));
    cr_assert_not(sn_confine_cookie_valid(big, SN_CONFINE_COOKIE_MAX + 1));
}

Test(cookie, reads_the_snaps_root_only_cookie, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    write_cookie("hello_key", GOOD, 0600, 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello_key", &cookie, msg, sizeof(msg)), 1, "%s", msg);
    cr_assert_str_eq(cookie, GOOD);
}

Test(cookie, no_directory_or_no_file_means_no_cookie, .init = setup, .fini = teardown)
{
    char *cookie = (char *)"untouched";
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), 0, "%s", msg);
    mkdirs(0700);
    write_cookie("other", GOOD, 0600, 0);
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), 0, "%s", msg);
    cr_assert_str_eq(cookie, "untouched");
}

Test(cookie, refuses_a_symlink, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    write_cookie("other", GOOD, 0600, 0);
    _sn_free_ char *p = cookie_path("hello");
    cr_assert_eq(symlink("snap.other", p), 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -ELOOP);
    cr_assert(strstr(msg, "var/lib/snapd/cookie/snap.hello is a symlink"), "%s", msg);
    cr_assert_null(cookie);
}

Test(cookie, refuses_a_cookie_not_owned_by_root, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    write_cookie("hello", GOOD, 0600, 1000);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EPERM);
    cr_assert(strstr(msg, "not root's"), "%s", msg);
}

Test(cookie, refuses_a_group_or_world_writable_cookie, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    write_cookie("hello", GOOD, 0620, 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EPERM);
    write_cookie("hello", GOOD, 0602, 0);
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EPERM);
    cr_assert(strstr(msg, "mode 0602"), "%s", msg);
}

Test(cookie, refuses_a_cookie_directory_others_can_write, .init = setup, .fini = teardown)
{
    mkdirs(0777);
    write_cookie("hello", GOOD, 0600, 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EPERM);
    cr_assert(strstr(msg, "\"cookie\""), "%s", msg);
}

Test(cookie, refuses_an_oversized_cookie, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    char big[SN_CONFINE_COOKIE_MAX + 2];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    write_cookie("hello", big, 0600, 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EFBIG);
    big[SN_CONFINE_COOKIE_MAX] = '\0';
    write_cookie("hello", big, 0600, 0);
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), 1, "%s", msg);
    cr_assert_eq(strlen(cookie), SN_CONFINE_COOKIE_MAX);
}

Test(cookie, refuses_characters_outside_base64url, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    static const char *const bad[] = {"", GOOD "\n", "abc=def", "abc\nSNAP=1", "ab cd", "ab$(id)"};
    for (size_t i = 0; i < SN_ELEMENTSOF(bad); i++) {
        write_cookie("hello", bad[i], 0600, 0);
        _sn_free_ char *cookie = NULL;
        char msg[256];
        cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EINVAL, "cookie %zu", i);
        cr_assert_null(cookie);
    }
}

Test(cookie, refuses_a_fifo_without_blocking, .init = setup, .fini = teardown)
{
    mkdirs(0700);
    _sn_free_ char *p = cookie_path("hello");
    cr_assert_eq(mkfifo(p, 0600), 0);
    _sn_free_ char *cookie = NULL;
    char msg[256];
    cr_assert_eq(read_cookie("hello", &cookie, msg, sizeof(msg)), -EINVAL);
    cr_assert(strstr(msg, "not a regular file"), "%s", msg);
}
