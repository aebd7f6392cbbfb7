/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Safe file-descriptor operations. Every fd returned is O_CLOEXEC.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "macros.h"

/*
 * Opens path relative to dirfd without leaving the tree under dirfd and without following any
 * symlink (openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS). Where
 * openat2 is missing (ENOSYS, older kernels), it walks the path one component at a time with
 * O_NOFOLLOW, refusing "..", absolute paths and symlinks. flags gain O_CLOEXEC. Returns the fd
 * or -errno (-ELOOP for a symlink, -EXDEV for an escape attempt).
 */
int sn_openat_beneath(int dirfd, const char *path, int flags, mode_t mode);

/* The component-walking fallback of sn_openat_beneath, exposed so tests can exercise it. */
int sn_openat_beneath_fallback(int dirfd, const char *path, int flags, mode_t mode);

/* Writes all of data, retrying on EINTR and short writes. Returns 0 or -errno. */
int sn_write_all(int fd, const void *data, size_t len);

/* Reads up to len bytes, retrying on EINTR and short reads; returns the count read (< len only at EOF) or -errno. */
ssize_t sn_read_full(int fd, void *data, size_t len);

/*
 * Reads the whole of fd into a new NUL-terminated buffer, refusing anything larger than max
 * bytes with -EFBIG. Returns 0 and sets *ret_data (caller frees) and *ret_len (may be NULL).
 */
int sn_read_fd_all(int fd, size_t max, char **ret_data, size_t *ret_len);

/* Opens path (relative to dirfd, following symlinks as open() does) and reads it as sn_read_fd_all. */
int sn_read_file_at(int dirfd, const char *path, size_t max, char **ret_data, size_t *ret_len);
