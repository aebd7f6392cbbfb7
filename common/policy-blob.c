/* SPDX-License-Identifier: GPL-3.0-only */
#include "policy-blob.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <string.h>
#include <sys/stat.h>

#include "fault.h"
#include "fd-util.h"

/* The Landlock filesystem rights up to ABI 7 (LANDLOCK_ACCESS_FS_IOCTL_DEV is the last, bit 15). */
#define SN_LANDLOCK_FS_ALL ((UINT64_C(1) << 16) - 1)

static int check_section(const SnPolicyBlobHeader *h, const SnPolicyBlobSection *s, const char *name, size_t elem,
                         size_t max_count, SnError **reterr)
{
    if (s->size == 0)
        return s->offset == 0 ? 0 : sn_error_set(reterr, -EINVAL, "policy blob: empty section %s has an offset", name);
    if (s->offset < SN_POLICY_BLOB_HEADER_SIZE || s->offset % 8 != 0)
        return sn_error_set(reterr, -ERANGE, "policy blob: section %s offset %u is misplaced", name, s->offset);
    uint32_t end;
    if (__builtin_add_overflow(s->offset, s->size, &end) || end > h->total_size)
        return sn_error_set(reterr, -ERANGE, "policy blob: section %s (offset %u, size %u) is out of bounds", name,
                            s->offset, s->size);
    if (elem > 1 && s->size % elem != 0)
        return sn_error_set(reterr, -EINVAL, "policy blob: section %s size %u is not a multiple of %zu", name, s->size,
                            elem);
    if (s->size / elem > max_count)
        return sn_error_set(reterr, -EFBIG, "policy blob: section %s has more than %zu entries", name, max_count);
    return 0;
}

static bool sections_overlap(const SnPolicyBlobSection *a, const SnPolicyBlobSection *b)
{
    if (a->size == 0 || b->size == 0)
        return false;
    return a->offset < b->offset + b->size && b->offset < a->offset + a->size;
}

static int check_path(const char *p, uint32_t len, uint32_t anchor, size_t i, SnError **reterr)
{
    if (len == 0 || len > SN_POLICY_BLOB_MAX_PATH || memchr(p, '\0', len))
        return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu has an invalid path length", i);
    if (anchor == SN_POLICY_ANCHOR_ROOT && p[0] != '/')
        return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu path is not absolute", i);
    if (anchor == SN_POLICY_ANCHOR_HOME && p[0] == '/')
        return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu home path is absolute", i);
    if (anchor == SN_POLICY_ANCHOR_RUNTIME && p[0] == '/')
        return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu runtime path is absolute", i);
    /* snap-confine walks a runtime path one component at a time: each must name an entry. */
    for (uint32_t k = 0; anchor == SN_POLICY_ANCHOR_RUNTIME && k <= len; k++) {
        bool start = k == 0 || p[k - 1] == '/';
        bool end = k == len || p[k] == '/';
        if ((start && end) || (start && p[k] == '.' && (k + 1 == len || p[k + 1] == '/')))
            return sn_error_set(reterr, -EINVAL,
                                "policy blob: landlock rule %zu runtime path has an empty or \".\" component", i);
    }
    /* No ".." component anywhere. */
    for (uint32_t k = 0; k < len; k++) {
        bool start = k == 0 || p[k - 1] == '/';
        if (start && p[k] == '.' && k + 1 < len && p[k + 1] == '.' && (k + 2 == len || p[k + 2] == '/'))
            return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu path has a \"..\" component", i);
    }
    return 0;
}

static int check_landlock(const SnPolicyBlobHeader *h, const uint8_t *data, SnError **reterr)
{
    if (h->landlock_fs_handled & ~SN_LANDLOCK_FS_ALL)
        return sn_error_set(reterr, -EINVAL, "policy blob: unknown landlock filesystem rights 0x%llx",
                            (unsigned long long)(h->landlock_fs_handled & ~SN_LANDLOCK_FS_ALL));
    if (h->landlock_net_handled & ~UINT64_C(3))
        return sn_error_set(reterr, -EINVAL, "policy blob: unknown landlock network rights");
    if (h->landlock_scoped & ~UINT64_C(3))
        return sn_error_set(reterr, -EINVAL, "policy blob: unknown landlock scopes");
    size_t n = h->landlock.size / sizeof(SnPolicyLandlockRule);
    if (n > 0 && h->landlock_fs_handled == 0)
        return sn_error_set(reterr, -EINVAL, "policy blob: landlock rules without handled rights");
    const char *strings = (const char *)data + h->strings.offset;
    for (size_t i = 0; i < n; i++) {
        SnPolicyLandlockRule r;
        memcpy(&r, data + h->landlock.offset + i * sizeof(r), sizeof(r));
        /* Version 2 blobs are read (a subset of version 3), but the RUNTIME anchor came with version 3. */
        bool runtime_ok = r.anchor == SN_POLICY_ANCHOR_RUNTIME && h->version >= 3;
        if (r.anchor != SN_POLICY_ANCHOR_ROOT && r.anchor != SN_POLICY_ANCHOR_HOME && !runtime_ok)
            return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu has unknown anchor %u", i, r.anchor);
        if (r.reserved != 0)
            return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu reserved field is not zero", i);
        if (r.access == 0 || (r.access & ~h->landlock_fs_handled))
            return sn_error_set(reterr, -EINVAL, "policy blob: landlock rule %zu grants rights outside the handled set",
                                i);
        uint64_t end = (uint64_t)r.path_offset + r.path_len;
        if (end >= h->strings.size || strings[end] != '\0')
            return sn_error_set(reterr, -ERANGE, "policy blob: landlock rule %zu path is out of bounds", i);
        int k = check_path(strings + r.path_offset, r.path_len, r.anchor, i, reterr);
        if (k < 0)
            return k;
    }
    return 0;
}

/* A snap name component as /snap/ and /var/snap/ hold it: 1..50 bytes of [a-z0-9_-]. */
static size_t snap_component(const char *p)
{
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-' || p[n] == '_')
        n++;
    return n >= 1 && n <= 50 && p[n] == '/' ? n : 0;
}

const char *sn_policy_mount_target_snap(const char *path, size_t *ret_len)
{
    const char *rest = NULL;
    if (strncmp(path, "/snap/", 6) == 0)
        rest = path + 6;
    else if (strncmp(path, "/var/snap/", 10) == 0)
        rest = path + 10;
    size_t n = rest ? snap_component(rest) : 0;
    if (n == 0)
        return NULL;
    *ret_len = n;
    return rest;
}

/* Absolute, clean, bounded, printable without whitespace, and under /snap/SNAP/X or /var/snap/SNAP/X. */
static int check_mount_path(const char *p, const char *what, SnError **reterr)
{
    size_t len = strnlen(p, SN_POLICY_MOUNT_MAX_PATH + 1);
    if (len == 0 || len > SN_POLICY_MOUNT_MAX_PATH)
        return sn_error_set(reterr, -EINVAL, "content mount %s has an invalid length", what);
    if (p[0] != '/')
        return sn_error_set(reterr, -EINVAL, "content mount %s \"%s\" is not absolute", what, p);
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)p[k] <= 0x20 || p[k] == 0x7f)
            return sn_error_set(reterr, -EINVAL, "content mount %s \"%s\" has a space or control character", what, p);
    for (const char *c = p + 1;;) {
        const char *end = strchrnul(c, '/');
        size_t n = (size_t)(end - c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return sn_error_set(reterr, -EINVAL, "content mount %s \"%s\" has an empty, \".\" or \"..\" component",
                                what, p);
        if (!*end)
            break;
        c = end + 1;
    }
    size_t n = 0;
    const char *snap = sn_policy_mount_target_snap(p, &n);
    /* Something must follow the snap name: /snap/NAME itself holds only revisions and "current". */
    if (!snap || !snap[n + 1])
        return sn_error_set(reterr, -EINVAL, "content mount %s \"%s\" is not under /snap/NAME/ or /var/snap/NAME/",
                            what, p);
    return 0;
}

int sn_policy_mount_check(const char *snap, uint32_t flags, const char *source, const char *target, SnError **reterr)
{
    if (flags & ~(uint32_t)SN_POLICY_MOUNT_FLAG_ALL)
        return sn_error_set(reterr, -EINVAL, "content mount has unknown flags 0x%x",
                            flags & ~(uint32_t)SN_POLICY_MOUNT_FLAG_ALL);
    if (!source || !target)
        return sn_error_set(reterr, -EINVAL, "content mount without a source or target");
    int r = check_mount_path(source, "source", reterr);
    if (r < 0)
        return r;
    r = check_mount_path(target, "target", reterr);
    if (r < 0)
        return r;
    size_t n = 0;
    const char *name = sn_policy_mount_target_snap(target, &n);
    if (snap && (strlen(snap) != n || strncmp(name, snap, n) != 0))
        return sn_error_set(reterr, -EINVAL, "content mount target \"%s\" is outside the directories of snap \"%s\"",
                            target, snap);
    return 0;
}

int sn_policy_mount_open_dir(int rootfd, const char *abs, bool create, SnError **reterr)
{
    if (!abs || abs[0] != '/')
        return sn_error_set(reterr, -EINVAL, "\"%s\" is not an absolute path", abs ? abs : "(null)");
    size_t len = strlen(abs);
    if (len >= SN_POLICY_MOUNT_MAX_PATH + 1)
        return sn_error_set(reterr, -ENAMETOOLONG, "\"%s\" is too long", abs);
    /* Only below /var/snap/NAME/: the fourth component on. */
    bool may_create = create && strncmp(abs, "/var/snap/", 10) == 0;
    char comp[SN_POLICY_MOUNT_MAX_PATH + 1];
    _sn_close_ int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
    if (cur < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot duplicate the root fd: %m");
    size_t depth = 0;
    for (const char *c = abs + 1; *c;) {
        const char *end = strchrnul(c, '/');
        size_t n = (size_t)(end - c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return sn_error_set(reterr, -EINVAL, "\"%s\" is not a clean path", abs);
        memcpy(comp, c, n);
        comp[n] = '\0';
        depth++;
        int fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT && may_create && depth > 3) {
            if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
                return sn_error_set(reterr, sn_negative_errno(), "cannot create \"%s\" in \"%s\": %m", comp, abs);
            fd = openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0) {
            int r = sn_negative_errno();
            struct stat st;
            /* O_PATH | O_NOFOLLOW | O_DIRECTORY reports a symlink as ENOTDIR: say what it is. */
            if (r == -ENOTDIR && fstatat(cur, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
                r = -ELOOP;
            return sn_error_set(reterr, r, "cannot open \"%s\" of \"%s\": %s", comp, abs,
                                r == -ELOOP ? "it is a symlink" : strerror(-r));
        }
        sn_safe_close(cur);
        cur = fd;
        c = *end ? end + 1 : end;
    }
    return SN_TAKE_FD(cur);
}

/* A NUL-terminated string of the strings section at off, len bytes long. NULL when out of bounds. */
static const char *string_at(const SnPolicyBlobHeader *h, const uint8_t *data, uint32_t off, uint32_t len)
{
    uint64_t end = (uint64_t)off + len;
    const char *strings = (const char *)data + h->strings.offset;
    if (end >= h->strings.size || strings[end] != '\0' || memchr(strings + off, '\0', len))
        return NULL;
    return strings + off;
}

static int check_mounts(const SnPolicyBlobHeader *h, const uint8_t *data, SnError **reterr)
{
    size_t n = h->mounts.size / sizeof(SnPolicyMountEntry);
    const char *first = NULL;
    size_t first_len = 0;
    for (size_t i = 0; i < n; i++) {
        SnPolicyMountEntry m;
        memcpy(&m, data + h->mounts.offset + i * sizeof(m), sizeof(m));
        if (m.reserved != 0)
            return sn_error_set(reterr, -EINVAL, "policy blob: mount entry %zu reserved field is not zero", i);
        if (m.source_len > SN_POLICY_MOUNT_MAX_PATH || m.target_len > SN_POLICY_MOUNT_MAX_PATH)
            return sn_error_set(reterr, -EINVAL, "policy blob: mount entry %zu has a path longer than %u bytes", i,
                                SN_POLICY_MOUNT_MAX_PATH);
        const char *source = string_at(h, data, m.source_offset, m.source_len);
        const char *target = string_at(h, data, m.target_offset, m.target_len);
        if (!source || !target)
            return sn_error_set(reterr, -ERANGE, "policy blob: mount entry %zu path is out of bounds", i);
        SnError *e = NULL;
        int r = sn_policy_mount_check(NULL, m.flags, source, target, &e);
        if (r < 0) {
            r = sn_error_set(reterr, r, "policy blob: mount entry %zu: %s", i, e ? e->message : "invalid");
            sn_error_free(e);
            return r;
        }
        size_t len = 0;
        const char *name = sn_policy_mount_target_snap(target, &len);
        if (!first) {
            first = name;
            first_len = len;
        } else if (len != first_len || strncmp(name, first, len) != 0)
            return sn_error_set(reterr, -EINVAL, "policy blob: mount entry %zu targets another snap than entry 0", i);
    }
    return 0;
}

static int check_devices(const SnPolicyBlobHeader *h, const uint8_t *data, SnError **reterr)
{
    size_t n = h->devices.size / sizeof(SnPolicyDeviceRule);
    for (size_t i = 0; i < n; i++) {
        SnPolicyDeviceRule r;
        memcpy(&r, data + h->devices.offset + i * sizeof(r), sizeof(r));
        if (r.type != 'c' && r.type != 'b' && r.type != 'a')
            return sn_error_set(reterr, -EINVAL, "policy blob: device rule %zu has unknown type", i);
        if (r.access == 0 || (r.access & ~7u) || r.reserved != 0)
            return sn_error_set(reterr, -EINVAL, "policy blob: device rule %zu has invalid access", i);
        if (r.major < SN_POLICY_DEV_ANY || r.minor < SN_POLICY_DEV_ANY || r.major > 4095 || r.minor > 1048575)
            return sn_error_set(reterr, -EINVAL, "policy blob: device rule %zu has an invalid number", i);
    }
    return 0;
}

static int check_exec(const SnPolicyBlobHeader *h, const uint8_t *data, SnError **reterr)
{
    const char *p = (const char *)data + h->exec.offset;
    size_t len = h->exec.size, commands = 0;
    if (len == 0)
        return 0;
    if (p[len - 1] != '\0')
        return sn_error_set(reterr, -EINVAL, "policy blob: exec section is not NUL-terminated");
    for (size_t off = 0, i = 0; off < len; i++) {
        size_t l = strlen(p + off);
        if (l < 2)
            return sn_error_set(reterr, -EINVAL, "policy blob: exec record %zu is empty", i);
        switch (p[off]) {
        case 'c':
            commands++;
            break;
        case 'h':
            break;
        case 'e':
            if (p[off + 1] == '=' || !strchr(p + off + 1, '='))
                return sn_error_set(reterr, -EINVAL, "policy blob: exec record %zu is not KEY=VALUE", i);
            break;
        default:
            return sn_error_set(reterr, -EINVAL, "policy blob: exec record %zu has unknown kind", i);
        }
        off += l + 1;
    }
    if (commands != 1)
        return sn_error_set(reterr, -EINVAL, "policy blob: exec section needs exactly one command, has %zu", commands);
    return 0;
}

static int validate(const uint8_t *data, size_t len, SnError **reterr)
{
    if (len < SN_POLICY_BLOB_HEADER_SIZE)
        return sn_error_set(reterr, -EBADMSG, "policy blob: %zu bytes is shorter than the header", len);
    SnPolicyBlobHeader h;
    memcpy(&h, data, sizeof(h));
    if (memcmp(h.magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN) != 0)
        return sn_error_set(reterr, -EBADMSG, "policy blob: bad magic");
    if (h.version < SN_POLICY_BLOB_MIN_VERSION || h.version > SN_POLICY_BLOB_VERSION)
        return sn_error_set(reterr, -EPROTONOSUPPORT, "policy blob: unsupported version %u", h.version);
    if (h.header_size != SN_POLICY_BLOB_HEADER_SIZE)
        return sn_error_set(reterr, -EINVAL, "policy blob: header size %u", h.header_size);
    if (len > SN_POLICY_BLOB_MAX_SIZE || h.total_size > SN_POLICY_BLOB_MAX_SIZE)
        return sn_error_set(reterr, -EFBIG, "policy blob: larger than %u bytes", SN_POLICY_BLOB_MAX_SIZE);
    if (h.total_size != len)
        return sn_error_set(reterr, -ERANGE, "policy blob: header says %u bytes, file has %zu", h.total_size, len);
    if (h.flags & ~(uint32_t)SN_POLICY_FLAG_ALL)
        return sn_error_set(reterr, -EINVAL, "policy blob: unknown flags 0x%x",
                            h.flags & ~(uint32_t)SN_POLICY_FLAG_ALL);
    for (size_t i = 0; i < sizeof(h.reserved); i++)
        if (h.reserved[i])
            return sn_error_set(reterr, -EINVAL, "policy blob: reserved header bytes are not zero");

    const struct {
        const SnPolicyBlobSection *s;
        const char *name;
        size_t elem, max;
    } sections[] = {
        {&h.seccomp_deny, "seccomp_deny", sizeof(struct sock_filter), SN_POLICY_BLOB_MAX_BPF_INSNS},
        {&h.seccomp_allow, "seccomp_allow", sizeof(struct sock_filter), SN_POLICY_BLOB_MAX_BPF_INSNS},
        {&h.landlock, "landlock", sizeof(SnPolicyLandlockRule), SN_POLICY_BLOB_MAX_LANDLOCK_RULES},
        {&h.devices, "devices", sizeof(SnPolicyDeviceRule), SN_POLICY_BLOB_MAX_DEVICE_RULES},
        {&h.exec, "exec", 1, SN_POLICY_BLOB_MAX_SIZE},
        {&h.strings, "strings", 1, SN_POLICY_BLOB_MAX_SIZE},
        {&h.mounts, "mounts", sizeof(SnPolicyMountEntry), SN_POLICY_BLOB_MAX_MOUNTS},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(sections); i++) {
        int r = check_section(&h, sections[i].s, sections[i].name, sections[i].elem, sections[i].max, reterr);
        if (r < 0)
            return r;
        for (size_t j = 0; j < i; j++)
            if (sections_overlap(sections[i].s, sections[j].s))
                return sn_error_set(reterr, -ERANGE, "policy blob: sections %s and %s overlap", sections[j].name,
                                    sections[i].name);
    }
    if (!(h.flags & SN_POLICY_FLAG_UNRESTRICTED) && h.seccomp_allow.size == 0)
        return sn_error_set(reterr, -EINVAL, "policy blob: no seccomp allow filter and not unrestricted");
    if ((h.flags & SN_POLICY_FLAG_UNRESTRICTED) && (h.seccomp_allow.size || h.seccomp_deny.size))
        return sn_error_set(reterr, -EINVAL, "policy blob: unrestricted but has seccomp filters");
    if (h.landlock.size && h.strings.size == 0)
        return sn_error_set(reterr, -ERANGE, "policy blob: landlock rules without a string table");
    if (h.mounts.size && h.strings.size == 0)
        return sn_error_set(reterr, -ERANGE, "policy blob: mount entries without a string table");

    int r = check_landlock(&h, data, reterr);
    if (r < 0)
        return r;
    r = check_devices(&h, data, reterr);
    if (r < 0)
        return r;
    r = check_mounts(&h, data, reterr);
    if (r < 0)
        return r;
    return check_exec(&h, data, reterr);
}

int sn_policy_blob_parse(const void *data, size_t len, SnPolicyBlob **ret_blob, SnError **reterr)
{
    if (!data && len)
        return sn_error_set(reterr, -EINVAL, "policy blob: no data");
    int r = validate(data, len, reterr);
    if (r < 0)
        return r;
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = calloc(1, sizeof(*blob));
    if (!blob)
        return -ENOMEM;
    /* malloc's alignment (16) keeps the 8-byte aligned sections aligned in memory. */
    blob->data = malloc(len);
    if (!blob->data)
        return -ENOMEM;
    memcpy(blob->data, data, len);
    blob->size = len;
    blob->header = (const SnPolicyBlobHeader *)blob->data;
    *ret_blob = SN_TAKE_PTR(blob);
    return 0;
}

int sn_policy_blob_load_fd(int fd, SnPolicyBlob **ret_blob, SnError **reterr)
{
    struct stat st;
    if (sn_faulty("policy-blob-fstat") || fstat(fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "policy blob: cannot stat");
    if (!S_ISREG(st.st_mode))
        return sn_error_set(reterr, -EINVAL, "policy blob: not a regular file");
    if (st.st_uid != 0)
        return sn_error_set(reterr, -EPERM, "policy blob: owned by uid %u, not root", (unsigned)st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return sn_error_set(reterr, -EPERM, "policy blob: writable by group or others (mode %04o)",
                            (unsigned)(st.st_mode & 07777));
    if (st.st_size > (off_t)SN_POLICY_BLOB_MAX_SIZE)
        return sn_error_set(reterr, -EFBIG, "policy blob: larger than %u bytes", SN_POLICY_BLOB_MAX_SIZE);
    _sn_free_ char *data = NULL;
    size_t len = 0;
    int r = sn_faulty("policy-blob-read") ? -EIO : sn_read_fd_all(fd, SN_POLICY_BLOB_MAX_SIZE, &data, &len);
    if (r < 0)
        return sn_error_set(reterr, r, "policy blob: cannot read");
    return sn_policy_blob_parse(data, len, ret_blob, reterr);
}

SnPolicyBlob *sn_policy_blob_free(SnPolicyBlob *blob)
{
    if (blob) {
        free(blob->data);
        free(blob);
    }
    return NULL;
}

static const void *section(const SnPolicyBlob *blob, const SnPolicyBlobSection *s, size_t elem, size_t *ret_count)
{
    *ret_count = s->size / elem;
    return s->size ? blob->data + s->offset : NULL;
}

const void *sn_policy_blob_seccomp_deny(const SnPolicyBlob *blob, size_t *ret_count)
{
    return section(blob, &blob->header->seccomp_deny, sizeof(struct sock_filter), ret_count);
}

const void *sn_policy_blob_seccomp_allow(const SnPolicyBlob *blob, size_t *ret_count)
{
    return section(blob, &blob->header->seccomp_allow, sizeof(struct sock_filter), ret_count);
}

const SnPolicyLandlockRule *sn_policy_blob_landlock_rules(const SnPolicyBlob *blob, size_t *ret_count)
{
    return section(blob, &blob->header->landlock, sizeof(SnPolicyLandlockRule), ret_count);
}

const char *sn_policy_blob_landlock_path(const SnPolicyBlob *blob, const SnPolicyLandlockRule *rule)
{
    return (const char *)blob->data + blob->header->strings.offset + rule->path_offset;
}

const SnPolicyDeviceRule *sn_policy_blob_device_rules(const SnPolicyBlob *blob, size_t *ret_count)
{
    return section(blob, &blob->header->devices, sizeof(SnPolicyDeviceRule), ret_count);
}

const SnPolicyMountEntry *sn_policy_blob_mounts(const SnPolicyBlob *blob, size_t *ret_count)
{
    return section(blob, &blob->header->mounts, sizeof(SnPolicyMountEntry), ret_count);
}

const char *sn_policy_blob_mount_source(const SnPolicyBlob *blob, const SnPolicyMountEntry *entry)
{
    return (const char *)blob->data + blob->header->strings.offset + entry->source_offset;
}

const char *sn_policy_blob_mount_target(const SnPolicyBlob *blob, const SnPolicyMountEntry *entry)
{
    return (const char *)blob->data + blob->header->strings.offset + entry->target_offset;
}

int sn_policy_blob_exec_next(const SnPolicyBlob *blob, size_t *cursor, const char **ret_text)
{
    const SnPolicyBlobSection *s = &blob->header->exec;
    if (*cursor >= s->size)
        return 0;
    const char *p = (const char *)blob->data + s->offset + *cursor;
    size_t l = strlen(p);
    *cursor += l + 1;
    *ret_text = p + 1;
    return (unsigned char)p[0];
}
