/* SPDX-License-Identifier: GPL-3.0-only */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <sqfs/block.h>
#include <sqfs/block_processor.h>
#include <sqfs/block_writer.h>
#include <sqfs/compressor.h>
#include <sqfs/dir_writer.h>
#include <sqfs/error.h>
#include <sqfs/frag_table.h>
#include <sqfs/id_table.h>
#include <sqfs/inode.h>
#include <sqfs/meta_writer.h>
#include <sqfs/super.h>

#include "fault.h"
#include "squashfs-internal.h"
#include "squashfs-pack.h"
#include "strutil.h"

#define READ_CHUNK (1u << 20)
#define DEVICE_BLOCK 4096u
#define MAX_DEPTH 256u

typedef struct Node {
    char *name;
    struct Node *parent;
    struct Node **children; /* sorted by name */
    size_t n_children;
    uint32_t mode; /* S_IFMT | permission bits */
    uint32_t uid;
    uint32_t gid;
    dev_t rdev;
    char *link_target;
    uint32_t inode_num;
    sqfs_inode_generic_t *inode; /* regular files: filled by the block processor */
    uint64_t inode_ref;
} Node;

typedef struct Packer {
    const SnSquashfsPackOptions *opts;
    int rootfd;
    Node *root;
    uint32_t n_inodes;
    uint64_t input_bytes;
    sqfs_file_t *file;
    sqfs_compressor_t *cmp;
    sqfs_id_table_t *ids;
    sqfs_meta_writer_t *im;
    sqfs_meta_writer_t *dm;
    sqfs_dir_writer_t *dw;
    sqfs_super_t super;
    uint8_t *buf;
    SnError **reterr;
} Packer;

static void node_free(Node *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_children; i++)
        node_free(n->children[i]);
    free(n->children);
    free(n->name);
    free(n->link_target);
    sqfs_free(n->inode);
    free(n);
}

static int node_cmp(const void *a, const void *b)
{
    return strcmp((*(Node *const *)a)->name, (*(Node *const *)b)->name);
}

/* The path of n relative to the source root, into buf (PATH_MAX). */
static const char *node_path(const Node *n, char *buf)
{
    const Node *chain[MAX_DEPTH + 1];
    size_t depth = 0;
    for (const Node *i = n; i && i->parent && depth < SN_ELEMENTSOF(chain); i = i->parent)
        chain[depth++] = i;
    size_t len = 0;
    buf[0] = '\0';
    while (depth > 0) {
        const char *name = chain[--depth]->name;
        int w = snprintf(buf + len, PATH_MAX - len, "%s%s", len ? "/" : "", name);
        if (w < 0 || (size_t)w >= PATH_MAX - len)
            break;
        len += (size_t)w;
    }
    return len ? buf : ".";
}

int sn_squashfs_compression_from_name(const char *name)
{
    static const struct {
        const char *name;
        int id;
    } table[] = {
        {"xz", SQFS_COMP_XZ},     {"lzo", SQFS_COMP_LZO}, {"zstd", SQFS_COMP_ZSTD},
        {"gzip", SQFS_COMP_GZIP}, {"lz4", SQFS_COMP_LZ4}, {"lzma", SQFS_COMP_LZMA},
    };
    if (!name)
        return SQFS_COMP_XZ;
    for (size_t i = 0; i < SN_ELEMENTSOF(table); i++)
        if (SN_STREQ(table[i].name, name))
            return table[i].id;
    return -EINVAL;
}

/* ---- scanning -------------------------------------------------------------------------------- */

static int scan_dir(Packer *p, int dirfd, Node *dir, char *relpath, size_t rellen, unsigned depth)
{
    if (depth > MAX_DEPTH)
        return sn_error_set(p->reterr, -ELOOP, "cannot pack %s: directories nest too deep", relpath);
    int fd2 = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
    if (fd2 < 0)
        return sn_error_set(p->reterr, sn_negative_errno(), "cannot read directory %s: %m", relpath);
    DIR *d = fdopendir(fd2);
    if (!d) {
        sn_safe_close(fd2);
        return sn_error_set(p->reterr, sn_negative_errno(), "cannot read directory %s: %m", relpath);
    }
    int r = 0;
    size_t cap = 0;
    for (;;) {
        errno = 0;
        struct dirent *de = readdir(d);
        if (!de) {
            if (errno)
                r = sn_error_set(p->reterr, sn_negative_errno(), "cannot read directory %s: %m", relpath);
            break;
        }
        if (SN_STREQ(de->d_name, ".") || SN_STREQ(de->d_name, ".."))
            continue;
        size_t namelen = strlen(de->d_name);
        if (rellen + 1 + namelen >= PATH_MAX) {
            r = sn_error_set(p->reterr, -ENAMETOOLONG, "cannot pack %s/%s: path too long", relpath, de->d_name);
            break;
        }
        char *child_rel = relpath + rellen;
        if (rellen > 0)
            *child_rel++ = '/';
        memcpy(child_rel, de->d_name, namelen + 1);
        struct stat st;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
            r = sn_error_set(p->reterr, sn_negative_errno(), "cannot stat %s: %m", relpath);
            break;
        }
        bool excluded = p->opts->exclude && p->opts->exclude(relpath, S_ISDIR(st.st_mode), p->opts->exclude_userdata);
        if (!excluded) {
            Node *n = calloc(1, sizeof(*n));
            if (!n || !(n->name = strdup(de->d_name))) {
                free(n);
                r = -ENOMEM;
                break;
            }
            n->parent = dir;
            n->mode = st.st_mode & (S_IFMT | 07777);
            n->uid = p->opts->all_root ? 0 : st.st_uid;
            n->gid = p->opts->all_root ? 0 : st.st_gid;
            n->rdev = st.st_rdev;
            if (dir->n_children == cap) {
                size_t ncap = cap ? cap * 2 : 8;
                Node **c = reallocarray(dir->children, ncap, sizeof(Node *));
                if (!c) {
                    node_free(n);
                    r = -ENOMEM;
                    break;
                }
                dir->children = c;
                cap = ncap;
            }
            dir->children[dir->n_children++] = n;
            if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t len = readlinkat(dirfd, de->d_name, target, sizeof(target) - 1);
                if (len < 0) {
                    r = sn_error_set(p->reterr, sn_negative_errno(), "cannot read symbolic link %s: %m", relpath);
                    break;
                }
                target[len] = '\0';
                if (!(n->link_target = strdup(target))) {
                    r = -ENOMEM;
                    break;
                }
            } else if (S_ISDIR(st.st_mode)) {
                int cfd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (cfd < 0) {
                    r = sn_error_set(p->reterr, sn_negative_errno(), "cannot open directory %s: %m", relpath);
                    break;
                }
                r = scan_dir(p, cfd, n, relpath, rellen + (rellen > 0) + namelen, depth + 1);
                sn_safe_close(cfd);
                if (r < 0)
                    break;
            } else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode) &&
                       !S_ISSOCK(st.st_mode)) {
                r = sn_error_set(p->reterr, -EINVAL, "cannot pack %s: unknown file type", relpath);
                break;
            }
        }
        relpath[rellen] = '\0';
    }
    relpath[rellen] = '\0';
    closedir(d);
    if (r < 0)
        return r;
    if (dir->n_children > 1)
        qsort(dir->children, dir->n_children, sizeof(Node *), node_cmp);
    return 0;
}

/* ---- data ------------------------------------------------------------------------------------ */

static int pack_file_data(Packer *p, sqfs_block_processor_t *proc, Node *n)
{
    char path[PATH_MAX];
    _sn_close_ int fd = openat(p->rootfd, node_path(n, path), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (sn_faulty("pack-open") || fd < 0)
        return sn_error_set(p->reterr, fd < 0 ? sn_negative_errno() : -EIO, "cannot open %s: %m", path);
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    int e = sqfs_block_processor_begin_file(proc, &n->inode, NULL, p->opts->fragments ? 0 : SQFS_BLK_DONT_FRAGMENT);
    if (e < 0)
        return sn_error_set(p->reterr, sn_sqfs_errno(e), "cannot pack %s: %s", path, sn_sqfs_strerror(e));
    for (;;) {
        ssize_t len = read(fd, p->buf, READ_CHUNK);
        if (len < 0) {
            if (errno == EINTR)
                continue;
            return sn_error_set(p->reterr, sn_negative_errno(), "cannot read %s: %m", path);
        }
        if (len == 0)
            break;
        e = sqfs_block_processor_append(proc, p->buf, (size_t)len);
        if (e < 0)
            return sn_error_set(p->reterr, sn_sqfs_errno(e), "cannot pack %s: %s", path, sn_sqfs_strerror(e));
        p->input_bytes += (uint64_t)len;
    }
    e = sqfs_block_processor_end_file(proc);
    if (e < 0)
        return sn_error_set(p->reterr, sn_sqfs_errno(e), "cannot pack %s: %s", path, sn_sqfs_strerror(e));
    return 0;
}

/* Data in depth-first, name order: the same order the inodes are later written in. */
static int pack_data(Packer *p, sqfs_block_processor_t *proc, Node *dir)
{
    for (size_t i = 0; i < dir->n_children; i++) {
        Node *n = dir->children[i];
        int r = S_ISDIR(n->mode) ? pack_data(p, proc, n) : S_ISREG(n->mode) ? pack_file_data(p, proc, n) : 0;
        if (r < 0)
            return r;
    }
    return 0;
}

/* ---- inodes and directories ------------------------------------------------------------------ */

/* Children before their directory, the root last: the order inodes are written in. */
static void number_inodes(Packer *p, Node *dir)
{
    for (size_t i = 0; i < dir->n_children; i++) {
        Node *n = dir->children[i];
        if (S_ISDIR(n->mode))
            number_inodes(p, n);
        else
            n->inode_num = ++p->n_inodes;
    }
    dir->inode_num = ++p->n_inodes;
}

static sqfs_inode_generic_t *inode_new(size_t payload)
{
    sqfs_inode_generic_t *n = calloc(1, sizeof(*n) + payload);
    if (n)
        n->payload_bytes_available = n->payload_bytes_used = (sqfs_u32)payload;
    return n;
}

/* squashfs stores device numbers in Linux's "new" 32-bit encoding. */
static uint32_t encode_dev(dev_t dev)
{
    uint32_t maj = major(dev), min = minor(dev);
    return (min & 0xff) | (maj << 8) | ((min & ~0xffu) << 12);
}

static int write_inode(Packer *p, Node *n, sqfs_inode_generic_t *inode)
{
    sqfs_u16 uid_idx, gid_idx;
    int e = sqfs_id_table_id_to_index(p->ids, n->uid, &uid_idx);
    if (e >= 0)
        e = sqfs_id_table_id_to_index(p->ids, n->gid, &gid_idx);
    if (e < 0)
        return e;
    inode->base.mode = (sqfs_u16)n->mode;
    inode->base.uid_idx = uid_idx;
    inode->base.gid_idx = gid_idx;
    inode->base.mod_time = p->opts->mkfs_time;
    inode->base.inode_number = n->inode_num;
    sqfs_u64 block;
    sqfs_u32 offset;
    sqfs_meta_writer_get_position(p->im, &block, &offset);
    n->inode_ref = block << 16 | offset;
    return sqfs_meta_writer_write_inode(p->im, inode);
}

static int write_leaf(Packer *p, Node *n)
{
    _sn_free_ sqfs_inode_generic_t *own = NULL;
    sqfs_inode_generic_t *inode = NULL;
    switch (n->mode & S_IFMT) {
    case S_IFREG:
        inode = n->inode;
        break;
    case S_IFLNK: {
        size_t len = strlen(n->link_target);
        inode = own = inode_new(len);
        if (!own)
            return SQFS_ERROR_ALLOC;
        own->base.type = SQFS_INODE_SLINK;
        own->data.slink.nlink = 1;
        own->data.slink.target_size = (sqfs_u32)len;
        memcpy(own->extra, n->link_target, len);
        break;
    }
    case S_IFCHR:
    case S_IFBLK:
        inode = own = inode_new(0);
        if (!own)
            return SQFS_ERROR_ALLOC;
        own->base.type = S_ISCHR(n->mode) ? SQFS_INODE_CDEV : SQFS_INODE_BDEV;
        own->data.dev.nlink = 1;
        own->data.dev.devno = encode_dev(n->rdev);
        break;
    default: /* fifo, socket */
        inode = own = inode_new(0);
        if (!own)
            return SQFS_ERROR_ALLOC;
        own->base.type = S_ISFIFO(n->mode) ? SQFS_INODE_FIFO : SQFS_INODE_SOCKET;
        own->data.ipc.nlink = 1;
        break;
    }
    if (!inode)
        return SQFS_ERROR_INTERNAL;
    return write_inode(p, n, inode);
}

static int write_dir(Packer *p, Node *dir)
{
    size_t subdirs = 0;
    for (size_t i = 0; i < dir->n_children; i++) {
        Node *n = dir->children[i];
        int e = S_ISDIR(n->mode) ? write_dir(p, n) : write_leaf(p, n);
        if (e < 0)
            return e;
        subdirs += S_ISDIR(n->mode);
    }
    int e = sqfs_dir_writer_begin(p->dw, 0);
    for (size_t i = 0; i < dir->n_children && e >= 0; i++) {
        Node *n = dir->children[i];
        e = sqfs_dir_writer_add_entry(p->dw, n->name, n->inode_num, n->inode_ref, (sqfs_u16)n->mode);
    }
    if (e >= 0)
        e = sqfs_dir_writer_end(p->dw);
    if (e < 0)
        return e;
    uint32_t parent = dir->parent ? dir->parent->inode_num : p->n_inodes + 1;
    sqfs_inode_generic_t *inode = sqfs_dir_writer_create_inode(p->dw, subdirs + 2, 0xFFFFFFFF, parent);
    if (!inode)
        return SQFS_ERROR_ALLOC;
    e = write_inode(p, dir, inode);
    sqfs_free(inode);
    return e;
}

/* ---- the image ------------------------------------------------------------------------------- */

static void block_processor_destroyp(sqfs_block_processor_t **p)
{
    sqfs_destroy(*p);
}

static int pad_file(Packer *p, int fd)
{
    uint64_t size = p->file->get_size(p->file);
    uint64_t padded = (size + DEVICE_BLOCK - 1) / DEVICE_BLOCK * DEVICE_BLOCK;
    if (padded < p->opts->min_size)
        padded = p->opts->min_size;
    if (padded == size)
        return 0;
    /* Explicit zeros rather than a hole, as mksquashfs writes them. */
    static const uint8_t zeros[DEVICE_BLOCK];
    while (size < padded) {
        size_t n = (size_t)SN_MIN(padded - size, (uint64_t)sizeof(zeros));
        ssize_t w = pwrite(fd, zeros, n, (off_t)size);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return sn_error_set(p->reterr, w < 0 ? sn_negative_errno() : -EIO, "cannot write squashfs image: %m");
        size += (uint64_t)w;
    }
    return 0;
}

static int io_fail(Packer *p, int e)
{
    int err = sn_sqfs_file_last_errno(p->file);
    if (err)
        return sn_error_set(p->reterr, -err, "cannot write squashfs image: %s", strerror(err));
    return sn_error_set(p->reterr, sn_sqfs_errno(e), "cannot write squashfs image: %s", sn_sqfs_strerror(e));
}

static int build_image(Packer *p, int out_fd)
{
    const SnSquashfsPackOptions *o = p->opts;
    uint32_t block_size = o->block_size ? o->block_size : SQFS_DEFAULT_BLOCK_SIZE;
    int comp = sn_squashfs_compression_from_name(o->compression);
    if (comp < 0)
        return sn_error_set(p->reterr, -EINVAL, "unknown compression \"%s\"", o->compression);

    p->file = sn_sqfs_file_writer(out_fd);
    if (!p->file)
        return -ENOMEM;
    int e = sqfs_super_init(&p->super, block_size, o->mkfs_time, (SQFS_COMPRESSOR)comp);
    if (e < 0)
        return sn_error_set(p->reterr, -EINVAL, "bad block size %" PRIu32, block_size);
    sqfs_compressor_config_t cfg;
    e = sqfs_compressor_config_init(&cfg, (SQFS_COMPRESSOR)comp, block_size, 0);
    if (e >= 0)
        e = sn_sqfs_compressor_create(&cfg, &p->cmp);
    if (e < 0)
        return sn_error_set(p->reterr, e == SQFS_ERROR_UNSUPPORTED ? -EOPNOTSUPP : sn_sqfs_errno(e),
                            "cannot use compression \"%s\": %s", o->compression ? o->compression : "xz",
                            sn_sqfs_strerror(e));
    e = sqfs_super_write(&p->super, p->file);
    if (e >= 0) {
        e = p->cmp->write_options(p->cmp, p->file);
        if (e > 0)
            p->super.flags |= SQFS_FLAG_COMPRESSOR_OPTIONS;
    }
    if (e < 0)
        return io_fail(p, e);

    _sn_sqfs_destroy_ sqfs_block_writer_t *bw = sqfs_block_writer_create(p->file, DEVICE_BLOCK, 0);
    _sn_sqfs_destroy_ sqfs_frag_table_t *frags = sqfs_frag_table_create(0);
    p->ids = sqfs_id_table_create(0);
    p->im = sqfs_meta_writer_create(p->file, p->cmp, 0);
    p->dm = sqfs_meta_writer_create(p->file, p->cmp, SQFS_META_WRITER_KEEP_IN_MEMORY);
    if (!bw || !frags || !p->ids || !p->im || !p->dm)
        return -ENOMEM;
    p->dw = sqfs_dir_writer_create(p->dm, SQFS_DIR_WRITER_CREATE_EXPORT_TABLE);
    if (!p->dw)
        return -ENOMEM;

    unsigned workers = o->workers;
    if (workers == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        workers = n > 0 ? (unsigned)n : 1;
    }
    sqfs_block_processor_desc_t desc = {
        .size = sizeof(desc),
        .max_block_size = block_size,
        .num_workers = workers,
        .max_backlog = workers * 16,
        .cmp = p->cmp,
        .wr = bw,
        .tbl = frags,
    };
    _sn_cleanup_(block_processor_destroyp) sqfs_block_processor_t *proc = NULL;
    e = sqfs_block_processor_create_ex(&desc, &proc);
    if (e < 0)
        return sn_error_set(p->reterr, sn_sqfs_errno(e), "cannot start the block processor: %s", sn_sqfs_strerror(e));
    p->buf = malloc(READ_CHUNK);
    if (!p->buf)
        return -ENOMEM;
    int r = pack_data(p, proc, p->root);
    if (r < 0)
        return r;
    e = sqfs_block_processor_finish(proc);
    if (e < 0)
        return io_fail(p, e);

    number_inodes(p, p->root);
    p->super.inode_table_start = p->file->get_size(p->file);
    e = write_dir(p, p->root);
    if (e >= 0)
        e = sqfs_meta_writer_flush(p->im);
    if (e < 0)
        return io_fail(p, e);
    p->super.directory_table_start = p->file->get_size(p->file);
    e = sqfs_meta_writer_flush(p->dm);
    if (e >= 0)
        e = sqfs_meta_write_write_to_file(p->dm);
    if (e >= 0)
        e = sqfs_frag_table_write(frags, p->file, &p->super, p->cmp);
    if (e >= 0)
        e = sqfs_dir_writer_write_export_table(p->dw, p->file, p->cmp, p->root->inode_num, p->root->inode_ref,
                                               &p->super);
    if (e >= 0)
        e = sqfs_id_table_write(p->ids, p->file, &p->super, p->cmp);
    if (e < 0)
        return io_fail(p, e);

    p->super.inode_count = p->n_inodes;
    p->super.root_inode_ref = p->root->inode_ref;
    p->super.flags |= SQFS_FLAG_NO_XATTRS;
    if (!o->fragments)
        p->super.flags |= SQFS_FLAG_NO_FRAGMENTS;
    p->super.xattr_id_table_start = UINT64_C(0xFFFFFFFFFFFFFFFF);
    p->super.bytes_used = p->file->get_size(p->file);
    e = sqfs_super_write(&p->super, p->file);
    if (e < 0)
        return io_fail(p, e);
    return pad_file(p, out_fd);
}

int sn_squashfs_pack(const char *srcdir, const char *out_path, const SnSquashfsPackOptions *opts,
                     SnSquashfsPackStats *ret_stats, SnError **reterr)
{
    static const SnSquashfsPackOptions defaults = {0};
    Packer p = {.opts = opts ? opts : &defaults, .rootfd = -1, .reterr = reterr};
    _sn_free_ char *tmp = NULL;
    int r;

    p.rootfd = open(srcdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (p.rootfd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open directory %s: %m", srcdir);
    struct stat st;
    if (fstat(p.rootfd, &st) < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot stat %s: %m", srcdir);
        goto out;
    }
    p.root = calloc(1, sizeof(Node));
    if (!p.root) {
        r = -ENOMEM;
        goto out;
    }
    p.root->mode = st.st_mode & (S_IFMT | 07777);
    p.root->uid = p.opts->all_root ? 0 : st.st_uid;
    p.root->gid = p.opts->all_root ? 0 : st.st_gid;
    char relpath[PATH_MAX] = "";
    r = scan_dir(&p, p.rootfd, p.root, relpath, 0, 0);
    if (r < 0)
        goto out;

    tmp = sn_strdup_printf("%s.XXXXXX", out_path);
    if (!tmp) {
        r = -ENOMEM;
        goto out;
    }
    int out_fd = mkostemp(tmp, O_CLOEXEC);
    if (out_fd < 0) {
        r = sn_error_set(reterr, sn_negative_errno(), "cannot create %s: %m", out_path);
        goto out;
    }
    mode_t mask = umask(0);
    umask(mask);
    r = build_image(&p, out_fd);
    if (r >= 0 && fchmod(out_fd, 0666 & ~mask) < 0)
        r = sn_error_set(reterr, sn_negative_errno(), "cannot set the mode of %s: %m", out_path);
    if (r >= 0 && (sn_faulty("pack-rename") || rename(tmp, out_path) < 0))
        r = sn_error_set(reterr, sn_negative_errno(), "cannot rename %s to %s: %m", tmp, out_path);
    if (r < 0)
        (void)unlink(tmp);
    else if (ret_stats && fstat(out_fd, &st) >= 0)
        *ret_stats = (SnSquashfsPackStats){
            .file_size = (uint64_t)st.st_size,
            .input_bytes = p.input_bytes,
            .inodes = p.n_inodes,
        };
    sn_safe_close(out_fd);

out:
    sqfs_destroy(p.dw);
    sqfs_destroy(p.dm);
    sqfs_destroy(p.im);
    sqfs_destroy(p.ids);
    sqfs_destroy(p.cmp);
    sqfs_destroy(p.file);
    free(p.buf);
    node_free(p.root);
    sn_safe_close(p.rootfd);
    return r;
}
