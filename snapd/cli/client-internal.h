/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * The client object's insides, shared by client.c (the client, its transport and requests) and
 * client-envelope.c (snapd's envelope, sync and async requests, the CLI wording of error kinds).
 */
#pragma once

#include <stdbool.h>

#include "client.h"

/* A client of snapd's socket (client.h). */
struct SnClient {
    char *socket_path;
    bool interactive;
    SnClientApiError *last_error;
    json_t *maintenance;
};

/* Frees e (NULL accepted) and returns NULL. */
SnClientApiError *sn_client_api_error_free(SnClientApiError *e);
