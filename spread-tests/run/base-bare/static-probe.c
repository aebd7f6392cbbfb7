/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The app of the base-bare spread task: a statically linked program (the bare base has no C library)
 * that prints what it runs as, its environment, and which of a few paths exist in its root.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    printf("uid=%u euid=%u gid=%u egid=%u\n", (unsigned)getuid(), (unsigned)geteuid(), (unsigned)getgid(),
           (unsigned)getegid());
    for (int i = 1; i < argc; i++)
        printf("arg:[%s]\n", argv[i]);
    for (char **e = environ; *e; e++)
        printf("env:%s\n", *e);
    /* stat, not readdir: the sandbox may forbid listing "/" but not looking a path up. */
    static const char *const paths[] = {"/bin/sh",
                                        "/bin",
                                        "/lib64",
                                        "/usr/bin",
                                        "/usr/lib/snapd/snap-exec",
                                        "/etc/passwd",
                                        "/snap/barehello/x1/bin/probe",
                                        "/tmp",
                                        "/meta/snap.yaml"};
    for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
        struct stat st;
        printf("%s:%s\n", stat(paths[i], &st) == 0 ? "present" : "absent", paths[i]);
    }
    return 0;
}
