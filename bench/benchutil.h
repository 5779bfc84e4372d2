/* benchutil.h — helpers shared by the benchmark programs in bench/.
 *
 * Not part of libfindling: these files are built only by `make bench-tools`.
 * Every program prints one JSON object on stdout (read by the bench scripts
 * scripts with jq) and progress/diagnostics on stderr.
 */
#ifndef BENCHUTIL_H
#define BENCHUTIL_H

#include "fl_buf.h"

#include <stddef.h>
#include <stdint.h>

/* One corpus file, read into memory. */
typedef struct bench_file {
    char *path;      /* relative to the corpus root, e.g. "b/bgb/index.md" */
    char *text;      /* file contents, NUL-terminated, valid UTF-8 (repaired) */
    size_t len;
} bench_file;

typedef struct bench_corpus {
    bench_file *files;
    size_t n;
    size_t bytes;    /* total of len */
    size_t repaired; /* files whose invalid UTF-8 was replaced */
} bench_corpus;

/* Lists every regular *.md file under root, sorted, as malloc'd full paths
 * (*paths is a malloc'd array).  Returns 0, or -1 with a message on stderr. */
int bench_list_files(const char *root, char ***paths, size_t *n);
/* Appends the contents of path to out.  Returns 0, or -1 with a message. */
int bench_read_file(const char *path, fl_buf *out);

/* Collects every regular *.md file under root (sorted by path, so every
 * program sees the same order) and reads it.  Returns 0, or -1 with a
 * message on stderr. */
int bench_corpus_load(const char *root, bench_corpus *c);
void bench_corpus_free(bench_corpus *c);

/* Seconds of wall clock (monotonic) and of this thread's CPU. */
double bench_now(void);
double bench_thread_cpu(void);

/* Median of v[0..n) (sorts v). */
double bench_median(double *v, size_t n);
/* Nearest-rank percentile (the same as PostgreSQL's percentile_disc):
 * v must be sorted ascending; p in (0, 1]. */
double bench_percentile_sorted(const double *v, size_t n, double p);

/* Peak resident set size of this process in kB (VmHWM), 0 if unknown. */
long bench_peak_rss_kb(void);

#endif
