/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Reading a squashfs image (a .snap) without mounting it, through libsquashfs.
 *
 * Every input is treated as hostile: a truncated file, a bad superblock, offsets out of bounds,
 * absurd sizes, directory loops or an absurd number of entries are refused with -EBADMSG (a
 * corrupted image), -ELOOP (a directory loop), -E2BIG (past a limit below) or -EFBIG (a file
 * larger than the caller's cap), with a message in *reterr; never a crash. Paths inside the image
 * are relative ("meta/snap.yaml"; "" or "." is the root); ".." is refused and symlinks are never
 * followed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* Limits applied to every image. */
#define SN_SQUASHFS_MAX_ENTRIES (4u * 1024u * 1024u) /* entries visited by one walk */
#define SN_SQUASHFS_MAX_DEPTH 256u                   /* directory nesting */
#define SN_SQUASHFS_MAX_PATH 4096u                   /* bytes in a path inside the image */

typedef struct SnSquashfs SnSquashfs;

/* What the superblock says, after validation. */
typedef struct SnSquashfsInfo {
    uint64_t file_size;      /* size of the image file (including padding) */
    uint64_t bytes_used;     /* end of the squashfs data */
    uint32_t block_size;     /* data block size */
    uint32_t mkfs_time;      /* the superblock's modification time (build date), seconds since epoch */
    uint32_t inode_count;    /* as the superblock claims */
    const char *compression; /* "xz", "lzo", "zstd", "gzip", "lz4", "lzma" */
    uint16_t flags;          /* SQFS_FLAG_* */
} SnSquashfsInfo;

/* One inode, as lstat() would describe it. */
typedef struct SnSquashfsStat {
    uint32_t mode; /* S_IFMT type bits | permission bits */
    uint64_t size; /* regular file: its size; symlink: target length; else 0 */
    uint32_t uid;  /* resolved through the id table */
    uint32_t gid;
    uint32_t mtime; /* seconds since epoch */
    uint32_t nlink;
    uint32_t inode_number;
    uint32_t rdev; /* device number (squashfs encoding) for block and char devices */
} SnSquashfsStat;

/*
 * Opens the image at path (relative to dirfd; AT_FDCWD allowed), checks that it is a squashfs
 * image (magic, version 4.0, block size, table offsets inside the file, a compressor we can
 * decompress) and loads its id table. Returns 0 and *ret (free with sn_squashfs_free), or
 * -ENOENT/-EACCES/... when it cannot be opened, -EBADMSG when it is not a valid squashfs image,
 * -EOPNOTSUPP for a compressor we lack.
 */
int sn_squashfs_open_at(int dirfd, const char *path, SnSquashfs **ret, SnError **reterr);

/*
 * The same for an image held in memory. data is not copied: it must outlive the returned
 * object. Used by the fuzzer and by tests.
 */
int sn_squashfs_open_memory(const void *data, size_t len, SnSquashfs **ret, SnError **reterr);

/* Frees sq. Accepts NULL; returns NULL. */
SnSquashfs *sn_squashfs_free(SnSquashfs *sq);
SN_DEFINE_CLEANUP_FUNC(SnSquashfs *, sn_squashfs_free)

/* The superblock summary (owned by sq). */
const SnSquashfsInfo *sn_squashfs_get_info(const SnSquashfs *sq);

/* lstat() of path inside the image. Returns 0, -ENOENT, -ENOTDIR, -EINVAL (bad path) or -EBADMSG. */
int sn_squashfs_lstat(SnSquashfs *sq, const char *path, SnSquashfsStat *ret, SnError **reterr);

/* The target of the symlink at path (caller frees). -EINVAL when path is not a symlink. */
int sn_squashfs_readlink(SnSquashfs *sq, const char *path, char **ret, SnError **reterr);

/*
 * Reads the whole regular file at path into a new NUL-terminated buffer (caller frees), refusing
 * files larger than max bytes with -EFBIG before reading them. *ret_len may be NULL. Returns
 * -EISDIR / -EINVAL when path is not a regular file.
 */
int sn_squashfs_read_file(SnSquashfs *sq, const char *path, size_t max, char **ret_data, size_t *ret_len,
                          SnError **reterr);

/*
 * Lists the names in the directory at path, in on-disk (sorted) order, without "." and "..".
 * Returns a NULL-terminated vector (caller frees with sn_strv_free; an empty directory gives a
 * vector holding only NULL).
 */
int sn_squashfs_list_dir(SnSquashfs *sq, const char *path, char ***ret, SnError **reterr);

/*
 * Called for every entry of a walk, parents before children, in on-disk order: path is relative
 * ("bin/hello"; "" for the root), link_target is the symlink's target or NULL. Return 0 to go on,
 * 1 to skip the children of a directory, a negative errno to stop the walk (returned as is).
 */
typedef int (*SnSquashfsWalkFn)(const char *path, const SnSquashfsStat *st, const char *link_target, void *userdata);

/*
 * Walks the whole tree from the root. Refuses directory loops and directories reached twice
 * (-ELOOP), more than SN_SQUASHFS_MAX_ENTRIES entries, deeper than SN_SQUASHFS_MAX_DEPTH or
 * longer paths than SN_SQUASHFS_MAX_PATH (-E2BIG), and bad entry names ("", ".", "..", or
 * containing '/': -EBADMSG).
 */
int sn_squashfs_walk(SnSquashfs *sq, SnSquashfsWalkFn fn, void *userdata, SnError **reterr);

/* The file type letter unsquashfs -ll prints ('d', '-', 'l', 'b', 'c', 'p', 's'). */
char sn_squashfs_type_char(uint32_t mode);
