/* SPDX-License-Identifier: GPL-3.0-only */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
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
