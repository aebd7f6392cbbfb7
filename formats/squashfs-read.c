/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sqfs/compressor.h>
#include <sqfs/data_reader.h>
#include <sqfs/dir.h>
#include <sqfs/error.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/meta_reader.h>
#include <sqfs/super.h>

#include "squashfs-internal.h"
#include "squashfs-read.h"
#include "strutil.h"

#define SQFS_NO_TABLE UINT64_C(0xFFFFFFFFFFFFFFFF)

struct SnSquashfs {
    sqfs_file_t *file;
    sqfs_super_t super;
    sqfs_compressor_t *cmp;
    sqfs_id_table_t *ids;
    sqfs_meta_reader_t *inodes; /* the inode table */
    sqfs_meta_reader_t *dirs;   /* the directory table */
    sqfs_data_reader_t *data;   /* created on first file read */
    SnSquashfsInfo info;
};

SnSquashfs *sn_squashfs_free(SnSquashfs *sq)
{
    if (!sq)
        return NULL;
    sqfs_destroy(sq->data);
    sqfs_destroy(sq->dirs);
    sqfs_destroy(sq->inodes);
    sqfs_destroy(sq->ids);
    sqfs_destroy(sq->cmp);
    sqfs_destroy(sq->file);
    free(sq);
    return NULL;
}

static int fail_sqfs(SnError **reterr, int e, const char *what)
{
    return sn_error_set(reterr, sn_sqfs_errno(e), "%s: %s", what, sn_sqfs_strerror(e));
}

static void inode_freep(sqfs_inode_generic_t **p)
{
    sqfs_free(*p);
    *p = NULL;
}
#define _inode_free_ _sn_cleanup_(inode_freep)

/* Checks the table offsets a hostile superblock could point anywhere. */
static int check_super(const sqfs_super_t *s, uint64_t file_size, SnError **reterr)
{
    if (s->bytes_used > file_size)
        return sn_error_set(reterr, -EBADMSG,
                            "squashfs image is truncated: superblock says %" PRIu64 " bytes, file has %" PRIu64,
                            (uint64_t)s->bytes_used, file_size);
    if (s->inode_table_start < sizeof(sqfs_super_t) || s->inode_table_start >= s->directory_table_start ||
        s->directory_table_start > s->bytes_used || s->id_table_start > s->bytes_used ||
        s->id_table_start < s->directory_table_start)
        return sn_error_set(reterr, -EBADMSG, "squashfs superblock has table offsets out of bounds");
    const uint64_t optional[] = {s->fragment_table_start, s->export_table_start, s->xattr_id_table_start};
    for (size_t i = 0; i < SN_ELEMENTSOF(optional); i++)
        if (optional[i] != SQFS_NO_TABLE && (optional[i] > s->bytes_used || optional[i] < s->directory_table_start))
            return sn_error_set(reterr, -EBADMSG, "squashfs superblock has table offsets out of bounds");
    if (s->id_count == 0)
        return sn_error_set(reterr, -EBADMSG, "squashfs superblock has no owner ids");
    /* The fragment table's index (one u64 per 8 KiB metadata block of 16-byte entries) must fit. */
    if (s->fragment_entry_count > 0) {
        uint64_t blocks = ((uint64_t)s->fragment_entry_count * 16 + 8191) / 8192;
        if (s->fragment_table_start == SQFS_NO_TABLE || blocks * 8 > s->bytes_used - s->fragment_table_start)
            return sn_error_set(reterr, -EBADMSG,
                                "squashfs superblock claims %" PRIu32 " fragments, more than its table holds",
                                (uint32_t)s->fragment_entry_count);
    }
    /* Every inode takes at least 20 bytes of a metadata block (8 KiB, stored in at least 3 bytes). */
    uint64_t max_inodes = ((s->directory_table_start - s->inode_table_start) / 3 + 1) * 8192 / 20;
    if (s->inode_count == 0 || s->inode_count > max_inodes)
        return sn_error_set(reterr, -EBADMSG,
                            "squashfs superblock claims %" PRIu32 " inodes, more than its inode table can hold",
                            (uint32_t)s->inode_count);
    uint64_t root_block = s->root_inode_ref >> 16, root_offset = s->root_inode_ref & 0xFFFF;
    if (root_block >= s->directory_table_start - s->inode_table_start || root_offset >= 8192)
        return sn_error_set(reterr, -EBADMSG, "squashfs root inode reference out of bounds");
    return 0;
}

static int open_file(sqfs_file_t *file, SnSquashfs **ret, SnError **reterr)
{
    _sn_cleanup_(sn_squashfs_freep) SnSquashfs *sq = calloc(1, sizeof(*sq));
    if (!sq) {
        sqfs_destroy(file);
        return -ENOMEM;
    }
    sq->file = file;
    uint64_t file_size = file->get_size(file);

    if (file_size < sizeof(sqfs_super_t))
        return sn_error_set(reterr, -EBADMSG, "not a squashfs image: file too short (%" PRIu64 " bytes)", file_size);
    int e = sqfs_super_read(&sq->super, file);
    if (e == SFQS_ERROR_SUPER_MAGIC)
        return sn_error_set(reterr, -EBADMSG, "not a squashfs image: bad magic");
    if (e == SQFS_ERROR_UNSUPPORTED) {
        uint8_t raw[sizeof(sqfs_super_t)];
        if (file->read_at(file, 0, raw, sizeof(raw)) >= 0)
            return sn_error_set(reterr, -EBADMSG, "squashfs image uses unknown compressor %u",
                                (unsigned)(raw[20] | raw[21] << 8));
    }
    if (e < 0)
        return sn_error_set(reterr, sn_sqfs_errno(e) == -EIO ? -EIO : -EBADMSG, "bad squashfs superblock: %s",
                            sn_sqfs_strerror(e));
    int r = check_super(&sq->super, file_size, reterr);
    if (r < 0)
        return r;

    sqfs_compressor_config_t cfg;
    e = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)sq->super.compression_id, sq->super.block_size,
                                    SQFS_COMP_FLAG_UNCOMPRESS);
    if (e < 0)
        return sn_error_set(reterr, -EBADMSG, "squashfs image uses unknown compressor %u",
                            (unsigned)sq->super.compression_id);
    e = sn_sqfs_compressor_create(&cfg, &sq->cmp);
    if (e < 0)
        return sn_error_set(reterr, e == SQFS_ERROR_UNSUPPORTED ? -EOPNOTSUPP : sn_sqfs_errno(e),
                            "cannot decompress %s squashfs image: %s",
                            sqfs_compressor_name_from_id((SQFS_COMPRESSOR)sq->super.compression_id),
                            sn_sqfs_strerror(e));
    if (sq->super.flags & SQFS_FLAG_COMPRESSOR_OPTIONS) {
        e = sq->cmp->read_options(sq->cmp, file);
        if (e < 0)
            return fail_sqfs(reterr, e, "bad squashfs compressor options");
    }

    sq->ids = sqfs_id_table_create(0);
    if (!sq->ids)
        return -ENOMEM;
    e = sqfs_id_table_read(sq->ids, file, &sq->super, sq->cmp);
    if (e < 0)
        return fail_sqfs(reterr, e, "cannot read squashfs id table");

    /* The directory table ends where the next table starts. */
    uint64_t dir_end = sq->super.bytes_used;
    const uint64_t after[] = {sq->super.fragment_table_start, sq->super.export_table_start, sq->super.id_table_start,
                              sq->super.xattr_id_table_start};
    for (size_t i = 0; i < SN_ELEMENTSOF(after); i++)
        if (after[i] != SQFS_NO_TABLE && after[i] >= sq->super.directory_table_start && after[i] < dir_end)
            dir_end = after[i];
    sq->inodes = sqfs_meta_reader_create(file, sq->cmp, sq->super.inode_table_start, sq->super.directory_table_start);
    sq->dirs = sqfs_meta_reader_create(file, sq->cmp, sq->super.directory_table_start, dir_end);
    if (!sq->inodes || !sq->dirs)
        return -ENOMEM;

    sq->info = (SnSquashfsInfo){
        .file_size = file_size,
        .bytes_used = sq->super.bytes_used,
        .block_size = sq->super.block_size,
        .mkfs_time = sq->super.modification_time,
        .inode_count = sq->super.inode_count,
        .compression = sqfs_compressor_name_from_id((SQFS_COMPRESSOR)sq->super.compression_id),
        .flags = sq->super.flags,
    };
    if (!sq->info.compression)
        sq->info.compression = "unknown";
    *ret = SN_TAKE_PTR(sq);
    return 0;
}

int sn_squashfs_open_at(int dirfd, const char *path, SnSquashfs **ret, SnError **reterr)
{
    _sn_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open %s: %m", path);
    struct stat st;
    if (fstat(fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot stat %s: %m", path);
    if (S_ISDIR(st.st_mode))
        return sn_error_set(reterr, -EISDIR, "%s is a directory, not a squashfs image", path);
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return sn_error_set(reterr, -EBADMSG, "%s is not a regular file", path);
    uint64_t size = (uint64_t)st.st_size;
    if (S_ISBLK(st.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0)
            return sn_error_set(reterr, sn_negative_errno(), "cannot size %s: %m", path);
        size = (uint64_t)end;
    }
    sqfs_file_t *file = sn_sqfs_file_from_fd(SN_TAKE_FD(fd), size);
    if (!file)
        return -ENOMEM;
    int r = open_file(file, ret, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot read %s", path);
    return 0;
}

int sn_squashfs_open_memory(const void *data, size_t len, SnSquashfs **ret, SnError **reterr)
{
    sqfs_file_t *file = sn_sqfs_file_from_memory(data, len);
    if (!file)
        return -ENOMEM;
    return open_file(file, ret, reterr);
}

const SnSquashfsInfo *sn_squashfs_get_info(const SnSquashfs *sq)
{
    return &sq->info;
}

char sn_squashfs_type_char(uint32_t mode)
{
    switch (mode & S_IFMT) {
    case S_IFDIR:
        return 'd';
    case S_IFLNK:
        return 'l';
    case S_IFBLK:
        return 'b';
    case S_IFCHR:
        return 'c';
    case S_IFIFO:
        return 'p';
    case S_IFSOCK:
        return 's';
    default:
        return '-';
    }
}

static bool inode_is_dir(const sqfs_inode_generic_t *n)
{
    return n->base.type == SQFS_INODE_DIR || n->base.type == SQFS_INODE_EXT_DIR;
}

static bool inode_is_file(const sqfs_inode_generic_t *n)
{
    return n->base.type == SQFS_INODE_FILE || n->base.type == SQFS_INODE_EXT_FILE;
}

static bool inode_is_symlink(const sqfs_inode_generic_t *n)
{
    return n->base.type == SQFS_INODE_SLINK || n->base.type == SQFS_INODE_EXT_SLINK;
}

/* The symlink target inside the inode's payload, validated; NULL with -EBADMSG when bad. */
static int symlink_target(const sqfs_inode_generic_t *n, char **ret)
{
    uint32_t len = n->data.slink.target_size; /* same place in the extended form */
    if (len == 0 || len > SN_SQUASHFS_MAX_PATH || len > n->payload_bytes_used)
        return -EBADMSG;
    const char *t = (const char *)n->extra;
    if (memchr(t, '\0', len))
        return -EBADMSG;
    char *s = strndup(t, len);
    if (!s)
        return -ENOMEM;
    *ret = s;
    return 0;
}

static int inode_stat(SnSquashfs *sq, const sqfs_inode_generic_t *n, SnSquashfsStat *ret, SnError **reterr)
{
    SnSquashfsStat st = {
        .mode = n->base.mode,
        .mtime = n->base.mod_time,
        .inode_number = n->base.inode_number,
        .nlink = 1,
    };
    if (sqfs_id_table_index_to_id(sq->ids, n->base.uid_idx, &st.uid) < 0 ||
        sqfs_id_table_index_to_id(sq->ids, n->base.gid_idx, &st.gid) < 0)
        return sn_error_set(reterr, -EBADMSG, "squashfs inode %u has an owner index out of range",
                            (unsigned)n->base.inode_number);
    switch (n->base.type) {
    case SQFS_INODE_DIR:
        st.nlink = n->data.dir.nlink;
        break;
    case SQFS_INODE_EXT_DIR:
        st.nlink = n->data.dir_ext.nlink;
        break;
    case SQFS_INODE_FILE:
    case SQFS_INODE_EXT_FILE:
        if (n->base.type == SQFS_INODE_EXT_FILE)
            st.nlink = n->data.file_ext.nlink;
        sqfs_inode_get_file_size(n, &st.size);
        break;
    case SQFS_INODE_SLINK:
    case SQFS_INODE_EXT_SLINK:
        st.nlink = n->data.slink.nlink;
        st.size = n->data.slink.target_size;
        break;
    case SQFS_INODE_BDEV:
    case SQFS_INODE_CDEV:
    case SQFS_INODE_EXT_BDEV:
    case SQFS_INODE_EXT_CDEV:
        st.nlink = n->data.dev.nlink;
        st.rdev = n->data.dev.devno;
        break;
    case SQFS_INODE_FIFO:
    case SQFS_INODE_SOCKET:
    case SQFS_INODE_EXT_FIFO:
    case SQFS_INODE_EXT_SOCKET:
        st.nlink = n->data.ipc.nlink;
        break;
    default:
        return sn_error_set(reterr, -EBADMSG, "squashfs inode %u has unknown type %u", (unsigned)n->base.inode_number,
                            (unsigned)n->base.type);
    }
    *ret = st;
    return 0;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Largest block list accepted for one file (16 MiB of block sizes). */
#define MAX_FILE_BLOCKS (UINT64_C(1) << 22)

/*
 * Reads the inode at ref. libsquashfs allocates what the inode's size fields ask for before it
 * finds out the data isn't there, so the fields that drive an allocation are checked first:
 * a symlink target longer than SN_SQUASHFS_MAX_PATH, or a file with more than MAX_FILE_BLOCKS
 * blocks, is refused as corrupted.
 */
static int read_inode(SnSquashfs *sq, uint64_t ref, sqfs_inode_generic_t **ret, SnError **reterr)
{
    uint64_t block = ref >> 16;
    size_t offset = ref & 0xFFFF;
    if (offset >= 8192 || block >= sq->super.directory_table_start - sq->super.inode_table_start)
        return sn_error_set(reterr, -EBADMSG, "squashfs inode reference out of bounds");
    uint8_t hdr[16 + 32];
    int e = sqfs_meta_reader_seek(sq->inodes, sq->super.inode_table_start + block, offset);
    if (e >= 0)
        e = sqfs_meta_reader_read(sq->inodes, hdr, 16);
    if (e < 0)
        return fail_sqfs(reterr, e, "cannot read squashfs inode");
    uint16_t type = (uint16_t)(hdr[0] | hdr[1] << 8);
    if (type < SQFS_INODE_DIR || type > SQFS_INODE_EXT_SOCKET)
        return sn_error_set(reterr, -EBADMSG, "squashfs inode has unknown type %u", (unsigned)type);
    size_t body = type == SQFS_INODE_SLINK || type == SQFS_INODE_EXT_SLINK ? 8
                  : type == SQFS_INODE_FILE                                ? 16
                  : type == SQFS_INODE_EXT_FILE                            ? 32
                                                                           : 0;
    if (body > 0) {
        e = sqfs_meta_reader_read(sq->inodes, hdr + 16, body);
        if (e < 0)
            return fail_sqfs(reterr, e, "cannot read squashfs inode");
    }
    if (type == SQFS_INODE_EXT_DIR) {
        /* The directory index: each entry's name size drives an allocation; names are < 256 bytes. */
        uint8_t dir[24], idx[12], name[256];
        e = sqfs_meta_reader_read(sq->inodes, dir, sizeof(dir));
        unsigned count = (unsigned)(dir[16] | dir[17] << 8);
        for (unsigned i = 0; e >= 0 && i < count; i++) {
            e = sqfs_meta_reader_read(sq->inodes, idx, sizeof(idx));
            if (e >= 0 && le32(idx + 8) >= sizeof(name) - 1)
                return sn_error_set(reterr, -EBADMSG, "squashfs directory index entry too long");
            if (e >= 0)
                e = sqfs_meta_reader_read(sq->inodes, name, le32(idx + 8) + 1);
        }
        if (e < 0)
            return fail_sqfs(reterr, e, "cannot read squashfs inode");
    }
    uint64_t file_size = type == SQFS_INODE_FILE       ? le32(hdr + 16 + 12)
                         : type == SQFS_INODE_EXT_FILE ? le64(hdr + 16 + 8)
                                                       : 0;
    if ((type == SQFS_INODE_SLINK || type == SQFS_INODE_EXT_SLINK) && le32(hdr + 16 + 4) > SN_SQUASHFS_MAX_PATH)
        return sn_error_set(reterr, -EBADMSG, "squashfs symbolic link target too long (%" PRIu32 " bytes)",
                            le32(hdr + 16 + 4));
    if (file_size / sq->super.block_size + 1 > MAX_FILE_BLOCKS)
        return sn_error_set(reterr, -EBADMSG, "squashfs file size too large (%" PRIu64 " bytes)", file_size);
    /* libsquashfs may leave its out-parameter dangling on failure: only copy it on success. */
    sqfs_inode_generic_t *n = NULL;
    e = sqfs_meta_reader_read_inode(sq->inodes, &sq->super, block, offset, &n);
    if (e < 0)
        return fail_sqfs(reterr, e, "cannot read squashfs inode");
    *ret = n;
    return 0;
}

/* Forward declaration: directory reading is below, with the walk. */
typedef struct DirList DirList;
static int read_dir(SnSquashfs *sq, const sqfs_inode_generic_t *dir, size_t *budget, const char *want, DirList *ret,
                    SnError **reterr);
static void dir_list_done(DirList *l);

/* Finds path without following symlinks. */
static int lookup(SnSquashfs *sq, const char *path, sqfs_inode_generic_t **ret, SnError **reterr);

int sn_squashfs_lstat(SnSquashfs *sq, const char *path, SnSquashfsStat *ret, SnError **reterr)
{
    _inode_free_ sqfs_inode_generic_t *n = NULL;
    int r = lookup(sq, path, &n, reterr);
    if (r < 0)
        return r;
    return inode_stat(sq, n, ret, reterr);
}

int sn_squashfs_readlink(SnSquashfs *sq, const char *path, char **ret, SnError **reterr)
{
    _inode_free_ sqfs_inode_generic_t *n = NULL;
    int r = lookup(sq, path, &n, reterr);
    if (r < 0)
        return r;
    if (!inode_is_symlink(n))
        return sn_error_set(reterr, -EINVAL, "%s: not a symbolic link", path);
    r = symlink_target(n, ret);
    if (r == -EBADMSG)
        return sn_error_set(reterr, r, "%s: corrupted symbolic link", path);
    return r;
}

static int ensure_data_reader(SnSquashfs *sq, SnError **reterr)
{
    if (sq->data)
        return 0;
    sqfs_data_reader_t *d = sqfs_data_reader_create(sq->file, sq->super.block_size, sq->cmp, 0);
    if (!d)
        return -ENOMEM;
    int e = sqfs_data_reader_load_fragment_table(d, &sq->super);
    if (e < 0) {
        sqfs_destroy(d);
        return fail_sqfs(reterr, e, "cannot read squashfs fragment table");
    }
    sq->data = d;
    return 0;
}

int sn_squashfs_read_file(SnSquashfs *sq, const char *path, size_t max, char **ret_data, size_t *ret_len,
                          SnError **reterr)
{
    _inode_free_ sqfs_inode_generic_t *n = NULL;
    int r = lookup(sq, path, &n, reterr);
    if (r < 0)
        return r;
    if (inode_is_dir(n))
        return sn_error_set(reterr, -EISDIR, "%s: is a directory", path);
    if (!inode_is_file(n))
        return sn_error_set(reterr, -EINVAL, "%s: not a regular file", path);
    uint64_t size = 0;
    sqfs_inode_get_file_size(n, &size);
    if (size > max)
        return sn_error_set(reterr, -EFBIG, "%s: file too large (%" PRIu64 " bytes, limit %zu)", path, size, max);
    /* A file can't hold more data than the image has: refuse before allocating. */
    if (size > (uint64_t)sq->info.file_size * 1024 + 1024 * 1024)
        return sn_error_set(reterr, -EBADMSG, "%s: corrupted size", path);
    r = ensure_data_reader(sq, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *buf = malloc((size_t)size + 1);
    if (!buf)
        return -ENOMEM;
    uint64_t done = 0;
    while (done < size) {
        uint32_t chunk = (uint32_t)SN_MIN(size - done, (uint64_t)(1u << 20));
        sqfs_s32 n_read = sqfs_data_reader_read(sq->data, n, done, buf + done, chunk);
        if (n_read < 0)
            return fail_sqfs(reterr, n_read, "cannot read squashfs file data");
        if (n_read == 0)
            return sn_error_set(reterr, -EBADMSG, "%s: file data ends early", path);
        done += (uint64_t)n_read;
    }
    buf[size] = '\0';
    *ret_data = SN_TAKE_PTR(buf);
    if (ret_len)
        *ret_len = (size_t)size;
    return 0;
}

/* ---- directory listing and walk -------------------------------------------------------------- */

typedef struct DirEntry {
    char *name;
    sqfs_inode_generic_t *inode;
} DirEntry;

struct DirList {
    DirEntry *items;
    size_t n;
    size_t cap;
};

static void dir_list_done(DirList *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->items[i].name);
        sqfs_free(l->items[i].inode);
    }
    free(l->items);
    *l = (DirList){0};
}

static bool name_is_valid(const char *name, size_t len)
{
    if (len == 0 || strlen(name) != len || memchr(name, '/', len))
        return false;
    return !SN_STREQ(name, ".") && !SN_STREQ(name, "..");
}

/*
 * Reads the entries of dir (only the one named want, when want is not NULL) with their inodes;
 * *budget counts entries left before SN_SQUASHFS_MAX_ENTRIES.
 */
static int read_dir(SnSquashfs *sq, const sqfs_inode_generic_t *dir, size_t *budget, const char *want, DirList *ret,
                    SnError **reterr)
{
    DirList l = {0};
    sqfs_readdir_state_t state;
    int e = sqfs_readdir_state_init(&state, &sq->super, dir);
    if (e < 0)
        return fail_sqfs(reterr, e, "cannot read squashfs directory");
    for (;;) {
        sqfs_dir_entry_t *ent = NULL;
        sqfs_u32 inum = 0;
        sqfs_u64 iref = 0;
        e = sqfs_meta_reader_readdir(sq->dirs, &state, &ent, &inum, &iref);
        if (e > 0)
            break;
        if (e < 0) {
            dir_list_done(&l);
            return fail_sqfs(reterr, e, "cannot read squashfs directory");
        }
        size_t len = (size_t)ent->size + 1;
        bool ok = name_is_valid((const char *)ent->name, len);
        bool wanted = !want || (ok && SN_STREQ((const char *)ent->name, want));
        char *name = ok && wanted ? strndup((const char *)ent->name, len) : NULL;
        sqfs_free(ent);
        if (!ok) {
            dir_list_done(&l);
            return sn_error_set(reterr, -EBADMSG, "squashfs directory has an invalid entry name");
        }
        if (*budget == 0) {
            free(name);
            dir_list_done(&l);
            return sn_error_set(reterr, -E2BIG, "squashfs image has more than %u entries", SN_SQUASHFS_MAX_ENTRIES);
        }
        (*budget)--;
        if (!wanted)
            continue;
        if (!name) {
            dir_list_done(&l);
            return -ENOMEM;
        }
        sqfs_inode_generic_t *n = NULL;
        int r = read_inode(sq, iref, &n, reterr);
        if (r < 0) {
            free(name);
            dir_list_done(&l);
            return r;
        }
        if (l.n == l.cap) {
            size_t cap = l.cap ? l.cap * 2 : 16;
            DirEntry *items = reallocarray(l.items, cap, sizeof(*items));
            if (!items) {
                free(name);
                sqfs_free(n);
                dir_list_done(&l);
                return -ENOMEM;
            }
            l.items = items;
            l.cap = cap;
        }
        l.items[l.n++] = (DirEntry){name, n};
        if (want)
            break;
    }
    *ret = l;
    return 0;
}

static int read_root(SnSquashfs *sq, sqfs_inode_generic_t **ret, SnError **reterr)
{
    int r = read_inode(sq, sq->super.root_inode_ref, ret, reterr);
    if (r < 0)
        return sn_error_prefix(reterr, r, "cannot read squashfs root inode");
    if (!inode_is_dir(*ret)) {
        sqfs_free(*ret);
        *ret = NULL;
        return sn_error_set(reterr, -EBADMSG, "squashfs root inode is not a directory");
    }
    return 0;
}

static int lookup(SnSquashfs *sq, const char *path, sqfs_inode_generic_t **ret, SnError **reterr)
{
    if (!path || strlen(path) > SN_SQUASHFS_MAX_PATH)
        return sn_error_set(reterr, -EINVAL, "bad path inside squashfs image");
    _inode_free_ sqfs_inode_generic_t *n = NULL;
    int r = read_root(sq, &n, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    char *save = NULL;
    unsigned depth = 0;
    for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
        if (SN_STREQ(name, "."))
            continue;
        if (SN_STREQ(name, ".."))
            return sn_error_set(reterr, -EINVAL, "path %s inside squashfs image contains \"..\"", path);
        if (++depth > SN_SQUASHFS_MAX_DEPTH)
            return sn_error_set(reterr, -E2BIG, "path %s is too deep", path);
        if (!inode_is_dir(n))
            return sn_error_set(reterr, -ENOTDIR, "%s: not a directory", path);
        size_t budget = SN_SQUASHFS_MAX_ENTRIES;
        DirList l = {0};
        r = read_dir(sq, n, &budget, name, &l, reterr);
        if (r < 0)
            return r;
        if (l.n == 0)
            return sn_error_set(reterr, -ENOENT, "%s: no such file or directory", path);
        sqfs_free(n);
        n = SN_TAKE_PTR(l.items[0].inode);
        dir_list_done(&l);
    }
    *ret = SN_TAKE_PTR(n);
    return 0;
}

int sn_squashfs_list_dir(SnSquashfs *sq, const char *path, char ***ret, SnError **reterr)
{
    _inode_free_ sqfs_inode_generic_t *n = NULL;
    int r = lookup(sq, path, &n, reterr);
    if (r < 0)
        return r;
    if (!inode_is_dir(n))
        return sn_error_set(reterr, -ENOTDIR, "%s: not a directory", path);
    size_t budget = SN_SQUASHFS_MAX_ENTRIES;
    DirList l = {0};
    r = read_dir(sq, n, &budget, NULL, &l, reterr);
    if (r < 0)
        return r;
    char **v = calloc(l.n + 1, sizeof(char *));
    if (!v) {
        dir_list_done(&l);
        return -ENOMEM;
    }
    for (size_t i = 0; i < l.n; i++)
        v[i] = SN_TAKE_PTR(l.items[i].name);
    dir_list_done(&l);
    *ret = v;
    return 0;
}

/* A set of directory-listing locations already visited, to refuse loops and shared directories. */
typedef struct U64Set {
    uint64_t *slots; /* 0 is empty; keys are stored + 1 */
    size_t cap;
    size_t n;
} U64Set;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= UINT64_C(0xff51afd7ed558ccd);
    x ^= x >> 33;
    return x;
}

/* Adds key; returns 1 when added, 0 when already present, -ENOMEM. */
static int u64set_add(U64Set *s, uint64_t key)
{
    key++;
    if ((s->n + 1) * 2 > s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        uint64_t *slots = calloc(cap, sizeof(uint64_t));
        if (!slots)
            return -ENOMEM;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i])
                for (size_t j = mix64(s->slots[i]) & (cap - 1);; j = (j + 1) & (cap - 1))
                    if (!slots[j]) {
                        slots[j] = s->slots[i];
                        break;
                    }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    for (size_t j = mix64(key) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
        if (s->slots[j] == key)
            return 0;
        if (!s->slots[j]) {
            s->slots[j] = key;
            s->n++;
            return 1;
        }
    }
}

static uint64_t dir_listing_key(const sqfs_inode_generic_t *n)
{
    if (n->base.type == SQFS_INODE_EXT_DIR)
        return (uint64_t)n->data.dir_ext.start_block << 16 | n->data.dir_ext.offset;
    return (uint64_t)n->data.dir.start_block << 16 | n->data.dir.offset;
}

typedef struct Walk {
    SnSquashfs *sq;
    SnSquashfsWalkFn fn;
    void *userdata;
    char path[SN_SQUASHFS_MAX_PATH + 1];
    size_t budget;
    U64Set seen;
    SnError **reterr;
} Walk;

static int walk_dir(Walk *w, const sqfs_inode_generic_t *dir, size_t pathlen, unsigned depth)
{
    if (depth > SN_SQUASHFS_MAX_DEPTH)
        return sn_error_set(w->reterr, -E2BIG, "squashfs directories nest deeper than %u", SN_SQUASHFS_MAX_DEPTH);
    int r = u64set_add(&w->seen, dir_listing_key(dir));
    if (r < 0)
        return r;
    if (r == 0)
        return sn_error_set(w->reterr, -ELOOP, "squashfs directory loop at \"%s\"", w->path);

    DirList l = {0};
    r = read_dir(w->sq, dir, &w->budget, NULL, &l, w->reterr);
    if (r < 0)
        return r;
    for (size_t i = 0; i < l.n && r >= 0; i++) {
        size_t namelen = strlen(l.items[i].name);
        size_t sep = pathlen > 0 ? 1 : 0;
        if (pathlen + sep + namelen > SN_SQUASHFS_MAX_PATH) {
            r = sn_error_set(w->reterr, -E2BIG, "path inside squashfs image longer than %u bytes",
                             SN_SQUASHFS_MAX_PATH);
            break;
        }
        if (sep)
            w->path[pathlen] = '/';
        memcpy(w->path + pathlen + sep, l.items[i].name, namelen + 1);
        const sqfs_inode_generic_t *n = l.items[i].inode;
        SnSquashfsStat st;
        r = inode_stat(w->sq, n, &st, w->reterr);
        if (r < 0)
            break;
        _sn_free_ char *target = NULL;
        if (inode_is_symlink(n)) {
            r = symlink_target(n, &target);
            if (r == -EBADMSG)
                r = sn_error_set(w->reterr, r, "squashfs symbolic link \"%s\" is corrupted", w->path);
            if (r < 0)
                break;
        }
        r = w->fn(w->path, &st, target, w->userdata);
        if (r < 0)
            break;
        if (r == 0 && inode_is_dir(n))
            r = walk_dir(w, n, pathlen + sep + namelen, depth + 1);
        else
            r = 0;
        w->path[pathlen] = '\0';
    }
    dir_list_done(&l);
    return r < 0 ? r : 0;
}

int sn_squashfs_walk(SnSquashfs *sq, SnSquashfsWalkFn fn, void *userdata, SnError **reterr)
{
    _inode_free_ sqfs_inode_generic_t *root = NULL;
    int r = read_root(sq, &root, reterr);
    if (r < 0)
        return r;
    _sn_free_ Walk *w = calloc(1, sizeof(*w));
    if (!w)
        return -ENOMEM;
    *w = (Walk){.sq = sq, .fn = fn, .userdata = userdata, .budget = SN_SQUASHFS_MAX_ENTRIES, .reterr = reterr};
    SnSquashfsStat st;
    r = inode_stat(sq, root, &st, reterr);
    if (r >= 0)
        r = fn("", &st, NULL, userdata);
    if (r == 0)
        r = walk_dir(w, root, 0, 1);
    free(w->seen.slots);
    return r < 0 ? r : 0;
}
