/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * libFuzzer target: arbitrary bytes through sn_policy_blob_parse() (what snap-confine checks before it
 * trusts a policy file). An accepted blob is walked through every accessor, so a bounds gap in the
 * validator shows up as an ASan report here.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy-blob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SnPolicyBlob *blob = NULL;
    volatile size_t sum = 0;
    if (sn_policy_blob_parse(data, size, &blob, NULL) == 0) {
        size_t n = 0;
        const uint8_t *p = sn_policy_blob_seccomp_deny(blob, &n);
        for (size_t i = 0; i < n * 8; i++)
            sum += p[i];
        p = sn_policy_blob_seccomp_allow(blob, &n);
        for (size_t i = 0; i < n * 8; i++)
            sum += p[i];
        const SnPolicyLandlockRule *rules = sn_policy_blob_landlock_rules(blob, &n);
        for (size_t i = 0; i < n; i++)
            sum += strlen(sn_policy_blob_landlock_path(blob, &rules[i])) + rules[i].access;
        const SnPolicyDeviceRule *dev = sn_policy_blob_device_rules(blob, &n);
        for (size_t i = 0; i < n; i++)
            sum += (size_t)dev[i].major;
        const SnPolicyMountEntry *m = sn_policy_blob_mounts(blob, &n);
        for (size_t i = 0; i < n; i++)
            sum += strlen(sn_policy_blob_mount_source(blob, &m[i])) + strlen(sn_policy_blob_mount_target(blob, &m[i]));
        size_t cursor = 0;
        const char *text = NULL;
        while (sn_policy_blob_exec_next(blob, &cursor, &text))
            sum += strlen(text);
    }
    sn_policy_blob_free(blob);
    (void)sum;
    return 0;
}
