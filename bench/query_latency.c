/* query_latency.c — in-process query latency of the search engine
 * (issue 5, point 10).
 *
 *   query_latency DB_DIR QUERIES_FILE [ROUNDS] [WARMUP_ROUNDS]
 *
 * QUERIES_FILE has one query per line: KIND<TAB>QUERY[<TAB>…] (further
 * columns are for the PostgreSQL side and ignored here); blank lines and
 * lines starting with '#' are skipped.  Every query runs through
 * fl_search_run exactly as the server runs it: top 10, excerpts, sections and
 * facets.  WARMUP_ROUNDS (default 1) untimed rounds, then ROUNDS (default 5)
 * timed rounds over the whole list.  Prints one JSON object: median, p95,
 * p99 and max over all timed runs, the median per kind, the slowest queries
 * and the queries that found nothing (a sanity check of the setup).
 */
#include "benchutil.h"

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_json.h"
#include "fl_search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct query {
    char *kind;
    char *text;
    uint32_t total;  /* matches reported by the first run */
    size_t nhits;
    double *ms;      /* one per timed round */
    double *cpu;     /* thread CPU ms, one per timed round */
    double median;
    bool failed;     /* rejected by the engine: not timed */
} query;

static int load_queries(const char *path, query **out, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        return -1;
    }
    query *q = NULL;
    size_t cnt = 0, cap = 0, lineno = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    int rc = 0;
    while ((got = getline(&line, &lcap, f)) >= 0) {
        lineno++;
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
            line[--got] = '\0';
        if (got == 0 || line[0] == '#')
            continue;
        char *tab = strchr(line, '\t');
        if (!tab || tab[1] == '\0' || tab[1] == '\t') {
            fprintf(stderr, "%s:%zu: expected KIND<TAB>QUERY\n", path, lineno);
            rc = -1;
            break;
        }
        *tab = '\0';
        char *text = tab + 1;
        char *end = strchr(text, '\t');
        if (end)
            *end = '\0';
        if (cnt == cap) {
            cap = cap ? cap * 2 : 64;
            q = fl_xrealloc(q, cap * sizeof *q);
        }
        memset(&q[cnt], 0, sizeof q[cnt]);
        q[cnt].kind = fl_xstrdup(line);
        q[cnt].text = fl_xstrdup(text);
        cnt++;
    }
    free(line);
    fclose(f);
    if (rc == 0 && cnt == 0) {
        fprintf(stderr, "%s: no queries\n", path);
        rc = -1;
    }
    if (rc != 0) {
        for (size_t i = 0; i < cnt; i++) {
            free(q[i].kind);
            free(q[i].text);
        }
        free(q);
        return -1;
    }
    *out = q;
    *n = cnt;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_query_median_desc(const void *a, const void *b)
{
    const query *x = *(query *const *)a, *y = *(query *const *)b;
    return (x->median < y->median) - (x->median > y->median);
}

static void put_stats(fl_json *j, double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    fl_json_key(j, "samples");
    fl_json_int(j, (int64_t)n);
    fl_json_key(j, "median_ms");
    fl_json_double(j, bench_percentile_sorted(v, n, 0.5), 3);
    fl_json_key(j, "p95_ms");
    fl_json_double(j, bench_percentile_sorted(v, n, 0.95), 3);
    fl_json_key(j, "p99_ms");
    fl_json_double(j, bench_percentile_sorted(v, n, 0.99), 3);
    fl_json_key(j, "max_ms");
    fl_json_double(j, n ? v[n - 1] : 0, 3);
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 5) {
        fprintf(stderr, "usage: query_latency DB_DIR QUERIES_FILE [ROUNDS] [WARMUP_ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 3 ? atoi(argv[3]) : 5;
    int warmup = argc > 4 ? atoi(argv[4]) : 1;
    if (rounds < 1 || rounds > 1000 || warmup < 0 || warmup > 100) {
        fprintf(stderr, "query_latency: ROUNDS must be 1..1000, WARMUP_ROUNDS 0..100\n");
        return 2;
    }
    query *qs = NULL;
    size_t nq = 0;
    if (load_queries(argv[2], &qs, &nq) != 0)
        return 1;

    char *err = NULL;
    double t0 = bench_now();
    /* As the server and the CLI set it up (cli/common.c). */
    fl_analyzer_options aopt = {0};
    aopt.word_cache_bytes = FL_SEARCH_WORD_CACHE_BYTES;
    fl_analyzer *an = fl_analyzer_new(&aopt, &err);
    fl_searcher *s = an ? fl_searcher_open(argv[1], an, &err) : NULL;
    double open_s = bench_now() - t0;
    if (!s) {
        fprintf(stderr, "query_latency: %s: %s\n", an ? argv[1] : "fl_analyzer_new",
                err ? err : "failed");
        free(err);
        fl_analyzer_free(an);
        for (size_t i = 0; i < nq; i++) {
            free(qs[i].kind);
            free(qs[i].text);
        }
        free(qs);
        return 1;
    }

    int rc = 0;
    size_t errors = 0;
    double *all = fl_xcalloc(nq * (size_t)rounds, sizeof *all);
    double *allcpu = fl_xcalloc(nq * (size_t)rounds, sizeof *allcpu);
    size_t nall = 0;
    for (size_t i = 0; i < nq; i++)
        qs[i].ms = fl_xcalloc((size_t)rounds, sizeof *qs[i].ms),
        qs[i].cpu = fl_xcalloc((size_t)rounds, sizeof *qs[i].cpu);
    for (int r = 0; r < warmup + rounds; r++) {
        for (size_t i = 0; i < nq; i++) {
            fl_search_request req = {0};
            req.query = qs[i].text;
            req.limit = 10;
            req.sort = FL_SORT_RELEVANCE;
            fl_search_result res;
            memset(&res, 0, sizeof res);
            double a = bench_now(), ca = bench_thread_cpu();
            int st = fl_search_run(s, &req, &res, &err);
            double ms = (bench_now() - a) * 1000.0;
            double cms = (bench_thread_cpu() - ca) * 1000.0;
            if (st != 0) {
                /* A query the engine rejects is reported, not timed. */
                if (!qs[i].failed) {
                    qs[i].failed = true;
                    fprintf(stderr, "query_latency: %s: %s\n", qs[i].text, err ? err : "error");
                    errors++;
                }
                free(err);
                err = NULL;
                if (st == FL_SEARCH_EINDEX) {
                    rc = 1;
                    break;
                }
                continue;
            }
            if (r == 0) {
                qs[i].total = res.total;
                qs[i].nhits = res.nhits;
            }
            fl_search_result_free(&res);
            if (r >= warmup) {
                qs[i].ms[r - warmup] = ms;
                qs[i].cpu[r - warmup] = cms;
                allcpu[nall] = cms;
                all[nall++] = ms;
            }
        }
        if (rc != 0)
            break;
    }

    if (rc == 0) {
        for (size_t i = 0; i < nq; i++) {
            if (qs[i].failed)
                continue;
            double tmp[1000];
            memcpy(tmp, qs[i].ms, (size_t)rounds * sizeof *tmp);
            qs[i].median = bench_median(tmp, (size_t)rounds);
        }
        fl_buf out = FL_BUF_INIT;
        fl_json j;
        fl_json_init(&j, &out);
        fl_json_object_begin(&j);
        fl_json_key(&j, "queries");
        fl_json_int(&j, (int64_t)nq);
        fl_json_key(&j, "documents");
        fl_json_int(&j, fl_searcher_doccount(s));
        fl_json_key(&j, "rounds");
        fl_json_int(&j, rounds);
        fl_json_key(&j, "warmup_rounds");
        fl_json_int(&j, warmup);
        fl_json_key(&j, "open_s");
        fl_json_double(&j, open_s, 3);
        fl_json_key(&j, "errors");
        fl_json_int(&j, (int64_t)errors);
        put_stats(&j, all, nall);
        /* Thread CPU time: what a busy machine disturbs least. */
        fl_json_key(&j, "cpu");
        fl_json_object_begin(&j);
        put_stats(&j, allcpu, nall);
        fl_json_object_end(&j);

        /* Median per kind, in order of first appearance. */
        fl_json_key(&j, "kinds");
        fl_json_object_begin(&j);
        for (size_t i = 0; i < nq; i++) {
            bool seen = false;
            for (size_t k = 0; k < i && !seen; k++)
                seen = strcmp(qs[k].kind, qs[i].kind) == 0;
            if (seen)
                continue;
            double *v = fl_xcalloc(nq * (size_t)rounds, sizeof *v);
            size_t nv = 0, nqk = 0;
            for (size_t k = i; k < nq; k++) {
                if (strcmp(qs[k].kind, qs[i].kind) != 0 || qs[k].failed)
                    continue;
                nqk++;
                for (int r = 0; r < rounds; r++)
                    v[nv++] = qs[k].ms[r];
            }
            fl_json_key(&j, qs[i].kind);
            fl_json_object_begin(&j);
            fl_json_key(&j, "queries");
            fl_json_int(&j, (int64_t)nqk);
            put_stats(&j, v, nv);
            nv = 0;
            for (size_t k = i; k < nq; k++) {
                if (strcmp(qs[k].kind, qs[i].kind) != 0 || qs[k].failed)
                    continue;
                for (int r = 0; r < rounds; r++)
                    v[nv++] = qs[k].cpu[r];
            }
            fl_json_key(&j, "cpu");
            fl_json_object_begin(&j);
            put_stats(&j, v, nv);
            fl_json_object_end(&j);
            fl_json_object_end(&j);
            free(v);
        }
        fl_json_object_end(&j);

        fl_json_key(&j, "slowest");
        fl_json_array_begin(&j);
        query **byslow = fl_xcalloc(nq, sizeof *byslow);
        for (size_t i = 0; i < nq; i++)
            byslow[i] = &qs[i];
        qsort(byslow, nq, sizeof *byslow, cmp_query_median_desc);
        for (size_t i = 0; i < nq && i < 5; i++) {
            fl_json_object_begin(&j);
            fl_json_key(&j, "query");
            fl_json_string(&j, byslow[i]->text);
            fl_json_key(&j, "median_ms");
            fl_json_double(&j, byslow[i]->median, 3);
            fl_json_key(&j, "total");
            fl_json_int(&j, byslow[i]->total);
            fl_json_object_end(&j);
        }
        free(byslow);
        fl_json_array_end(&j);

        fl_json_key(&j, "no_hits");
        fl_json_array_begin(&j);
        for (size_t i = 0; i < nq; i++)
            if (qs[i].nhits == 0 && !qs[i].failed)
                fl_json_string(&j, qs[i].text);
        fl_json_array_end(&j);
        fl_json_key(&j, "peak_rss_kb");
        fl_json_int(&j, bench_peak_rss_kb());
        fl_json_object_end(&j);
        printf("%s\n", out.data);
        fl_buf_free(&out);
    }
    free(all);
    free(allcpu);
    for (size_t i = 0; i < nq; i++) {
        free(qs[i].kind);
        free(qs[i].text);
        free(qs[i].ms);
        free(qs[i].cpu);
    }
    free(qs);
    fl_searcher_free(s);
    fl_analyzer_free(an);
    return rc;
}
