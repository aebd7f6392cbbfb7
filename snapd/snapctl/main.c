/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * snapctl: the snap-side client of snapd (snapd's cmd/snapctl). Sends its arguments to
 * POST /v2/snapctl on the snap socket with the context id from SNAP_COOKIE (or the legacy
 * SNAP_CONTEXT), then writes the answer's stdout and stderr and exits with its exit code:
 *
 *   snapctl get foo            -> {"context-id": "$SNAP_COOKIE", "args": ["get", "foo"]}
 *
 * The socket is $SNAPPY_GLOBAL_ROOT/run/snapd-snap.socket when that exists (snapd's dirs honour
 * the variable), else /run/snapd-snap.socket. Inside a snap's sandbox snap-confine has removed the
 * variable and /run is the root's own run directory, so it is always /run/snapd-snap.socket there
 * (docs/architecture.md, Test roots). Linked statically: it runs inside base snaps that may have
 * no C library (it is bind-mounted at /usr/lib/snapd/snapctl).
 * Errors: "error: MESSAGE" on stderr and exit status 1, as snapd's snapctl.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fd-util.h"
#include "macros.h"
#include "strutil.h"

#define MAX_RESPONSE (16U * 1024 * 1024)

static int fail(const char *fmt, ...) _sn_printf_(1, 2);
static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("error: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static char *socket_path(void)
{
    const char *root = getenv("SNAPPY_GLOBAL_ROOT");
    if (root && *root && !SN_STREQ(root, "/")) {
        char *p = sn_strdup_printf("%s/run/snapd-snap.socket", root);
        if (p && access(p, F_OK) == 0)
            return p;
        free(p);
    }
    return strdup("/run/snapd-snap.socket");
}

static void write_all_out(int fd, const char *s)
{
    if (s && *s)
        (void)sn_write_all(fd, s, strlen(s));
}

/* The body of an HTTP/1.1 response read to EOF (Content-Length or chunked). */
static int http_body(char *resp, size_t len, int *ret_status, char **ret_body)
{
    char *end = strstr(resp, "\r\n\r\n");
    if (!end || sscanf(resp, "HTTP/1.%*d %d", ret_status) != 1)
        return -EBADMSG;
    *end = '\0';
    char *body = end + 4;
    size_t blen = len - (size_t)(body - resp);
    bool chunked = false;
    for (char *line = strstr(resp, "\r\n"); line; line = strstr(line + 2, "\r\n"))
        if (strncasecmp(line + 2, "Transfer-Encoding:", 18) == 0 && strcasestr(line + 2, "chunked"))
            chunked = true;
    if (!chunked) {
        *ret_body = strndup(body, blen);
        return *ret_body ? 0 : -ENOMEM;
    }
    SnBuf out = {0};
    for (char *p = body; p < body + blen;) {
        char *stop = NULL;
        unsigned long n = strtoul(p, &stop, 16);
        char *crlf = strstr(p, "\r\n");
        if (!crlf || stop == p || n > blen || crlf + 2 + n > body + blen)
            break;
        if (n == 0)
            break;
        sn_buf_append(&out, crlf + 2, n);
        p = crlf + 2 + n + 2;
    }
    if (!sn_buf_ok(&out) || !out.data) {
        sn_buf_done(&out);
        *ret_body = strdup("");
        return *ret_body ? 0 : -ENOMEM;
    }
    *ret_body = sn_buf_steal(&out);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cookie = getenv("SNAP_COOKIE");
    if (!cookie || !*cookie)
        cookie = getenv("SNAP_CONTEXT");
    json_t *args = json_array();
    for (int i = 1; args && i < argc; i++)
        if (json_array_append_new(args, json_string(argv[i])) < 0)
            return fail("out of memory");
    json_t *req = json_pack("{s:s, s:o}", "context-id", cookie ? cookie : "", "args", args);
    _sn_free_ char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    json_decref(req);
    if (!body)
        return fail("out of memory");

    _sn_free_ char *path = socket_path();
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || strlen(path) >= sizeof(sa.sun_path))
        return fail("cannot use the socket path");
    strcpy(sa.sun_path, path);
    _sn_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return fail("cannot communicate with server: dial unix %s: %s", path, strerror(errno));
    _sn_free_ char *head = sn_strdup_printf("POST /v2/snapctl HTTP/1.1\r\nHost: localhost\r\nUser-Agent: snapctl\r\n"
                                            "Content-Type: application/json\r\nX-Snapctl-Features: async\r\n"
                                            "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                                            strlen(body));
    if (!head || sn_write_all(fd, head, strlen(head)) < 0 || sn_write_all(fd, body, strlen(body)) < 0)
        return fail("cannot communicate with server: %s", strerror(errno));
    _sn_free_ char *resp = NULL;
    size_t len = 0;
    int r = sn_read_fd_all(fd, MAX_RESPONSE, &resp, &len);
    if (r < 0)
        return fail("cannot communicate with server: %s", strerror(-r));
    int status = 0;
    _sn_free_ char *payload = NULL;
    if (http_body(resp, len, &status, &payload) < 0)
        return fail("cannot communicate with server: malformed response");
    json_error_t jerr;
    json_t *env = json_loads(payload, 0, &jerr);
    json_t *result = json_object_get(env, "result");
    const char *type = json_string_value(json_object_get(env, "type"));
    if (!type) {
        json_decref(env);
        return fail("cannot decode the server's answer (status %d)", status);
    }
    int code = 0;
    if (SN_STREQ(type, "error")) {
        const char *kind = json_string_value(json_object_get(result, "kind"));
        json_t *value = json_object_get(result, "value");
        if (kind && SN_STREQ(kind, "unsuccessful") && json_is_object(value)) {
            write_all_out(STDOUT_FILENO, json_string_value(json_object_get(value, "stdout")));
            write_all_out(STDERR_FILENO, json_string_value(json_object_get(value, "stderr")));
            json_t *ec = json_object_get(value, "exit-code");
            code = json_is_integer(ec) ? (int)json_integer_value(ec) : 1;
        } else {
            const char *msg = json_string_value(json_object_get(result, "message"));
            code = fail("%s", msg ? msg : "unknown error");
        }
    } else {
        write_all_out(STDOUT_FILENO, json_string_value(json_object_get(result, "stdout")));
        write_all_out(STDERR_FILENO, json_string_value(json_object_get(result, "stderr")));
    }
    json_decref(env);
    return code;
}
