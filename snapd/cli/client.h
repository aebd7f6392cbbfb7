/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * A small HTTP/1.1 client for snapd's REST API on $SNAPPY_GLOBAL_ROOT/run/snapd.socket.
 *
 * One connection per request: the request is written here, the response is parsed by http-parser
 * and JSON is decoded with jansson. Responses are checked against snapd's envelope (sync, async,
 * error); an error envelope is kept on the client (sn_client_last_error()) so that a verb can turn
 * its kind into snapd's CLI wording (sn_client_error_message()).
 *
 * Error codes returned by the functions below:
 *   -ECONNREFUSED, -ENOENT, ... : the daemon could not be reached; the message starts with snapd's
 *                                 "cannot communicate with server: ".
 *   -ETIMEDOUT                  : no full response within the request's timeout.
 *   -EREMOTEIO                  : the daemon answered with an error envelope; the message is the
 *                                 envelope's "message" and sn_client_last_error() has the rest.
 *   -EBADMSG                    : the answer is not what snapd sends (not JSON, wrong type, ...).
 *   -ENOMEM, -EFBIG (a response body over SN_CLIENT_MAX_BODY), and -errno of local files.
 */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* The largest response body the client accepts (assertion streams are the largest answers). */
#define SN_CLIENT_MAX_BODY (64U << 20)
/* snapd's doTimeout: a request (all its GET retries included) gives up after this long. */
#define SN_CLIENT_DEFAULT_TIMEOUT_MS 120000
/* snapd's doRetry: a GET whose connection is refused is tried again this often. */
#define SN_CLIENT_RETRY_MS 250

typedef struct SnClient SnClient;

/* The error envelope of the last request (or NULL when the last request did not fail that way). */
typedef struct SnClientApiError {
    int status;    /* HTTP status */
    char *kind;    /* "" when the daemon sent no kind */
    char *message; /* never NULL */
    json_t *value; /* NULL when absent */
} SnClientApiError;

/*
 * Creates a client for socket_path, or (socket_path NULL) for $SNAPPY_GLOBAL_ROOT/run/snapd.socket
 * ("/run/snapd.socket" when the variable is unset or empty). Nothing is connected yet.
 * Returns 0 or -ENOMEM / -ENAMETOOLONG (the path does not fit in a sockaddr_un).
 */
int sn_client_new(const char *socket_path, SnClient **ret);
/* Frees the client. Accepts NULL; returns NULL. */
SnClient *sn_client_free(SnClient *c);
SN_DEFINE_CLEANUP_FUNC(SnClient *, sn_client_free)

/* The socket path the client dials (owned by the client). */
const char *sn_client_socket_path(const SnClient *c);

/*
 * Whether requests carry "X-Allow-Interaction: true" (snapd's CLI sets it when stdin is a
 * terminal, so that polkit may ask). Off by default.
 */
void sn_client_set_interactive(SnClient *c, bool interactive);

/*
 * Produces the next bytes of a streamed request body into buf (at most len). Returns the count
 * (> 0), 0 at the end of the body, or -errno.
 */
typedef ssize_t (*SnClientBodyRead)(void *userdata, void *buf, size_t len);

typedef struct SnClientRequest {
    const char *method;       /* "GET", "POST", "PUT" */
    const char *path;         /* "/v2/snaps/hello" (already escaped) */
    const char *query;        /* "select=all" (already escaped, no '?'), or NULL */
    const char *content_type; /* or NULL (no body) */
    /* A body in memory ... */
    const void *body;
    size_t body_len;
    /* ... or streamed: exactly body_size bytes produced by body_read (body must be NULL then). */
    SnClientBodyRead body_read;
    void *body_userdata;
    uint64_t body_size;
    /* 0: SN_CLIENT_DEFAULT_TIMEOUT_MS; < 0: none (sideloads, as snapd's doNoTimeoutAndRetry). */
    int64_t timeout_ms;
    /*
     * A streamed answer (GET /v2/logs?follow=true): when set, the body of a 200 response goes to
     * on_body piece by piece as it arrives, not into the response (whose body is then ""), until
     * the server ends it; on_body returning < 0 stops reading and is the request's result. Other
     * statuses are read whole as usual.
     */
    int (*on_body)(void *userdata, const char *data, size_t len);
    void *on_body_userdata;
} SnClientRequest;

typedef struct SnClientResponse {
    int status;         /* HTTP status */
    char *content_type; /* NULL when the response had none */
    char *body;         /* NUL-terminated; never NULL after success */
    size_t body_len;
} SnClientResponse;

/* Frees the contents of r. */
void sn_client_response_done(SnClientResponse *r);

/*
 * Sends one request and reads its whole response into *ret (written only on success; free it
 * with sn_client_response_done()). A GET whose connection is refused (a daemon restarting behind
 * its socket) is retried every SN_CLIENT_RETRY_MS until the timeout, as snapd's client does; a
 * missing socket fails at once. Any HTTP status is a success here.
 */
int sn_client_do(SnClient *c, const SnClientRequest *req, SnClientResponse *ret, SnError **reterr);

/*
 * Decodes rsp as snapd's JSON envelope. Records the envelope's "maintenance" on the client. For an
 * error envelope, records it (sn_client_last_error()) and returns -EREMOTEIO with its message.
 * Otherwise returns 0 and the whole envelope in *ret_envelope (caller decrefs).
 */
int sn_client_decode(SnClient *c, const SnClientResponse *rsp, json_t **ret_envelope, SnError **reterr);

/*
 * A request expecting a "sync" answer. body (borrowed, may be NULL) is sent as JSON. On success
 * *ret_result holds a new reference to "result" (JSON null when absent); ret_result may be NULL.
 */
int sn_client_sync(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                   json_t **ret_result, SnError **reterr);

/*
 * A request expecting an "async" answer (202, a non-empty "change"): *ret_change is the change id
 * (caller frees). Anything else is -EBADMSG "operation not accepted" as in snapd's client.
 */
int sn_client_async(SnClient *c, const char *method, const char *path, const char *query, json_t *body,
                    char **ret_change, SnError **reterr);
/* The same for a prepared request (a streamed body). */
int sn_client_async_request(SnClient *c, const SnClientRequest *req, char **ret_change, SnError **reterr);

/* The error envelope of the last request, or NULL. Owned by the client, valid until the next request. */
const SnClientApiError *sn_client_last_error(const SnClient *c);
/* The "maintenance" object of the last envelope (a restart is pending), or NULL. Borrowed. */
json_t *sn_client_maintenance(const SnClient *c);

/*
 * Percent-escapes s for a query value or a path segment (RFC 3986 unreserved characters are kept).
 * Returns a new string or NULL on allocation failure.
 */
char *sn_client_escape(const char *s);

/*
 * snapd's wording of an error envelope for the command line (cmd/snapd/cli errorToCmdMessage):
 * snap_name is the snap the verb was about (may be NULL), op the verb ("install", "remove", ...,
 * may be NULL), revision / channel what was asked for (may be NULL). *ret_is_error is false for
 * the kinds snapd reports as a plain message with success (snap-no-update-available, and
 * snap-not-installed for remove). Returns a new string (caller frees) or NULL on allocation failure.
 */
char *sn_client_error_message(const SnClientApiError *e, const char *snap_name, const char *op, const char *revision,
                              const char *channel, bool *ret_is_error);

/* Options of a sideload (snapd's multipart form fields; only true booleans are sent). */
typedef struct SnSideloadOptions {
    const char *name; /* instance name, or NULL */
    bool dangerous, devmode, classic, jailmode, unaliased, prefer, ignore_running;
    const char *transaction; /* or NULL */
} SnSideloadOptions;

/*
 * A multipart/form-data sideload body, streamed: the form fields, then the snap file read in chunks
 * (never whole into memory), then the closing boundary. Built by sn_sideload_body_open().
 */
typedef struct SnSideloadBody SnSideloadBody;

/*
 * Opens path and prepares the body of `snap install [--dangerous] PATH` as snapd's client sends it:
 * fields action=install, name (when set), snap-path=<path as given>, the true booleans, and one file
 * part named "snap" with the file's basename. boundary may be NULL (a random one is made).
 * Returns 0 or -errno (with the path in the message).
 */
int sn_sideload_body_open(const char *path, const SnSideloadOptions *opts, const char *boundary, SnSideloadBody **ret,
                          SnError **reterr);
SnSideloadBody *sn_sideload_body_free(SnSideloadBody *b);
SN_DEFINE_CLEANUP_FUNC(SnSideloadBody *, sn_sideload_body_free)
/* The body's exact size in bytes, and its Content-Type ("multipart/form-data; boundary=..."). */
uint64_t sn_sideload_body_size(const SnSideloadBody *b);
const char *sn_sideload_body_content_type(const SnSideloadBody *b);
/* An SnClientBodyRead over the body (userdata is the SnSideloadBody). -EIO if the file shrank. */
ssize_t sn_sideload_body_read(void *userdata, void *buf, size_t len);

/* POST /v2/snaps with the sideload body of path. *ret_change is the change id. */
int sn_client_install_path(SnClient *c, const char *path, const SnSideloadOptions *opts, char **ret_change,
                           SnError **reterr);
