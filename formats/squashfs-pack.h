/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Writing a squashfs image from a directory tree, in-process through libsquashfs (no mksquashfs).
 *
 * The output is reproducible: the same tree gives the same bytes whatever the files' mtimes,
 * atimes, inode numbers or readdir order. Entries are sorted by name (byte order), inodes are
 * numbered in a fixed order, every inode's mtime and the superblock's time are opts->mkfs_time,
 * and nothing else of the source's metadata is kept but the permission bits, the file type, the
 * owner (unless all_root) and the contents. Data blocks are compressed by libsquashfs's block
 * processor on opts->workers threads, with whole-file block deduplication.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Returns true to leave relpath (e.g. ".git", "src/foo~") and, for a directory, all below it out. */
typedef bool (*SnSquashfsExcludeFn)(const char *relpath, bool is_dir, void *userdata);

typedef struct SnSquashfsPackOptions {
    const char *compression; /* "xz" (NULL means xz), "lzo", "zstd", "gzip", "lz4", "lzma" */
    uint32_t block_size;     /* 0 means 128 KiB; a power of two in 4 KiB..1 MiB */
    uint32_t mkfs_time;      /* superblock time and every inode's mtime */
    bool all_root;           /* owner and group 0 for everything (snapd's -all-root) */
    bool fragments;          /* pack file tails into fragment blocks (snapd: no) */
    unsigned workers;        /* compression threads; 0 means the number of online CPUs */
    uint64_t min_size;       /* pad the file with zeros to at least this size (after 4 KiB padding) */
    SnSquashfsExcludeFn exclude;
    void *exclude_userdata;
} SnSquashfsPackOptions;

/* What was written. */
typedef struct SnSquashfsPackStats {
    uint64_t file_size;   /* bytes in the output file, padding included */
    uint64_t input_bytes; /* bytes of file data read */
    uint32_t inodes;
} SnSquashfsPackStats;

/*
 * Packs the tree at srcdir into a squashfs image at out_path. The image is written to a
 * temporary file beside out_path and renamed over it only when complete, so out_path is never
 * left half-written. Symlinks are stored, not followed; the source root must be a directory.
 * Hard links are stored as separate inodes. Extended attributes are not stored.
 * ret_stats may be NULL. Returns 0, or -errno with *reterr naming the path that failed
 * (-EACCES for unreadable files and directories, -EINVAL for bad options, -EOPNOTSUPP for an
 * unavailable compressor).
 */
int sn_squashfs_pack(const char *srcdir, const char *out_path, const SnSquashfsPackOptions *opts,
                     SnSquashfsPackStats *ret_stats, SnError **reterr);

/* Maps a compression name to libsquashfs's id; returns -EINVAL for an unknown name. */
int sn_squashfs_compression_from_name(const char *name);
