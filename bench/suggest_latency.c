/* suggest_latency.c — cost of autocomplete (fl_suggest) in-process.
 *
 *   suggest_latency DB_DIR PREFIX... | -f QUERIES_FILE
 *
 * Builds the completion table once (timed: the first keystroke after a
 * reindex pays it), then answers every prefix ROUNDS times: with -f, the
 * 3..8-letter prefixes of each query's first word (as typed keystroke by
 * keystroke), plus each with one letter changed (typo tolerance).  Prints
 * one JSON object: build ms, table entries and bytes, median/p99/max µs per
 * call; with prefixes on the command line also their completions (stderr).
 */
#include "benchutil.h"

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_page.h"
#include "fl_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROUNDS 20

static void add_prefixes(fl_strlist *l, const char *word)
{
    /* UTF-8 aware: cut at character boundaries. */
    size_t chars = 0;
    for (size_t i = 0; word[i]; i++) {
        if (((unsigned char)word[i] & 0xc0) == 0x80)
            continue;
        chars++;
        if (chars >= 4 && chars <= 9) {
            char *p = fl_xstrndup(word, i);
            fl_strlist_push(l, p);
            free(p);
        }
    }
    size_t n = strlen(word);
    if (n >= 6 && (unsigned char)word[3] < 0x80) {
        char *t = fl_xstrndup(word, n < 8 ? n : 8);
        t[3] = t[3] == 'x' ? 'y' : 'x';
        fl_strlist_push(l, t);
        free(t);
    }
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: suggest_latency DB_DIR PREFIX... | -f QUERIES_FILE\n");
        return 2;
    }
    char *err = NULL;
    fl_analyzer *an = fl_analyzer_new(NULL, &err);
    fl_searcher *s = an ? fl_searcher_open(argv[1], an, &err) : NULL;
    if (!s) {
        fprintf(stderr, "suggest_latency: %s\n", err ? err : "cannot open");
        return 1;
    }
    fl_strlist pre = {0};
    bool show = true;
    if (strcmp(argv[2], "-f") == 0 && argc > 3) {
        show = false;
        FILE *f = fopen(argv[3], "r");
        if (!f) {
            perror(argv[3]);
            return 1;
        }
        char *line = NULL;
        size_t cap = 0;
        while (getline(&line, &cap, f) >= 0) {
            char *tab = strchr(line, '\t');
            if (line[0] == '#' || !tab)
                continue;
            char *q = tab + 1, *colon = strchr(q, ':'), *sp = strpbrk(q, " \t\n");
            if (colon && (!sp || colon < sp))
                q = colon + 1;
            size_t wl = 0;
            while (q[wl] && (((unsigned char)q[wl] >= 0x80) || (q[wl] >= 'a' && q[wl] <= 'z') ||
                             (q[wl] >= 'A' && q[wl] <= 'Z')))
                wl++;
            if (wl >= 3) {
                char *w = fl_xstrndup(q, wl);
                add_prefixes(&pre, w);
                free(w);
            }
        }
        free(line);
        fclose(f);
    } else {
        for (int i = 2; i < argc; i++)
            fl_strlist_push(&pre, argv[i]);
    }
    double t0 = bench_now();
    fl_completions *c = fl_completions_build(s, &err);
    double build_ms = (bench_now() - t0) * 1000;
    if (!c) {
        fprintf(stderr, "suggest_latency: %s\n", err);
        return 1;
    }
    fl_searcher_set_completions(s, c);
    size_t n = pre.n * ROUNDS, k = 0;
    double *us = fl_xmalloc((n ? n : 1) * sizeof *us);
    for (int r = 0; r < ROUNDS; r++)
        for (size_t i = 0; i < pre.n; i++) {
            fl_strlist out;
            double a = bench_now();
            fl_suggest(s, pre.items[i], 8, &out, &err);
            us[k++] = (bench_now() - a) * 1e6;
            if (show && r == 0) {
                fprintf(stderr, "%s:", pre.items[i]);
                for (size_t j = 0; j < out.n; j++)
                    fprintf(stderr, " [%s]", out.items[j]);
                fprintf(stderr, "\n");
            }
            fl_strlist_free(&out);
        }
    qsort(us, n, sizeof *us, cmp_d);
    printf("{\"build_ms\":%.1f,\"entries\":%zu,\"bytes\":%zu,\"prefixes\":%zu,\"median_us\":%.2f,"
           "\"p99_us\":%.2f,\"max_us\":%.2f}\n",
           build_ms, fl_completions_count(c), fl_completions_bytes(c), pre.n,
           n ? bench_percentile_sorted(us, n, 0.5) : 0, n ? bench_percentile_sorted(us, n, 0.99) : 0,
           n ? us[n - 1] : 0);
    fl_completions_unref(c);
    free(us);
    fl_strlist_free(&pre);
    fl_searcher_free(s);
    fl_analyzer_free(an);
    return 0;
}
