/* SPDX-License-Identifier: GPL-3.0-only */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "assert-encode.h"
#include "assert-input.h"
#include "cmd-keys.h"
#include "cmd.h"
#include "fd-util.h"
#include "keystore.h"

int sn_cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"update-timestamp", no_argument, NULL, 'u'},
                                         {"chain", no_argument, NULL, 'c'},
                                         {"help", no_argument, NULL, 'h'},
                                         {}};
    const char *key = "default";
    bool update_timestamp = false;
    optind = 0;
    for (int c; (c = getopt_long(argc, argv, "+hk:", opts, NULL)) != -1;) {
        switch (c) {
        case 'h':
            printf("Usage: snap sign [-k <key-name>] [--update-timestamp] [<filename>]\n\n"
                   "Signs an assertion with the given key (default: \"default\"), reading its headers as\n"
                   "a JSON (or YAML) mapping from the file or stdin. The body of the assertion can be\n"
                   "given with a \"body\" pseudo-header.\n");
            return 0;
        case 'k':
            key = optarg;
            break;
        case 'u':
            update_timestamp = true;
            break;
        case 'c':
            return sn_cli_failf("--chain needs the store, which microsnap's sign does not contact");
        default:
            return 1;
        }
    }
    if (argc - optind > 1)
        return sn_cli_failf("too many arguments for command");
    const char *file = optind < argc ? argv[optind] : "-";
    _sn_free_ char *input = NULL;
    size_t len;
    int r = SN_STREQ(file, "-") ? sn_read_fd_all(STDIN_FILENO, 4u << 20, &input, &len)
                                : sn_read_file_at(AT_FDCWD, file, 4u << 20, &input, &len);
    if (r < 0)
        return sn_cli_failf("cannot read assertion input: %s", strerror(-r));

    _sn_cleanup_(sn_error_freep) SnError *err = NULL;
    _sn_cleanup_(sn_assert_value_freep) SnAssertValue *headers = NULL;
    _sn_free_ char *body = NULL;
    r = sn_assert_input_parse(input, len, &headers, &body, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    SnAssertValue *type = sn_assert_value_map_get(headers, "type");
    if (!type)
        return sn_cli_failf("missing assertion type header");
    if (type->kind != SN_ASSERT_VALUE_STRING)
        return sn_cli_failf("assertion type must be a string");
    if (!sn_assert_type_lookup(type->str))
        return sn_cli_failf("invalid assertion type: %s", type->str);
    if (update_timestamp) {
        char now[40];
        sn_assert_format_time((int64_t)time(NULL), now, sizeof(now));
        if (sn_assert_value_map_set_string(headers, "timestamp", now) < 0)
            return sn_cli_fail(-ENOMEM, NULL);
    }

    _sn_free_ char *dir = NULL;
    r = sn_keystore_default_dir(&dir, &err);
    if (r < 0)
        return sn_cli_fail(r, err);
    EVP_PKEY *priv = NULL;
    r = sn_cli_load_private_key(dir, key, &priv, &err);
    if (r < 0)
        return sn_cli_failf("cannot use \"%s\" key: %s", key, sn_error_message(err, r));
    _sn_cleanup_(sn_assertion_freep) SnAssertion *a = NULL;
    _sn_free_ char *type_name = strdup(type->str);
    r = type_name
            ? sn_assert_sign(type_name, headers, body, body ? strlen(body) : 0, priv, (int64_t)time(NULL), &a, &err)
            : -ENOMEM;
    EVP_PKEY_free(priv);
    if (r < 0)
        return sn_cli_fail(r, err);
    _sn_free_ char *out = NULL;
    size_t outlen;
    if (sn_assert_encode(a, &out, &outlen) < 0)
        return sn_cli_fail(-ENOMEM, NULL);
    fwrite(out, 1, outlen, stdout);
    return fflush(stdout) == 0 ? 0 : 1;
}
