/* SPDX-License-Identifier: GPL-3.0-only */
/*
 * spread-run: runs spread-style integration tests locally, as root.
 *
 *   spread-run -b BUILD_DIR [-v] [-x EXCLUDE]... TESTS_DIR [FILTER...]
 *
 * Every task.yaml below TESTS_DIR (sorted by path) whose path contains one of the FILTERs (all
 * when none) and none of the EXCLUDEs runs in a fresh throw-away root ($SNAPPY_GLOBAL_ROOT) and a fresh working
 * directory: `prepare`, then `execute` if prepare passed, then `restore` always, each with `bash -eu -o pipefail`.
 * Whatever a task leaves mounted under its root, and loop devices backed by files under it, are detached afterwards and
 * counted as a failure, so one broken test cannot leak into the next or into the machine. Prints "N passed, N failed"
 * and exits 1 on any failure.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <yaml.h>

#include "fd-util.h"
#include "macros.h"
#include "strutil.h"

typedef struct Task {
    char *path; /* the task's directory */
    char *summary;
    char *prepare;
    char *execute;
    char *restore;
    char **env; /* NAME=value */
    unsigned timeout_s;
} Task;

static bool arg_verbose;
static char *arg_build;
static char **arg_exclude;

static void task_done(Task *t)
{
    free(t->path);
    free(t->summary);
    free(t->prepare);
    free(t->execute);
    free(t->restore);
    sn_strv_free(t->env);
    *t = (Task){0};
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    (void)doc;
    return (const char *)n->data.scalar.value;
}

/* Reads a task.yaml. Returns 0, or -EINVAL with a message on stderr. */
static int task_load(const char *dir, Task *ret)
{
    _sn_free_ char *file = sn_strdup_printf("%s/task.yaml", dir);
    _sn_free_ char *data = NULL;
    size_t len = 0;
    int r = sn_read_file_at(AT_FDCWD, file, 1024 * 1024, &data, &len);
    if (r < 0) {
        fprintf(stderr, "%s: %s\n", file, strerror(-r));
        return r;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "%s:%zu: %s\n", file, parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "bad YAML");
        yaml_parser_delete(&parser);
        return -EINVAL;
    }
    Task t = {.timeout_s = 600};
    r = 0;
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        fprintf(stderr, "%s: not a mapping\n", file);
        r = -EINVAL;
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        const char *key = scalar(&doc, yaml_document_get_node(&doc, p->key));
        yaml_node_t *vn = yaml_document_get_node(&doc, p->value);
        const char *val = scalar(&doc, vn);
        if (!key)
            continue;
        if (SN_STREQ(key, "environment") && vn && vn->type == YAML_MAPPING_NODE) {
            for (yaml_node_pair_t *e = vn->data.mapping.pairs.start; e < vn->data.mapping.pairs.top; e++) {
                const char *k = scalar(&doc, yaml_document_get_node(&doc, e->key));
                const char *v = scalar(&doc, yaml_document_get_node(&doc, e->value));
                if (!k || !v) {
                    fprintf(stderr, "%s: environment entries must be NAME: value\n", file);
                    r = -EINVAL;
                    goto out;
                }
                _sn_free_ char *kv = sn_strdup_printf("%s=%s", k, v);
                if (!kv || sn_strv_push(&t.env, kv) < 0) {
                    r = -ENOMEM;
                    goto out;
                }
            }
            continue;
        }
        char **slot = SN_STREQ(key, "summary")   ? &t.summary
                      : SN_STREQ(key, "prepare") ? &t.prepare
                      : SN_STREQ(key, "execute") ? &t.execute
                      : SN_STREQ(key, "restore") ? &t.restore
                                                 : NULL;
        if (slot && val) {
            *slot = strdup(val);
        } else if (SN_STREQ(key, "kill-timeout") && val) {
            /* spread's form: "5m", "90s", or plain seconds */
            char *end = NULL;
            unsigned long v = strtoul(val, &end, 10);
            t.timeout_s = (unsigned)(end && *end == 'm' ? v * 60 : v);
        } else if (slot) {
            fprintf(stderr, "%s: \"%s\" must be a string\n", file, key);
            r = -EINVAL;
            goto out;
        }
    }
    if (!t.summary || !t.execute) {
        fprintf(stderr, "%s: \"summary\" and \"execute\" are required\n", file);
        r = -EINVAL;
        goto out;
    }
    t.path = strdup(dir);
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (r < 0) {
        task_done(&t);
        return r;
    }
    *ret = t;
    return 0;
}

static char **found;

static int collect(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_F && sn_endswith(path, "/task.yaml")) {
        _sn_free_ char *dir = strndup(path, strlen(path) - strlen("/task.yaml"));
        if (!dir || sn_strv_push(&found, dir) < 0)
            return -1;
    }
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs one phase; output goes to log_fd. Returns the exit status (128+N for a signal, 124 timeout). */
static int run_phase(const Task *t, const char *phase, const char *script, const char *root, const char *work,
                     int log_fd)
{
    if (!script)
        return 0;
    dprintf(log_fd, "--- %s\n", phase);
    pid_t pid = fork();
    if (pid < 0)
        return 127;
    if (pid == 0) {
        setpgid(0, 0);
        dup2(log_fd, STDOUT_FILENO);
        dup2(log_fd, STDERR_FILENO);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (devnull >= 0)
            dup2(devnull, STDIN_FILENO);
        if (chdir(work) < 0)
            _exit(127);
        char src[PATH_MAX];
        if (!getcwd(src, sizeof(src)))
            _exit(127);
        setenv("SNAPPY_GLOBAL_ROOT", root, 1);
        setenv("SN_WORK", work, 1);
        setenv("SN_BUILD", arg_build, 1);
        setenv("TASK_DIR", t->path, 1);
        _sn_free_ char *path = sn_strdup_printf("%s/snapd:%s", arg_build, getenv("PATH") ?: "/usr/bin:/bin");
        setenv("PATH", path, 1);
        for (char **e = t->env; e && *e; e++)
            putenv(*e);
        execl("/bin/bash", "bash", "-eu", "-o", "pipefail", "-c", script, (char *)NULL);
        _exit(127);
    }
    time_t deadline = time(NULL) + t->timeout_s;
    for (;;) {
        int status;
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            /* Reap anything the script left running in its process group. */
            kill(-pid, SIGKILL);
            if (WIFEXITED(status))
                return WEXITSTATUS(status);
            return 128 + WTERMSIG(status);
        }
        if (time(NULL) > deadline) {
            dprintf(log_fd, "--- %s timed out after %us\n", phase, t->timeout_s);
            kill(-pid, SIGKILL);
            waitpid(pid, NULL, 0);
            return 124;
        }
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Unmounts everything at or below root (deepest first). Returns how many were left mounted. */
static unsigned sweep_mounts(const char *root)
{
    unsigned leaked = 0;
    for (int pass = 0; pass < 16; pass++) {
        FILE *f = fopen("/proc/self/mountinfo", "re");
        if (!f)
            return leaked;
        char line[4096];
        char *deepest = NULL;
        size_t rootlen = strlen(root);
        while (fgets(line, sizeof(line), f)) {
            char mp[PATH_MAX];
            if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
                continue;
            if (strncmp(mp, root, rootlen) == 0 && (mp[rootlen] == '/' || mp[rootlen] == '\0'))
                if (!deepest || strlen(mp) > strlen(deepest)) {
                    free(deepest);
                    deepest = strdup(mp);
                }
        }
        fclose(f);
        if (!deepest)
            return leaked;
        fprintf(stderr, "    left mounted: %s\n", deepest);
        umount2(deepest, MNT_DETACH);
        free(deepest);
        leaked++;
    }
    return leaked;
}

/* Detaches loop devices whose backing file lives under any of the given directories. */
static unsigned sweep_loops(const char *const *dirs)
{
    unsigned leaked = 0;
    DIR *d = opendir("/sys/block");
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (strncmp(de->d_name, "loop", 4) != 0)
            continue;
        _sn_free_ char *bf = sn_strdup_printf("/sys/block/%s/loop/backing_file", de->d_name);
        _sn_free_ char *backing = NULL;
        if (!bf || sn_read_file_at(AT_FDCWD, bf, PATH_MAX, &backing, NULL) < 0)
            continue;
        backing[strcspn(backing, "\n")] = '\0';
        for (size_t i = 0; dirs[i]; i++) {
            if (sn_startswith(backing, dirs[i])) {
                fprintf(stderr, "    left attached: /dev/%s (%s)\n", de->d_name, backing);
                _sn_free_ char *cmd = sn_strdup_printf("losetup -d /dev/%s", de->d_name);
                if (cmd && system(cmd) != 0)
                    fprintf(stderr, "    cannot detach /dev/%s\n", de->d_name);
                leaked++;
                break;
            }
        }
    }
    closedir(d);
    return leaked;
}

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static bool run_task(const Task *t, const char *tests_dir)
{
    char root[] = "/tmp/sn-spread-root-XXXXXX";
    char work[] = "/tmp/sn-spread-work-XXXXXX";
    char logp[] = "/tmp/sn-spread-log-XXXXXX";
    if (!mkdtemp(root) || !mkdtemp(work)) {
        perror("mkdtemp");
        return false;
    }
    chmod(root, 0755);
    chmod(work, 0755);
    int log_fd = mkostemp(logp, O_CLOEXEC);
    if (log_fd < 0) {
        perror("mkostemp");
        return false;
    }
    unlink(logp);
    const char *name = t->path + strlen(tests_dir) + (t->path[strlen(tests_dir)] == '/');
    printf("%-50s ", name);
    fflush(stdout);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    int rc = run_phase(t, "prepare", t->prepare, root, work, log_fd);
    const char *failed = rc ? "prepare" : NULL;
    if (!failed) {
        rc = run_phase(t, "execute", t->execute, root, work, log_fd);
        if (rc)
            failed = "execute";
    }
    int rrc = run_phase(t, "restore", t->restore, root, work, log_fd);
    if (rrc && !failed) {
        failed = "restore";
        rc = rrc;
    }
    const char *const dirs[] = {root, work, NULL};
    unsigned leaked = sweep_mounts(root) + sweep_mounts(work) + sweep_loops(dirs);
    if (leaked && !failed)
        failed = "cleanup (mounts or loop devices left behind)";
    nftw(root, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);

    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("%s (%.1fs)\n", failed ? "FAILED" : "ok", secs);
    if (failed || arg_verbose) {
        if (failed)
            printf("    %s: %s failed with status %d\n", t->summary, failed, rc);
        lseek(log_fd, 0, SEEK_SET);
        char buf[4096];
        ssize_t n;
        fflush(stdout);
        while ((n = read(log_fd, buf, sizeof(buf))) > 0)
            if (sn_write_all(STDOUT_FILENO, buf, (size_t)n) < 0)
                break;
    }
    close(log_fd);
    return !failed;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"build", required_argument, NULL, 'b'},
        {"verbose", no_argument, NULL, 'v'},
        {"exclude", required_argument, NULL, 'x'},
        {NULL, 0, NULL, 0},
    };
    const char *build = "build";
    int c;
    while ((c = getopt_long(argc, argv, "b:vx:", opts, NULL)) >= 0) {
        switch (c) {
        case 'b':
            build = optarg;
            break;
        case 'v':
            arg_verbose = true;
            break;
        case 'x':
            if (sn_strv_push(&arg_exclude, optarg) < 0)
                return 2;
            break;
        default:
            return 2;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: spread-run -b BUILD_DIR [-v] [-x EXCLUDE]... TESTS_DIR [FILTER...]\n");
        return 2;
    }
    if (geteuid() != 0) {
        fprintf(stderr,
                "spread-run: integration tests run as root (they mount, attach loop devices and switch users)\n");
        return 2;
    }
    arg_build = realpath(build, NULL);
    _sn_free_ char *tests_dir = realpath(argv[optind], NULL);
    if (!arg_build || !tests_dir) {
        fprintf(stderr, "spread-run: cannot resolve %s or %s: %s\n", build, argv[optind], strerror(errno));
        return 2;
    }
    /* SN_SRC: the source tree, the parent of the tests directory. */
    _sn_free_ char *src = strdup(tests_dir);
    char *slash = strrchr(src, '/');
    if (slash && slash != src)
        *slash = '\0';
    setenv("SN_SRC", src, 1);

    if (nftw(tests_dir, collect, 16, FTW_PHYS) < 0) {
        perror("spread-run: walking tests");
        return 2;
    }
    size_t n = sn_strv_length(found);
    if (n)
        qsort(found, n, sizeof(char *), cmp_str);
    unsigned passed = 0, failed = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        bool selected = optind + 1 >= argc;
        for (int f = optind + 1; f < argc && !selected; f++)
            if (strstr(found[i], argv[f]))
                selected = true;
        for (char **x = arg_exclude; x && *x && selected; x++)
            if (strstr(found[i] + strlen(tests_dir), *x))
                selected = false;
        if (!selected)
            continue;
        Task t = {0};
        if (task_load(found[i], &t) < 0) {
            bad++;
            continue;
        }
        if (run_task(&t, tests_dir))
            passed++;
        else
            failed++;
        task_done(&t);
    }
    sn_strv_free(found);
    sn_strv_free(arg_exclude);
    free(arg_build);
    printf("\n%u passed, %u failed%s\n", passed, failed + bad, bad ? " (including unreadable task.yaml files)" : "");
    if (passed + failed + bad == 0) {
        fprintf(stderr, "spread-run: no tasks selected\n");
        return 1;
    }
    return failed + bad ? 1 : 0;
}
