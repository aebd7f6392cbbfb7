/* SPDX-License-Identifier: GPL-3.0-only */
#include "invocation.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "strutil.h"

static bool is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool sn_confine_valid_snap_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n > 40 || s[0] == '-' || s[n - 1] == '-')
        return false;
    bool letter = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '-') {
            if (s[i + 1] == '-')
                return false;
            continue;
        }
        if (!is_lower_or_digit(s[i]))
            return false;
        letter |= s[i] >= 'a' && s[i] <= 'z';
    }
    return letter;
}

bool sn_confine_valid_instance_name(const char *s)
{
    if (!s)
        return false;
    const char *us = strchr(s, '_');
    if (!us)
        return sn_confine_valid_snap_name(s);
    size_t klen = strlen(us + 1);
    if (klen < 1 || klen > 10)
        return false;
    for (const char *k = us + 1; *k; k++)
        if (!is_lower_or_digit(*k))
            return false;
    _sn_free_ char *name = strndup(s, (size_t)(us - s));
    return name && sn_confine_valid_snap_name(name);
}

bool sn_confine_valid_app_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || s[0] == '-' || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '-' && s[i + 1] != '-')
            continue;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
            return false;
    }
    return true;
}

bool sn_confine_valid_hook_name(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 64 || !(s[0] >= 'a' && s[0] <= 'z') || s[n - 1] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!(is_lower_or_digit(s[i]) || (s[i] == '-' && s[i + 1] != '-')))
            return false;
    return true;
}

bool sn_confine_valid_abs_path(const char *s)
{
    if (!s || s[0] != '/' || strlen(s) >= PATH_MAX)
        return false;
    if (SN_STREQ(s, "/"))
        return true;
    for (const char *p = s; *p;) {
        /* p points at a '/'. */
        const char *next = strchrnul(p + 1, '/');
        size_t len = (size_t)(next - p - 1);
        if (len == 0 || (len == 1 && p[1] == '.') || (len == 2 && p[1] == '.' && p[2] == '.'))
            return false;
        p = next;
    }
    return true;
}

static int split_tag(SnInvocation *inv, SnError **reterr)
{
    const char *t = inv->security_tag;
    if (!sn_startswith(t, "snap."))
        return sn_error_set(reterr, -EINVAL, "argv: security tag \"%s\" does not start with \"snap.\"", t);
    const char *name = t + 5;
    const char *dot = strchr(name, '.');
    if (!dot)
        return sn_error_set(reterr, -EINVAL, "argv: security tag \"%s\" names no app or hook", t);
    inv->snap_name = strndup(name, (size_t)(dot - name));
    if (!inv->snap_name)
        return -ENOMEM;
    if (!sn_confine_valid_instance_name(inv->snap_name))
        return sn_error_set(reterr, -EINVAL, "argv: security tag \"%s\" has an invalid snap name", t);
    const char *rest = dot + 1;
    if (sn_startswith(rest, "hook.")) {
        if (!sn_confine_valid_hook_name(rest + 5))
            return sn_error_set(reterr, -EINVAL, "argv: security tag \"%s\" has an invalid hook name", t);
        inv->hook = strdup(rest + 5);
        return inv->hook ? 0 : -ENOMEM;
    }
    if (!sn_confine_valid_app_name(rest))
        return sn_error_set(reterr, -EINVAL, "argv: security tag \"%s\" has an invalid app name", t);
    inv->app = strdup(rest);
    return inv->app ? 0 : -ENOMEM;
}

int sn_invocation_parse(const SnInvocationInputs *in, SnInvocation **ret, SnError **reterr)
{
    _sn_cleanup_(sn_invocation_freep) SnInvocation *inv = calloc(1, sizeof(*inv));
    if (!inv)
        return -ENOMEM;
    inv->uid = in->uid;
    inv->gid = in->gid;

    int i = 1;
    const char *base = "core";
    for (; i < in->argc && in->argv[i] && in->argv[i][0] == '-'; i++) {
        const char *a = in->argv[i];
        if (SN_STREQ(a, "--")) {
            i++;
            break;
        }
        if (SN_STREQ(a, "--base")) {
            if (i + 1 >= in->argc || !in->argv[i + 1])
                return sn_error_set(reterr, -EINVAL, "argv: --base needs a value");
            base = in->argv[++i];
        } else if (sn_startswith(a, "--base=")) {
            base = a + 7;
        } else if (SN_STREQ(a, "--classic")) {
            return sn_error_set(reterr, -EINVAL, "argv: classic confinement is not supported by this snap-confine");
        } else {
            return sn_error_set(reterr, -EINVAL, "argv: unknown option \"%s\"", a);
        }
    }
    if (!sn_confine_valid_snap_name(base))
        return sn_error_set(reterr, -EINVAL, "argv: invalid base snap name \"%s\"", base);
    if (i + 2 > in->argc || !in->argv[i] || !in->argv[i + 1])
        return sn_error_set(reterr, -EINVAL,
                            "argv: usage: snap-confine [--base BASE] SECURITY_TAG EXECUTABLE [ARGS...]");
    if (!(inv->base = strdup(base)) || !(inv->security_tag = strdup(in->argv[i])))
        return -ENOMEM;
    int r = split_tag(inv, reterr);
    if (r < 0)
        return r;
    if (!SN_STREQ(in->argv[i + 1], SN_CONFINE_SNAP_EXEC))
        return sn_error_set(reterr, -EINVAL, "argv: executable must be %s, not \"%s\"", SN_CONFINE_SNAP_EXEC,
                            in->argv[i + 1]);
    for (int k = i + 1; k < in->argc && in->argv[k]; k++)
        if (sn_strv_push(&inv->argv, in->argv[k]) < 0)
            return -ENOMEM;

    if (in->env_instance && !SN_STREQ(in->env_instance, inv->snap_name))
        return sn_error_set(reterr, -EINVAL, "env: SNAP_INSTANCE_NAME \"%s\" does not match the security tag %s",
                            in->env_instance, inv->security_tag);

    if (in->env_root && *in->env_root) {
        if (!sn_confine_valid_abs_path(in->env_root))
            return sn_error_set(reterr, -EINVAL, "env: SNAPPY_GLOBAL_ROOT is not a normalised absolute path");
        inv->root = strdup(SN_STREQ(in->env_root, "/") ? "" : in->env_root);
    } else {
        inv->root = strdup("");
    }
    if (!inv->root)
        return -ENOMEM;
    if (in->env_home && sn_confine_valid_abs_path(in->env_home) && !(inv->home = strdup(in->env_home)))
        return -ENOMEM;
    if (in->cwd && in->cwd[0] == '/' && !(inv->cwd = strdup(in->cwd)))
        return -ENOMEM;
    *ret = SN_TAKE_PTR(inv);
    return 0;
}

SnInvocation *sn_invocation_free(SnInvocation *inv)
{
    if (inv) {
        free(inv->security_tag);
        free(inv->snap_name);
        free(inv->app);
        free(inv->hook);
        free(inv->base);
        sn_strv_free(inv->argv);
        free(inv->root);
        free(inv->home);
        free(inv->cwd);
        free(inv);
    }
    return NULL;
}
