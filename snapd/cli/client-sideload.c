/* SPDX-License-Identifier: GPL-3.0-only */
/* The multipart body of a sideload (POST /v2/snaps with a snap file), streamed from the file, and its request. */
#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client-internal.h"
#include "fd-util.h"
#include "strutil.h"

/* ---- multipart sideload ---- */

struct SnSideloadBody {
    int fd;
    uint64_t file_size;
    uint64_t file_left;
    char *head; /* form fields and the file part's headers */
    size_t head_len, head_off;
    char *tail; /* "\r\n--boundary--\r\n" */
    size_t tail_len, tail_off;
    char *content_type;
};

SnSideloadBody *sn_sideload_body_free(SnSideloadBody *b)
{
    if (b) {
        sn_safe_close(b->fd);
        free(b->head);
        free(b->tail);
        free(b->content_type);
        free(b);
    }
    return NULL;
}

uint64_t sn_sideload_body_size(const SnSideloadBody *b)
{
    return b->head_len + b->file_size + b->tail_len;
}

const char *sn_sideload_body_content_type(const SnSideloadBody *b)
{
    return b->content_type;
}

static void form_field(SnBuf *b, const char *boundary, const char *name, const char *value)
{
    sn_buf_printf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", boundary, name, value);
}

/* Quotes a filename as Go's mime/multipart does (backslash and double quote escaped). */
static void quoted_filename(SnBuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            sn_buf_putc(b, '\\');
        sn_buf_putc(b, *s);
    }
}

int sn_sideload_body_open(const char *path, const SnSideloadOptions *opts, const char *boundary, SnSideloadBody **ret,
                          SnError **reterr)
{
    static const SnSideloadOptions none = {0};
    if (!opts)
        opts = &none;
    char rnd[61];
    if (!boundary) {
        uint8_t bytes[30];
        if (getrandom(bytes, sizeof(bytes), 0) != (ssize_t)sizeof(bytes))
            return sn_error_set(reterr, -EIO, "cannot make a multipart boundary");
        for (size_t i = 0; i < sizeof(bytes); i++)
            snprintf(rnd + 2 * i, 3, "%02x", bytes[i]);
        boundary = rnd;
    }
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = calloc(1, sizeof(*b));
    if (!b)
        return -ENOMEM;
    b->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (b->fd < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot open \"%s\": %m", path);
    struct stat st;
    if (fstat(b->fd, &st) < 0)
        return sn_error_set(reterr, sn_negative_errno(), "cannot stat \"%s\": %m", path);
    if (!S_ISREG(st.st_mode))
        return sn_error_set(reterr, -EINVAL, "cannot install \"%s\": not a regular file", path);
    b->file_size = b->file_left = (uint64_t)st.st_size;

    SnBuf h = {0};
    form_field(&h, boundary, "action", "install");
    if (opts->name)
        form_field(&h, boundary, "name", opts->name);
    form_field(&h, boundary, "snap-path", path);
    const struct {
        const char *name;
        bool on;
    } flags[] = {
        {"devmode", opts->devmode},
        {"classic", opts->classic},
        {"jailmode", opts->jailmode},
        {"dangerous", opts->dangerous},
        {"ignore-running", opts->ignore_running},
        {"unaliased", opts->unaliased},
        {"prefer", opts->prefer},
    };
    for (size_t i = 0; i < SN_ELEMENTSOF(flags); i++)
        if (flags[i].on)
            form_field(&h, boundary, flags[i].name, "true");
    if (opts->transaction)
        form_field(&h, boundary, "transaction", opts->transaction);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    sn_buf_printf(&h, "--%s\r\nContent-Disposition: form-data; name=\"snap\"; filename=\"", boundary);
    quoted_filename(&h, base);
    sn_buf_puts(&h, "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
    if (!sn_buf_ok(&h)) {
        sn_buf_done(&h);
        return -ENOMEM;
    }
    b->head_len = h.len;
    b->head = sn_buf_steal(&h);
    b->tail = sn_strdup_printf("\r\n--%s--\r\n", boundary);
    b->content_type = sn_strdup_printf("multipart/form-data; boundary=%s", boundary);
    if (!b->head || !b->tail || !b->content_type)
        return -ENOMEM;
    b->tail_len = strlen(b->tail);
    *ret = SN_TAKE_PTR(b);
    return 0;
}

ssize_t sn_sideload_body_read(void *userdata, void *buf, size_t len)
{
    SnSideloadBody *b = userdata;
    if (b->head_off < b->head_len) {
        size_t n = SN_MIN(len, b->head_len - b->head_off);
        memcpy(buf, b->head + b->head_off, n);
        b->head_off += n;
        return (ssize_t)n;
    }
    if (b->file_left > 0) {
        size_t want = (size_t)SN_MIN((uint64_t)len, b->file_left);
        ssize_t n;
        do
            n = read(b->fd, buf, want);
        while (n < 0 && errno == EINTR);
        if (n < 0)
            return sn_negative_errno();
        if (n == 0)
            return -EIO; /* the file shrank since it was measured */
        b->file_left -= (uint64_t)n;
        return n;
    }
    if (b->tail_off < b->tail_len) {
        size_t n = SN_MIN(len, b->tail_len - b->tail_off);
        memcpy(buf, b->tail + b->tail_off, n);
        b->tail_off += n;
        return (ssize_t)n;
    }
    return 0;
}

int sn_client_install_path(SnClient *c, const char *path, const SnSideloadOptions *opts, char **ret_change,
                           SnError **reterr)
{
    _sn_cleanup_(sn_sideload_body_freep) SnSideloadBody *b = NULL;
    int r = sn_sideload_body_open(path, opts, NULL, &b, reterr);
    if (r < 0)
        return r;
    SnClientRequest req = {
        .method = "POST",
        .path = "/v2/snaps",
        .content_type = b->content_type,
        .body_read = sn_sideload_body_read,
        .body_userdata = b,
        .body_size = sn_sideload_body_size(b),
        .timeout_ms = -1,
    };
    return sn_client_async_request(c, &req, ret_change, reterr);
}
