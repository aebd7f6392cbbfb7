/* SPDX-License-Identifier: GPL-3.0-only */
#include "policy-build.h"

#include <errno.h>
#include <string.h>

#include "policy-internal.h"
#include "seccomp-compile.h"
#include "strutil.h"

#define LL_SCOPE_SIGNAL 2u

/* The snap name without its instance key: /snap/NAME and /var/snap/NAME use it inside the namespace. */
static char *store_name(const char *instance)
{
    const char *us = strchr(instance, '_');
    return us ? strndup(instance, (size_t)(us - instance)) : strdup(instance);
}

typedef struct Builder {
    SnBuf data;     /* everything after the header */
    SnBuf strings;  /* the string table */
    SnBuf landlock; /* SnPolicyLandlockRule[] */
    SnBuf mounts;   /* SnPolicyMountEntry[] */
} Builder;

static void add_rule(Builder *b, uint32_t anchor, const char *path, uint64_t access)
{
    SnPolicyLandlockRule r = {.access = access,
                              .path_offset = (uint32_t)b->strings.len,
                              .path_len = (uint32_t)strlen(path),
                              .anchor = anchor};
    sn_buf_append(&b->strings, path, strlen(path) + 1);
    sn_buf_append(&b->landlock, &r, sizeof(r));
}

/* The snap's content mounts, checked with the rule snap-confine applies again before it mounts. */
static int add_mounts(const SnPolicyInput *in, Builder *b, SnError **reterr)
{
    if (in->n_mounts > SN_POLICY_BLOB_MAX_MOUNTS)
        return sn_error_set(reterr, -EFBIG, "policy: snap %s would have %zu content mounts (cap %u)", in->snap_name,
                            in->n_mounts, SN_POLICY_BLOB_MAX_MOUNTS);
    for (size_t i = 0; i < in->n_mounts; i++) {
        const SnPolicyMountGrant *m = &in->mounts[i];
        uint32_t flags = m->read_only ? SN_POLICY_MOUNT_READ_ONLY : 0;
        int r = sn_policy_mount_check(in->snap_name, flags, m->source, m->target, reterr);
        if (r < 0)
            return r;
        SnPolicyMountEntry e = {
            .flags = flags, .source_offset = (uint32_t)b->strings.len, .source_len = (uint32_t)strlen(m->source)};
        sn_buf_append(&b->strings, m->source, e.source_len + 1);
        e.target_offset = (uint32_t)b->strings.len;
        e.target_len = (uint32_t)strlen(m->target);
        sn_buf_append(&b->strings, m->target, e.target_len + 1);
        sn_buf_append(&b->mounts, &e, sizeof(e));
    }
    return 0;
}

/* Appends a section (8-byte aligned) to out, recording it in *s. */
static void put_section(SnBuf *out, SnPolicyBlobSection *s, const void *p, size_t len)
{
    while (out->len % 8)
        sn_buf_putc(out, '\0');
    if (len == 0) {
        *s = (SnPolicyBlobSection){0, 0};
        return;
    }
    *s = (SnPolicyBlobSection){(uint32_t)out->len, (uint32_t)len};
    sn_buf_append(out, p, len);
}

static bool exec_text_ok(const char *s)
{
    return s && *s && !strchr(s, '\n');
}

bool sn_policy_grant_applies(const SnPolicyGrant *grant, const char *app, const char *hook)
{
    if (!grant->apps && !grant->hooks)
        return true;
    if (app)
        return sn_strv_contains(grant->apps, app);
    return hook && sn_strv_contains(grant->hooks, hook);
}

static bool applies(const SnPolicyInput *in, const SnPolicyGrant *g)
{
    return sn_policy_grant_applies(g, in->app, in->hook);
}

static const char *grant_name(const SnPolicyGrant *g)
{
    return g->interface ? g->interface : "(unnamed)";
}

/* Interface names go into comments of the seccomp source and the profile: a newline would inject rules. */
static int check_grant_names(const SnPolicyInput *in, SnError **reterr)
{
    for (size_t i = 0; i < in->n_grants; i++) {
        const char *n = in->grants[i].interface;
        if (n && !sn_policy_name_ok(n, false))
            return sn_error_set(reterr, -EINVAL, "policy: invalid interface name in grant %zu", i);
    }
    return 0;
}

/* A grant's Landlock path: the grammar the blob reader enforces, checked here so the daemon reports it. */
static bool grant_path_ok(const SnPolicyLandlockGrant *l)
{
    const char *p = l->path;
    if (!p || !*p || strlen(p) > SN_POLICY_BLOB_MAX_PATH || strchr(p, '\n'))
        return false;
    if ((l->anchor == SN_POLICY_ANCHOR_ROOT) != (p[0] == '/') || l->anchor > SN_POLICY_ANCHOR_RUNTIME)
        return false;
    const char *c = p[0] == '/' ? p + 1 : p;
    if (!*c && l->anchor == SN_POLICY_ANCHOR_ROOT)
        return true; /* "/" itself */
    if (l->anchor == SN_POLICY_ANCHOR_HOME && SN_STREQ(p, "."))
        return true; /* the home directory itself (the home interface) */
    for (;;) {
        const char *end = strchrnul(c, '/');
        size_t n = (size_t)(end - c);
        if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
            return false;
        if (!*end)
            return true;
        c = end + 1;
    }
}

static bool device_rule_ok(const SnPolicyDeviceRule *d)
{
    return (d->type == 'c' || d->type == 'b' || d->type == 'a') && d->access != 0 &&
           (d->access & ~(SN_POLICY_DEV_READ | SN_POLICY_DEV_WRITE | SN_POLICY_DEV_MKNOD)) == 0 && d->reserved == 0 &&
           d->major >= SN_POLICY_DEV_ANY && d->minor >= SN_POLICY_DEV_ANY;
}

/* The seccomp source: the confinement's directive, the template, then every applicable grant's lines. */
static int seccomp_source(const SnPolicyInput *in, char **ret)
{
    SnBuf b = {0};
    if (in->confinement == SN_CONFINEMENT_DEVMODE)
        sn_buf_puts(&b, "@complain\n");
    else if (in->confinement == SN_CONFINEMENT_CLASSIC)
        sn_buf_puts(&b, "@unrestricted\n");
    sn_buf_puts(&b, in->seccomp_source ? in->seccomp_source : sn_seccomp_default_template);
    for (size_t i = 0; i < in->n_grants; i++) {
        const SnPolicyGrant *g = &in->grants[i];
        if (!g->seccomp || !applies(in, g))
            continue;
        sn_buf_printf(&b, "\n# %s\n%s\n", grant_name(g), g->seccomp);
    }
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret = sn_buf_steal(&b);
    return 0;
}

/* snapd's default device allow-list (section 7.2 of the reference). */
static const SnPolicyDeviceRule default_devices[] = {
    {'c', 7, 0, 1, 3},    {'c', 7, 0, 1, 5},    {'c', 7, 0, 1, 7},    {'c', 7, 0, 1, 8},
    {'c', 7, 0, 1, 9},    {'c', 7, 0, 5, 0},    {'c', 7, 0, 5, 1},    {'c', 7, 0, 5, 2},
    {'c', 7, 0, 136, -1}, {'c', 7, 0, 137, -1}, {'c', 7, 0, 138, -1}, {'c', 7, 0, 139, -1},
    {'c', 7, 0, 140, -1}, {'c', 7, 0, 141, -1}, {'c', 7, 0, 142, -1}, {'c', 7, 0, 143, -1},
};

/* The Landlock rules and device rules of a strict snap: the defaults plus what the grants add. */
static int add_grants(const SnPolicyInput *in, const char *tag, Builder *b, SnBuf *devices, SnError **reterr)
{
    _sn_free_ char *name = store_name(in->snap_name);
    _sn_free_ char *snapdir = sn_strdup_printf("/snap/%s", name ? name : "");
    _sn_free_ char *vardir = sn_strdup_printf("/var/snap/%s", name ? name : "");
    _sn_free_ char *homedir = sn_strdup_printf("snap/%s", in->snap_name);
    /* XDG_RUNTIME_DIR (policy/run-env.c): per instance, as snapd's template has it. */
    _sn_free_ char *runtimedir = sn_strdup_printf("snap.%s", in->snap_name);
    _sn_free_ char *blobpath = sn_strdup_printf("/var/lib/snapd/policy/%s.policy", tag);
    if (!name || !snapdir || !vardir || !homedir || !runtimedir || !blobpath)
        return -ENOMEM;
    static const char *const system_dirs[] = {"/bin",    "/sbin", "/lib", "/lib32", "/lib64",
                                              "/libx32", "/usr",  "/etc", "/opt"};
    for (size_t i = 0; i < SN_ELEMENTSOF(system_dirs); i++)
        add_rule(b, SN_POLICY_ANCHOR_ROOT, system_dirs[i], SN_LANDLOCK_RX);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, snapdir, SN_LANDLOCK_RX);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, "/proc", SN_LANDLOCK_RO);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, "/sys", SN_LANDLOCK_RO);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, "/dev", SN_LANDLOCK_DEV);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, "/tmp", SN_LANDLOCK_RW);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, vardir, SN_LANDLOCK_RW);
    add_rule(b, SN_POLICY_ANCHOR_ROOT, blobpath, SN_LANDLOCK_READ_FILE);
    add_rule(b, SN_POLICY_ANCHOR_HOME, homedir, SN_LANDLOCK_RW);
    add_rule(b, SN_POLICY_ANCHOR_RUNTIME, runtimedir, SN_LANDLOCK_RW);
    sn_buf_append(devices, default_devices, sizeof(default_devices));

    size_t n_devices = SN_ELEMENTSOF(default_devices);
    for (size_t i = 0; i < in->n_grants; i++) {
        const SnPolicyGrant *g = &in->grants[i];
        if (!applies(in, g))
            continue;
        for (size_t k = 0; k < g->n_landlock; k++) {
            const SnPolicyLandlockGrant *l = &g->landlock[k];
            if (!grant_path_ok(l) || l->access == 0 || (l->access & ~(uint64_t)SN_LANDLOCK_ALL))
                return sn_error_set(reterr, -EINVAL, "policy: %s grants an invalid Landlock rule (path \"%s\")",
                                    grant_name(g), l->path ? l->path : "(null)");
            add_rule(b, l->anchor, l->path, l->access);
        }
        for (size_t k = 0; k < g->n_devices; k++)
            if (!device_rule_ok(&g->devices[k]))
                return sn_error_set(reterr, -EINVAL, "policy: %s grants an invalid device rule %zu", grant_name(g), k);
        if (g->n_devices)
            sn_buf_append(devices, g->devices, g->n_devices * sizeof(*g->devices));
        n_devices += g->n_devices;
    }
    size_t n_rules = b->landlock.len / sizeof(SnPolicyLandlockRule);
    if (n_rules > SN_POLICY_BLOB_MAX_LANDLOCK_RULES || n_devices > SN_POLICY_BLOB_MAX_DEVICE_RULES)
        return sn_error_set(reterr, -EFBIG, "policy: %s would have %zu Landlock and %zu device rules (caps %u, %u)",
                            tag, n_rules, n_devices, SN_POLICY_BLOB_MAX_LANDLOCK_RULES,
                            SN_POLICY_BLOB_MAX_DEVICE_RULES);
    return 0;
}

int sn_policy_build_blob(const SnPolicyInput *in, void **ret_data, size_t *ret_len, SnError **reterr)
{
    _sn_free_ char *tag = sn_policy_security_tag(in);
    if (!tag)
        return sn_error_set(reterr, -EINVAL, "policy: invalid snap, app or hook name");
    if (in->confinement > SN_CONFINEMENT_CLASSIC)
        return sn_error_set(reterr, -EINVAL, "policy: unknown confinement of %s", tag);
    int r = check_grant_names(in, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *hook_cmd = in->hook ? sn_strdup_printf("meta/hooks/%s", in->hook) : NULL;
    if (in->hook && !hook_cmd)
        return -ENOMEM;
    const char *command = in->command ? in->command : hook_cmd;
    if (!exec_text_ok(command) || command[0] == '/' || strstr(command, ".."))
        return sn_error_set(reterr, -EINVAL, "policy: the command of %s must be a path relative to $SNAP", tag);

    _sn_free_ char *source = NULL;
    r = seccomp_source(in, &source);
    if (r < 0)
        return r;
    SnSeccompProgram prog = {0};
    r = sn_seccomp_compile(source, &prog, reterr);
    if (r < 0)
        return r;

    Builder b = {0};
    SnBuf devices = {0}, exec = {0};
    uint32_t flags = in->flags;
    if (in->confinement == SN_CONFINEMENT_STRICT) {
        r = add_grants(in, tag, &b, &devices, reterr);
        if (r < 0)
            goto out;
    } else {
        /* devmode and classic: Landlock has no complain mode, and snapd applies no device cgroup. */
        flags |= SN_POLICY_FLAG_LANDLOCK_OPTIONAL | SN_POLICY_FLAG_DEVICES_SELF_MANAGED;
    }
    r = add_mounts(in, &b, reterr);
    if (r < 0)
        goto out;

    sn_buf_putc(&exec, 'c');
    sn_buf_append(&exec, command, strlen(command) + 1);
    for (char *const *c = in->command_chain; c && *c; c++) {
        if (!exec_text_ok(*c) || (*c)[0] == '/' || strstr(*c, "..")) {
            r = sn_error_set(reterr, -EINVAL, "policy: invalid command-chain entry \"%s\"", *c);
            goto out;
        }
        sn_buf_putc(&exec, 'h');
        sn_buf_append(&exec, *c, strlen(*c) + 1);
    }
    for (char *const *e = in->environment; e && *e; e++) {
        const char *eq = strchr(*e, '=');
        if (!exec_text_ok(*e) || !eq || eq == *e) {
            r = sn_error_set(reterr, -EINVAL, "policy: invalid environment entry \"%s\"", *e);
            goto out;
        }
        sn_buf_putc(&exec, 'e');
        sn_buf_append(&exec, *e, strlen(*e) + 1);
    }

    SnPolicyBlobHeader h = {0};
    memcpy(h.magic, SN_POLICY_BLOB_MAGIC, SN_POLICY_BLOB_MAGIC_LEN);
    h.version = SN_POLICY_BLOB_VERSION;
    h.header_size = SN_POLICY_BLOB_HEADER_SIZE;
    h.flags =
        flags | (prog.unrestricted ? SN_POLICY_FLAG_UNRESTRICTED : 0) | (prog.complain ? SN_POLICY_FLAG_COMPLAIN : 0);
    if (in->confinement == SN_CONFINEMENT_STRICT) {
        h.landlock_fs_handled = SN_LANDLOCK_ALL;
        h.landlock_scoped = LL_SCOPE_SIGNAL;
        /* TCP bind and connect are denied unless a connected interface releases them. */
        h.landlock_net_handled = SN_LANDLOCK_NET_ALL;
        for (size_t i = 0; i < in->n_grants; i++)
            if (applies(in, &in->grants[i]))
                h.landlock_net_handled &= ~in->grants[i].landlock_net;
    }
    sn_buf_append(&b.data, &h, sizeof(h));
    put_section(&b.data, &h.seccomp_deny, prog.deny, prog.n_deny * 8);
    put_section(&b.data, &h.seccomp_allow, prog.allow, prog.n_allow * 8);
    put_section(&b.data, &h.landlock, b.landlock.data, b.landlock.len);
    put_section(&b.data, &h.devices, devices.data, devices.len);
    put_section(&b.data, &h.exec, exec.data, exec.len);
    put_section(&b.data, &h.mounts, b.mounts.data, b.mounts.len);
    put_section(&b.data, &h.strings, b.strings.data, b.strings.len);
    if (!sn_buf_ok(&b.data) || !sn_buf_ok(&b.strings) || !sn_buf_ok(&b.landlock) || !sn_buf_ok(&exec) ||
        !sn_buf_ok(&devices) || !sn_buf_ok(&b.mounts)) {
        r = -ENOMEM;
        goto out;
    }
    if (b.data.len > SN_POLICY_BLOB_MAX_SIZE) {
        r = sn_error_set(reterr, -EFBIG, "policy: the blob of %s would be %zu bytes", tag, b.data.len);
        goto out;
    }
    h.total_size = (uint32_t)b.data.len;
    memcpy(b.data.data, &h, sizeof(h));
    *ret_len = b.data.len;
    *ret_data = sn_buf_steal(&b.data);
    r = 0;
out:
    sn_seccomp_program_done(&prog);
    sn_buf_done(&b.data);
    sn_buf_done(&b.strings);
    sn_buf_done(&b.landlock);
    sn_buf_done(&b.mounts);
    sn_buf_done(&devices);
    sn_buf_done(&exec);
    return r;
}

/*
 * A grant's AppArmor rules go into the profile body: they may not close it early or open another
 * profile or hat, so braces must balance and never go below zero, and no line may start a profile.
 */
static bool apparmor_rules_ok(const char *rules)
{
    int depth = 0;
    for (const char *line = rules; line && *line;) {
        const char *end = strchrnul(line, '\n');
        const char *p = line;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (sn_startswith(p, "profile ") || sn_startswith(p, "hat ") || *p == '^')
            return false;
        for (; p < end; p++) {
            if (*p == '#')
                break;
            if (*p == '{')
                depth++;
            else if (*p == '}' && --depth < 0)
                return false;
        }
        line = *end ? end + 1 : end;
    }
    return depth == 0;
}

int sn_policy_apparmor_profile(const SnPolicyInput *in, char **ret_text, SnError **reterr)
{
    _sn_free_ char *tag = sn_policy_security_tag(in);
    if (!tag)
        return sn_error_set(reterr, -EINVAL, "policy: invalid snap, app or hook name");
    if (in->revision && !sn_policy_revision_valid(in->revision))
        return sn_error_set(reterr, -EINVAL, "policy: invalid revision \"%s\"", in->revision);
    int r = check_grant_names(in, reterr);
    if (r < 0)
        return r;
    _sn_free_ char *name = store_name(in->snap_name);
    if (!name)
        return -ENOMEM;
    for (size_t i = 0; i < in->n_grants; i++)
        if (in->grants[i].apparmor && applies(in, &in->grants[i]) && !apparmor_rules_ok(in->grants[i].apparmor))
            return sn_error_set(reterr, -EINVAL, "policy: the AppArmor rules of %s would leave the profile of %s",
                                grant_name(&in->grants[i]), tag);
    const char *flags = in->confinement == SN_CONFINEMENT_DEVMODE   ? "attach_disconnected,mediate_deleted,complain"
                        : in->confinement == SN_CONFINEMENT_CLASSIC ? "attach_disconnected,mediate_deleted,unconfined"
                                                                    : "attach_disconnected,mediate_deleted";
    SnBuf b = {0};
    sn_buf_printf(&b,
                  "# AppArmor profile for %s, generated by microsnap. Mirrors the Landlock grants.\n"
                  "abi <abi/3.0>,\n"
                  "#include <tunables/global>\n",
                  tag);
    sn_buf_printf(&b, "@{SNAP_NAME}=\"%s\"\n@{SNAP_INSTANCE_NAME}=\"%s\"\n", name, in->snap_name);
    if (in->revision)
        sn_buf_printf(&b, "@{SNAP_REVISION}=\"%s\"\n", in->revision);
    sn_buf_printf(&b,
                  "profile \"%s\" flags=(%s) {\n"
                  "  capability dac_override,\n"
                  "  network inet,\n"
                  "  network inet6,\n"
                  "  network unix,\n"
                  "  network netlink raw,\n"
                  "  signal (send, receive) peer=snap.%s.*,\n"
                  "  /{,usr/}{,s}bin/** mrix,\n"
                  "  /{,usr/}lib{,32,64,x32}/** mrix,\n"
                  "  /usr/** mrix,\n"
                  "  /etc/** r,\n"
                  "  deny /etc/shadow r,\n"
                  "  deny /etc/gshadow r,\n"
                  "  /opt/** mrix,\n"
                  "  /snap/%s/** mrix,\n"
                  "  /proc/** r,\n"
                  "  /sys/** r,\n"
                  "  /dev/{null,zero,full,random,urandom,tty,console,ptmx} rw,\n"
                  "  /dev/pts/* rw,\n"
                  "  /tmp/** mrwlkix,\n"
                  "  /var/snap/%s/** mrwlkix,\n"
                  "  owner @{HOME}/snap/%s/** mrwlkix,\n"
                  "  owner /run/user/[0-9]*/snap.@{SNAP_INSTANCE_NAME}/ rw,\n"
                  "  owner /run/user/[0-9]*/snap.@{SNAP_INSTANCE_NAME}/** mrwklix,\n"
                  "  /var/lib/snapd/policy/%s.policy r,\n"
                  "  deny mount,\n"
                  "  deny umount,\n"
                  "  deny pivot_root,\n"
                  "  deny ptrace,\n",
                  tag, flags, in->snap_name, name, name, in->snap_name, tag);
    for (size_t i = 0; i < in->n_grants; i++) {
        const SnPolicyGrant *g = &in->grants[i];
        if (g->apparmor && applies(in, g))
            sn_buf_printf(&b, "\n  # %s\n%s\n", grant_name(g), g->apparmor);
    }
    sn_buf_puts(&b, "}\n");
    if (!sn_buf_ok(&b)) {
        sn_buf_done(&b);
        return -ENOMEM;
    }
    *ret_text = sn_buf_steal(&b);
    return 0;
}
