/* SPDX-License-Identifier: GPL-3.0-only */
#include "policy-blob.h"

#include <errno.h>
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
        if (r.anchor != SN_POLICY_ANCHOR_ROOT && r.anchor != SN_POLICY_ANCHOR_HOME)
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
    if (h.version != SN_POLICY_BLOB_VERSION)
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

    int r = check_landlock(&h, data, reterr);
    if (r < 0)
        return r;
    r = check_devices(&h, data, reterr);
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
