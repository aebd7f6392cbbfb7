/* SPDX-License-Identifier: GPL-3.0-only */
#include "seccomp-compile.h"

#include <errno.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fd-util.h"
#include "policy-blob.h"
#include "strutil.h"

static const struct {
    const char *name;
    uint64_t value;
} symbols[] = {
    {"AF_UNIX", 1},
    {"AF_LOCAL", 1},
    {"AF_INET", 2},
    {"AF_INET6", 10},
    {"AF_NETLINK", 16},
    {"AF_PACKET", 17},
    {"AF_BLUETOOTH", 31},
    {"AF_ALG", 38},
    {"SOCK_STREAM", 1},
    {"SOCK_DGRAM", 2},
    {"SOCK_RAW", 3},
    {"SOCK_SEQPACKET", 5},
    {"NETLINK_ROUTE", 0},
    {"NETLINK_AUDIT", 9},
    {"NETLINK_KOBJECT_UEVENT", 15},
    {"TIOCSTI", 0x5412},
    {"TIOCLINUX", 0x541c},
    {"TIOCSCTTY", 0x540e},
    {"TIOCSETD", 0x5423},
    {"S_ISUID", 04000},
    {"S_ISGID", 02000},
    {"S_IFREG", 0100000},
    {"S_IFCHR", 020000},
    {"S_IFBLK", 060000},
    {"S_IFIFO", 010000},
    {"S_IFSOCK", 0140000},
    {"O_CREAT", 0100},
    {"PR_SET_NAME", 15},
    {"PR_GET_NAME", 16},
    {"PR_SET_DUMPABLE", 4},
    {"PR_SET_NO_NEW_PRIVS", 38},
    {"PR_CAP_AMBIENT", 47},
    {"CLONE_NEWNS", 0x20000},
    {"CLONE_NEWUSER", 0x10000000},
    {"PF_UNIX", 1},
    {"PF_INET", 2},
    {"PF_INET6", 10},
};

static int parse_value(const char *s, uint64_t *ret)
{
    if (SN_STREQ(s, "u:root") || SN_STREQ(s, "g:root")) {
        *ret = 0;
        return 0;
    }
    if (sn_startswith(s, "0x") && s[2]) {
        uint64_t v = 0;
        for (const char *p = s + 2; *p; p++) {
            int d = (*p >= '0' && *p <= '9')   ? *p - '0'
                    : (*p >= 'a' && *p <= 'f') ? *p - 'a' + 10
                    : (*p >= 'A' && *p <= 'F') ? *p - 'A' + 10
                                               : -1;
            if (d < 0 || v > (UINT64_MAX >> 4))
                return -EINVAL;
            v = (v << 4) | (uint64_t)d;
        }
        *ret = v;
        return 0;
    }
    if (s[0] >= '0' && s[0] <= '9')
        return sn_parse_u64(s, ret);
    for (size_t i = 0; i < SN_ELEMENTSOF(symbols); i++)
        if (SN_STREQ(symbols[i].name, s)) {
            *ret = symbols[i].value;
            return 0;
        }
    return -EINVAL;
}

static int parse_arg(const char *tok, unsigned arg, bool is_ioctl_request, struct scmp_arg_cmp *ret, bool *ret_any)
{
    enum scmp_compare op = SCMP_CMP_EQ;
    const char *v = tok;
    uint64_t a = 0, b = 0;
    *ret_any = false;
    if (SN_STREQ(tok, "-")) {
        *ret_any = true;
        return 0;
    }
    const char *bar = strchr(tok, '|');
    if (bar) {
        if (bar == tok) {
            if (parse_value(tok + 1, &a) < 0)
                return -EINVAL;
            *ret = (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, a, a};
            return 0;
        }
        _sn_free_ char *mask = strndup(tok, (size_t)(bar - tok));
        if (!mask)
            return -ENOMEM;
        if (parse_value(mask, &a) < 0 || parse_value(bar + 1, &b) < 0)
            return -EINVAL;
        *ret = (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, a, b};
        return 0;
    }
    if (sn_startswith(tok, "!"))
        op = SCMP_CMP_NE, v = tok + 1;
    else if (sn_startswith(tok, "<="))
        op = SCMP_CMP_LE, v = tok + 2;
    else if (sn_startswith(tok, ">="))
        op = SCMP_CMP_GE, v = tok + 2;
    else if (sn_startswith(tok, "<"))
        op = SCMP_CMP_LT, v = tok + 1;
    else if (sn_startswith(tok, ">"))
        op = SCMP_CMP_GT, v = tok + 1;
    if (parse_value(v, &a) < 0)
        return -EINVAL;
    if (is_ioctl_request && op == SCMP_CMP_EQ) {
        /* The kernel uses only the low 32 bits of the request: so must the filter. */
        *ret = (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, 0xffffffffu, a & 0xffffffffu};
        return 0;
    }
    if (is_ioctl_request)
        return -EINVAL;
    *ret = (struct scmp_arg_cmp){arg, op, a, 0};
    return 0;
}

static int export(scmp_filter_ctx ctx, void **ret, size_t *ret_n, const char *what, SnError **reterr)
{
    _sn_close_ int fd = memfd_create("sn-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "seccomp: cannot create a memfd");
    int r = seccomp_export_bpf(ctx, fd);
    if (r < 0)
        return sn_error_set(reterr, r, "seccomp: cannot export the %s filter", what);
    if (lseek(fd, 0, SEEK_SET) < 0)
        return sn_negative_errno();
    _sn_free_ char *data = NULL;
    size_t len = 0;
    r = sn_read_fd_all(fd, (size_t)SN_POLICY_BLOB_MAX_BPF_INSNS * sizeof(struct sock_filter), &data, &len);
    if (r == -EFBIG || (r >= 0 && len / sizeof(struct sock_filter) > SN_POLICY_BLOB_MAX_BPF_INSNS))
        return sn_error_set(reterr, -E2BIG, "seccomp: the %s filter is longer than %u instructions", what,
                            SN_POLICY_BLOB_MAX_BPF_INSNS);
    if (r < 0)
        return sn_error_set(reterr, r, "seccomp: cannot read the %s filter", what);
    if (len == 0 || len % sizeof(struct sock_filter) != 0)
        return sn_error_set(reterr, -EIO, "seccomp: the %s filter has a bad size %zu", what, len);
    *ret_n = len / sizeof(struct sock_filter);
    *ret = SN_TAKE_PTR(data);
    return 0;
}

static void release(scmp_filter_ctx *ctx)
{
    if (*ctx)
        seccomp_release(*ctx);
}

static int add_compat_arch(scmp_filter_ctx ctx)
{
    uint32_t native = seccomp_arch_native();
    uint32_t compat = native == SCMP_ARCH_X86_64 ? SCMP_ARCH_X86 : native == SCMP_ARCH_AARCH64 ? SCMP_ARCH_ARM : 0;
    if (!compat)
        return 0;
    int r = seccomp_arch_add(ctx, compat);
    return r == -EEXIST ? 0 : r;
}

int sn_seccomp_compile(const char *source, SnSeccompProgram *ret, SnError **reterr)
{
    bool complain = false, unrestricted = false;
    /* A first pass for the directives, which decide the allow filter's default. */
    for (const char *p = source; p && *p;) {
        const char *end = strchrnul(p, '\n');
        if (sn_startswith(p, "@complain"))
            complain = true;
        if (sn_startswith(p, "@unrestricted"))
            unrestricted = true;
        p = *end ? end + 1 : end;
    }
    if (unrestricted) {
        *ret = (SnSeccompProgram){.unrestricted = true};
        return 0;
    }
    __attribute__((cleanup(release))) scmp_filter_ctx allow =
        seccomp_init(complain ? SCMP_ACT_LOG : SCMP_ACT_ERRNO(EPERM));
    __attribute__((cleanup(release))) scmp_filter_ctx deny = seccomp_init(SCMP_ACT_ALLOW);
    if (!allow || !deny)
        return -ENOMEM;
    int r;
    /* Binary-tree dispatch on the syscall number (libseccomp's optimisation level 2) instead of a linear
     * chain: the kernel's load-time cache pass emulates the filter once per syscall number and
     * architecture, and every syscall the app makes runs it, so both cost O(log n) instead of O(n). */
    if ((r = seccomp_attr_set(allow, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
        (r = seccomp_attr_set(deny, SCMP_FLTATR_CTL_NNP, 0)) < 0 ||
        (r = seccomp_attr_set(allow, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 ||
        (r = seccomp_attr_set(deny, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0 || (r = add_compat_arch(allow)) < 0 ||
        (r = add_compat_arch(deny)) < 0)
        return sn_error_set(reterr, r, "seccomp: cannot set up the filters");

    int lineno = 0;
    for (const char *p = source; p && *p;) {
        const char *end = strchrnul(p, '\n');
        lineno++;
        _sn_free_ char *line = strndup(p, (size_t)(end - p));
        p = *end ? end + 1 : end;
        if (!line)
            return -ENOMEM;
        char *save = NULL;
        char *name = strtok_r(line, " \t", &save);
        if (!name || name[0] == '#' || name[0] == '@')
            continue;
        bool is_deny = name[0] == '~';
        if (is_deny)
            name++;
        int nr = seccomp_syscall_resolve_name(name);
        struct scmp_arg_cmp cmps[6];
        unsigned n = 0, argi = 0;
        for (char *tok = strtok_r(NULL, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save), argi++) {
            if (argi >= 6)
                return sn_error_set_at(reterr, -EINVAL, lineno, "seccomp line %d: more than 6 arguments", lineno);
            bool any = false;
            r = parse_arg(tok, argi, SN_STREQ(name, "ioctl") && argi == 1, &cmps[n], &any);
            if (r < 0)
                return sn_error_set_at(reterr, r, lineno, "seccomp line %d: invalid argument \"%s\"", lineno, tok);
            if (!any)
                n++;
        }
        if (nr == __NR_SCMP_ERROR)
            continue; /* unknown here: skipped, as snapd does */
        r = seccomp_rule_add_array(is_deny ? deny : allow, is_deny ? SCMP_ACT_ERRNO(EACCES) : SCMP_ACT_ALLOW, nr, n,
                                   cmps);
        /* -EACCES from libseccomp: the rule equals the filter's default action (nothing to add). */
        if (r < 0 && r != -EACCES)
            return sn_error_set_at(reterr, r, lineno, "seccomp line %d: cannot add the rule for %s", lineno, name);
    }
    SnSeccompProgram out = {.complain = complain};
    r = export(deny, &out.deny, &out.n_deny, "deny", reterr);
    if (r < 0)
        return r;
    r = export(allow, &out.allow, &out.n_allow, "allow", reterr);
    if (r < 0) {
        sn_seccomp_program_done(&out);
        return r;
    }
    *ret = out;
    return 0;
}

void sn_seccomp_program_done(SnSeccompProgram *p)
{
    free(p->deny);
    free(p->allow);
    *p = (SnSeccompProgram){0};
}
