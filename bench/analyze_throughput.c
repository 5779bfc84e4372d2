/* analyze_throughput.c — analysis throughput of the German chain against
 * Xapian's own TermGenerator (issue 3, point 8).
 *
 *   analyze_throughput CORPUS_DIR [ROUNDS]
 *
 * Reads every *.md file under CORPUS_DIR into memory first (no I/O is timed),
 * then, ROUNDS times (default 3) and interleaved so that machine noise hits
 * both alike:
 *   plain — Xapian's TermGenerator with Xapian's built-in German stemmer
 *           (STEM_SOME, positions) into a throwaway document per file;
 *   chain — fl_analyze (normalisation, gender forms, compounds, our Snowball
 *           stemmer) adding to a throwaway document per file exactly the
 *           free-text terms the indexer adds (fl_terms.h): the stem with
 *           positions, E<exact>, and P<part> at the compound's position.
 * Prints one JSON object with the medians (wall and thread CPU), MB/s
 * (MB = 10^6 bytes) and the ratio chain/plain.
 */
#include "benchutil.h"

#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_json.h"
#include "fl_terms.h"
#include "fl_xapian.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUNDS 15
/* Xapian's limit on a term's length (glass keys): longer terms are skipped,
 * as the indexer does. */
#define TERM_MAX 245

typedef struct run_stats {
    double wall, cpu;
    uint64_t terms;  /* sum over documents of distinct terms (sanity check) */
    uint64_t tokens; /* chain only: tokens seen */
} run_stats;

static int xfail(const char *what)
{
    fprintf(stderr, "analyze_throughput: %s: %s\n", what, fl_xlast_error());
    return -1;
}

static int run_plain(const bench_corpus *c, run_stats *st)
{
    fl_xtermgen *tg = NULL;
    fl_xstem *stem = NULL;
    if (fl_xstem_new("german", &stem) != FL_XOK)
        return xfail("fl_xstem_new(german)");
    if (fl_xtermgen_new(&tg) != FL_XOK) {
        fl_xstem_free(stem);
        return xfail("fl_xtermgen_new");
    }
    int rc = 0;
    if (fl_xtermgen_set_stemmer(tg, stem) != FL_XOK ||
        fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_SOME) != FL_XOK)
        rc = xfail("configuring the term generator");
    memset(st, 0, sizeof *st);
    double t0 = bench_now(), c0 = bench_thread_cpu();
    fl_xdoc *prev = NULL;
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        fl_xdoc *doc = NULL;
        if (fl_xdoc_new(&doc) != FL_XOK) {
            rc = xfail("fl_xdoc_new");
            break;
        }
        /* The generator references its document until the next
         * set_document: free the previous one only now. */
        if (fl_xtermgen_set_document(tg, doc) != FL_XOK ||
            fl_xtermgen_index_text(tg, c->files[i].text, c->files[i].len, 1, "") != FL_XOK) {
            fprintf(stderr, "analyze_throughput: %s: ", c->files[i].path);
            rc = xfail("plain TermGenerator");
        }
        uint32_t n = 0;
        if (rc == 0 && fl_xdoc_termcount(doc, &n) == FL_XOK)
            st->terms += n;
        fl_xdoc_free(prev);
        prev = doc;
    }
    st->wall = bench_now() - t0;
    st->cpu = bench_thread_cpu() - c0;
    fl_xtermgen_free(tg);
    fl_xdoc_free(prev);
    fl_xstem_free(stem);
    return rc;
}

typedef struct chain_ctx {
    fl_xdoc *doc;
    fl_buf term;
    uint64_t tokens;
    fl_xstatus st;
} chain_ctx;

static void add(chain_ctx *x, const char *prefix, const char *word, fl_xtermpos pos)
{
    fl_buf_reset(&x->term);
    fl_buf_puts(&x->term, prefix);
    fl_buf_puts(&x->term, word);
    if (x->term.len == strlen(prefix) || x->term.len > TERM_MAX)
        return;
    fl_xstatus s = pos ? fl_xdoc_add_posting(x->doc, x->term.data, x->term.len, pos, 1)
                       : fl_xdoc_add_term(x->doc, x->term.data, x->term.len, 1);
    if (s != FL_XOK && x->st == FL_XOK)
        x->st = s;
}

static int on_token(void *ud, const fl_token *t)
{
    chain_ctx *x = ud;
    x->tokens++;
    if (!t->stem || !*t->stem)
        return 0;
    fl_xtermpos pos = t->index + 1;
    add(x, "", t->stem, pos);
    if (t->exact && *t->exact)
        add(x, FL_PREFIX_EXACT, t->exact, 0);
    for (size_t i = 0; i < t->nparts; i++)
        add(x, FL_PREFIX_PART, t->parts[i], pos);
    return 0;
}

static int run_chain(const bench_corpus *c, const fl_analyzer *an, run_stats *st)
{
    memset(st, 0, sizeof *st);
    chain_ctx x = {0};
    int rc = 0;
    double t0 = bench_now(), c0 = bench_thread_cpu();
    for (size_t i = 0; rc == 0 && i < c->n; i++) {
        if (fl_xdoc_new(&x.doc) != FL_XOK) {
            rc = xfail("fl_xdoc_new");
            break;
        }
        char *err = NULL;
        if (fl_analyze(an, c->files[i].text, c->files[i].len, on_token, &x, &err) < 0) {
            fprintf(stderr, "analyze_throughput: %s: %s\n", c->files[i].path,
                    err ? err : "fl_analyze failed");
            free(err);
            rc = -1;
        } else if (x.st != FL_XOK) {
            fprintf(stderr, "analyze_throughput: %s: ", c->files[i].path);
            rc = xfail("adding terms");
        }
        uint32_t n = 0;
        if (rc == 0 && fl_xdoc_termcount(x.doc, &n) == FL_XOK)
            st->terms += n;
        fl_xdoc_free(x.doc);
        x.doc = NULL;
    }
    st->wall = bench_now() - t0;
    st->cpu = bench_thread_cpu() - c0;
    st->tokens = x.tokens;
    fl_buf_free(&x.term);
    return rc;
}

static void put_runs(fl_json *j, const char *key, const run_stats *r, int n, double mb)
{
    double wall[MAX_ROUNDS], cpu[MAX_ROUNDS];
    fl_json_key(j, key);
    fl_json_object_begin(j);
    fl_json_key(j, "wall_s");
    fl_json_array_begin(j);
    for (int i = 0; i < n; i++) {
        fl_json_double(j, r[i].wall, 3);
        wall[i] = r[i].wall;
        cpu[i] = r[i].cpu;
    }
    fl_json_array_end(j);
    fl_json_key(j, "cpu_s");
    fl_json_array_begin(j);
    for (int i = 0; i < n; i++)
        fl_json_double(j, r[i].cpu, 3);
    fl_json_array_end(j);
    double mw = bench_median(wall, (size_t)n), mc = bench_median(cpu, (size_t)n);
    fl_json_key(j, "median_wall_s");
    fl_json_double(j, mw, 3);
    fl_json_key(j, "median_cpu_s");
    fl_json_double(j, mc, 3);
    fl_json_key(j, "mb_per_s");
    fl_json_double(j, mw > 0 ? mb / mw : 0, 2);
    fl_json_key(j, "terms");
    fl_json_int(j, (int64_t)r[0].terms);
    if (r[0].tokens) {
        fl_json_key(j, "tokens");
        fl_json_int(j, (int64_t)r[0].tokens);
    }
    fl_json_object_end(j);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: analyze_throughput CORPUS_DIR [ROUNDS]\n");
        return 2;
    }
    int rounds = argc == 3 ? atoi(argv[2]) : 3;
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "analyze_throughput: ROUNDS must be 1..%d\n", MAX_ROUNDS);
        return 2;
    }
    bench_corpus c;
    double l0 = bench_now();
    if (bench_corpus_load(argv[1], &c) != 0)
        return 1;
    double load_s = bench_now() - l0;
    if (c.n == 0) {
        fprintf(stderr, "analyze_throughput: no *.md files under %s\n", argv[1]);
        bench_corpus_free(&c);
        return 1;
    }
    fprintf(stderr, "analyze_throughput: %zu files, %.1f MB in memory\n", c.n, c.bytes / 1e6);

    char *err = NULL;
    double a0 = bench_now();
    fl_analyzer *an = fl_analyzer_new(NULL, &err);
    double an_new_s = bench_now() - a0;
    if (!an) {
        fprintf(stderr, "analyze_throughput: fl_analyzer_new: %s\n", err ? err : "failed");
        free(err);
        bench_corpus_free(&c);
        return 1;
    }

    run_stats plain[MAX_ROUNDS], chain[MAX_ROUNDS];
    int rc = 0;
    for (int r = 0; rc == 0 && r < rounds; r++) {
        rc = run_plain(&c, &plain[r]);
        if (rc == 0)
            rc = run_chain(&c, an, &chain[r]);
        if (rc == 0)
            fprintf(stderr, "  round %d: plain %.2f s, chain %.2f s\n", r + 1, plain[r].wall,
                    chain[r].wall);
    }
    if (rc == 0) {
        double mb = c.bytes / 1e6;
        fl_buf out = FL_BUF_INIT;
        fl_json j;
        fl_json_init(&j, &out);
        fl_json_object_begin(&j);
        fl_json_key(&j, "files");
        fl_json_int(&j, (int64_t)c.n);
        fl_json_key(&j, "bytes");
        fl_json_int(&j, (int64_t)c.bytes);
        fl_json_key(&j, "repaired_files");
        fl_json_int(&j, (int64_t)c.repaired);
        fl_json_key(&j, "rounds");
        fl_json_int(&j, rounds);
        fl_json_key(&j, "load_s");
        fl_json_double(&j, load_s, 3);
        fl_json_key(&j, "analyzer_new_s");
        fl_json_double(&j, an_new_s, 3);
        put_runs(&j, "plain", plain, rounds, mb);
        put_runs(&j, "chain", chain, rounds, mb);
        double pw[MAX_ROUNDS], cw[MAX_ROUNDS], pc[MAX_ROUNDS], cc[MAX_ROUNDS];
        for (int i = 0; i < rounds; i++) {
            pw[i] = plain[i].wall;
            cw[i] = chain[i].wall;
            pc[i] = plain[i].cpu;
            cc[i] = chain[i].cpu;
        }
        double mpw = bench_median(pw, (size_t)rounds), mcw = bench_median(cw, (size_t)rounds);
        double mpc = bench_median(pc, (size_t)rounds), mcc = bench_median(cc, (size_t)rounds);
        fl_json_key(&j, "ratio_wall");
        fl_json_double(&j, mpw > 0 ? mcw / mpw : 0, 3);
        fl_json_key(&j, "ratio_cpu");
        fl_json_double(&j, mpc > 0 ? mcc / mpc : 0, 3);
        /* Pair by pair: the rounds alternate plain/chain, so each pair ran
         * under the same machine conditions; the median of the per-round
         * ratios holds when the machine's speed drifts between rounds, which
         * the ratio of the two medians does not. */
        double rw[MAX_ROUNDS], rc_[MAX_ROUNDS];
        for (int i = 0; i < rounds; i++) {
            /* from the runs themselves: bench_median() above sorted pw/cw */
            rw[i] = plain[i].wall > 0 ? chain[i].wall / plain[i].wall : 0;
            rc_[i] = plain[i].cpu > 0 ? chain[i].cpu / plain[i].cpu : 0;
        }
        fl_json_key(&j, "ratio_paired_wall");
        fl_json_double(&j, bench_median(rw, (size_t)rounds), 3);
        fl_json_key(&j, "ratio_paired_cpu");
        fl_json_double(&j, bench_median(rc_, (size_t)rounds), 3);
        fl_json_key(&j, "peak_rss_kb");
        fl_json_int(&j, bench_peak_rss_kb());
        fl_json_object_end(&j);
        printf("%s\n", out.data);
        fl_buf_free(&out);
    }
    fl_analyzer_free(an);
    bench_corpus_free(&c);
    return rc == 0 ? 0 : 1;
}
