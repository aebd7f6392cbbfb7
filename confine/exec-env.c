/* SPDX-License-Identifier: GPL-3.0-only */
#include "exec-env.h"

#include <errno.h>
#include <string.h>

#include "strutil.h"

static char **find(char *const *env, const char *key)
{
    size_t n = strlen(key);
    for (char *const *e = env; e && *e; e++)
        if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
            return (char **)e;
    return NULL;
}

const char *sn_exec_env_get(char *const *env, const char *key)
{
    char **e = find(env, key);
    return e ? *e + strlen(key) + 1 : NULL;
}

int sn_exec_env_set(char ***env, const char *key, const char *value)
{
    char *kv = sn_strdup_printf("%s=%s", key, value);
    if (!kv)
        return -ENOMEM;
    char **e = find(*env, key);
    if (e) {
        free(*e);
        *e = kv;
        return 0;
    }
    int r = sn_strv_push(env, kv);
    free(kv);
    return r;
}

void sn_exec_env_unset(char **env, const char *key)
{
    char **e = find(env, key);
    if (!e)
        return;
    free(*e);
    do {
        e[0] = e[1];
    } while (*e++);
}

static bool name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

char *sn_exec_expand(const char *s, char *const *env)
{
    SnBuf b = {0};
    for (const char *p = s; *p;) {
        if (*p != '$') {
            sn_buf_putc(&b, *p++);
            continue;
        }
        const char *start = p + 1, *end;
        const char *after;
        if (*start == '{') {
            start++;
            end = strchr(start, '}');
            if (!end) {
                /* Unterminated: Go's os.Expand eats the rest; keep it literal instead, nothing is lost. */
                sn_buf_puts(&b, p);
                break;
            }
            after = end + 1;
        } else {
            end = start;
            while (name_char(*end))
                end++;
            after = end;
        }
        if (end == start && start[-1] != '{') {
            sn_buf_putc(&b, '$');
            p++;
            continue;
        }
        _sn_free_ char *name = strndup(start, (size_t)(end - start));
        if (!name) {
            sn_buf_done(&b);
            return NULL;
        }
        const char *v = sn_exec_env_get(env, name);
        if (v)
            sn_buf_puts(&b, v);
        p = after;
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return NULL;
    }
    return sn_buf_steal(&b);
}

int sn_exec_restore_saved(char ***env)
{
    static const char prefix[] = "SNAP_SAVED_";
    for (size_t i = 0; *env && (*env)[i];) {
        char *e = (*env)[i];
        char *eq = strchr(e, '=');
        if (!sn_startswith(e, prefix) || !eq || eq == e + sizeof(prefix) - 1) {
            i++;
            continue;
        }
        _sn_free_ char *key = strndup(e + sizeof(prefix) - 1, (size_t)(eq - e) - (sizeof(prefix) - 1));
        _sn_free_ char *saved_key = strndup(e, (size_t)(eq - e));
        _sn_free_ char *value = strdup(eq + 1);
        if (!key || !saved_key || !value)
            return -ENOMEM;
        sn_exec_env_unset(*env, saved_key);
        int r = sn_exec_env_set(env, key, value);
        if (r < 0)
            return r;
        /* The vector shifted under i: rescan from the start (it is short). */
        i = 0;
    }
    return 0;
}

int sn_exec_apply_env_record(char ***env, const char *record)
{
    const char *eq = strchr(record, '=');
    if (!eq || eq == record)
        return -EINVAL;
    _sn_free_ char *key = strndup(record, (size_t)(eq - record));
    _sn_free_ char *value = sn_exec_expand(eq + 1, *env);
    if (!key || !value)
        return -ENOMEM;
    return sn_exec_env_set(env, key, value);
}

int sn_exec_build_argv(const char *snap, const char *command, char *const *chain, char *const *user_args,
                       char *const *env, char ***ret_argv)
{
    _sn_strv_free_ char **argv = NULL;
    for (char *const *c = chain; c && *c; c++) {
        _sn_free_ char *p = sn_strdup_printf("%s/%s", snap, *c);
        if (!p || sn_strv_push(&argv, p) < 0)
            return -ENOMEM;
    }
    _sn_free_ char *copy = strdup(command);
    if (!copy)
        return -ENOMEM;
    bool first = true;
    char *save = NULL;
    for (char *part = strtok_r(copy, " ", &save); part; part = strtok_r(NULL, " ", &save)) {
        _sn_free_ char *x = sn_exec_expand(part, env);
        if (!x)
            return -ENOMEM;
        _sn_free_ char *full = first ? sn_strdup_printf("%s/%s", snap, x) : strdup(x);
        if (!full || sn_strv_push(&argv, full) < 0)
            return -ENOMEM;
        first = false;
    }
    if (first)
        return -EINVAL;
    for (char *const *a = user_args; a && *a; a++)
        if (sn_strv_push(&argv, *a) < 0)
            return -ENOMEM;
    *ret_argv = SN_TAKE_PTR(argv);
    return 0;
}
