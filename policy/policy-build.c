/* SPDX-License-Identifier: GPL-3.0-only */
#include "policy-build.h"

#include <errno.h>
#include <string.h>

#include "seccomp-compile.h"
#include "strutil.h"

/* Landlock filesystem rights (kernel ABI values). */
enum {
    LL_EXECUTE = 1 << 0,
    LL_WRITE_FILE = 1 << 1,
    LL_READ_FILE = 1 << 2,
    LL_READ_DIR = 1 << 3,
    LL_REMOVE_DIR = 1 << 4,
    LL_REMOVE_FILE = 1 << 5,
    LL_MAKE_CHAR = 1 << 6,
    LL_MAKE_DIR = 1 << 7,
    LL_MAKE_REG = 1 << 8,
    LL_MAKE_SOCK = 1 << 9,
    LL_MAKE_FIFO = 1 << 10,
    LL_MAKE_BLOCK = 1 << 11,
    LL_MAKE_SYM = 1 << 12,
    LL_REFER = 1 << 13,
    LL_TRUNCATE = 1 << 14,
    LL_IOCTL_DEV = 1 << 15,
};
#define LL_ALL 0xffffu
#define LL_RO (LL_READ_FILE | LL_READ_DIR)
#define LL_RX (LL_RO | LL_EXECUTE)
#define LL_RW                                                                                                          \
    (LL_RX | LL_WRITE_FILE | LL_REMOVE_DIR | LL_REMOVE_FILE | LL_MAKE_DIR | LL_MAKE_REG | LL_MAKE_SOCK |               \
     LL_MAKE_FIFO | LL_MAKE_SYM | LL_REFER | LL_TRUNCATE)
#define LL_DEV (LL_RO | LL_WRITE_FILE | LL_TRUNCATE | LL_IOCTL_DEV)
#define LL_SCOPE_SIGNAL 2u

/* The same name rules as snap-confine's gate: a profile or path never carries anything else. */
static bool name_ok(const char *s, bool allow_upper)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
                  (allow_upper && c >= 'A' && c <= 'Z');
        if (!ok || (c == '-' && s[i + 1] == '-'))
            return false;
    }
    return true;
}

char *sn_policy_security_tag(const SnPolicyInput *in)
{
    if (!name_ok(in->snap_name, false) || (!in->app == !in->hook))
        return NULL;
    if (in->app)
        return name_ok(in->app, true) && !strchr(in->app, '_') ? sn_strdup_printf("snap.%s.%s", in->snap_name, in->app)
                                                               : NULL;
    return name_ok(in->hook, false) && !strchr(in->hook, '_')
               ? sn_strdup_printf("snap.%s.hook.%s", in->snap_name, in->hook)
               : NULL;
}

/* The snap name without its instance key: /snap/NAME and /var/snap/NAME use it inside the namespace. */
static char *store_name(const char *instance)
{
    const char *us = strchr(instance, '_');
    return us ? strndup(instance, (size_t)(us - instance)) : strdup(instance);
}

typedef struct Builder {
    SnBuf data;     /* everything after the header */
    SnBuf strings;  /* the string table */
    SnBuf landlock; /* SnPolicyLandlockRule[] */
} Builder;

static void add_rule(Builder *b, uint32_t anchor, const char *path, uint64_t access)
{
    SnPolicyLandlockRule r = {.access = access,
                              .path_offset = (uint32_t)b->strings.len,
                              .path_len = (uint32_t)strlen(path),
                              .anchor = anchor};
    sn_buf_append(&b->strings, path, strlen(path) + 1);
    sn_buf_append(&b->landlock, &r, sizeof(r));
}

/* Appends a section (8-byte aligned) to out, recording it in *s. */
static void put_section(SnBuf *out, SnPolicyBlobSection *s, const void *p, size_t len)
{
    while (out->len % 8)
        sn_buf_putc(out, '\0');
    if (len == 0) {
        *s = (SnPolicyBlobSection){0, 0};
        return;
    }
    *s = (SnPolicyBlobSection){(uint32_t)out->len, (uint32_t)len};
    sn_buf_append(out, p, len);
}

static bool exec_text_ok(const char *s)
{
    return s && *s && !strchr(s, '\n');
}

int sn_policy_build_blob(const SnPolicyInput *in, void **ret_data, size_t *ret_len, SnError **reterr)
{
    _sn_free_ char *tag = sn_policy_security_tag(in);
    if (!tag)
        return sn_error_set(reterr, -EINVAL, "policy: invalid snap, app or hook name");
    _sn_free_ char *name = store_name(in->snap_name);
    _sn_free_ char *hook_cmd = in->hook ? sn_strdup_printf("meta/hooks/%s", in->hook) : NULL;
    if (!name || (in->hook && !hook_cmd))
        return -ENOMEM;
    const char *command = in->command ? in->command : hook_cmd;
    if (!exec_text_ok(command) || command[0] == '/' || strstr(command, ".."))
        return sn_error_set(reterr, -EINVAL, "policy: the command of %s must be a path relative to $SNAP", tag);

    SnSeccompProgram prog = {0};
    int r = sn_seccomp_compile(in->seccomp_source ? in->seccomp_source : sn_seccomp_default_template, &prog, reterr);
    if (r < 0)
        return r;

    _sn_free_ char *snapdir = sn_strdup_printf("/snap/%s", name);
    _sn_free_ char *vardir = sn_strdup_printf("/var/snap/%s", name);
    _sn_free_ char *homedir = sn_strdup_printf("snap/%s", in->snap_name);
    _sn_free_ char *blobpath = sn_strdup_printf("/var/lib/snapd/policy/%s.policy", tag);
    Builder b = {0};
    static const char *const system_dirs[] = {"/bin",    "/sbin", "/lib", "/lib32", "/lib64",
                                              "/libx32", "/usr",  "/etc", "/opt"};
    for (size_t i = 0; i < SN_ELEMENTSOF(system_dirs); i++)
        add_rule(&b, SN_POLICY_ANCHOR_ROOT, system_dirs[i], LL_RX);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, snapdir ? snapdir : "", LL_RX);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, "/proc", LL_RO);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, "/sys", LL_RO);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, "/dev", LL_DEV);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, "/tmp", LL_RW);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, vardir ? vardir : "", LL_RW);
    add_rule(&b, SN_POLICY_ANCHOR_ROOT, blobpath ? blobpath : "", LL_READ_FILE);
    add_rule(&b, SN_POLICY_ANCHOR_HOME, homedir ? homedir : "", LL_RW);

    /* snapd's default device allow-list (section 7.2 of the reference). */
    static const SnPolicyDeviceRule devices[] = {
        {'c', 7, 0, 1, 3},    {'c', 7, 0, 1, 5},    {'c', 7, 0, 1, 7},    {'c', 7, 0, 1, 8},
        {'c', 7, 0, 1, 9},    {'c', 7, 0, 5, 0},    {'c', 7, 0, 5, 1},    {'c', 7, 0, 5, 2},
        {'c', 7, 0, 136, -1}, {'c', 7, 0, 137, -1}, {'c', 7, 0, 138, -1}, {'c', 7, 0, 139, -1},
        {'c', 7, 0, 140, -1}, {'c', 7, 0, 141, -1}, {'c', 7, 0, 142, -1}, {'c', 7, 0, 143, -1},
    };

    SnBuf exec = {0};
    sn_buf_putc(&exec, 'c');
    sn_buf_append(&exec, command, strlen(command) + 1);
    for (char *const *c = in->command_chain; c && *c; c++) {
        if (!exec_text_ok(*c) || (*c)[0] == '/' || strstr(*c, "..")) {
            r = sn_error_set(reterr, -EINVAL, "policy: invalid command-chain entry \"%s\"", *c);
            goto out;
        }
        sn_buf_putc(&exec, 'h');
        sn_buf_append(&exec, *c, strlen(*c) + 1);
    }
    for (char *const *e = in->environment; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!exec_text_ok(*e) || !eq || eq == *e) {
            r = sn_error_set(reterr, -EINVAL, "policy: invalid environment entry \"%s\"", *e);
            goto out;
        }
        sn_buf_putc(&exec, 'e');
        sn_buf_append(&exec, *e, strlen(*e) + 1);
    }

    SnPolicyBlobHeader h = {0};
    memcpy(h.magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h.version = SN_POLICY_BLOB_VERSION;
    h.header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h.flags = in->flags | (prog.unrestricted ? SN_POLICY_FLAG_UNRESTRICTED : 0) |
              (prog.complain ? SN_POLICY_FLAG_COMPLAIN : 0);
    h.landlock_fs_handled = LL_ALL;
    h.landlock_scoped = LL_SCOPE_SIGNAL;
    sn_buf_append(&b.data, &h, sizeof(h));
    put_section(&b.data, &h.seccomp_deny, prog.deny, prog.n_deny * 8);
    put_section(&b.data, &h.seccomp_allow, prog.allow, prog.n_allow * 8);
    put_section(&b.data, &h.landlock, b.landlock.data, b.landlock.len);
    put_section(&b.data, &h.devices, devices, sizeof(devices));
    put_section(&b.data, &h.exec, exec.data, exec.len);
    put_section(&b.data, &h.strings, b.strings.data, b.strings.len);
    if (!snapdir || !vardir || !homedir || !blobpath || !sn_buf_ok(&b.data) || !sn_buf_ok(&b.strings) ||
        !sn_buf_ok(&b.landlock) || !sn_buf_ok(&exec)) {
        r = -ENOMEM;
        goto out;
    }
    if (b.data.len > SN_POLICY_BLOB_MAX_SIZE) {
        r = sn_error_set(reterr, -EFBIG, "policy: the blob of %s would be %zu bytes", tag, b.data.len);
        goto out;
    }
    h.total_size = (uint32_t)b.data.len;
    memcpy(b.data.data, &h, sizeof(h));
    *ret_len = b.data.len;
    *ret_data = sn_buf_steal(&b.data);
    r = 0;
out:
    sn_seccomp_program_done(&prog);
    sn_buf_done(&b.data);
    sn_buf_done(&b.strings);
    sn_buf_done(&b.landlock);
    sn_buf_done(&exec);
    return r;
}

int sn_policy_apparmor_profile(const SnPolicyInput *in, char **ret_text, SnError **reterr)
{
    _sn_free_ char *tag = sn_policy_security_tag(in);
    if (!tag)
        return sn_error_set(reterr, -EINVAL, "policy: invalid snap, app or hook name");
    _sn_free_ char *name = store_name(in->snap_name);
    if (!name)
        return -ENOMEM;
    SnBuf b = {0};
    sn_buf_printf(&b,
                  "# AppArmor profile for %s, generated by microsnap. Mirrors the Landlock grants.\n"
                  "abi <abi/3.0>,\n"
                  "#include <tunables/global>\n"
                  "profile \"%s\" (attach_disconnected,mediate_deleted) {\n"
                  "  capability dac_override,\n"
                  "  network inet,\n"
                  "  network inet6,\n"
                  "  network unix,\n"
                  "  network netlink raw,\n"
                  "  signal (send, receive) peer=snap.%s.*,\n"
                  "  /{,usr/}{,s}bin/** mrix,\n"
                  "  /{,usr/}lib{,32,64,x32}/** mrix,\n"
                  "  /usr/** mrix,\n"
                  "  /etc/** r,\n"
                  "  deny /etc/shadow r,\n"
                  "  deny /etc/gshadow r,\n"
                  "  /opt/** mrix,\n"
                  "  /snap/%s/** mrix,\n"
                  "  /proc/** r,\n"
                  "  /sys/** r,\n"
                  "  /dev/{null,zero,full,random,urandom,tty,console,ptmx} rw,\n"
                  "  /dev/pts/* rw,\n"
                  "  /tmp/** mrwlkix,\n"
                  "  /var/snap/%s/** mrwlkix,\n"
                  "  owner @{HOME}/snap/%s/** mrwlkix,\n"
                  "  /var/lib/snapd/policy/%s.policy r,\n"
                  "  deny mount,\n"
                  "  deny umount,\n"
                  "  deny pivot_root,\n"
                  "  deny ptrace,\n"
                  "}\n",
                  tag, tag, in->snap_name, name, name, in->snap_name, tag);
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret_text = sn_buf_steal(&b);
    return 0;
}
