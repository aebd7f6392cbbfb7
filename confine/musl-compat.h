/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Force-included (-include) when confine/ binaries are built against musl (musl-static-pie.sh): what
 * glibc declares and musl 1.2.3 (Debian 12) does not. Nothing here is used with glibc.
 */
#pragma once

#if !defined(__GLIBC__)
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

/* statx(2): musl has it from 1.2.5. The layout is the kernel's ABI (include/uapi/linux/stat.h). */
#ifndef STATX_MNT_ID
struct statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t __reserved;
};

struct statx {
    uint32_t stx_mask;
    uint32_t stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink;
    uint32_t stx_uid;
    uint32_t stx_gid;
    uint16_t stx_mode;
    uint16_t __spare0[1];
    uint64_t stx_ino;
    uint64_t stx_size;
    uint64_t stx_blocks;
    uint64_t stx_attributes_mask;
    struct statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor;
    uint32_t stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint64_t __spare2[13];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is 256 bytes");

#define STATX_TYPE 0x0001U
#define STATX_MODE 0x0002U
#define STATX_INO 0x0100U
#define STATX_MNT_ID 0x1000U

static inline int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
    return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif
#endif
