/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "seccomp-compile.h"

/* Loads p in a child (deny, then allow, as snap-confine does), runs probe there; returns its exit status. */
static int run_confined(const SnSeccompProgram *p, int (*probe)(void))
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
            _exit(100);
        struct sock_fprog deny = {.len = (unsigned short)p->n_deny, .filter = p->deny};
        struct sock_fprog allow = {.len = (unsigned short)p->n_allow, .filter = p->allow};
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &deny) < 0 ||
            syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &allow) < 0)
            _exit(101);
        _exit(probe());
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "child died by signal %d", WTERMSIG(status));
    return WEXITSTATUS(status);
}

static SnSeccompProgram compile_default(void)
{
    SnSeccompProgram p = {0};
    SnError *err = NULL;
    int r = sn_seccomp_compile(sn_seccomp_default_template, &p, &err);
    cr_assert_eq(r, 0, "%s", err ? err->message : "");
    cr_assert_gt(p.n_allow, 0);
    cr_assert_gt(p.n_deny, 0);
    return p;
}

static int errno_of(long r)
{
    return r < 0 ? errno : 0;
}

static int probe_tiocsti(void)
{
    int fd = open("/dev/null", O_RDONLY);
    char c = 'x';
    /* The high bits set: the kernel ignores them, so must the filter (CVE-2019-7303). */
    if (errno_of(syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI | (1UL << 32), &c)) != EACCES)
        return 1;
    if (errno_of(syscall(SYS_ioctl, fd, (unsigned long)TIOCSTI, &c)) != EACCES)
        return 2;
    if (errno_of(syscall(SYS_ioctl, fd, (unsigned long)TIOCLINUX | (1UL << 40), &c)) != EACCES)
        return 3;
    /* Other ioctls still reach the kernel (ENOTTY from /dev/null, not EPERM or EACCES). */
    if (errno_of(syscall(SYS_ioctl, fd, (unsigned long)TCGETS, &c)) != ENOTTY)
        return 4;
    return 0;
}

Test(seccomp_compile, cve_2019_7303_tiocsti_with_high_bits_is_denied)
{
    SnSeccompProgram p = compile_default();
    cr_assert_eq(run_confined(&p, probe_tiocsti), 0);
    sn_seccomp_program_done(&p);
}

static int probe_not_listed(void)
{
    if (errno_of(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL)) != EPERM)
        return 1;
    if (errno_of(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0)) != EPERM)
        return 2;
    if (errno_of(syscall(SYS_keyctl, 0, 0, 0, 0, 0)) != EPERM)
        return 3;
    if (errno_of(syscall(SYS_unshare, 0x20000)) != EPERM)
        return 4;
    if (errno_of(syscall(SYS_init_module, NULL, 0, "")) != EPERM)
        return 5;
    if (syscall(SYS_getpid) <= 0)
        return 6;
    return 0;
}

Test(seccomp_compile, unlisted_syscalls_fail_with_eperm)
{
    SnSeccompProgram p = compile_default();
    cr_assert_eq(run_confined(&p, probe_not_listed), 0);
    sn_seccomp_program_done(&p);
}

static int probe_setuid_file(void)
{
    char path[] = "/tmp/sn-seccomp-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return 10;
    int e1 = errno_of(syscall(SYS_chmod, path, 04755));
    int e2 = errno_of(syscall(SYS_fchmodat, AT_FDCWD, path, 02755, 0));
    int e3 = errno_of(syscall(SYS_chmod, path, 0644));
    unlink(path);
    if (e1 != EACCES)
        return 1;
    if (e2 != EACCES)
        return 2;
    return e3 == 0 ? 0 : 3;
}

Test(seccomp_compile, setuid_and_setgid_bits_are_denied)
{
    SnSeccompProgram p = compile_default();
    cr_assert_eq(run_confined(&p, probe_setuid_file), 0);
    sn_seccomp_program_done(&p);
}

static int probe_args(void)
{
    /* "socket AF_UNIX" and "socket AF_INET" only: AF_PACKET is refused with EPERM. */
    long s = syscall(SYS_socket, 1 /* AF_UNIX */, 1, 0);
    if (s < 0)
        return 1;
    close((int)s);
    if (errno_of(syscall(SYS_socket, 17 /* AF_PACKET */, 3, 0)) != EPERM)
        return 2;
    return 0;
}

Test(seccomp_compile, argument_filters_apply)
{
    SnSeccompProgram p = compile_default();
    cr_assert_eq(run_confined(&p, probe_args), 0);
    sn_seccomp_program_done(&p);
}

static int probe_custom(void)
{
    if (errno_of(syscall(SYS_getppid)) != EACCES)
        return 1;
    if (errno_of(syscall(SYS_sched_yield)) != EPERM)
        return 2;
    if (errno_of(syscall(SYS_umask, 022)) != 0)
        return 3;
    if (errno_of(syscall(SYS_umask, 077)) != EPERM)
        return 4;
    return 0;
}

Test(seccomp_compile, compiles_snapd_syntax_with_comparisons)
{
    const char *src =
        "# comment\n"
        "\n"
        "exit_group\nexit\nrt_sigreturn\n"
        "# what sanitizer runtimes use in the child\nwrite\nmmap\nmunmap\nmadvise\nmprotect\nsigaltstack\n"
        "rt_sigaction\nrt_sigprocmask\nprctl\nopen\nopenat\nread\nclose\nfstat\nnewfstatat\ngetpid\ngettid\n"
        "getppid\n~getppid\n"
        "umask <=0x12\n"
        "no_such_syscall_here 1 2\n";
    SnSeccompProgram p = {0};
    cr_assert_eq(sn_seccomp_compile(src, &p, NULL), 0);
    cr_assert_eq(run_confined(&p, probe_custom), 0);
    sn_seccomp_program_done(&p);
}

Test(seccomp_compile, directives)
{
    SnSeccompProgram p = {0};
    cr_assert_eq(sn_seccomp_compile("@unrestricted\nread\n", &p, NULL), 0);
    cr_assert(p.unrestricted);
    cr_assert_null(p.allow);
    cr_assert_eq(sn_seccomp_compile("@complain\nread\n", &p, NULL), 0);
    cr_assert(p.complain);
    cr_assert_not_null(p.allow);
    sn_seccomp_program_done(&p);
}

Test(seccomp_compile, reports_bad_lines_with_their_number)
{
    const char *bad[] = {"read\nwrite NOT_A_SYMBOL\n", "read\nwrite 1 2 3 4 5 6 7\n", "read\nioctl - <5\n",
                         "read\nwrite u:nobody\n", "read\nwrite 0xzz\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        SnSeccompProgram p = {0};
        SnError *err = NULL;
        cr_assert_eq(sn_seccomp_compile(bad[i], &p, &err), -EINVAL, "case %zu", i);
        cr_assert_eq(err->line, 2, "case %zu: line %d", i, err->line);
        sn_error_free(err);
    }
}

/*
 * A classic-BPF interpreter for the instructions libseccomp emits, counting the instructions one
 * syscall executes. Returns the filter's return value, or 0xdeadbeef for an instruction it does not know.
 */
static uint32_t bpf_run(const struct sock_filter *f, size_t n, const struct seccomp_data *d, unsigned *ret_steps)
{
    uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {0};
    unsigned steps = 0;
    for (size_t pc = 0; pc < n; pc++) {
        const struct sock_filter *i = &f[pc];
        steps++;
        switch (i->code) {
        case BPF_LD | BPF_W | BPF_ABS:
            if (i->k + 4 > sizeof(*d))
                return 0xdeadbeef;
            memcpy(&a, (const char *)d + i->k, 4);
            break;
        case BPF_LD | BPF_MEM:
            a = mem[i->k % BPF_MEMWORDS];
            break;
        case BPF_LDX | BPF_MEM:
            x = mem[i->k % BPF_MEMWORDS];
            break;
        case BPF_ST:
            mem[i->k % BPF_MEMWORDS] = a;
            break;
        case BPF_STX:
            mem[i->k % BPF_MEMWORDS] = x;
            break;
        case BPF_ALU | BPF_AND | BPF_K:
            a &= i->k;
            break;
        case BPF_MISC | BPF_TAX:
            x = a;
            break;
        case BPF_MISC | BPF_TXA:
            a = x;
            break;
        case BPF_JMP | BPF_JA:
            pc += i->k;
            break;
        case BPF_JMP | BPF_JEQ | BPF_K:
            pc += a == i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JGT | BPF_K:
            pc += a > i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JGE | BPF_K:
            pc += a >= i->k ? i->jt : i->jf;
            break;
        case BPF_JMP | BPF_JSET | BPF_K:
            pc += (a & i->k) ? i->jt : i->jf;
            break;
        case BPF_RET | BPF_K:
            *ret_steps = steps;
            return i->k;
        default:
            return 0xdeadbeef;
        }
    }
    return 0xdeadbeef;
}

/*
 * The filters dispatch on the syscall number through a binary tree, not a linear chain: the kernel
 * emulates the filter for every syscall number when it loads it (its action cache), and every
 * syscall of the app runs it, so a chain of hundreds of compares cost snap-confine ~0.5 ms a launch.
 */
Test(seccomp_compile, dispatch_is_logarithmic_for_every_syscall)
{
    SnSeccompProgram p = compile_default();
    unsigned worst_allow = 0, worst_deny = 0;
    for (int nr = 0; nr < 500; nr++) {
        struct seccomp_data d = {.nr = nr, .arch = AUDIT_ARCH_X86_64};
        unsigned steps = 0;
        uint32_t r = bpf_run(p.allow, p.n_allow, &d, &steps);
        cr_assert_neq(r, 0xdeadbeef, "syscall %d: the allow filter has an instruction the interpreter lacks", nr);
        worst_allow = steps > worst_allow ? steps : worst_allow;
        r = bpf_run(p.deny, p.n_deny, &d, &steps);
        cr_assert_neq(r, 0xdeadbeef, "syscall %d: the deny filter has an instruction the interpreter lacks", nr);
        worst_deny = steps > worst_deny ? steps : worst_deny;
    }
    /* The interpreter agrees with the kernel on what it decides: read is allowed, an unknown number is EPERM. */
    unsigned steps = 0;
    struct seccomp_data rd = {.nr = SYS_read, .arch = AUDIT_ARCH_X86_64};
    cr_assert_eq(bpf_run(p.allow, p.n_allow, &rd, &steps), SECCOMP_RET_ALLOW);
    struct seccomp_data unk = {.nr = 499, .arch = AUDIT_ARCH_X86_64};
    cr_assert_eq(bpf_run(p.allow, p.n_allow, &unk, &steps), SECCOMP_RET_ERRNO | EPERM);
    /* A linear chain over the template's ~300 syscalls takes hundreds of steps for the last ones. */
    cr_assert_lt(worst_allow, 64, "allow filter: %u instructions for one syscall (of %zu)", worst_allow, p.n_allow);
    cr_assert_lt(worst_deny, 64, "deny filter: %u instructions for one syscall (of %zu)", worst_deny, p.n_deny);
    sn_seccomp_program_done(&p);
}
