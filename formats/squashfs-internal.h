/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Internal to formats/: sqfs_file_t implementations and error mapping shared by the squashfs
 * reader and writer. Not for use outside formats/.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <sqfs/predef.h>
#include <sqfs/compressor.h>
#include <sqfs/io.h>

/*
 * A read-only sqfs_file_t over an open fd (pread). Takes ownership of fd (closed by
 * sqfs_destroy). size is the file size seen at open time; reads past it fail with
 * SQFS_ERROR_OUT_OF_BOUNDS. Returns NULL on allocation failure (fd is then closed).
 */
sqfs_file_t *sn_sqfs_file_from_fd(int fd, uint64_t size);

/*
 * A read-only sqfs_file_t over a memory buffer (not copied: data must outlive the object).
 * Returns NULL on allocation failure.
 */
sqfs_file_t *sn_sqfs_file_from_memory(const void *data, size_t len);

/*
 * A writable sqfs_file_t over an open fd (pwrite, ftruncate), starting empty. Does not take
 * ownership of fd. Returns NULL on allocation failure.
 */
sqfs_file_t *sn_sqfs_file_writer(int fd);

/* The errno of the last failed read or write of a file made by the functions above, or 0. */
int sn_sqfs_file_last_errno(const sqfs_file_t *file);

/* Maps an SQFS_ERROR value to a negative errno. */
int sn_sqfs_errno(int sqfs_err);

/* A short description of an SQFS_ERROR value, for messages. Never NULL. */
const char *sn_sqfs_strerror(int sqfs_err);

/*
 * Creates a compressor (or, with SQFS_COMP_FLAG_UNCOMPRESS in cfg->flags, a decompressor) for
 * cfg, adding LZO through liblzo2 where libsquashfs was built without it. Returns 0 or an
 * SQFS_ERROR value.
 */
int sn_sqfs_compressor_create(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **ret);

static inline void sn_sqfs_destroyp(void *p)
{
    sqfs_destroy(*(void **)p);
    *(void **)p = NULL;
}
#define _sn_sqfs_destroy_ __attribute__((cleanup(sn_sqfs_destroyp)))
