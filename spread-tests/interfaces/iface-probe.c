/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * Statically linked checks for the interface tasks, run confined (busybox has no such tools):
 *   dev PATH         open a device node read-write: exit 0 unless the sandbox refused (EPERM/EACCES);
 *                    a driver's own error (ENXIO, EIO: no such hardware) means the sandbox let it through
 *   connect PORT     TCP connect to 127.0.0.1:PORT
 *   bind PORT        TCP bind to 127.0.0.1:PORT and listen
 *   unix PATH        connect to the stream socket at PATH
 *   netlink diag     dump the TCP sockets through NETLINK_INET_DIAG (what ss does), print how many
 *   netlink uevent   open a NETLINK_KOBJECT_UEVENT socket and join the kernel's uevent group
 *   quota PATH       quotactl(Q_GETFMT) on PATH: exit 0 when the kernel answered (ENOTBLK, ENOENT...),
 *                    1 when the sandbox refused (EPERM)
 * Prints the errno name on failure.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/quota.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int fail(const char *what)
{
    int e = errno;
    printf("%s: %s (errno %d)\n", what, strerror(e), e);
    return 1;
}

/* One inet_diag dump of every IPv4 TCP socket; prints the count. */
static int netlink_diag(void)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (s < 0)
        return fail("socket(AF_NETLINK, NETLINK_INET_DIAG)");
    struct {
        struct nlmsghdr nh;
        struct inet_diag_req_v2 req;
    } msg = {
        .nh = {.nlmsg_len = sizeof(msg), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
        .req = {.sdiag_family = AF_INET, .sdiag_protocol = IPPROTO_TCP, .idiag_states = ~0u},
    };
    if (send(s, &msg, sizeof(msg), 0) < 0)
        return fail("send");
    long count = 0;
    static char buf[65536];
    for (;;) {
        ssize_t n = recv(s, buf, sizeof(buf), 0);
        if (n < 0)
            return fail("recv");
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                printf("%ld TCP sockets\n", count);
                return 0;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                errno = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
                return fail("inet_diag dump");
            }
            count++;
        }
    }
}

static int netlink_uevent(void)
{
    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
    if (s < 0)
        return fail("socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT)");
    struct sockaddr_nl a = {.nl_family = AF_NETLINK, .nl_groups = 1};
    if (bind(s, (struct sockaddr *)&a, sizeof(a)) < 0)
        return fail("bind");
    printf("listening for uevents\n");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    const char *verb = argv[1], *arg = argv[2];
    if (!strcmp(verb, "dev")) {
        int fd = open(arg, O_RDWR | O_NOCTTY | O_NONBLOCK);
        if (fd >= 0) {
            printf("opened\n");
            return 0;
        }
        if (errno == EPERM || errno == EACCES)
            return fail("open");
        printf("opened past the sandbox: %s\n", strerror(errno));
        return 0;
    }
    if (!strcmp(verb, "netlink"))
        return !strcmp(arg, "diag") ? netlink_diag() : !strcmp(arg, "uevent") ? netlink_uevent() : 2;
    if (!strcmp(verb, "quota")) {
        char fmt[16];
        if (quotactl((int)((unsigned)Q_GETFMT << SUBCMDSHIFT | USRQUOTA), arg, 0, fmt) == 0) {
            printf("quota format read\n");
            return 0;
        }
        if (errno == EPERM)
            return fail("quotactl");
        printf("quotactl reached the kernel: %s\n", strerror(errno));
        return 0;
    }
    if (!strcmp(verb, "unix")) {
        struct sockaddr_un u = {.sun_family = AF_UNIX};
        if (strlen(arg) >= sizeof(u.sun_path))
            return 2;
        strcpy(u.sun_path, arg);
        int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s < 0)
            return fail("socket(AF_UNIX)");
        return connect(s, (struct sockaddr *)&u, sizeof(u)) < 0 ? fail("connect") : (printf("connected\n"), 0);
    }
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(arg))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0)
        return fail("socket");
    if (!strcmp(verb, "connect"))
        return connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? fail("connect") : (printf("connected\n"), 0);
    if (!strcmp(verb, "bind"))
        return bind(s, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(s, 1) < 0 ? fail("bind")
                                                                                 : (printf("bound\n"), 0);
    return 2;
}
