/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Statically linked checks for the interface tasks, run confined (busybox has no such tools):
 *   dev PATH         open a device node read-write: exit 0 unless the sandbox refused (EPERM/EACCES);
 *                    a driver's own error (ENXIO, EIO: no such hardware) means the sandbox let it through
 *   connect PORT     TCP connect to 127.0.0.1:PORT
 *   bind PORT        TCP bind to 127.0.0.1:PORT and listen
 * Prints the errno name on failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int fail(const char *what)
{
    int e = errno;
    printf("%s: %s (errno %d)\n", what, strerror(e), e);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    if (!strcmp(argv[1], "dev")) {
        int fd = open(argv[2], O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
            printf("opened\n");
            return 0;
        }
        if (errno == EPERM || errno == EACCES)
            return fail("open");
        printf("opened past the sandbox: %s\n", strerror(errno));
        return 0;
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return fail("socket");
    if (!strcmp(argv[1], "connect"))
        return connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? fail("connect") : (printf("connected\n"), 0);
    if (!strcmp(argv[1], "bind"))
        return bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0 ? fail("bind")
                                                                                 : (printf("bound\n"), 0);
    return 2;
}
