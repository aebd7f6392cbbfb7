/* SPDX-License-Identifier: GPL-3.0-only */
#include "naming.h"

#include <string.h>

static bool is_lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
    return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}

/* Letters/digits accepted by `ok`, separated by single dashes, no dash at either end. */
static bool dashed_word(const char *s, bool (*ok)(char))
{
    if (!s || !*s || *s == '-')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '-') {
            if (p[1] == '-' || p[1] == '\0')
                return false;
        } else if (!ok(*p)) {
            return false;
        }
    }
    return true;
}

static bool is_lower_or_digit(char c)
{
    return is_lower(c) || is_digit(c);
}

static bool has_letter(const char *s)
{
    for (; *s; s++)
        if (is_lower(*s))
            return true;
    return false;
}

bool sn_name_socket_valid(const char *s)
{
    return dashed_word(s, is_lower_or_digit) && has_letter(s);
}

bool sn_name_snap_valid(const char *s)
{
    if (!s)
        return false;
    size_t n = strlen(s);
    return n >= 2 && n <= 40 && sn_name_socket_valid(s);
}

bool sn_name_instance_valid(const char *s)
{
    if (!s)
        return false;
    const char *us = strchr(s, '_');
    if (!us)
        return sn_name_snap_valid(s);
    size_t key_len = strlen(us + 1);
    if (key_len < 1 || key_len > 10)
        return false;
    for (const char *p = us + 1; *p; p++)
        if (!is_lower_or_digit(*p))
            return false;
    char snap[41];
    size_t n = (size_t)(us - s);
    if (n >= sizeof(snap))
        return false;
    memcpy(snap, s, n);
    snap[n] = '\0';
    return sn_name_snap_valid(snap);
}

bool sn_name_app_valid(const char *s)
{
    return dashed_word(s, is_alnum);
}

bool sn_name_provenance_valid(const char *s)
{
    return dashed_word(s, is_alnum);
}

bool sn_name_plug_valid(const char *s)
{
    return dashed_word(s, is_lower_or_digit) && is_lower(s[0]);
}

bool sn_name_hook_valid(const char *s)
{
    return sn_name_plug_valid(s);
}

bool sn_name_alias_valid(const char *s)
{
    if (!s || !is_alnum(s[0]))
        return false;
    for (const char *p = s + 1; *p; p++)
        if (!is_alnum(*p) && *p != '-' && *p != '_' && *p != '.')
            return false;
    return true;
}

bool sn_name_snap_id_valid(const char *s)
{
    if (!s || strlen(s) != 32)
        return false;
    for (const char *p = s; *p; p++)
        if (!is_alnum(*p))
            return false;
    return true;
}

bool sn_name_account_id_valid(const char *s)
{
    if (!s)
        return false;
    if (sn_name_snap_id_valid(s))
        return true;
    size_t n = strlen(s);
    if (n < 2 || n > 28)
        return false;
    for (const char *p = s; *p; p++)
        if (!is_lower_or_digit(*p) && *p != '-')
            return false;
    return true;
}
