/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lzo/lzo1x.h>
#include <sqfs/error.h>
#include <sqfs/super.h>

#include "macros.h"
#include "squashfs-internal.h"

/* ---- file objects ---------------------------------------------------------------------------- */

typedef struct SnSqfsFile {
    sqfs_file_t base;
    int fd;
    bool owns_fd;
    const uint8_t *mem;
    uint64_t size;
    int last_errno;
} SnSqfsFile;

static void file_destroy(sqfs_object_t *obj)
{
    SnSqfsFile *f = (SnSqfsFile *)obj;
    if (f->owns_fd)
        sn_safe_close(f->fd);
    free(f);
}

static sqfs_object_t *file_copy(const sqfs_object_t *obj)
{
    (void)obj;
    return NULL;
}

static int file_fd_read_at(sqfs_file_t *base, sqfs_u64 offset, void *buffer, size_t size)
{
    SnSqfsFile *f = (SnSqfsFile *)base;
    uint64_t end;
    if (__builtin_add_overflow(offset, (uint64_t)size, &end) || end > f->size)
        return SQFS_ERROR_OUT_OF_BOUNDS;
    uint8_t *p = buffer;
    while (size > 0) {
        ssize_t n = pread(f->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            f->last_errno = errno;
            return SQFS_ERROR_IO;
        }
        if (n == 0) {
            /* The file shrank under us. */
            f->last_errno = EIO;
            return SQFS_ERROR_OUT_OF_BOUNDS;
        }
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    return 0;
}

static int file_fd_write_at(sqfs_file_t *base, sqfs_u64 offset, const void *buffer, size_t size)
{
    SnSqfsFile *f = (SnSqfsFile *)base;
    const uint8_t *p = buffer;
    uint64_t end;
    if (__builtin_add_overflow(offset, (uint64_t)size, &end) || end > (uint64_t)INT64_MAX)
        return SQFS_ERROR_OUT_OF_BOUNDS;
    while (size > 0) {
        ssize_t n = pwrite(f->fd, p, size, (off_t)offset);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            f->last_errno = errno;
            return SQFS_ERROR_IO;
        }
        p += n;
        size -= (size_t)n;
        offset += (uint64_t)n;
    }
    if (end > f->size)
        f->size = end;
    return 0;
}

static int file_readonly_write_at(sqfs_file_t *base, sqfs_u64 offset, const void *buffer, size_t size)
{
    (void)base;
    (void)offset;
    (void)buffer;
    (void)size;
    return SQFS_ERROR_IO;
}

static sqfs_u64 file_get_size(const sqfs_file_t *base)
{
    return ((const SnSqfsFile *)base)->size;
}

static int file_readonly_truncate(sqfs_file_t *base, sqfs_u64 size)
{
    (void)base;
    (void)size;
    return SQFS_ERROR_IO;
}

static int file_fd_truncate(sqfs_file_t *base, sqfs_u64 size)
{
    SnSqfsFile *f = (SnSqfsFile *)base;
    if (size > (uint64_t)INT64_MAX)
        return SQFS_ERROR_OUT_OF_BOUNDS;
    if (ftruncate(f->fd, (off_t)size) < 0) {
        f->last_errno = errno;
        return SQFS_ERROR_IO;
    }
    f->size = size;
    return 0;
}

static int file_mem_read_at(sqfs_file_t *base, sqfs_u64 offset, void *buffer, size_t size)
{
    SnSqfsFile *f = (SnSqfsFile *)base;
    uint64_t end;
    if (__builtin_add_overflow(offset, (uint64_t)size, &end) || end > f->size)
        return SQFS_ERROR_OUT_OF_BOUNDS;
    if (size > 0)
        memcpy(buffer, f->mem + offset, size);
    return 0;
}

static SnSqfsFile *file_new(void)
{
    SnSqfsFile *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->fd = -1;
    f->base.base.destroy = file_destroy;
    f->base.base.copy = file_copy;
    f->base.get_size = file_get_size;
    return f;
}

sqfs_file_t *sn_sqfs_file_from_fd(int fd, uint64_t size)
{
    SnSqfsFile *f = file_new();
    if (!f) {
        sn_safe_close(fd);
        return NULL;
    }
    f->fd = fd;
    f->owns_fd = true;
    f->size = size;
    f->base.read_at = file_fd_read_at;
    f->base.write_at = file_readonly_write_at;
    f->base.truncate = file_readonly_truncate;
    return &f->base;
}

sqfs_file_t *sn_sqfs_file_from_memory(const void *data, size_t len)
{
    SnSqfsFile *f = file_new();
    if (!f)
        return NULL;
    f->mem = data;
    f->size = len;
    f->base.read_at = file_mem_read_at;
    f->base.write_at = file_readonly_write_at;
    f->base.truncate = file_readonly_truncate;
    return &f->base;
}

sqfs_file_t *sn_sqfs_file_writer(int fd)
{
    SnSqfsFile *f = file_new();
    if (!f)
        return NULL;
    f->fd = fd;
    f->base.read_at = file_fd_read_at;
    f->base.write_at = file_fd_write_at;
    f->base.truncate = file_fd_truncate;
    return &f->base;
}

int sn_sqfs_file_last_errno(const sqfs_file_t *file)
{
    return file ? ((const SnSqfsFile *)file)->last_errno : 0;
}

/* ---- errors ---------------------------------------------------------------------------------- */

int sn_sqfs_errno(int e)
{
    switch (e) {
    case SQFS_ERROR_ALLOC:
        return -ENOMEM;
    case SQFS_ERROR_IO:
        return -EIO;
    case SQFS_ERROR_NO_ENTRY:
        return -ENOENT;
    case SQFS_ERROR_NOT_DIR:
        return -ENOTDIR;
    case SQFS_ERROR_NOT_FILE:
        return -EISDIR;
    case SQFS_ERROR_LINK_LOOP:
        return -ELOOP;
    case SQFS_ERROR_OVERFLOW:
        return -EOVERFLOW;
    case SQFS_ERROR_UNSUPPORTED:
        return -EOPNOTSUPP;
    case SQFS_ERROR_ARG_INVALID:
        return -EINVAL;
    default:
        /* CORRUPTED, OUT_OF_BOUNDS, COMPRESSOR, SUPER_*: the image is bad. */
        return -EBADMSG;
    }
}

const char *sn_sqfs_strerror(int e)
{
    switch (e) {
    case SQFS_ERROR_ALLOC:
        return "out of memory";
    case SQFS_ERROR_IO:
        return "input/output error";
    case SQFS_ERROR_COMPRESSOR:
        return "cannot decompress data (corrupted or unsupported)";
    case SQFS_ERROR_INTERNAL:
        return "internal error";
    case SQFS_ERROR_CORRUPTED:
        return "corrupted data";
    case SQFS_ERROR_UNSUPPORTED:
        return "unsupported feature";
    case SQFS_ERROR_OVERFLOW:
        return "size overflow";
    case SQFS_ERROR_OUT_OF_BOUNDS:
        return "location out of bounds";
    case SFQS_ERROR_SUPER_MAGIC:
        return "bad superblock magic";
    case SFQS_ERROR_SUPER_VERSION:
        return "unsupported squashfs version";
    case SQFS_ERROR_SUPER_BLOCK_SIZE:
        return "bad block size in superblock";
    case SQFS_ERROR_NOT_DIR:
        return "not a directory";
    case SQFS_ERROR_NO_ENTRY:
        return "no such file or directory";
    case SQFS_ERROR_LINK_LOOP:
        return "directory loop";
    case SQFS_ERROR_NOT_FILE:
        return "not a regular file";
    case SQFS_ERROR_ARG_INVALID:
        return "invalid argument";
    case SQFS_ERROR_SEQUENCE:
        return "call out of sequence";
    default:
        return "unknown error";
    }
}

/* ---- LZO through liblzo2 ----------------------------------------------------------------------
 *
 * Debian builds libsquashfs without LZO (a licence choice), yet snapd allows `--compression lzo`
 * and the kernel reads it. The on-disk format: each block is raw LZO1X data; the optional
 * compressor options are {u32 algorithm, u32 level} little-endian in a metadata block right after
 * the superblock, written only when they differ from the defaults (LZO1X-999, level 8).
 */

typedef struct SnLzo {
    sqfs_compressor_t base;
    sqfs_compressor_config_t cfg;
    void *work;
} SnLzo;

static void lzo_destroy(sqfs_object_t *obj)
{
    SnLzo *l = (SnLzo *)obj;
    free(l->work);
    free(l);
}

static sqfs_object_t *lzo_copy(const sqfs_object_t *obj);

static void lzo_get_configuration(const sqfs_compressor_t *base, sqfs_compressor_config_t *cfg)
{
    *cfg = ((const SnLzo *)base)->cfg;
}

static int lzo_write_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
    SnLzo *l = (SnLzo *)base;
    if (l->cfg.opt.lzo.algorithm == SQFS_LZO_DEFAULT_ALG && l->cfg.level == SQFS_LZO_DEFAULT_LEVEL)
        return 0;
    uint8_t block[2 + 8];
    uint16_t hdr = 0x8000 | 8;
    block[0] = (uint8_t)hdr;
    block[1] = (uint8_t)(hdr >> 8);
    uint32_t alg = l->cfg.opt.lzo.algorithm, level = l->cfg.level;
    for (int i = 0; i < 4; i++) {
        block[2 + i] = (uint8_t)(alg >> (8 * i));
        block[6 + i] = (uint8_t)(level >> (8 * i));
    }
    int r = file->write_at(file, sizeof(sqfs_super_t), block, sizeof(block));
    return r < 0 ? r : (int)sizeof(block);
}

static int lzo_read_options(sqfs_compressor_t *base, sqfs_file_t *file)
{
    (void)base;
    uint8_t block[2 + 8];
    int r = file->read_at(file, sizeof(sqfs_super_t), block, sizeof(block));
    if (r < 0)
        return r;
    uint16_t hdr = (uint16_t)(block[0] | (block[1] << 8));
    if (hdr != (0x8000 | 8))
        return SQFS_ERROR_CORRUPTED;
    uint32_t alg = (uint32_t)block[2] | (uint32_t)block[3] << 8 | (uint32_t)block[4] << 16 | (uint32_t)block[5] << 24;
    /* Every LZO1X variant decompresses the same way; only refuse what is not LZO1X. */
    if (alg > SQFS_LZO1X_999)
        return SQFS_ERROR_UNSUPPORTED;
    return 0;
}

static sqfs_s32 lzo_compress_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                                   sqfs_u32 outsize)
{
    SnLzo *l = (SnLzo *)base;
    lzo_uint len = outsize;
    int r;
    /* LZO can expand incompressible input by size/16 + 67; compress into a big enough buffer. */
    size_t bound = (size_t)size + size / 16 + 64 + 3;
    _sn_free_ uint8_t *tmp = malloc(bound);
    if (!tmp)
        return SQFS_ERROR_ALLOC;
    len = bound;
    switch (l->cfg.opt.lzo.algorithm) {
    case SQFS_LZO1X_1:
        r = lzo1x_1_compress(in, size, tmp, &len, l->work);
        break;
    case SQFS_LZO1X_1_11:
        r = lzo1x_1_11_compress(in, size, tmp, &len, l->work);
        break;
    case SQFS_LZO1X_1_12:
        r = lzo1x_1_12_compress(in, size, tmp, &len, l->work);
        break;
    case SQFS_LZO1X_1_15:
        r = lzo1x_1_15_compress(in, size, tmp, &len, l->work);
        break;
    default:
        r = lzo1x_999_compress_level(in, size, tmp, &len, l->work, NULL, 0, 0, (int)l->cfg.level);
        break;
    }
    if (r != LZO_E_OK)
        return SQFS_ERROR_COMPRESSOR;
    if (len >= size || len > outsize)
        return 0; /* not worth it: stored uncompressed */
    memcpy(out, tmp, len);
    return (sqfs_s32)len;
}

static sqfs_s32 lzo_uncompress_block(sqfs_compressor_t *base, const sqfs_u8 *in, sqfs_u32 size, sqfs_u8 *out,
                                     sqfs_u32 outsize)
{
    (void)base;
    lzo_uint len = outsize;
    int r = lzo1x_decompress_safe(in, size, out, &len, NULL);
    if (r != LZO_E_OK || len > outsize || len > INT32_MAX)
        return SQFS_ERROR_COMPRESSOR;
    return (sqfs_s32)len;
}

static SnLzo *lzo_new(const sqfs_compressor_config_t *cfg)
{
    SnLzo *l = calloc(1, sizeof(*l));
    if (!l)
        return NULL;
    l->cfg = *cfg;
    l->base.base.destroy = lzo_destroy;
    l->base.base.copy = lzo_copy;
    l->base.get_configuration = lzo_get_configuration;
    l->base.write_options = lzo_write_options;
    l->base.read_options = lzo_read_options;
    if (cfg->flags & SQFS_COMP_FLAG_UNCOMPRESS) {
        l->base.do_block = lzo_uncompress_block;
    } else {
        l->base.do_block = lzo_compress_block;
        l->work = malloc(LZO1X_999_MEM_COMPRESS);
        if (!l->work) {
            free(l);
            return NULL;
        }
    }
    return l;
}

static sqfs_object_t *lzo_copy(const sqfs_object_t *obj)
{
    SnLzo *l = lzo_new(&((const SnLzo *)obj)->cfg);
    return l ? &l->base.base : NULL;
}

int sn_sqfs_compressor_create(const sqfs_compressor_config_t *cfg, sqfs_compressor_t **ret)
{
    int r = sqfs_compressor_create(cfg, ret);
    if (r != SQFS_ERROR_UNSUPPORTED || cfg->id != SQFS_COMP_LZO)
        return r;
    if (lzo_init() != LZO_E_OK)
        return SQFS_ERROR_INTERNAL;
    if (cfg->opt.lzo.algorithm > SQFS_LZO1X_999 || cfg->level > SQFS_LZO_MAX_LEVEL)
        return SQFS_ERROR_UNSUPPORTED;
    SnLzo *l = lzo_new(cfg);
    if (!l)
        return SQFS_ERROR_ALLOC;
    *ret = &l->base;
    return 0;
}
