/* SPDX-License-Identifier: GPL-3.0-only */
#include "supervisor-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fd-util.h"
#include "fileio.h"
#include "strutil.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int sn_pidfd_open(pid_t pid)
{
    long fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd < 0)
        return sn_negative_errno();
    /* pidfds are always close-on-exec. */
    return (int)fd;
}

/* Only async-signal-safe calls from here to exec: the daemon has threads. */
static void child_fail(int errfd, int stage, int err) _sn_noreturn_;
static void child_fail(int errfd, int stage, int err)
{
    int msg[2] = {stage, err};
    ssize_t n = write(errfd, msg, sizeof(msg));
    (void)n;
    _exit(stage);
}

static void fill_pid(char *buf, pid_t pid)
{
    char digits[16];
    int n = 0;
    unsigned v = (unsigned)pid;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < (int)sizeof(digits));
    char *p = buf + strlen("WATCHDOG_PID=");
    while (n > 0)
        *p++ = digits[--n];
    *p = '\0';
}

static void child(const SnSpawn *sp, int log_fd, int errfd)
{
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            (void)sigaction(sig, &dfl, NULL);
    sigset_t none;
    sigemptyset(&none);
    (void)sigprocmask(SIG_SETMASK, &none, NULL);
    if (setsid() < 0)
        child_fail(errfd, SN_SPAWN_EXIT_EXEC, errno);

    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
        child_fail(errfd, SN_SPAWN_EXIT_EXEC, errno);
    /* Nothing of the daemon's leaks into a service, whoever forgot O_CLOEXEC. */
    (void)close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);

    if (chdir(sp->chdir_to ? sp->chdir_to : "/") < 0)
        child_fail(errfd, SN_SPAWN_EXIT_CHDIR, errno);
    if (sp->watchdog_pid)
        fill_pid(sp->watchdog_pid, getpid());
    execve(sp->argv[0], sp->argv, sp->envp);
    child_fail(errfd, SN_SPAWN_EXIT_EXEC, errno);
}

int sn_spawn(const SnSpawn *sp, int log_fd, pid_t *ret_pid, int *ret_pidfd, int *ret_errno)
{
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) < 0)
        return sn_negative_errno();
    pid_t pid = fork();
    if (pid < 0) {
        int r = sn_negative_errno();
        close(errpipe[0]);
        close(errpipe[1]);
        return r;
    }
    if (pid == 0) {
        close(errpipe[0]);
        child(sp, log_fd, errpipe[1]);
    }
    close(errpipe[1]);
    int pidfd = sn_pidfd_open(pid);
    /* The pipe closes at exec (or exit): a message means the child failed before exec. */
    int msg[2] = {0, 0};
    ssize_t n;
    do
        n = read(errpipe[0], msg, sizeof(msg));
    while (n < 0 && errno == EINTR);
    close(errpipe[0]);
    if (pidfd < 0) {
        /* Cannot happen for our own unreaped child short of ENOMEM/EMFILE: don't leave it behind. */
        kill(pid, SIGKILL);
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        return pidfd;
    }
    *ret_pid = pid;
    *ret_pidfd = pidfd;
    *ret_errno = n == (ssize_t)sizeof(msg) ? msg[1] : 0;
    return 0;
}

static int parse_env_file(const char *path, char ***env)
{
    _sn_free_ char *data = NULL;
    if (sn_read_file_at(AT_FDCWD, path, 1 << 20, &data, NULL) < 0)
        return 0; /* EnvironmentFile=-: a missing file is fine */
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t')
            line++;
        if (!*line || *line == '#' || *line == ';')
            continue;
        char *eq = strchr(line, '=');
        if (!eq || eq == line)
            continue;
        size_t klen = (size_t)(eq - line);
        while (klen > 0 && (line[klen - 1] == ' ' || line[klen - 1] == '\t'))
            klen--;
        char *val = eq + 1;
        size_t vlen = strlen(val);
        while (vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t' || val[vlen - 1] == '\r'))
            vlen--;
        if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
            val++;
            vlen -= 2;
        }
        _sn_free_ char *kv = sn_strdup_printf("%.*s=%.*s", (int)klen, line, (int)vlen, val);
        if (!kv || sn_strv_push(env, kv) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Sets KEY=VALUE in env, replacing an earlier value of KEY. */
static int env_set(char ***env, const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t klen = eq ? (size_t)(eq - kv) : strlen(kv);
    for (char **e = *env; e && *e; e++)
        if (strncmp(*e, kv, klen) == 0 && (*e)[klen] == '=') {
            char *copy = strdup(kv);
            if (!copy)
                return -ENOMEM;
            free(*e);
            *e = copy;
            return 0;
        }
    return sn_strv_push(env, kv);
}

int sn_service_environment(const char *env_file, char *const *extra, char *const *more, char ***ret)
{
    _sn_strv_free_ char **env = NULL;
    _sn_strv_free_ char **file = NULL;
    if (sn_strv_push(&env, DEFAULT_PATH) < 0)
        return -ENOMEM;
    if (env_file && parse_env_file(env_file, &file) < 0)
        return -ENOMEM;
    char *const *lists[] = {file, extra, more};
    for (size_t i = 0; i < SN_ELEMENTSOF(lists); i++)
        for (char *const *e = lists[i]; e && *e; e++)
            if (env_set(&env, *e) < 0)
                return -ENOMEM;
    *ret = SN_TAKE_PTR(env);
    return 0;
}

/* Fields of /proc/PID/stat after the command: state is field 3, ppid 4, pgrp 5, starttime 22. */
static int proc_stat(pid_t pid, char *ret_state, pid_t *ret_ppid, pid_t *ret_pgrp, uint64_t *ret_start)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    _sn_free_ char *data = NULL;
    int r = sn_read_file_at(AT_FDCWD, path, 4096, &data, NULL);
    if (r < 0)
        return r == -ENOENT ? -ESRCH : r;
    char *p = strrchr(data, ')');
    if (!p)
        return -EINVAL;
    char state;
    int ppid, pgrp;
    unsigned long long start;
    /* state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
     * priority nice threads itrealvalue starttime */
    if (sscanf(p + 1, " %c %d %d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &state, &ppid,
               &pgrp, &start) != 4)
        return -EINVAL;
    if (ret_state)
        *ret_state = state;
    if (ret_ppid)
        *ret_ppid = ppid;
    if (ret_pgrp)
        *ret_pgrp = pgrp;
    if (ret_start)
        *ret_start = start;
    return 0;
}

int sn_proc_starttime(pid_t pid, uint64_t *ret)
{
    return proc_stat(pid, NULL, NULL, NULL, ret);
}

static bool parse_pid(const char *s, pid_t *ret)
{
    uint64_t v;
    if (sn_parse_u64(s, &v) < 0 || v == 0 || v > INT32_MAX)
        return false;
    *ret = (pid_t)v;
    return true;
}

/* Calls fn for every live (non-zombie) process; stops when fn returns true. */
static void for_each_proc(bool (*fn)(pid_t pid, pid_t ppid, pid_t pgrp, void *ud), void *ud)
{
    DIR *d = opendir("/proc");
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d))) {
        pid_t pid, ppid, pgrp;
        char state;
        if (!parse_pid(de->d_name, &pid) || proc_stat(pid, &state, &ppid, &pgrp, NULL) < 0)
            continue;
        if (state == 'Z' || state == 'X')
            continue;
        if (fn(pid, ppid, pgrp, ud))
            break;
    }
    closedir(d);
}

typedef struct GroupQuery {
    pid_t pgid;
    bool found;
} GroupQuery;

static bool in_group(pid_t pid, pid_t ppid, pid_t pgrp, void *ud)
{
    (void)pid;
    (void)ppid;
    GroupQuery *q = ud;
    q->found = pgrp == q->pgid;
    return q->found;
}

bool sn_proc_group_alive(pid_t pgid)
{
    if (pgid <= 0)
        return false;
    /* Cheap first: no process at all in the group. Then skip zombies nobody reaps (PID 1 may not). */
    if (kill(-pgid, 0) < 0 && errno == ESRCH)
        return false;
    GroupQuery q = {.pgid = pgid};
    for_each_proc(in_group, &q);
    return q.found;
}

typedef struct Guess {
    pid_t pgid;
    const char *marker;
    pid_t *pids;
    pid_t *ppids;
    size_t n;
    size_t cap;
    bool oom;
} Guess;

static bool environ_has(pid_t pid, const char *marker)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
    _sn_free_ char *data = NULL;
    size_t len = 0;
    if (sn_read_file_at(AT_FDCWD, path, 1 << 20, &data, &len) < 0)
        return false;
    for (size_t off = 0; off < len; off += strlen(data + off) + 1)
        if (SN_STREQ(data + off, marker))
            return true;
    return false;
}

static bool collect(pid_t pid, pid_t ppid, pid_t pgrp, void *ud)
{
    Guess *g = ud;
    if (g->pgid ? pgrp != g->pgid : !environ_has(pid, g->marker))
        return false;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 8;
        pid_t *p = realloc(g->pids, cap * sizeof(pid_t));
        if (p)
            g->pids = p;
        pid_t *q = realloc(g->ppids, cap * sizeof(pid_t));
        if (q)
            g->ppids = q;
        if (!p || !q) {
            g->oom = true;
            return true;
        }
        g->cap = cap;
    }
    g->pids[g->n] = pid;
    g->ppids[g->n++] = ppid;
    return false;
}

/* The lowest pid among the collected whose parent was not collected: the top of the tree. */
static pid_t top_of(const Guess *g)
{
    pid_t best = 0;
    for (size_t i = 0; i < g->n; i++) {
        bool parent_in = false;
        for (size_t j = 0; j < g->n; j++)
            parent_in = parent_in || g->pids[j] == g->ppids[i];
        if (!parent_in && (best == 0 || g->pids[i] < best))
            best = g->pids[i];
    }
    return best;
}

pid_t sn_proc_guess_main(pid_t pgid, const char *marker)
{
    Guess g = {.pgid = pgid};
    pid_t found = 0;
    if (pgid > 0) {
        for_each_proc(collect, &g);
        found = g.oom ? 0 : top_of(&g);
    }
    if (!found && marker) {
        g.n = 0;
        g.oom = false;
        g.pgid = 0;
        g.marker = marker;
        for_each_proc(collect, &g);
        found = g.oom ? 0 : top_of(&g);
    }
    free(g.pids);
    free(g.ppids);
    return found;
}

int sn_pidfile_write(const char *run_dir, const char *name, pid_t pid, pid_t pgid, bool kill_all)
{
    uint64_t start = 0;
    int r = sn_proc_starttime(pid, &start);
    if (r < 0)
        return r;
    r = sn_mkdir_p(run_dir, 0755);
    if (r < 0)
        return r;
    _sn_free_ char *path = sn_strdup_printf("%s/%s.pid", run_dir, name);
    _sn_free_ char *text =
        sn_strdup_printf("%d %d %llu %d\n", (int)pid, (int)pgid, (unsigned long long)start, kill_all ? 1 : 0);
    if (!path || !text)
        return -ENOMEM;
    return sn_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0644);
}

void sn_pidfile_remove(const char *run_dir, const char *name)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s.pid", run_dir, name);
    if (path)
        (void)unlink(path);
}

void sn_pidfile_kill_stale(const char *run_dir, const char *name)
{
    _sn_free_ char *path = sn_strdup_printf("%s/%s.pid", run_dir, name);
    _sn_free_ char *data = NULL;
    if (!path || sn_read_file_at(AT_FDCWD, path, 256, &data, NULL) < 0)
        return;
    int pid = 0, pgid = 0, all = 0;
    unsigned long long start = 0;
    uint64_t now_start = 0;
    /* Only a process with the recorded start time is ours: pids get reused. */
    if (sscanf(data, "%d %d %llu %d", &pid, &pgid, &start, &all) == 4 && pid > 0 &&
        sn_proc_starttime(pid, &now_start) >= 0 && now_start == start) {
        if (all && pgid > 0)
            (void)kill(-pgid, SIGKILL);
        (void)kill(pid, SIGKILL);
    }
    (void)unlink(path);
}

int sn_notify_socket_open(const char *path, int *ret_fd, char **ret_addr)
{
    static unsigned counter;
    _sn_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return sn_negative_errno();
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    socklen_t len;
    _sn_free_ char *addr = NULL;
    if (path) {
        if (strlen(path) >= sizeof(sa.sun_path))
            return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        (void)unlink(path);
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
        addr = strdup(path);
    } else {
        addr = sn_strdup_printf("@snapd-supervisor-%d-%u", (int)getpid(), __atomic_fetch_add(&counter, 1, 0));
        if (addr) {
            /* sun_path[0] = 0 and the name after it, without a NUL: systemd's "@" convention. */
            memcpy(sa.sun_path + 1, addr + 1, strlen(addr) - 1);
            len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(addr));
        }
    }
    if (!addr)
        return -ENOMEM;
    if (bind(fd, (struct sockaddr *)&sa, len) < 0)
        return sn_negative_errno();
    int one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
        return sn_negative_errno();
    *ret_fd = SN_TAKE_FD(fd);
    *ret_addr = SN_TAKE_PTR(addr);
    return 0;
}

int sn_notify_recv(int fd, char *buf, size_t size, pid_t *ret_pid)
{
    union {
        struct cmsghdr h;
        char data[CMSG_SPACE(sizeof(struct ucred))];
    } control;
    struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)};
    ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
    if (n < 0)
        return errno == EWOULDBLOCK ? -EAGAIN : sn_negative_errno();
    if ((size_t)n > size - 1)
        n = (ssize_t)(size - 1);
    buf[n] = '\0';
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            /* Nobody passes fds to us (FDSTORE is not supported): close them. */
            int *fds = (int *)CMSG_DATA(c);
            size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t i = 0; i < nfds; i++)
                close(fds[i]);
        }
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
            c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
            struct ucred cred;
            memcpy(&cred, CMSG_DATA(c), sizeof(cred));
            *ret_pid = cred.pid;
            return (int)n;
        }
    return -EBADMSG;
}
