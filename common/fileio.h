/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Durable file writing: temp -> fsync -> rename -> fsync(dir).
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * Replaces path (relative to dirfd; AT_FDCWD allowed) with data atomically and durably: writes a
 * temporary file in the same directory with the given mode, fsyncs it, renames it over path and
 * fsyncs the directory. A reader sees the old contents or the new, never a mix; after a crash the
 * file holds one or the other. On failure the temporary is removed and path is untouched.
 * Returns 0 or -errno.
 */
int sn_write_file_atomic(int dirfd, const char *path, const void *data, size_t len, mode_t mode);

/*
 * Creates a temporary file beside path for the caller to fill (mode applied), returning its fd and
 * name (*ret_tmp, caller frees). Finish with sn_atomic_commit() or sn_atomic_abort().
 */
int sn_atomic_begin(int dirfd, const char *path, mode_t mode, int *ret_fd, char **ret_tmp);
/* fsyncs fd, renames tmp over path, fsyncs the directory. Closes nothing. On failure unlinks tmp. */
int sn_atomic_commit(int dirfd, int fd, const char *tmp, const char *path);
/* Unlinks tmp (ignoring errors). */
void sn_atomic_abort(int dirfd, const char *tmp);

/* fsyncs the directory that contains path (relative to dirfd). Returns 0 or -errno. */
int sn_fsync_parent(int dirfd, const char *path);

/* mkdir -p with the given mode for created directories; existing ones are left as they are. */
int sn_mkdir_p(const char *path, mode_t mode);
