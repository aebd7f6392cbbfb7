/* SPDX-License-Identifier: GPL-3.0-only */
#include "wait.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "strutil.h"

/* ---- quantities ---- */

/* floor_pos() for the non-negative values here, without libm. */
static double floor_pos(double x)
{
    return (double)(int64_t)x;
}

static void format_amount(uint64_t amount, char *buf, size_t size)
{
    const int width = 5;
    if (amount <= 5000) {
        snprintf(buf, size, "%*llu", width, (unsigned long long)amount);
        return;
    }
    static const char prefixes[] = "kMGTPEZY";
    double r = (double)amount;
    char prefix = 'k';
    for (size_t i = 0; i < sizeof(prefixes) - 1; i++) {
        prefix = prefixes[i];
        r /= 1000;
        if (r < 999.5)
            break;
    }
    int digits = r < 0.95 ? 0 : r < 9.5 ? 1 : r < 99.5 ? 2 : 3;
    int w = width - 1, precision = w - digits > 1 ? w - digits - 1 : 0;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%*.*f%c", w, precision, r, prefix);
    snprintf(buf, size, "%s", r < 0.95 ? tmp + 1 : tmp);
}

void sn_format_bps(double bytes, double seconds, char *buf, size_t size)
{
    if (seconds < 0)
        seconds = -seconds;
    double rate = seconds > 0 ? bytes / seconds : 0;
    char amount[64];
    format_amount(rate >= 0 && rate < 1.8e19 ? (uint64_t)rate : 0, amount, sizeof(amount));
    snprintf(buf, size, "%sB/s", amount);
}

void sn_format_duration(double dt, char *buf, size_t size)
{
    if (!(dt == dt) || dt < 0) /* NaN or negative: nothing sensible to say */
        dt = 0;
    if (dt < 60) {
        if (dt >= 9.995) {
            snprintf(buf, size, "%.1fs", dt);
            return;
        }
        if (dt >= 0.9995) {
            snprintf(buf, size, "%.2fs", dt);
            return;
        }
        static const char *const prefixes[] = {"m", "µ", "n"};
        const char *prefix = "n";
        for (size_t i = 0; i < SN_ELEMENTSOF(prefixes); i++) {
            prefix = prefixes[i];
            dt *= 1000;
            if (dt >= 0.9995)
                break;
        }
        if (dt > 9.5)
            snprintf(buf, size, "%3.f%ss", dt, prefix);
        else
            snprintf(buf, size, "%.1f%ss", dt, prefix);
        return;
    }
    if (dt < 600) {
        double m = floor_pos(dt / 60);
        snprintf(buf, size, "%.fm%02.fs", m, dt - m * 60);
        return;
    }
    dt /= 60;
    if (dt < 99.95) {
        snprintf(buf, size, "%3.1fm", dt);
        return;
    }
    if (dt < 10 * 60) {
        double h = floor_pos(dt / 60);
        snprintf(buf, size, "%.fh%02.fm", h, dt - h * 60);
        return;
    }
    if (dt < 24 * 60) {
        double h = floor_pos(dt / 60), m = dt - h * 60;
        if (m < 10)
            snprintf(buf, size, "%.fh%1.fm", h, m);
        else
            snprintf(buf, size, "%3.1fh", dt / 60);
        return;
    }
    dt /= 60;
    if (dt < 10 * 24) {
        double d = floor_pos(dt / 24);
        snprintf(buf, size, "%.fd%02.fh", d, dt - d * 24);
        return;
    }
    if (dt < 99.95 * 24) {
        double d = floor_pos(dt / 24), h = dt - d * 24;
        if (h < 10)
            snprintf(buf, size, "%.fd%.fh", d, h);
        else
            snprintf(buf, size, "%4.1fd", dt / 24);
        return;
    }
    dt /= 24;
    if (dt < 2 * 365.25) {
        snprintf(buf, size, "%4.0fd", dt);
        return;
    }
    dt /= 365.25;
    if (dt < 9.995)
        snprintf(buf, size, "%4.2fy", dt);
    else if (dt < 99.95)
        snprintf(buf, size, "%4.1fy", dt);
    else if (dt < 999.5)
        snprintf(buf, size, "%4.fy", dt);
    else
        snprintf(buf, size, "ages!");
}

/* ---- meter ---- */

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int meter_width(const SnMeter *m)
{
    if (m->width > 0)
        return m->width;
    struct winsize ws;
    if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    return 80;
}

/* Code points of a UTF-8 string, so that a label is cut on a character boundary. */
static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Appends msg cut or padded to exactly col columns (an ellipsis where it was cut). */
static void put_normalized(SnBuf *b, const char *msg, int col)
{
    if (col <= 0)
        return;
    size_t n = utf8_len(msg);
    if (n <= (size_t)col) {
        sn_buf_puts(b, msg);
        for (size_t i = n; i < (size_t)col; i++)
            sn_buf_putc(b, ' ');
        return;
    }
    size_t keep = (size_t)col - 1, seen = 0;
    const char *p = msg;
    for (; *p; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (seen == keep)
                break;
            seen++;
        }
    }
    sn_buf_append(b, msg, (size_t)(p - msg));
    sn_buf_puts(b, "…");
}

void sn_meter_init(SnMeter *m, FILE *out, bool ansi)
{
    *m = (SnMeter){.out = out ? out : stdout, .ansi = ansi};
}

void sn_meter_start(SnMeter *m, const char *label, double total)
{
    free(m->label);
    m->label = strdup(label ? label : "");
    m->total = total;
    m->written = 0;
    m->t0_ms = mono_ms();
    if (m->ansi) {
        fputs("\033[?25l", m->out); /* cursor invisible */
        m->started = true;
    }
}

void sn_meter_set(SnMeter *m, double current)
{
    if (current < 0)
        current = 0;
    if (current > m->total)
        current = m->total;
    m->written = current;
    if (!m->ansi)
        return;
    int col = meter_width(m);
    char percent[16] = "", speed[48] = "", left[48] = "";
    if (col > 15) {
        double since = (double)(mono_ms() - m->t0_ms) / 1000.0;
        double per = m->written > 0 ? since / m->written : 0;
        char d[32];
        sn_format_duration((m->total - m->written) * per, d, sizeof(d));
        snprintf(left, sizeof(left), " %s", d);
        if (col > 20) {
            double q = m->total > 0 ? m->written * 100 / m->total : 0;
            if (m->total == 0)
                snprintf(percent, sizeof(percent), " ---%%");
            else if (q > 999.4 || q < 0)
                snprintf(percent, sizeof(percent), " ???%%");
            else
                snprintf(percent, sizeof(percent), " %3.0f%%", q);
            if (col > 29) {
                char bps[40];
                sn_format_bps(m->written, since > 0 ? since : 1e-9, bps, sizeof(bps));
                snprintf(speed, sizeof(speed), " %s", bps);
            }
        }
    }
    SnBuf msg = {0};
    put_normalized(&msg, m->label ? m->label : "",
                   col - (int)utf8_len(percent) - (int)utf8_len(speed) - (int)utf8_len(left));
    sn_buf_puts(&msg, percent);
    sn_buf_puts(&msg, speed);
    sn_buf_puts(&msg, left);
    if (!sn_buf_ok(&msg)) {
        sn_buf_done(&msg);
        return;
    }
    /* The first done/total of the line's characters in reverse video: the bar. */
    size_t chars = utf8_len(msg.data);
    size_t filled = m->total > 0 ? (size_t)(current * (double)chars / m->total) : 0;
    const char *split = msg.data;
    for (size_t seen = 0; *split; split++) {
        if (((unsigned char)*split & 0xC0) != 0x80) {
            if (seen == filled)
                break;
            seen++;
        }
    }
    fprintf(m->out, "\r\033[7m%.*s\033[0m%s", (int)(split - msg.data), msg.data, split);
    fflush(m->out);
    m->started = true;
    sn_buf_done(&msg);
}

void sn_meter_spin(SnMeter *m, const char *msg)
{
    static const char spinner[] = "/-\\|";
    if (!m->ansi)
        return;
    int col = meter_width(m);
    SnBuf b = {0};
    if (col - 2 >= (int)utf8_len(msg)) {
        put_normalized(&b, msg, col - 2);
        sn_buf_printf(&b, " %c", spinner[m->spin++ % 4]);
    } else {
        put_normalized(&b, msg, col);
    }
    if (sn_buf_ok(&b))
        fprintf(m->out, "\r%s", b.data);
    fflush(m->out);
    m->started = true;
    sn_buf_done(&b);
}

void sn_meter_notify(SnMeter *m, const char *msg)
{
    if (!m->ansi) {
        fprintf(m->out, "%s\n", msg);
        fflush(m->out);
        return;
    }
    fputs("\r\033[0m\033[K", m->out);
    /* Wrapped at spaces to the terminal's width. */
    int col = meter_width(m);
    const char *p = msg;
    while ((int)utf8_len(p) > col) {
        const char *cut = NULL, *q = p;
        int w = 0;
        for (; *q && w < col; q++) {
            if (((unsigned char)*q & 0xC0) != 0x80)
                w++;
            if (*q == ' ' && q != p)
                cut = q;
        }
        if (!cut) {
            while (*q && ((unsigned char)*q & 0xC0) == 0x80)
                q++;
            cut = q;
        }
        fprintf(m->out, "%.*s\n", (int)(cut - p), p);
        p = *cut == ' ' ? cut + 1 : cut;
    }
    fprintf(m->out, "%s\n", p);
    fflush(m->out);
}

void sn_meter_finished(SnMeter *m)
{
    if (m->ansi && m->started) {
        fputs("\r\033[0m\033[?25h\033[K", m->out);
        fflush(m->out);
        m->started = false;
    }
}

void sn_meter_done(SnMeter *m)
{
    free(m->label);
    m->label = NULL;
}

/* ---- waiting ---- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

int sn_client_abort(SnClient *c, const char *id, json_t **ret_change, SnError **reterr)
{
    _sn_free_ char *esc = sn_client_escape(id);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/changes/%s", esc) : NULL;
    json_t *body = json_pack("{s:s}", "action", "abort");
    if (!path || !body) {
        json_decref(body);
        return -ENOMEM;
    }
    int r = sn_client_sync(c, "POST", path, NULL, body, ret_change, reterr);
    json_decref(body);
    return r;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL); /* a signal cuts it short: the loop looks at the flag sooner */
}

static const char *task_str(json_t *t, const char *key)
{
    const char *s = json_string_value(json_object_get(t, key));
    return s ? s : "";
}

static const char *last_log(json_t *t)
{
    json_t *log = json_object_get(t, "log");
    size_t n = json_array_size(log);
    return n ? json_string_value(json_array_get(log, n - 1)) ?: "" : "";
}

/* Notifies a task's latest log line once (lastLog in snapd: one entry per task id). */
static void maybe_show_log(SnMeter *m, json_t *seen, json_t *t)
{
    const char *now = last_log(t);
    const char *before = json_string_value(json_object_get(seen, task_str(t, "id")));
    if (SN_STREQ(before ? before : "", now))
        return;
    sn_meter_notify(m, now);
    json_object_set_new(seen, task_str(t, "id"), json_string(now));
}

static int system_restart_error(SnClient *c, SnError **reterr)
{
    json_t *maint = sn_client_maintenance(c);
    const char *kind = json_string_value(json_object_get(maint, "kind"));
    if (!kind || !SN_STREQ(kind, "system-restart"))
        return 0;
    const char *op = json_string_value(json_object_get(json_object_get(maint, "value"), "op"));
    const char *what = op && SN_STREQ(op, "halt") ? "halt" : op && SN_STREQ(op, "poweroff") ? "power off" : "reboot";
    return sn_error_set(reterr, -ESHUTDOWN, "snapd is about to %s the system", what);
}

int sn_wait_change(SnClient *c, const char *id, const SnWaitOptions *opts, json_t **ret_change, SnError **reterr)
{
    static const SnWaitOptions defaults = {0};
    if (!opts)
        opts = &defaults;
    int poll_ms = opts->poll_ms > 0 ? opts->poll_ms : 100;
    int max_gone_ms = opts->max_gone_ms > 0 ? opts->max_gone_ms : 5000;
    _sn_free_ char *esc = sn_client_escape(id);
    _sn_free_ char *path = esc ? sn_strdup_printf("/v2/changes/%s", esc) : NULL;
    json_t *seen_logs = json_object();
    if (!path || !seen_logs) {
        json_decref(seen_logs);
        return -ENOMEM;
    }

    struct sigaction old_sa, sa = {.sa_handler = on_sigint, .sa_flags = (int)SA_RESETHAND};
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    bool handle_sigint = !opts->skip_abort;
    if (handle_sigint)
        sigaction(SIGINT, &sa, &old_sa);
    bool abort_sent = false;

    SnMeter meter;
    sn_meter_init(&meter, opts->out, opts->ansi && !opts->no_progress);
    bool quiet = opts->no_progress;
    int64_t gone_until = -1;
    _sn_free_ char *last_id = NULL;
    int r;
    for (;;) {
        if (interrupted && !abort_sent) {
            abort_sent = true;
            _sn_cleanup_(sn_error_freep) SnError *aerr = NULL;
            int ar = sn_client_abort(c, id, NULL, &aerr);
            if (ar < 0)
                fprintf(stderr, "%s\n", sn_error_message(aerr, ar));
        }
        json_t *chg = NULL;
        _sn_cleanup_(sn_error_freep) SnError *err = NULL;
        r = sn_client_sync(c, "GET", path, NULL, NULL, &chg, &err);
        if (r == -EREMOTEIO || r == -EBADMSG || r == -ENOMEM) {
            if (reterr && !*reterr)
                *reterr = SN_TAKE_PTR(err);
            break;
        }
        if (r < 0) {
            /* The daemon is gone (a restart, perhaps): wait for it a little while. */
            int rr = system_restart_error(c, reterr);
            if (rr < 0) {
                r = rr;
                break;
            }
            int64_t now = mono_ms();
            if (gone_until < 0)
                gone_until = now + max_gone_ms;
            if (now > gone_until) {
                if (reterr && !*reterr)
                    *reterr = SN_TAKE_PTR(err);
                break;
            }
            if (!quiet)
                sn_meter_spin(&meter, "Waiting for server to restart");
            sleep_ms(poll_ms);
            continue;
        }
        if (gone_until >= 0) {
            sn_meter_finished(&meter);
            gone_until = -1;
        }
        json_t *tasks = json_object_get(chg, "tasks");
        size_t n = json_array_size(tasks), in_doing = 0;
        for (size_t i = 0; i < n; i++) {
            json_t *t = json_array_get(tasks, i);
            if (!quiet && SN_STREQ(task_str(t, "status"), "Wait"))
                maybe_show_log(&meter, seen_logs, t);
            in_doing += SN_STREQ(task_str(t, "status"), "Doing");
        }
        for (size_t i = n; !quiet && i-- > 0;) {
            json_t *t = json_array_get(tasks, i);
            const char *st = task_str(t, "status"), *kind = task_str(t, "kind");
            if (!SN_STREQ(st, "Doing") && !SN_STREQ(st, "Wait"))
                continue;
            if ((SN_STREQ(kind, "check-rerefresh") || SN_STREQ(kind, "process-delayed-security-backend-effects")) &&
                in_doing > 1)
                continue;
            json_t *progress = json_object_get(t, "progress");
            double done = (double)json_integer_value(json_object_get(progress, "done"));
            double total = (double)json_integer_value(json_object_get(progress, "total"));
            if (total == 1) {
                sn_meter_spin(&meter, task_str(t, "summary"));
                maybe_show_log(&meter, seen_logs, t);
            } else if (last_id && SN_STREQ(last_id, task_str(t, "id"))) {
                sn_meter_set(&meter, done);
            } else {
                sn_meter_start(&meter, task_str(t, "summary"), total);
                free(last_id);
                last_id = strdup(task_str(t, "id"));
            }
            break;
        }
        const char *status = json_string_value(json_object_get(chg, "status"));
        if (!status)
            status = "";
        if (!opts->wait_for_wait_status && SN_STREQ(status, "Wait")) {
            r = 0;
            if (ret_change)
                *ret_change = json_incref(chg);
            json_decref(chg);
            break;
        }
        if (json_is_true(json_object_get(chg, "ready"))) {
            const char *chg_err = json_string_value(json_object_get(chg, "err"));
            if (SN_STREQ(status, "Done")) {
                r = 0;
                if (ret_change)
                    *ret_change = json_incref(chg);
            } else if (chg_err && *chg_err) {
                r = sn_error_set(reterr, -EREMOTEIO, "%s", chg_err);
            } else {
                r = sn_error_set(reterr, -EREMOTEIO, "change finished in status \"%s\" with no error message", status);
            }
            json_decref(chg);
            break;
        }
        json_decref(chg);
        int rr = system_restart_error(c, reterr);
        if (rr < 0) {
            r = rr;
            break;
        }
        sleep_ms(poll_ms);
    }
    sn_meter_finished(&meter);
    sn_meter_done(&meter);
    json_decref(seen_logs);
    if (handle_sigint)
        sigaction(SIGINT, &old_sa, NULL);
    return r;
}
