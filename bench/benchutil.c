/* benchutil.c — corpus loading and statistics for the bench programs. */
/* nftw() is an XSI interface. */
#define _XOPEN_SOURCE 700
#include "benchutil.h"

#include "fl_buf.h"
#include "fl_utf8.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* nftw has no user pointer: the walk state lives here for its duration. */
static struct {
    char **paths;
    size_t n, cap;
} walk;

static int on_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    size_t len = strlen(path);
    if (type != FTW_F || len < 3 || strcmp(path + len - 3, ".md") != 0)
        return 0;
    if (walk.n == walk.cap) {
        walk.cap = walk.cap ? walk.cap * 2 : 1024;
        walk.paths = fl_xrealloc(walk.paths, walk.cap * sizeof *walk.paths);
    }
    walk.paths[walk.n++] = fl_xstrdup(path);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int bench_read_file(const char *path, fl_buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return -1;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fl_buf_append(out, chunk, got);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: read error\n", path);
        return -1;
    }
    return 0;
}

int bench_list_files(const char *root, char ***paths, size_t *n)
{
    memset(&walk, 0, sizeof walk);
    if (nftw(root, on_entry, 32, FTW_PHYS) != 0) {
        fprintf(stderr, "%s: cannot walk: %s\n", root, strerror(errno));
        for (size_t i = 0; i < walk.n; i++)
            free(walk.paths[i]);
        free(walk.paths);
        memset(&walk, 0, sizeof walk);
        return -1;
    }
    qsort(walk.paths, walk.n, sizeof *walk.paths, cmp_str);
    *paths = walk.paths;
    *n = walk.n;
    memset(&walk, 0, sizeof walk);
    return 0;
}

int bench_corpus_load(const char *root, bench_corpus *c)
{
    memset(c, 0, sizeof *c);
    size_t rootlen = strlen(root);
    while (rootlen > 1 && root[rootlen - 1] == '/')
        rootlen--;
    char **paths = NULL;
    size_t npaths = 0;
    if (bench_list_files(root, &paths, &npaths) != 0)
        return -1;
    c->files = fl_xcalloc(npaths ? npaths : 1, sizeof *c->files);
    int rc = 0;
    for (size_t i = 0; i < npaths; i++) {
        fl_buf raw = FL_BUF_INIT;
        if (rc == 0 && bench_read_file(paths[i], &raw) != 0)
            rc = -1;
        if (rc == 0) {
            bench_file *f = &c->files[c->n++];
            const char *rel = paths[i] + rootlen;
            while (*rel == '/')
                rel++;
            f->path = fl_xstrdup(rel);
            if (raw.len && !fl_utf8_is_valid(raw.data, raw.len)) {
                fl_buf fixed = FL_BUF_INIT;
                fl_utf8_repair(&fixed, raw.data, raw.len, NULL);
                fl_buf_free(&raw);
                raw = fixed;
                c->repaired++;
            }
            f->len = raw.len;
            f->text = raw.len ? fl_buf_detach(&raw) : fl_xstrdup("");
            c->bytes += f->len;
        }
        fl_buf_free(&raw);
        free(paths[i]);
    }
    free(paths);
    if (rc != 0)
        bench_corpus_free(c);
    return rc;
}

void bench_corpus_free(bench_corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->files[i].path);
        free(c->files[i].text);
    }
    free(c->files);
    memset(c, 0, sizeof *c);
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double bench_thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, size_t n)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double bench_percentile_sorted(const double *v, size_t n, double p)
{
    if (n == 0)
        return 0;
    double r = p * (double)n;
    size_t k = (size_t)r;
    if ((double)k < r)
        k++;            /* ceil(p * n), 1-based */
    if (k < 1)
        k = 1;
    if (k > n)
        k = n;
    return v[k - 1];
}

long bench_peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return 0;
    char line[256];
    long kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}
