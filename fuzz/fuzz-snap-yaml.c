/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * libFuzzer target: arbitrary bytes through sn_snap_yaml_parse(). Accepted input is also walked and
 * re-validated so every pointer of the result is touched (ASan catches a bad one).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snap-yaml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t touch_strv(char **v)
{
    size_t n = 0;
    for (; v && *v; v++)
        n += strlen(*v);
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SnSnapInfo *info = NULL;
    SnError *e = NULL;
    size_t sum = 0;

    if (sn_snap_yaml_parse((const char *)data, size, &info, &e) == 0) {
        for (size_t i = 0; i < info->n_apps; i++)
            sum += touch_strv(info->apps[i].plugs) + touch_strv(info->apps[i].slots) + strlen(info->apps[i].name);
        for (size_t i = 0; i < info->n_plugs; i++)
            sum += touch_strv(info->plugs[i].apps) + touch_strv(info->plugs[i].hooks);
        char *epoch = sn_epoch_to_string(&info->epoch);
        free(epoch);
        if (sn_snap_info_validate(info, NULL) != 0)
            abort(); /* parse validated it already: validation must be deterministic */
    } else if (!e || !e->message) {
        abort(); /* every failure carries a message */
    }
    (void)sum;
    sn_error_free(e);
    sn_snap_info_free(info);

    /* The unvalidated path must be as safe. */
    info = NULL;
    if (sn_snap_yaml_parse_unvalidated((const char *)data, size, &info, NULL) == 0)
        sn_snap_info_validate(info, NULL);
    sn_snap_info_free(info);
    return 0;
}
