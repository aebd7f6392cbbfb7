/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "squashfs-pack.h"
#include "squashfs-read.h"
#include "strutil.h"

static char *corpus(const char *name)
{
    const char *root = getenv("SN_SOURCE_ROOT");
    cr_assert(root, "SN_SOURCE_ROOT must be set by meson");
    return sn_strdup_printf("%s/fuzz/corpus/squashfs/%s", root, name);
}

static SnSquashfs *open_corpus(const char *name)
{
    _sn_free_ char *path = corpus(name);
    SnSquashfs *sq = NULL;
    SnError *err = NULL;
    int r = sn_squashfs_open_at(AT_FDCWD, path, &sq, &err);
    cr_assert_eq(r, 0, "%s: %s", name, sn_error_message(err, r));
    return sq;
}

Test(squashfs_read, reads_a_packed_snap)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = open_corpus("valid-pack-xz.snap");
    const SnSquashfsInfo *info = sn_squashfs_get_info(sq);
    cr_assert_str_eq(info->compression, "xz");
    cr_assert_eq(info->block_size, 131072);
    cr_assert_eq(info->file_size, 16384);

    _sn_free_ char *yaml = NULL;
    size_t len = 0;
    cr_assert_eq(sn_squashfs_read_file(sq, "meta/snap.yaml", 65536, &yaml, &len, NULL), 0);
    cr_assert(sn_startswith(yaml, "name: fuzz-seed\n"));
    cr_assert_eq(strlen(yaml), len);

    SnSquashfsStat st;
    cr_assert_eq(sn_squashfs_lstat(sq, "bin/hello", &st, NULL), 0);
    cr_assert(S_ISREG(st.mode));
    cr_assert_eq(st.mode & 07777, 0755);
    cr_assert_eq(st.uid, 0);
    cr_assert_eq(st.size, strlen("#!/bin/sh\necho hello\n") + 301);
    cr_assert_eq(sn_squashfs_lstat(sq, "./meta//hooks/", &st, NULL), 0);
    cr_assert(S_ISDIR(st.mode));

    _sn_free_ char *target = NULL;
    cr_assert_eq(sn_squashfs_readlink(sq, "bin/link", &target, NULL), 0);
    cr_assert_str_eq(target, "hello");
    _sn_strv_free_ char **names = NULL;
    cr_assert_eq(sn_squashfs_list_dir(sq, "meta", &names, NULL), 0);
    cr_assert_eq(sn_strv_length(names), 2);
    cr_assert_str_eq(names[0], "hooks");
    cr_assert_str_eq(names[1], "snap.yaml");
}

Test(squashfs_read, every_compression_of_the_corpus_reads)
{
    const char *names[] = {"valid-pack-xz.snap", "valid-pack-zstd.snap", "valid-pack-lzo.snap",
                           "valid-uncompressed-meta.sqfs"};
    for (size_t i = 0; i < SN_ELEMENTSOF(names); i++) {
        _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = open_corpus(names[i]);
        _sn_free_ char *data = NULL;
        cr_assert_eq(sn_squashfs_read_file(sq, "bin/hello", 4096, &data, NULL, NULL), 0, "%s", names[i]);
        cr_assert(sn_startswith(data, "#!/bin/sh\necho hello\nxxx"), "%s", names[i]);
    }
}

Test(squashfs_read, refuses_bad_paths_and_types)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = open_corpus("valid-pack-xz.snap");
    SnSquashfsStat st;
    char *data = NULL;
    cr_assert_eq(sn_squashfs_lstat(sq, "meta/../bin/hello", &st, NULL), -EINVAL);
    cr_assert_eq(sn_squashfs_lstat(sq, "meta/nope", &st, NULL), -ENOENT);
    cr_assert_eq(sn_squashfs_lstat(sq, "meta/snap.yaml/x", &st, NULL), -ENOTDIR);
    cr_assert_eq(sn_squashfs_read_file(sq, "meta", 100, &data, NULL, NULL), -EISDIR);
    cr_assert_eq(sn_squashfs_read_file(sq, "bin/link", 100, &data, NULL, NULL), -EINVAL);
    cr_assert_eq(sn_squashfs_readlink(sq, "bin/hello", &data, NULL), -EINVAL);
    SnError *err = NULL;
    cr_assert_eq(sn_squashfs_read_file(sq, "meta/snap.yaml", 10, &data, NULL, &err), -EFBIG);
    cr_assert(strstr(err->message, "too large"));
    sn_error_free(err);
    cr_assert_null(data);
}

typedef struct Listing {
    SnBuf out;
} Listing;

static int list_cb(const char *path, const SnSquashfsStat *st, const char *target, void *userdata)
{
    Listing *l = userdata;
    sn_buf_printf(&l->out, "%c%o %s%s%s\n", sn_squashfs_type_char(st->mode), st->mode & 07777, path,
                  target ? " -> " : "", target ? target : "");
    return 0;
}

Test(squashfs_read, walk_lists_like_unsquashfs)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = open_corpus("valid-pack-zstd.snap");
    Listing l = {0};
    cr_assert_eq(sn_squashfs_walk(sq, list_cb, &l, NULL), 0);
    cr_assert_str_eq(l.out.data, "d755 \n"
                                 "d755 bin\n"
                                 "-755 bin/hello\n"
                                 "l777 bin/link -> hello\n"
                                 "d755 meta\n"
                                 "d755 meta/hooks\n"
                                 "-755 meta/hooks/configure\n"
                                 "-644 meta/snap.yaml\n");
    sn_buf_done(&l.out);
}

static int skip_bin(const char *path, const SnSquashfsStat *st, const char *target, void *userdata)
{
    (*(int *)userdata)++;
    return SN_STREQ(path, "bin") ? 1 : SN_STREQ(path, "meta/hooks") ? -ECANCELED : 0;
}

Test(squashfs_read, walk_callback_skips_and_stops)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = open_corpus("valid-pack-xz.snap");
    int n = 0;
    cr_assert_eq(sn_squashfs_walk(sq, skip_bin, &n, NULL), -ECANCELED);
    cr_assert_eq(n, 4); /* "", bin (children skipped), meta, meta/hooks */
}

/* Each hostile image is refused by open or by the walk, with the error class and words given. */
typedef struct Hostile {
    char name[48];
    int code;
    char words[48];
} Hostile;

static const Hostile hostile[] = {
    {"hostile-empty.snap", -EBADMSG, "file too short"},
    {"hostile-truncated-super.snap", -EBADMSG, "file too short"},
    {"hostile-truncated-half.snap", -EBADMSG, "truncated"},
    {"hostile-truncated-tables.snap", -EBADMSG, "truncated"},
    {"hostile-bad-magic.snap", -EBADMSG, "bad magic"},
    {"hostile-bad-version.snap", -EBADMSG, "version"},
    {"hostile-bad-block-size.snap", -EBADMSG, "block size"},
    {"hostile-block-log-mismatch.snap", -EBADMSG, "superblock"},
    {"hostile-bytes-used-past-end.snap", -EBADMSG, "truncated"},
    {"hostile-inode-table-after-dirs.snap", -EBADMSG, "out of bounds"},
    {"hostile-id-table-huge.snap", -EBADMSG, "out of bounds"},
    {"hostile-root-ref-out-of-bounds.snap", -EBADMSG, "root inode"},
    {"hostile-inode-count-huge.snap", -EBADMSG, "inodes"},
    {"hostile-id-count-zero.snap", -EBADMSG, "superblock"},
    {"hostile-id-count-huge.snap", -EBADMSG, "id table"},
    {"hostile-unknown-compressor.snap", -EBADMSG, "unknown compressor 99"},
    {"hostile-directory-loop.sqfs", -ELOOP, "directory loop"},
    {"hostile-dotdot-name.sqfs", -EBADMSG, "invalid entry name"},
    {"hostile-slash-name.sqfs", -EBADMSG, "invalid entry name"},
    {"hostile-file-size-huge.sqfs", -EBADMSG, "inode"},
    {"hostile-symlink-size-huge.sqfs", -EBADMSG, "too long"},
    {"hostile-inode-type-bad.sqfs", -EBADMSG, "unknown type"},
    {"hostile-dir-size-huge.sqfs", -EBADMSG, "directory"},
    {"hostile-dir-start-out-of-bounds.sqfs", -EBADMSG, "directory"},
    {"hostile-uid-index-bad.sqfs", -EBADMSG, "owner index"},
    {"hostile-fragment-table-huge.snap", -EBADMSG, "fragments"},
    /* found by fuzzing: libsquashfs allocates what these fields ask before checking them */
    {"regress-fragment-count-huge.snap", -EBADMSG, "fragments"},
    {"regress-ext-dir-index-name-huge.snap", -EBADMSG, "index entry too long"},
    {"regress-inode-read-failure.snap", -EBADMSG, "inode"},
};

static int count_cb(const char *path, const SnSquashfsStat *st, const char *target, void *userdata)
{
    return 0;
}

ParameterizedTestParameters(squashfs_read, hostile_images_are_refused)
{
    return cr_make_param_array(Hostile, hostile, SN_ELEMENTSOF(hostile));
}

ParameterizedTest(const Hostile *h, squashfs_read, hostile_images_are_refused)
{
    _sn_free_ char *path = corpus(h->name);
    SnSquashfs *sq = NULL;
    SnError *err = NULL;
    int r = sn_squashfs_open_at(AT_FDCWD, path, &sq, &err);
    if (r == 0) {
        r = sn_squashfs_walk(sq, count_cb, NULL, &err);
        sn_squashfs_free(sq);
    }
    cr_assert_eq(r, h->code, "%s: got %d (%s)", h->name, r, sn_error_message(err, r));
    cr_assert(strstr(err->message, h->words), "%s: \"%s\" lacks \"%s\"", h->name, err->message, h->words);
    sn_error_free(err);
}

Test(squashfs_read, not_an_image)
{
    SnSquashfs *sq = NULL;
    SnError *err = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, "/tmp", &sq, &err), -EISDIR);
    sn_error_free(err);
    err = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, "/nonexistent.snap", &sq, &err), -ENOENT);
    cr_assert(strstr(err->message, "/nonexistent.snap"));
    sn_error_free(err);
    err = NULL;
    cr_assert_eq(sn_squashfs_open_memory("hsqs", 4, &sq, &err), -EBADMSG);
    sn_error_free(err);
    _sn_free_ char *path = corpus("../../meson.build");
    err = NULL;
    cr_assert_eq(sn_squashfs_open_at(AT_FDCWD, path, &sq, &err), -EBADMSG);
    cr_assert(strstr(err->message, "not a squashfs image"), "%s", err->message);
    sn_error_free(err);
}

Test(squashfs_read, type_letters)
{
    cr_assert_eq(sn_squashfs_type_char(S_IFDIR | 0755), 'd');
    cr_assert_eq(sn_squashfs_type_char(S_IFREG), '-');
    cr_assert_eq(sn_squashfs_type_char(S_IFLNK), 'l');
    cr_assert_eq(sn_squashfs_type_char(S_IFCHR), 'c');
    cr_assert_eq(sn_squashfs_type_char(S_IFBLK), 'b');
    cr_assert_eq(sn_squashfs_type_char(S_IFIFO), 'p');
    cr_assert_eq(sn_squashfs_type_char(S_IFSOCK), 's');
}
