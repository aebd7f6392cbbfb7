/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A probe run ONLY inside the sandbox (as the test user, or confined as root): tries one forbidden
 * operation and prints "OK <what>" when it was refused, "FAIL <what>: ..." when it succeeded.
 * Exit status 0 only when every requested check was refused. Built statically by the task's prepare.
 *   sn-probe mount|ptrace|keyctl|tiocsti|tiocsti-high|tioclinux|setuid FILE|module|read FILE|write FILE
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int refused(const char *what, long r)
{
    if (r < 0) {
        printf("OK %s refused: %s\n", what, strerror(errno));
        return 0;
    }
    printf("FAIL %s succeeded\n", what);
    return 1;
}

static int tty_fd(void)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0)
        fd = open("/dev/ptmx", O_RDWR | O_NOCTTY);
    return fd;
}

int main(int argc, char **argv)
{
    int bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *c = argv[i];
        if (!strcmp(c, "mount")) {
            bad += refused("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
        } else if (!strcmp(c, "ptrace")) {
            pid_t pid = fork();
            if (pid == 0) {
                pause();
                _exit(0);
            }
            bad += refused("ptrace(PTRACE_ATTACH)", ptrace(PTRACE_ATTACH, pid, 0, 0));
            bad += refused("ptrace(PTRACE_ATTACH) of pid 1", ptrace(PTRACE_ATTACH, 1, 0, 0));
            kill(pid, 9);
            waitpid(pid, NULL, 0);
        } else if (!strcmp(c, "keyctl")) {
            bad += refused("add_key", syscall(SYS_add_key, "user", "sn", "x", 1, -3 /* session */));
            bad += refused("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 1));
        } else if (!strcmp(c, "tiocsti") || !strcmp(c, "tiocsti-high") || !strcmp(c, "tioclinux")) {
            int fd = tty_fd();
            char ch = '#';
            unsigned long req = !strcmp(c, "tioclinux") ? TIOCLINUX : TIOCSTI;
            if (!strcmp(c, "tiocsti-high"))
                req |= 1UL << 32;
            if (!strcmp(c, "tioclinux"))
                ch = 2; /* subcode: set selection */
            /* Only the filter's explicit denial counts: the kernel's own EPERM (not our tty) would hide a gap. */
            long r = syscall(SYS_ioctl, fd, req, &ch);
            if (r < 0 && errno == EACCES) {
                printf("OK %s refused by the seccomp filter\n", c);
            } else {
                printf("FAIL %s reached the kernel: %s\n", c, r < 0 ? strerror(errno) : "succeeded");
                bad++;
            }
            close(fd);
        } else if (!strcmp(c, "setuid") && i + 1 < argc) {
            const char *f = argv[++i];
            int fd = open(f, O_WRONLY | O_CREAT | O_TRUNC, 0755);
            if (fd >= 0)
                close(fd);
            bad += refused("chmod u+s", chmod(f, 04755));
            bad += refused("chmod g+s", chmod(f, 02755));
            unlink(f);
        } else if (!strcmp(c, "module")) {
            bad += refused("init_module", syscall(SYS_init_module, "", 0, ""));
            bad += refused("finit_module", syscall(SYS_finit_module, 0, "", 0));
        } else if (!strcmp(c, "read") && i + 1 < argc) {
            const char *f = argv[++i];
            char what[300];
            snprintf(what, sizeof(what), "open(%s, O_RDONLY)", f);
            int fd = open(f, O_RDONLY);
            bad += refused(what, fd);
            if (fd >= 0)
                close(fd);
        } else if (!strcmp(c, "write") && i + 1 < argc) {
            const char *f = argv[++i];
            char what[300];
            snprintf(what, sizeof(what), "open(%s, O_WRONLY|O_CREAT)", f);
            int fd = open(f, O_WRONLY | O_CREAT, 0644);
            bad += refused(what, fd);
            if (fd >= 0)
                close(fd);
        } else {
            printf("FAIL unknown check %s\n", c);
            bad++;
        }
    }
    return bad ? 1 : 0;
}
