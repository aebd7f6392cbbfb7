/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "squashfs-pack.h"
#include "squashfs-read.h"
#include "strutil.h"

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/sn-test-pack-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", tmpdir);
    (void)!system(cmd);
}

static char *p(const char *rel)
{
    return sn_strdup_printf("%s/%s", tmpdir, rel);
}

static void put(const char *rel, const void *data, size_t len, mode_t mode)
{
    _sn_free_ char *path = p(rel);
    _sn_free_ char *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, data, len, mode), 0);
    chmod(path, mode);
}

static uint8_t *big_data(size_t len)
{
    uint8_t *d = malloc(len);
    uint32_t x = 12345;
    for (size_t i = 0; i < len; i++) {
        x = x * 1103515245 + 12345;
        d[i] = (uint8_t)(x >> 16);
    }
    return d;
}

static void make_tree(void)
{
    put("src/meta/snap.yaml", "name: x\nversion: 1\n", 20, 0644);
    put("src/bin/tool", "#!/bin/sh\n", 10, 0755);
    put("src/empty", "", 0, 0600);
    size_t len = 300 * 1024 + 7;
    _sn_free_ uint8_t *d = big_data(len);
    put("src/data/big.bin", d, len, 0644);
    put("src/data/dup.bin", d, len, 0644);
    _sn_free_ char *link = p("src/bin/link");
    cr_assert_eq(symlink("tool", link), 0);
    _sn_free_ char *fifo = p("src/fifo");
    cr_assert_eq(mkfifo(fifo, 0640), 0);
    _sn_free_ char *emptydir = p("src/emptydir");
    cr_assert_eq(mkdir(emptydir, 0700), 0);
}

static char *read_all(const char *path, size_t *len)
{
    char *data = NULL;
    cr_assert_eq(sn_read_file_at(AT_FDCWD, path, 64u << 20, &data, len), 0, "%s", path);
    return data;
}

TestSuite(squashfs_pack, .init = setup, .fini = teardown);

Test(squashfs_pack, round_trips_contents_modes_and_links)
{
    make_tree();
    _sn_free_ char *src = p("src"), *out = p("out.sqfs");
    SnSquashfsPackOptions o = {.all_root = true, .mkfs_time = 1700000000, .min_size = 16384};
    SnSquashfsPackStats stats;
    SnError *err = NULL;
    int r = sn_squashfs_pack(src, out, &o, &stats, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    cr_assert_eq(stats.inodes, 12);
    cr_assert_eq(stats.input_bytes, 2 * (300 * 1024 + 7) + 20 + 10);
    cr_assert_eq(stats.file_size % 4096, 0);

    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, out, &sq, NULL), 0);
    cr_assert_eq(sn_squashfs_get_info(sq)->mkfs_time, 1700000000);
    cr_assert_str_eq(sn_squashfs_get_info(sq)->compression, "xz");
    size_t len = 0;
    _sn_free_ char *big = NULL, *want = NULL;
    cr_assert_eq(sn_squashfs_read_file(sq, "data/big.bin", 1u << 20, &big, &len, NULL), 0);
    _sn_free_ char *bigpath = p("src/data/big.bin");
    size_t wlen = 0;
    want = read_all(bigpath, &wlen);
    cr_assert_eq(len, wlen);
    cr_assert_eq(memcmp(big, want, len), 0);
    /* Identical files share their blocks: the image holds the incompressible data once. */
    cr_assert_lt(stats.file_size, wlen + 64 * 1024);

    SnSquashfsStat st;
    cr_assert_eq(sn_squashfs_lstat(sq, "empty", &st, NULL), 0);
    cr_assert_eq(st.size, 0);
    cr_assert_eq(st.mode, S_IFREG | 0600);
    cr_assert_eq(st.mtime, 1700000000);
    cr_assert_eq(sn_squashfs_lstat(sq, "fifo", &st, NULL), 0);
    cr_assert_eq(st.mode, S_IFIFO | 0640);
    cr_assert_eq(sn_squashfs_lstat(sq, "emptydir", &st, NULL), 0);
    cr_assert_eq(st.mode, S_IFDIR | 0700);
    cr_assert_eq(sn_squashfs_lstat(sq, "bin/tool", &st, NULL), 0);
    cr_assert_eq(st.uid, 0);
    cr_assert_eq(st.gid, 0);
    _sn_free_ char *target = NULL;
    cr_assert_eq(sn_squashfs_readlink(sq, "bin/link", &target, NULL), 0);
    cr_assert_str_eq(target, "tool");
}

static void pack_to(const char *name, const SnSquashfsPackOptions *o)
{
    _sn_free_ char *src = p("src"), *out = p(name);
    SnError *err = NULL;
    int r = sn_squashfs_pack(src, out, o, NULL, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
}

Test(squashfs_pack, output_does_not_depend_on_mtimes_or_creation_order)
{
    make_tree();
    SnSquashfsPackOptions o = {.all_root = true, .min_size = 16384};
    pack_to("a.sqfs", &o);
    /* Touch everything with other times and add, then remove, an entry (new readdir order). */
    _sn_free_ char *cmd = sn_strdup_printf("cd '%s/src' && touch -d '2001-02-03 04:05:06' -h bin/link bin/tool "
                                           "data/big.bin && touch -d '2011-01-01' . bin data && touch zzz && rm zzz",
                                           tmpdir);
    cr_assert_eq(system(cmd), 0);
    pack_to("b.sqfs", &o);
    _sn_free_ char *a = p("a.sqfs"), *b = p("b.sqfs");
    size_t la = 0, lb = 0;
    _sn_free_ char *da = read_all(a, &la), *db = read_all(b, &lb);
    cr_assert_eq(la, lb);
    cr_assert_eq(memcmp(da, db, la), 0, "the same tree must give the same bytes");

    o.mkfs_time = 86400;
    pack_to("c.sqfs", &o);
    _sn_free_ char *c = p("c.sqfs");
    size_t lc = 0;
    _sn_free_ char *dc = read_all(c, &lc);
    cr_assert(lc != la || memcmp(da, dc, la) != 0, "the build time is part of the image");
}

static bool exclude_data(const char *relpath, bool is_dir, void *userdata)
{
    (*(int *)userdata)++;
    return SN_STREQ(relpath, "data") && is_dir;
}

Test(squashfs_pack, excluded_directories_leave_their_children_out)
{
    make_tree();
    int calls = 0;
    SnSquashfsPackOptions o = {.exclude = exclude_data, .exclude_userdata = &calls};
    pack_to("x.sqfs", &o);
    _sn_free_ char *out = p("x.sqfs");
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, out, &sq, NULL), 0);
    SnSquashfsStat st;
    cr_assert_eq(sn_squashfs_lstat(sq, "data", &st, NULL), -ENOENT);
    cr_assert_eq(sn_squashfs_lstat(sq, "bin/tool", &st, NULL), 0);
    cr_assert_eq(calls, 9, "the callback sees every entry outside excluded directories");
    /* Without all_root the owner is the files' (root here, as the tests run). */
    cr_assert_eq(st.uid, getuid());
}

Test(squashfs_pack, compressions)
{
    put("src/a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 45, 0644);
    const char *names[] = {"xz", "zstd", "lzo", "gzip", "lz4"};
    for (size_t i = 0; i < SN_ELEMENTSOF(names); i++) {
        SnSquashfsPackOptions o = {.compression = names[i], .workers = 1};
        pack_to("c.sqfs", &o);
        _sn_free_ char *out = p("c.sqfs");
        _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
        cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, out, &sq, NULL), 0, "%s", names[i]);
        cr_assert_str_eq(sn_squashfs_get_info(sq)->compression, names[i]);
        _sn_free_ char *data = NULL;
        cr_assert_eq(sn_squashfs_read_file(sq, "a", 100, &data, NULL, NULL), 0, "%s", names[i]);
        cr_assert_eq(strlen(data), 45);
    }
    SnSquashfsPackOptions bad = {.compression = "brotli"};
    _sn_free_ char *src = p("src"), *out = p("bad.sqfs");
    SnError *err = NULL;
    cr_assert_eq(sn_squashfs_pack(src, out, &bad, NULL, &err), -EINVAL);
    cr_assert(strstr(err->message, "brotli"));
    sn_error_free(err);
    cr_assert_eq(sn_squashfs_compression_from_name("zstd"), 6);
}

Test(squashfs_pack, padding_and_small_images)
{
    put("src/a", "x", 1, 0644);
    SnSquashfsPackOptions o = {0};
    pack_to("nopad.sqfs", &o);
    o.min_size = 16384;
    pack_to("pad.sqfs", &o);
    struct stat st;
    _sn_free_ char *a = p("nopad.sqfs"), *b = p("pad.sqfs");
    cr_assert_eq(stat(a, &st), 0);
    cr_assert_eq(st.st_size, 4096);
    cr_assert_eq(stat(b, &st), 0);
    cr_assert_eq(st.st_size, 16384);
}

Test(squashfs_pack, failures_leave_no_output)
{
    put("src/a", "x", 1, 0644);
    _sn_free_ char *src = p("src"), *out = p("out.sqfs"), *missing = p("nope");
    SnError *err = NULL;
    cr_assert_eq(sn_squashfs_pack(missing, out, NULL, NULL, &err), -ENOENT);
    cr_assert(strstr(err->message, "nope"));
    sn_error_free(err);
    err = NULL;
    _sn_free_ char *bad_out = p("nodir/out.sqfs");
    cr_assert_eq(sn_squashfs_pack(src, bad_out, NULL, NULL, &err), -ENOENT);
    sn_error_free(err);

    setenv("SN_FAULTS", "pack-rename", 1);
    err = NULL;
    cr_assert_lt(sn_squashfs_pack(src, out, NULL, NULL, &err), 0);
    sn_error_free(err);
    unsetenv("SN_FAULTS");
    _sn_free_ char *cmd = sn_strdup_printf("test -z \"$(ls '%s' | grep out.sqfs)\"", tmpdir);
    cr_assert_eq(system(cmd), 0, "no output and no temporary file after a failure");
}

Test(squashfs_pack, unreadable_file_fails_with_its_path)
{
    put("src/a", "x", 1, 0644);
    setenv("SN_FAULTS", "pack-open", 1);
    _sn_free_ char *src = p("src"), *out = p("out.sqfs");
    SnError *err = NULL;
    cr_assert_lt(sn_squashfs_pack(src, out, NULL, NULL, &err), 0);
    cr_assert(strstr(err->message, "cannot open a"), "%s", err->message);
    sn_error_free(err);
}
