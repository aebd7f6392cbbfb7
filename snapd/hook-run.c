/* SPDX-License-Identifier: GPL-3.0-only */
#include "hook-run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "macros.h"
#include "strutil.h"

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Bounded by construction (at most 20 digits each); gcc cannot see it through the helpers. */
#pragma GCC diagnostic push
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

/* "1.5" from units and a fraction of `scale` units (trailing zeros dropped). */
static void put_fraction(char *buf, size_t size, uint64_t whole, uint64_t frac, uint64_t scale)
{
    int n = snprintf(buf, size, "%llu", (unsigned long long)whole);
    if (frac == 0 || n < 0 || (size_t)n >= size)
        return;
    char digits[24];
    int w = 0;
    for (uint64_t s = scale; s > 1; s /= 10)
        w++;
    snprintf(digits, sizeof(digits), "%0*llu", w, (unsigned long long)frac);
    size_t len = strlen(digits);
    while (len > 0 && digits[len - 1] == '0')
        digits[--len] = '\0';
    snprintf(buf + n, size - (size_t)n, ".%s", digits);
}

const char *sn_hook_format_duration(int64_t ns, char buf[static 32])
{
    char num[32];
    const char *sign = ns < 0 ? "-" : "";
    uint64_t u = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
    if (u == 0) {
        snprintf(buf, 32, "0s");
    } else if (u < 1000) {
        snprintf(buf, 32, "%s%lluns", sign, (unsigned long long)u);
    } else if (u < 1000000) {
        put_fraction(num, sizeof(num), u / 1000, u % 1000, 1000);
        snprintf(buf, 32, "%s%s\xc2\xb5s", sign, num);
    } else if (u < 1000000000) {
        put_fraction(num, sizeof(num), u / 1000000, u % 1000000, 1000000);
        snprintf(buf, 32, "%s%sms", sign, num);
    } else {
        uint64_t h = u / 3600000000000ULL, rem = u % 3600000000000ULL;
        uint64_t m = rem / 60000000000ULL;
        rem %= 60000000000ULL;
        put_fraction(num, sizeof(num), rem / 1000000000, rem % 1000000000, 1000000000);
        if (h > 0)
            snprintf(buf, 32, "%s%lluh%llum%ss", sign, (unsigned long long)h, (unsigned long long)m, num);
        else if (m > 0)
            snprintf(buf, 32, "%s%llum%ss", sign, (unsigned long long)m, num);
        else
            snprintf(buf, 32, "%s%ss", sign, num);
    }
    return buf;
}
#pragma GCC diagnostic pop

int sn_hook_parse_duration(const char *s, int64_t *ret_ns)
{
    static const struct {
        const char *unit;
        int64_t ns;
    } units[] = {
        {"ns", 1},
        {"us", 1000},
        {"\xc2\xb5s", 1000},
        {"ms", 1000000},
        {"s", 1000000000},
        {"m", 60LL * 1000000000},
        {"h", 3600LL * 1000000000},
    };
    if (!s || !*s)
        return -EINVAL;
    if (SN_STREQ(s, "0")) {
        *ret_ns = 0;
        return 0;
    }
    int64_t total = 0;
    const char *p = s;
    while (*p) {
        uint64_t whole = 0, frac = 0, scale = 1;
        bool digits = false;
        for (; *p >= '0' && *p <= '9'; p++, digits = true)
            if (__builtin_mul_overflow(whole, 10, &whole) ||
                __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
                return -ERANGE;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++, digits = true)
                if (scale < 1000000000000ULL) {
                    frac = frac * 10 + (uint64_t)(*p - '0');
                    scale *= 10;
                }
        if (!digits)
            return -EINVAL;
        size_t best = SIZE_MAX, best_len = 0;
        for (size_t i = 0; i < SN_ELEMENTSOF(units); i++) {
            size_t len = strlen(units[i].unit);
            if (strncmp(p, units[i].unit, len) == 0 && len > best_len) {
                best = i;
                best_len = len;
            }
        }
        if (best == SIZE_MAX)
            return -EINVAL;
        p += best_len;
        int64_t part;
        if (__builtin_mul_overflow((int64_t)whole, units[best].ns, &part))
            return -ERANGE;
        part += (int64_t)((double)frac / (double)scale * (double)units[best].ns);
        if (__builtin_add_overflow(total, part, &total))
            return -ERANGE;
    }
    *ret_ns = total;
    return 0;
}

char *sn_hook_output_error(const char *output)
{
    const char *b = output ? output : "";
    const char *e = b + strlen(b);
    while (b < e && strchr(" \t\r\n\v\f", *b))
        b++;
    while (e > b && strchr(" \t\r\n\v\f", e[-1]))
        e--;
    size_t n = (size_t)(e - b);
    if (memchr(b, '\n', n))
        return sn_strdup_printf("\n-----\n%.*s\n-----", (int)n, b);
    return strndup(b, n);
}

/* The kept output: the last MAX_LINES lines and MAX_BYTES bytes, as snapd's LimitedBuffer. */
typedef struct Output {
    SnBuf buf;
} Output;

static void output_trim(SnBuf *b)
{
    if (!b->data)
        return;
    size_t start = b->len > SN_HOOK_OUTPUT_MAX_BYTES ? b->len - SN_HOOK_OUTPUT_MAX_BYTES : 0;
    size_t lines = 0;
    for (size_t i = b->len; i > start; i--)
        if (b->data[i - 1] == '\n' && i != b->len && ++lines >= SN_HOOK_OUTPUT_MAX_LINES) {
            start = i;
            break;
        }
    if (start > 0) {
        memmove(b->data, b->data + start, b->len - start);
        b->len -= start;
        b->data[b->len] = '\0';
    }
}

static void kill_group(pid_t pid)
{
    if (kill(-pid, SIGKILL) < 0)
        (void)kill(pid, SIGKILL);
}

int sn_hook_run_process(char *const *argv, char *const *env, int64_t timeout_ns, bool (*stop)(void *userdata),
                        void *userdata, SnHookRunEnd *ret_end, int *ret_status, char **ret_output, SnError **reterr)
{
    if (!argv || !argv[0] || timeout_ns <= 0)
        return sn_error_set(reterr, -EINVAL, "internal error: a hook needs a command and a positive timeout");
    int pipefd[2];
    if (sn_faulty("hook-pipe") || pipe2(pipefd, O_CLOEXEC) < 0)
        return sn_error_set(reterr, -errno ?: -EIO, "cannot create a pipe for the hook: %m");
    _sn_close_ int rd = pipefd[0];
    _sn_close_ int wr = pipefd[1];

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, wr, STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, wr, STDERR_FILENO);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    pid_t pid = -1;
    int r = sn_faulty("hook-spawn") ? EAGAIN
            : strchr(argv[0], '/')  ? posix_spawn(&pid, argv[0], &fa, &attr, argv, env)
                                    : posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (r != 0)
        return sn_error_set(reterr, -r, "cannot run %s: %s", argv[0], strerror(r));
    wr = sn_safe_close(wr);

    SnBuf out = {0};
    SnHookRunEnd end = SN_HOOK_RUN_EXITED;
    int64_t deadline = now_ns() + timeout_ns;
    /* Waits on the pipe and on the process: a child it left holding the pipe does not keep us. */
    _sn_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    bool eof = false, exited = false;
    int status = 0;
    while (!exited) {
        int64_t left = deadline - now_ns();
        if (left <= 0) {
            end = SN_HOOK_RUN_TIMEOUT;
            break;
        }
        if (stop && stop(userdata)) {
            end = SN_HOOK_RUN_ABORTED;
            break;
        }
        struct pollfd p[2] = {{.fd = eof ? -1 : rd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        int wait_ms = (int)SN_MIN(left / 1000000 + 1, 100);
        int k = poll(p, 2, pidfd >= 0 ? wait_ms : SN_MIN(wait_ms, 10));
        if (k < 0 && errno != EINTR)
            break;
        if (!eof && k > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            char chunk[4096];
            ssize_t n = read(rd, chunk, sizeof(chunk));
            if (n > 0) {
                sn_buf_append(&out, chunk, (size_t)n);
                if (out.len > 4 * SN_HOOK_OUTPUT_MAX_BYTES)
                    output_trim(&out);
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                eof = true;
        }
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno == ECHILD))
            exited = true;
    }
    if (!exited) {
        kill_group(pid);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    /* What it wrote before it exited: read without waiting for the last holder of the pipe. */
    if (!eof && fcntl(rd, F_SETFL, O_NONBLOCK) == 0)
        for (char chunk[4096];;) {
            ssize_t n = read(rd, chunk, sizeof(chunk));
            if (n <= 0)
                break;
            sn_buf_append(&out, chunk, (size_t)n);
            if (out.len > 4 * SN_HOOK_OUTPUT_MAX_BYTES)
                output_trim(&out);
        }
    output_trim(&out);
    char dbuf[32];
    if (end == SN_HOOK_RUN_TIMEOUT)
        sn_buf_printf(&out, "\n<exceeded maximum runtime of %s>", sn_hook_format_duration(timeout_ns, dbuf));
    else if (end == SN_HOOK_RUN_ABORTED)
        sn_buf_puts(&out, "\n<aborted>");
    if (!sn_buf_ok(&out)) {
        sn_buf_done(&out);
        return -ENOMEM;
    }
    char *text = out.data ? sn_buf_steal(&out) : strdup("");
    if (!text)
        return -ENOMEM;
    *ret_end = end;
    *ret_status = WIFEXITED(status) ? WEXITSTATUS(status) : WIFSIGNALED(status) ? -WTERMSIG(status) : 1;
    *ret_output = text;
    return 0;
}
