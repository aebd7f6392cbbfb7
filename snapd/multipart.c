/* SPDX-License-Identifier: GPL-3.0-only */
#include "multipart.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macros.h"
#include "strutil.h"

typedef enum State {
    ST_PREAMBLE,    /* before the first delimiter */
    ST_AFTER_DELIM, /* right after a delimiter: "--" ends, CRLF starts a part (transport padding allowed) */
    ST_AFTER_DASH,  /* saw one '-' after a delimiter */
    ST_PAD,         /* saw CR after a delimiter (or padding): want LF */
    ST_HEADERS,     /* a part's headers, up to the empty line */
    ST_BODY,        /* a part's content */
    ST_EPILOGUE,    /* after the closing delimiter */
    ST_FAILED,
} State;

struct SnMultipart {
    const SnMultipartCallbacks *cb;
    void *userdata;
    char delim[4 + SN_MULTIPART_MAX_BOUNDARY + 1]; /* "\r\n--" BOUNDARY */
    size_t dlen;
    size_t match; /* bytes of delim matched so far */
    State state;
    SnBuf headers;
};

/* Reads a parameter of a header value (boundary=..., name="..."), unquoting. Caller frees. */
static char *header_param(const char *value, const char *param)
{
    size_t plen = strlen(param);
    for (const char *p = strchr(value, ';'); p; p = strchr(p + 1, ';')) {
        const char *q = p + 1;
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncasecmp(q, param, plen) != 0 || q[plen] != '=')
            continue;
        q += plen + 1;
        if (*q == '"') {
            SnBuf b = {0};
            for (q++; *q && *q != '"'; q++) {
                if (*q == '\\' && q[1])
                    q++;
                sn_buf_putc(&b, *q);
            }
            if (*q != '"') {
                sn_buf_done(&b);
                return NULL;
            }
            return sn_buf_steal(&b);
        }
        size_t n = strcspn(q, "; \t");
        return strndup(q, n);
    }
    return NULL;
}

int sn_multipart_new(const char *content_type, const SnMultipartCallbacks *cb, void *userdata, SnMultipart **ret,
                     SnError **reterr)
{
    if (!content_type || strncasecmp(content_type, "multipart/form-data", strlen("multipart/form-data")) != 0)
        return sn_error_set(reterr, -EINVAL, "unknown content type: %s", content_type ? content_type : "none");
    _sn_free_ char *boundary = header_param(content_type, "boundary");
    if (!boundary || !*boundary || strlen(boundary) > SN_MULTIPART_MAX_BOUNDARY || strpbrk(boundary, "\r\n"))
        return sn_error_set(reterr, -EINVAL, "cannot read POST form: no multipart boundary");
    SnMultipart *mp = calloc(1, sizeof(*mp));
    if (!mp)
        return -ENOMEM;
    mp->cb = cb;
    mp->userdata = userdata;
    mp->dlen = (size_t)snprintf(mp->delim, sizeof(mp->delim), "\r\n--%s", boundary);
    /* The first delimiter may open the body without a CRLF before it: pretend one was there. */
    mp->match = 2;
    mp->state = ST_PREAMBLE;
    *ret = mp;
    return 0;
}

SnMultipart *sn_multipart_free(SnMultipart *mp)
{
    if (mp) {
        sn_buf_done(&mp->headers);
        free(mp);
    }
    return NULL;
}

static int fail(SnMultipart *mp, SnError **reterr, const char *msg)
{
    mp->state = ST_FAILED;
    return sn_error_set(reterr, -EBADMSG, "cannot read POST form: %s", msg);
}

static int parse_headers(SnMultipart *mp, SnError **reterr)
{
    _sn_free_ char *name = NULL, *filename = NULL;
    bool have_disposition = false;
    char *text = mp->headers.data ? mp->headers.data : (char *)"";
    for (char *line = text, *next; *line; line = next) {
        char *eol = strstr(line, "\r\n");
        if (eol) {
            *eol = '\0';
            next = eol + 2;
        } else
            next = line + strlen(line);
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        *colon = '\0';
        if (strcasecmp(line, "Content-Disposition") != 0)
            continue;
        const char *v = colon + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        if (strncasecmp(v, "form-data", strlen("form-data")) != 0)
            return fail(mp, reterr, "part is not form-data");
        have_disposition = true;
        free(name);
        free(filename);
        name = header_param(v, "name");
        filename = header_param(v, "filename");
    }
    if (!have_disposition || !name)
        return fail(mp, reterr, "part without a form name");
    sn_buf_done(&mp->headers);
    int r = mp->cb->part_begin(mp->userdata, name, filename, reterr);
    if (r < 0)
        mp->state = ST_FAILED;
    return r;
}

static int emit(SnMultipart *mp, const char *data, size_t len, SnError **reterr)
{
    if (len == 0 || mp->state != ST_BODY)
        return 0; /* the preamble is dropped */
    int r = mp->cb->part_data(mp->userdata, data, len, reterr);
    if (r < 0)
        mp->state = ST_FAILED;
    return r;
}

/* A whole delimiter matched: the part before it (if any) ends. */
static int delimiter_found(SnMultipart *mp, SnError **reterr)
{
    int r = 0;
    if (mp->state == ST_BODY && (r = mp->cb->part_end(mp->userdata, reterr)) < 0) {
        mp->state = ST_FAILED;
        return r;
    }
    mp->match = 0;
    mp->state = ST_AFTER_DELIM;
    return 0;
}

int sn_multipart_feed(SnMultipart *mp, const char *data, size_t len, SnError **reterr)
{
    const char *p = data, *end = data + len;
    int r;
    while (p < end) {
        switch (mp->state) {
        case ST_FAILED:
            return -EBADMSG;
        case ST_EPILOGUE:
            return 0;
        case ST_PREAMBLE:
        case ST_BODY: {
            if (mp->match > 0) {
                /* A delimiter may have started at the end of the previous piece: go on matching. */
                while (p < end && mp->match < mp->dlen && *p == mp->delim[mp->match]) {
                    mp->match++;
                    p++;
                }
                if (mp->match == mp->dlen) {
                    if ((r = delimiter_found(mp, reterr)) < 0)
                        return r;
                } else if (p < end) {
                    /*
                     * Not a delimiter: what matched was content. A boundary has no CR, so no later
                     * start of a delimiter hides inside it; the current byte is looked at again.
                     */
                    if ((r = emit(mp, mp->delim, mp->match, reterr)) < 0)
                        return r;
                    mp->match = 0;
                }
                break;
            }
            /*
             * Scan for CRs without handing on content at each one (random data has one every 256
             * bytes): the whole run up to a delimiter, or to the end of the piece, goes out at once.
             */
            const char *scan = p;
            for (;;) {
                const char *cr = memchr(scan, '\r', (size_t)(end - scan));
                if (!cr) {
                    r = emit(mp, p, (size_t)(end - p), reterr);
                    p = end;
                    break;
                }
                size_t n = SN_MIN((size_t)(end - cr), mp->dlen);
                if (memcmp(cr, mp->delim, n) != 0) {
                    scan = cr + 1;
                    continue;
                }
                r = emit(mp, p, (size_t)(cr - p), reterr);
                if (r >= 0 && n == mp->dlen) {
                    p = cr + n;
                    r = delimiter_found(mp, reterr);
                } else {
                    mp->match = n; /* the piece ends inside what may be a delimiter */
                    p = end;
                }
                break;
            }
            if (r < 0)
                return r;
            break;
        }
        case ST_AFTER_DELIM:
            if (*p == '-')
                mp->state = ST_AFTER_DASH;
            else if (*p == '\r')
                mp->state = ST_PAD;
            else if (*p != ' ' && *p != '\t')
                return fail(mp, reterr, "malformed delimiter");
            p++;
            break;
        case ST_AFTER_DASH:
            if (*p != '-')
                return fail(mp, reterr, "malformed closing delimiter");
            p++;
            mp->state = ST_EPILOGUE;
            break;
        case ST_PAD:
            if (*p != '\n')
                return fail(mp, reterr, "malformed delimiter");
            p++;
            mp->state = ST_HEADERS;
            break;
        case ST_HEADERS: {
            /* Headers end with an empty line: look for CRLFCRLF across pieces. */
            while (p < end) {
                char c = *p++;
                if (sn_buf_putc(&mp->headers, c) < 0)
                    return -ENOMEM;
                size_t n = mp->headers.len;
                if (n >= 2 && mp->headers.data[n - 2] == '\r' && c == '\n' &&
                    (n == 2 || (n >= 4 && mp->headers.data[n - 4] == '\r' && mp->headers.data[n - 3] == '\n'))) {
                    mp->headers.data[n - 2] = '\0';
                    mp->headers.len = n - 2;
                    mp->state = ST_BODY;
                    if ((r = parse_headers(mp, reterr)) < 0)
                        return r;
                    break;
                }
                if (n > SN_MULTIPART_MAX_HEADERS)
                    return fail(mp, reterr, "part headers too large");
            }
            break;
        }
        }
    }
    return mp->state == ST_FAILED ? -EBADMSG : 0;
}

int sn_multipart_finish(SnMultipart *mp, SnError **reterr)
{
    if (mp->state == ST_FAILED)
        return -EBADMSG;
    if (mp->state != ST_EPILOGUE)
        return fail(mp, reterr, "unexpected end of the body");
    return 0;
}
