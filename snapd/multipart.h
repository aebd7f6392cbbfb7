/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A streaming multipart/form-data parser (RFC 7578 over RFC 2046) for sideloads: the body is fed
 * in pieces as it arrives and each part's content is handed on as it is found, so a 100 MB snap
 * never sits in memory. Part headers are capped at SN_MULTIPART_MAX_HEADERS bytes; only
 * Content-Disposition is read (name and filename parameters, quoted or not).
 *
 * http-parser frames the HTTP request; nothing in Debian parses multipart in C without pulling in
 * a whole HTTP server (libmicrohttpd + GnuTLS: see DESIGN.md), hence this small state machine.
 * Every input is hostile: a missing boundary, oversized headers, a part without a name, or a body
 * that ends before the closing delimiter give -EBADMSG with a message.
 */
#pragma once

#include <stddef.h>

#include "error.h"

#define SN_MULTIPART_MAX_HEADERS 8192U
#define SN_MULTIPART_MAX_BOUNDARY 70U

typedef struct SnMultipartCallbacks {
    /* A part starts: name is its form name, filename NULL for a plain field. < 0 stops the parse. */
    int (*part_begin)(void *userdata, const char *name, const char *filename, SnError **reterr);
    /* Some of its content (any number of calls). */
    int (*part_data)(void *userdata, const char *data, size_t len, SnError **reterr);
    /* It ended. */
    int (*part_end)(void *userdata, SnError **reterr);
} SnMultipartCallbacks;

typedef struct SnMultipart SnMultipart;

/*
 * A parser for a body with the given Content-Type header ("multipart/form-data; boundary=...").
 * -EINVAL when it is not multipart/form-data or has no valid boundary. cb and userdata borrowed.
 */
int sn_multipart_new(const char *content_type, const SnMultipartCallbacks *cb, void *userdata, SnMultipart **ret,
                     SnError **reterr);
SnMultipart *sn_multipart_free(SnMultipart *mp);
SN_DEFINE_CLEANUP_FUNC(SnMultipart *, sn_multipart_free)

/* Feeds the next piece of the body. 0, a callback's error, or -EBADMSG. After an error, stop. */
int sn_multipart_feed(SnMultipart *mp, const char *data, size_t len, SnError **reterr);

/* The body ended: -EBADMSG unless the closing delimiter was seen. */
int sn_multipart_finish(SnMultipart *mp, SnError **reterr);
