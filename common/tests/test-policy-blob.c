/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fd-util.h"
#include "policy-blob.h"

/* A well-formed blob assembled by hand: 2 deny insns, 3 allow insns, 2 landlock rules, 1 device rule. */
typedef struct TestBlob {
    uint8_t bytes[1024];
    size_t len;
} TestBlob;

static SnPolicyBlobHeader *hdr(TestBlob *t)
{
    return (SnPolicyBlobHeader *)t->bytes;
}

static void build(TestBlob *t)
{
    memset(t, 0, sizeof(*t));
    SnPolicyBlobHeader *h = hdr(t);
    memcpy(h->magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h->version = SN_POLICY_BLOB_VERSION;
    h->header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h->landlock_fs_handled = 0xffff;
    size_t off = SN_POLICY_BLOB_HEADER_SIZE;

    struct sock_filter deny[2] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0x7fff0000)};
    h->seccomp_deny = (SnPolicyBlobSection){(uint32_t)off, sizeof(deny)};
    memcpy(t->bytes + off, deny, sizeof(deny));
    off += sizeof(deny);

    struct sock_filter allow[3] = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT(BPF_RET | BPF_K, 0x7fff0000),
                                   BPF_STMT(BPF_RET | BPF_K, 0x7fff0000)};
    h->seccomp_allow = (SnPolicyBlobSection){(uint32_t)off, sizeof(allow)};
    memcpy(t->bytes + off, allow, sizeof(allow));
    off += sizeof(allow); /* 16 + 24 = 40 bytes: still 8-aligned */

    const char strings[] = "/usr\0snap/foo";
    SnPolicyLandlockRule rules[2] = {
        {.access = 0x5, .path_offset = 0, .path_len = 4, .anchor = SN_POLICY_ANCHOR_ROOT},
        {.access = 0xffff, .path_offset = 5, .path_len = 8, .anchor = SN_POLICY_ANCHOR_HOME},
    };
    h->landlock = (SnPolicyBlobSection){(uint32_t)off, sizeof(rules)};
    memcpy(t->bytes + off, rules, sizeof(rules));
    off += sizeof(rules);

    SnPolicyDeviceRule dev = {.type = 'c', .access = 3, .major = 1, .minor = 3};
    h->devices = (SnPolicyBlobSection){(uint32_t)off, sizeof(dev)};
    memcpy(t->bytes + off, &dev, sizeof(dev));
    off += 16;

    const char exec[] = "c$SNAP/bin/app --flag\0h$SNAP/chain\0eFOO=bar";
    h->exec = (SnPolicyBlobSection){(uint32_t)off, sizeof(exec)};
    memcpy(t->bytes + off, exec, sizeof(exec));
    off += (sizeof(exec) + 7) & ~(size_t)7;

    h->strings = (SnPolicyBlobSection){(uint32_t)off, sizeof(strings)};
    memcpy(t->bytes + off, strings, sizeof(strings));
    off += sizeof(strings);

    t->len = off;
    h->total_size = (uint32_t)off;
}

static int parse(TestBlob *t, char **msg)
{
    SnPolicyBlob *blob = NULL;
    SnError *err = NULL;
    int r = sn_policy_blob_parse(t->bytes, t->len, &blob, &err);
    if (r >= 0)
        cr_assert_not_null(blob);
    else
        cr_assert_null(blob);
    if (msg)
        *msg = err ? strdup(err->message) : NULL;
    sn_policy_blob_free(blob);
    sn_error_free(err);
    return r;
}

static void expect_fail(TestBlob *t, int code, const char *needle)
{
    _sn_free_ char *msg = NULL;
    int r = parse(t, &msg);
    cr_assert_eq(r, code, "expected %d, got %d (%s)", code, r, msg ? msg : "");
    cr_assert(msg && strstr(msg, needle), "message \"%s\" lacks \"%s\"", msg ? msg : "", needle);
}

Test(policy_blob, header_layout_is_pinned)
{
    /* The same numbers as the static_asserts: a change of layout must change the version. */
    cr_assert_eq(sizeof(SnPolicyBlobHeader), 128);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, magic), 0);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, version), 8);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, header_size), 12);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, total_size), 16);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, flags), 20);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_fs_handled), 24);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_net_handled), 32);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock_scoped), 40);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, seccomp_deny), 48);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, seccomp_allow), 56);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, landlock), 64);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, devices), 72);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, exec), 80);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, strings), 88);
    cr_assert_eq(offsetof(SnPolicyBlobHeader, reserved), 96);
    cr_assert_eq(sizeof(SnPolicyLandlockRule), 24);
    cr_assert_eq(sizeof(SnPolicyDeviceRule), 12);
    cr_assert_eq(SN_POLICY_BLOB_VERSION, 1);
    cr_assert_eq(memcmp(SN_POLICY_BLOB_MAGIC, "SNPOLICY", 8), 0);
}

Test(policy_blob, parses_a_well_formed_blob_and_exposes_its_sections)
{
    TestBlob t;
    build(&t);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_parse(t.bytes, t.len, &blob, NULL), 0);
    size_t n = 0;
    const struct sock_filter *deny = sn_policy_blob_seccomp_deny(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_eq(deny[1].k, 0x7fff0000);
    cr_assert_not_null(sn_policy_blob_seccomp_allow(blob, &n));
    cr_assert_eq(n, 3);
    const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &rules[0]), "/usr");
    cr_assert_str_eq(sn_policy_blob_landlock_path(blob, &rules[1]), "snap/foo");
    const SnPolicyDeviceRule *dev = sn_policy_blob_device_rules(blob, &n);
    cr_assert_eq(n, 1);
    cr_assert_eq(dev[0].minor, 3);
    size_t cursor = 0;
    const char *text = NULL;
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'c');
    cr_assert_str_eq(text, "$SNAP/bin/app --flag");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'h');
    cr_assert_str_eq(text, "$SNAP/chain");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 'e');
    cr_assert_str_eq(text, "FOO=bar");
    cr_assert_eq(sn_policy_blob_exec_next(blob, &cursor, &text), 0);
}

Test(policy_blob, rejects_bad_magic)
{
    TestBlob t;
    build(&t);
    hdr(&t)->magic[0] = 'X';
    expect_fail(&t, -EBADMSG, "magic");
}

Test(policy_blob, rejects_a_truncated_header)
{
    TestBlob t;
    build(&t);
    t.len = 100;
    expect_fail(&t, -EBADMSG, "shorter");
}

Test(policy_blob, rejects_other_versions)
{
    TestBlob t;
    build(&t);
    hdr(&t)->version = 2;
    expect_fail(&t, -EPROTONOSUPPORT, "version 2");
}

Test(policy_blob, rejects_a_size_mismatch)
{
    TestBlob t;
    build(&t);
    t.len -= 1;
    expect_fail(&t, -ERANGE, "header says");
}

Test(policy_blob, rejects_more_than_the_size_cap)
{
    TestBlob t;
    build(&t);
    hdr(&t)->total_size = SN_POLICY_BLOB_MAX_SIZE + 8;
    expect_fail(&t, -EFBIG, "larger than");
}

Test(policy_blob, rejects_unknown_flags_and_reserved_bytes)
{
    TestBlob t;
    build(&t);
    hdr(&t)->flags = 1u << 20;
    expect_fail(&t, -EINVAL, "unknown flags");
    build(&t);
    hdr(&t)->reserved[31] = 1;
    expect_fail(&t, -EINVAL, "reserved");
}

Test(policy_blob, rejects_sections_out_of_bounds)
{
    TestBlob t;
    build(&t);
    hdr(&t)->strings.size = 0xfffffff0u;
    expect_fail(&t, -ERANGE, "strings");
    build(&t);
    hdr(&t)->seccomp_deny.offset = 0x80000000u;
    hdr(&t)->seccomp_deny.size = 0x80000000u; /* offset + size wraps to 0 in 32 bits */
    expect_fail(&t, -ERANGE, "seccomp_deny");
}

Test(policy_blob, rejects_a_section_inside_the_header)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_deny.offset = 8;
    expect_fail(&t, -ERANGE, "misplaced");
}

Test(policy_blob, rejects_overlapping_sections)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow.offset = hdr(&t)->seccomp_deny.offset;
    expect_fail(&t, -ERANGE, "overlap");
}

Test(policy_blob, rejects_a_partial_bpf_instruction)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow.size = 12;
    expect_fail(&t, -EINVAL, "multiple of 8");
}

Test(policy_blob, rejects_a_restricted_blob_without_an_allow_filter)
{
    TestBlob t;
    build(&t);
    hdr(&t)->seccomp_allow = (SnPolicyBlobSection){0, 0};
    expect_fail(&t, -EINVAL, "no seccomp allow filter");
}

Test(policy_blob, rejects_an_unrestricted_blob_with_filters)
{
    TestBlob t;
    build(&t);
    hdr(&t)->flags = SN_POLICY_FLAG_UNRESTRICTED;
    expect_fail(&t, -EINVAL, "unrestricted");
}

static SnPolicyLandlockRule *rule(TestBlob *t, size_t i)
{
    return (SnPolicyLandlockRule *)(t->bytes + hdr(t)->landlock.offset) + i;
}

Test(policy_blob, rejects_landlock_paths_out_of_the_string_table)
{
    TestBlob t;
    build(&t);
    rule(&t, 1)->path_len = 9; /* runs onto the final NUL and past it */
    expect_fail(&t, -ERANGE, "rule 1 path is out of bounds");
    build(&t);
    rule(&t, 0)->path_len = 3; /* "/us" is not followed by a NUL */
    expect_fail(&t, -ERANGE, "rule 0 path is out of bounds");
}

Test(policy_blob, rejects_dotdot_and_wrongly_anchored_paths)
{
    TestBlob t;
    build(&t);
    memcpy(t.bytes + hdr(&t)->strings.offset + 5, "snap/../", 8);
    expect_fail(&t, -EINVAL, "\"..\"");
    build(&t);
    rule(&t, 0)->anchor = SN_POLICY_ANCHOR_HOME;
    expect_fail(&t, -EINVAL, "home path is absolute");
    build(&t);
    rule(&t, 1)->anchor = SN_POLICY_ANCHOR_ROOT;
    expect_fail(&t, -EINVAL, "not absolute");
    build(&t);
    rule(&t, 1)->anchor = 7;
    expect_fail(&t, -EINVAL, "unknown anchor");
}

Test(policy_blob, rejects_rights_outside_the_handled_set)
{
    TestBlob t;
    build(&t);
    hdr(&t)->landlock_fs_handled = 0x7;
    expect_fail(&t, -EINVAL, "outside the handled set");
    build(&t);
    hdr(&t)->landlock_fs_handled = 1ull << 40;
    expect_fail(&t, -EINVAL, "unknown landlock");
}

Test(policy_blob, rejects_malformed_device_rules)
{
    TestBlob t;
    build(&t);
    SnPolicyDeviceRule *d = (SnPolicyDeviceRule *)(t.bytes + hdr(&t)->devices.offset);
    d->type = 'x';
    expect_fail(&t, -EINVAL, "device rule 0");
    build(&t);
    d->access = 0;
    expect_fail(&t, -EINVAL, "invalid access");
    build(&t);
    d->major = -2;
    expect_fail(&t, -EINVAL, "invalid number");
}

Test(policy_blob, rejects_malformed_exec_records)
{
    TestBlob t;
    build(&t);
    char *e = (char *)t.bytes + hdr(&t)->exec.offset;
    e[0] = 'h'; /* no command left */
    expect_fail(&t, -EINVAL, "exactly one command");
    build(&t);
    e[hdr(&t)->exec.size - 1] = 'x';
    expect_fail(&t, -EINVAL, "not NUL-terminated");
    build(&t);
    e[0] = 'z';
    expect_fail(&t, -EINVAL, "unknown kind");
    build(&t);
    char *env = memmem(e, hdr(&t)->exec.size, "eFOO=bar", 8);
    env[4] = '_';
    expect_fail(&t, -EINVAL, "KEY=VALUE");
}

static int write_tmp(TestBlob *t, mode_t mode, char *path)
{
    strcpy(path, "/tmp/sn-policy-blob-XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(sn_write_all(fd, t->bytes, t->len), 0);
    cr_assert_eq(fchmod(fd, mode), 0);
    cr_assert_eq(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

Test(policy_blob, loads_a_root_owned_file)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), 0);
    cr_assert_eq(blob->size, t.len);
}

Test(policy_blob, refuses_a_group_or_world_writable_file)
{
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0666, path);
    unlink(path);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, &err), -EPERM);
    cr_assert_null(blob);
}

Test(policy_blob, refuses_a_file_not_owned_by_root)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to chown");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    cr_assert_eq(fchown(fd, 65534, 65534), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, &err), -EPERM);
    cr_assert(strstr(err->message, "not root"));
}

Test(policy_blob, refuses_a_non_regular_file)
{
    _sn_close_ int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), -EINVAL);
}

Test(policy_blob, refuses_an_oversized_file_before_reading_it)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    cr_assert_eq(ftruncate(fd, SN_POLICY_BLOB_MAX_SIZE + 1), 0);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    cr_assert_eq(sn_policy_blob_load_fd(fd, &blob, NULL), -EFBIG);
}

Test(policy_blob, fails_closed_when_reading_fails)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to own the file");
    TestBlob t;
    build(&t);
    char path[64];
    _sn_close_ int fd = write_tmp(&t, 0644, path);
    unlink(path);
    setenv("SN_FAULTS", "policy-blob-read", 1);
    _sn_cleanup_(sn_policy_blob_freep) SnPolicyBlob *blob = NULL;
    int r = sn_policy_blob_load_fd(fd, &blob, NULL);
    unsetenv("SN_FAULTS");
    if (r == 0)
        cr_skip_test("fault injection is compiled out");
    cr_assert_eq(r, -EIO);
    cr_assert_null(blob);
}
