/* frontmatter.c — finding and reading YAML front matter (see fl_frontmatter.h). */
#include "fl_frontmatter.h"

#include "fl_buf.h"
#include "fl_err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Length of the line at s (up to and excluding "\n"), and whether it is a
 * fence: "---" (or "..." when `dots`) followed only by spaces / CR. */
static bool is_fence(const char *s, size_t len, bool dots)
{
    size_t i = 0;
    char ch = s[0];
    if (len < 3 || !(ch == '-' || (dots && ch == '.')))
        return false;
    while (i < 3 && i < len && s[i] == ch)
        i++;
    if (i < 3)
        return false;
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r'))
        i++;
    return i == len;
}

static size_t line_len(const char *s, size_t len)
{
    const char *nl = memchr(s, '\n', len);
    return nl ? (size_t)(nl - s) : len;
}

/* Tries a block whose opening fence starts at `at` (line `line`).  Returns
 * true when a closing fence exists; fills fm (yaml may stay NULL). */
static bool try_block(const char *text, size_t len, size_t at, int line, fl_frontmatter *fm,
                      bool want_mapping, fl_page *warn)
{
    size_t open_len = line_len(text + at, len - at);
    size_t ys = at + open_len + (at + open_len < len ? 1 : 0);
    size_t pos = ys;
    int ln = line + 1;
    while (pos < len) {
        size_t ll = line_len(text + pos, len - pos);
        if (is_fence(text + pos, ll, true)) {
            char *err = NULL;
            int eline = 0;
            fl_yaml *y = fl_yaml_parse(text + ys, pos - ys, &err, &eline);
            size_t after = pos + ll + (pos + ll < len ? 1 : 0);
            if (want_mapping && (!y || y->kind != FL_YAML_MAP)) {
                fl_yaml_free(y);
                free(err);
                return false;
            }
            fm->present = true;
            fm->body = text + after;
            fm->body_len = len - after;
            fm->body_line = ln + 1;
            if (!y && err) {
                if (warn)
                    fl_page_warn(warn, line + eline, "front matter is not valid YAML: %s",
                                 strchr(err, ' ') ? strchr(err, ' ') + 1 : err);
                free(err);
            } else if (y && y->kind != FL_YAML_MAP) {
                if (warn && y->kind != FL_YAML_NULL)
                    fl_page_warn(warn, line + 1, "front matter is not a YAML mapping");
                fl_yaml_free(y);
                y = NULL;
            }
            fm->yaml = y;
            return true;
        }
        pos += ll + 1;
        ln++;
    }
    return false;
}

void fl_frontmatter_split(const char *text, size_t len, bool allow_late, fl_frontmatter *fm,
                          fl_page *warn)
{
    memset(fm, 0, sizeof *fm);
    size_t start = 0;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    fm->body = text + start;
    fm->body_len = len - start;
    fm->body_line = 1;
    size_t ll = line_len(text + start, len - start);
    if (is_fence(text + start, ll, false)) {
        if (try_block(text, len, start, 1, fm, false, warn))
            return;
        if (warn)
            fl_page_warn(warn, 1, "front matter has no closing '---' line; read as text");
        return;
    }
    if (!allow_late)
        return;
    /* Front matter further down (text before the opening fence): look at
     * the first 200 lines for a fenced block that is a YAML mapping. */
    size_t pos = start;
    int line = 1;
    while (pos < len && line <= 200) {
        size_t l = line_len(text + pos, len - pos);
        if (line > 1 && is_fence(text + pos, l, false) &&
            try_block(text, len, pos, line, fm, true, warn)) {
            fm->pre = text + start;
            fm->pre_len = pos - start;
            if (warn)
                fl_page_warn(warn, line, "front matter not at the top of the file");
            return;
        }
        pos += l + 1;
        line++;
    }
}

void fl_frontmatter_free(fl_frontmatter *fm)
{
    fl_yaml_free(fm->yaml);
    fm->yaml = NULL;
}

void fl_frontmatter_list(const fl_yaml *v, bool split_spaces, fl_strlist *out)
{
    if (!v)
        return;
    if (v->kind == FL_YAML_SEQ) {
        for (size_t i = 0; i < v->n; i++)
            if (v->items[i]->kind == FL_YAML_SCALAR && v->items[i]->value[0])
                fl_strlist_push(out, v->items[i]->value);
        return;
    }
    if (v->kind != FL_YAML_SCALAR)
        return;
    if (!split_spaces) {
        if (v->value[0])
            fl_strlist_push(out, v->value);
        return;
    }
    const char *s = v->value;
    while (*s) {
        while (*s && isspace((unsigned char)*s))
            s++;
        const char *e = s;
        while (*e && !isspace((unsigned char)*e))
            e++;
        if (e > s)
            fl_strlist_push_n(out, s, (size_t)(e - s));
        s = e;
    }
}

/* ------------------------------------------------------------------ dates */

/* mktime/localtime_r read the process-wide TZ: switch it under a lock. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static void tz_enter(const char *tz, char **saved)
{
    pthread_mutex_lock(&tz_lock);
    *saved = NULL;
    if (tz && *tz) {
        const char *old = getenv("TZ");
        *saved = old ? fl_xstrdup(old) : fl_xstrdup("");
        setenv("TZ", tz, 1);
    }
    tzset();
}

static void tz_leave(char *saved)
{
    if (saved) {
        if (*saved)
            setenv("TZ", saved, 1);
        else
            unsetenv("TZ");
        free(saved);
    }
    tzset();
    pthread_mutex_unlock(&tz_lock);
}

/* Writes the date of utc in tz as "YYYY-MM-DD" (years zero-padded to four
 * digits, as Ruby's %Y does).  Returns -1 (and writes "0000-01-01") when
 * the year has no four-digit form: strftime("%Y") would give "406" or
 * overflow the 11 bytes and leave out undefined. */
static int format_date(long long utc, const char *tz, char out[11])
{
    char *saved;
    time_t t = (time_t)utc;
    struct tm tm;
    tz_enter(tz, &saved);
    struct tm *ok = localtime_r(&t, &tm);
    tz_leave(saved);
    if (!ok || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900) {
        memcpy(out, "0000-01-01", 11);
        return -1;
    }
    /* in range by now; the unsigned modulo shows gcc the width */
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)(tm.tm_year + 1900) % 10000u,
             (unsigned)(tm.tm_mon + 1) % 100u, (unsigned)tm.tm_mday % 100u);
    return 0;
}

void fl_frontmatter_date_in_tz(long long utc, const char *tz, char out[11])
{
    format_date(utc, tz, out);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + (*p)[i] - '0';
    }
    *p += n;
    *out = v;
    return 0;
}

int fl_frontmatter_date(const char *s, const char *tz, long long *utc, char out[11])
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    const char *p = s;
    while (*p == ' ')
        p++;
    if (digits(&p, 4, &y) || *p++ != '-')
        return -1;
    /* months and days may have one digit ("2025-3-1") */
    if (digits(&p, 2, &mo) != 0) {
        if (digits(&p, 1, &mo))
            return -1;
    }
    if (*p++ != '-')
        return -1;
    if (digits(&p, 2, &d) != 0 && digits(&p, 1, &d) != 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    bool have_zone = false;
    long off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        const char *q = p + 1;
        while (*q == ' ')
            q++;
        if (digits(&q, 2, &h) == 0 || digits(&q, 1, &h) == 0) {
            if (*q != ':' || (q++, digits(&q, 2, &mi)))
                return -1;
            if (*q == ':') {
                q++;
                if (digits(&q, 2, &sec))
                    return -1;
                if (*q == '.' || *q == ',')
                    for (q++; isdigit((unsigned char)*q); q++)
                        ;
            }
            while (*q == ' ')
                q++;
            if (*q == 'Z' || *q == 'z') {
                have_zone = true;
                q++;
            } else if (*q == '+' || *q == '-') {
                int sign = *q == '-' ? -1 : 1, oh, om = 0;
                q++;
                if (digits(&q, 2, &oh))
                    return -1;
                if (*q == ':')
                    q++;
                if (isdigit((unsigned char)*q) && digits(&q, 2, &om))
                    return -1;
                off = sign * (oh * 3600L + om * 60L);
                have_zone = true;
            }
            p = q;
        }
    }
    while (*p == ' ' || *p == '\r')
        p++;
    if (*p)
        return -1;
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t;
    if (have_zone) {
        t = timegm(&tm) - off;
    } else {
        char *saved;
        tm.tm_isdst = -1;
        tz_enter(tz, &saved);
        t = mktime(&tm);
        tz_leave(saved);
    }
    *utc = (long long)t;
    /* a zone offset can push 9999-12-31 into year 10000: not a date we can write */
    return format_date(*utc, tz, out);
}
