/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "snap-pack.h"
#include "squashfs-read.h"
#include "strutil.h"

static char tmpdir[64];

static void setup(void)
{
    strcpy(tmpdir, "/tmp/sn-test-snappack-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    chmod(tmpdir, 0755);
}

static void teardown(void)
{
    _sn_free_ char *cmd = sn_strdup_printf("rm -rf '%s'", tmpdir);
    (void)!system(cmd);
}

static void put(const char *rel, const char *data, mode_t mode)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s", tmpdir, rel);
    _sn_free_ char *dir = strdup(path);
    *strrchr(dir, '/') = '\0';
    cr_assert_eq(sn_mkdir_p(dir, 0755), 0);
    cr_assert_eq(sn_write_file_atomic(AT_FDCWD, path, data, strlen(data), mode), 0);
    chmod(path, mode);
}

TestSuite(snap_pack, .init = setup, .fini = teardown);

Test(snap_pack, excludes_are_snapds)
{
    const char *out[] = {".git",        ".bzr",   ".svn",     "CVS",        ".hg",    "DEBIAN",
                         ".snapignore", "{arch}", "foo~",     "a/b/foo~",   "x.snap", "sub/x.snap",
                         "sub/.#lock",  ".~x",    ".foo.swp", "d/.bar.swo", ",,tmp",  "p.click"};
    const char *in[] = {"sub/.git", "a/CVS",   "DEBIAN2", ".foo~",     ".x.snap",        "snap",
                        ".snap",    "foo.swp", "x.snapx", "bin/hello", "meta/snap.yaml", "gitignore"};
    for (size_t i = 0; i < SN_ELEMENTSOF(out); i++)
        cr_assert(sn_snap_pack_excluded(out[i]), "%s should be left out", out[i]);
    for (size_t i = 0; i < SN_ELEMENTSOF(in); i++)
        cr_assert_not(sn_snap_pack_excluded(in[i]), "%s should be packed", in[i]);
}

static SnSnapInfo *parse(const char *text)
{
    SnSnapInfo *info = NULL;
    cr_assert_eq(sn_snap_yaml_parse(text, strlen(text), &info, NULL), 0);
    return info;
}

Test(snap_pack, architecture_in_the_file_name)
{
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *a = parse("name: aa\nversion: '1'\n");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *b = parse("name: aa\nversion: '1'\narchitectures: [arm64]\n");
    _sn_cleanup_(sn_snap_info_freep) SnSnapInfo *c = parse("name: aa\nversion: '1'\narchitectures: [arm64, amd64]\n");
    cr_assert_str_eq(sn_snap_pack_architecture(a), "all");
    cr_assert_str_eq(sn_snap_pack_architecture(b), "arm64");
    cr_assert_str_eq(sn_snap_pack_architecture(c), "multi");
}

static void make_snap(void)
{
    put("src/meta/snap.yaml",
        "name: hello\nversion: '1.0'\narchitectures: [amd64]\napps:\n  hello:\n"
        "    command: bin/hello\n",
        0644);
    put("src/bin/hello", "#!/bin/sh\necho hi\n", 0755);
    put("src/.git/config", "x", 0644);
    put("src/notes~", "x", 0644);
    put("src/old.snap", "x", 0644);
}

Test(snap_pack, packs_with_snapds_name_and_excludes)
{
    make_snap();
    _sn_free_ char *src = sn_strdup_printf("%s/src", tmpdir);
    _sn_free_ char *target = sn_strdup_printf("%s//out/dir/", tmpdir);
    SnSnapPackOptions o = {.target_dir = target};
    _sn_free_ char *path = NULL;
    SnError *err = NULL;
    int r = sn_snap_pack(src, &o, &path, &err);
    cr_assert_eq(r, 0, "%s", sn_error_message(err, r));
    _sn_free_ char *want = sn_strdup_printf("%s/out/dir/hello_1.0_amd64.snap", tmpdir);
    cr_assert_str_eq(path, want);

    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, path, &sq, NULL), 0);
    const SnSquashfsInfo *info = sn_squashfs_get_info(sq);
    cr_assert_eq(info->file_size, SN_SNAP_MIN_SIZE);
    cr_assert_str_eq(info->compression, "xz");
    cr_assert(info->flags & 0x0010, "no fragments, as snapd packs");
    cr_assert(info->flags & 0x0200, "no xattrs");
    SnSquashfsStat st;
    cr_assert_eq(sn_squashfs_lstat(sq, "bin/hello", &st, NULL), 0);
    cr_assert_eq(st.uid, 0);
    cr_assert_eq(sn_squashfs_lstat(sq, ".git", &st, NULL), -ENOENT);
    cr_assert_eq(sn_squashfs_lstat(sq, "notes~", &st, NULL), -ENOENT);
    cr_assert_eq(sn_squashfs_lstat(sq, "old.snap", &st, NULL), -ENOENT);
}

Test(snap_pack, filename_and_compression_options)
{
    make_snap();
    _sn_free_ char *src = sn_strdup_printf("%s/src", tmpdir);
    SnSnapPackOptions o = {.target_dir = tmpdir, .filename = "custom.snap", .compression = "zstd"};
    _sn_free_ char *path = NULL;
    cr_assert_eq(sn_snap_pack(src, &o, &path, NULL), 0);
    _sn_free_ char *want = sn_strdup_printf("%s/custom.snap", tmpdir);
    cr_assert_str_eq(path, want);
    o.compression = "gzip";
    SnError *err = NULL;
    _sn_free_ char *p2 = NULL;
    cr_assert_eq(sn_snap_pack(src, &o, &p2, &err), -EINVAL);
    cr_assert_str_eq(err->message, "cannot use compression \"gzip\"");
    sn_error_free(err);
}

Test(snap_pack, validation_errors_read_like_snapds)
{
    put("src/meta/snap.yaml", "name: hello\nversion: '1.0 beta'\n", 0644);
    _sn_free_ char *src = sn_strdup_printf("%s/src", tmpdir);
    SnError *err = NULL;
    cr_assert_eq(sn_snap_pack_check(src, NULL, NULL, false, NULL, &err), -EINVAL);
    cr_assert(sn_startswith(err->message, "cannot validate snap \"hello\": "), "%s", err->message);
    sn_error_free(err);

    err = NULL;
    _sn_free_ char *missing = sn_strdup_printf("%s/nothing", tmpdir);
    cr_assert_eq(sn_snap_pack_check(missing, NULL, NULL, false, NULL, &err), -ENOENT);
    _sn_free_ char *want = sn_strdup_printf("open %s/nothing/meta/snap.yaml: No such file or directory", tmpdir);
    cr_assert_str_eq(err->message, want);
    sn_error_free(err);
}

Test(snap_pack, check_skeleton_only_logs_missing_commands)
{
    make_snap();
    _sn_free_ char *cmd = sn_strdup_printf("rm %s/src/bin/hello", tmpdir);
    cr_assert_eq(system(cmd), 0);
    _sn_free_ char *src = sn_strdup_printf("%s/src", tmpdir);
    cr_assert_eq(sn_snap_pack_check(src, NULL, NULL, true, NULL, NULL), 0);
    SnError *err = NULL;
    cr_assert_eq(sn_snap_pack_check(src, NULL, NULL, false, NULL, &err), -ENOENT);
    cr_assert_str_eq(err->message, "snap is unusable due to missing files: path \"bin/hello\" does not exist");
    sn_error_free(err);
    /* Packing refuses it. */
    SnSnapPackOptions o = {.target_dir = tmpdir};
    _sn_free_ char *path = NULL;
    cr_assert_eq(sn_snap_pack(src, &o, &path, NULL), -ENOENT);
}
