/* rerank.c — the second stage of a relevance search: proximity and recency
 * bonuses on the best candidates of the first match (search_int.h).
 *
 * Why not a second Xapian query (AND_MAYBE with NEAR and a posting source):
 *   - over several shards Xapian 1.4 weighs NEAR differently than over one
 *     database, so results changed order with the shard count;
 *   - a posting source of ours cannot run on a remote shard;
 *   - running the whole query again on the candidates cost as much as the
 *     first match.
 * Everything here is computed from what is the same in one database and in
 * N shards: term positions, document lengths, term frequencies, the date
 * value and the first match's weights.  Ties go to the smaller document id,
 * never to the docid (docids differ between one database and N shards).
 */
#include "search_int.h"

#include "fl_err.h"
#include "fl_terms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct cand {
    uint32_t index; /* in the first match's MSet */
    double weight;  /* first-stage weight, then with the bonuses */
    double key;     /* weight rounded: the sort key (see cand_cmp) */
    char *id;       /* the document id value (FL_SLOT_ID): read_tie_ids */
    size_t idlen;
    bool scored;    /* still in the running (not pruned): its bonuses computed */
} cand;

/* Weights summed in another order (N shards) may differ in the last bits:
 * the order compares them to 1e-9 relative so that such noise never swaps
 * two hits, and the document id decides a real tie. */
static double sort_key(double w)
{
    if (!(w > 0))
        return 0;
    double scale = pow(10, 9 - ceil(log10(w)));
    return round(w * scale) / scale;
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? 1 : -1;
    size_t n = x->idlen < y->idlen ? x->idlen : y->idlen;
    int c = memcmp(x->id ? x->id : "", y->id ? y->id : "", n);
    if (c)
        return c;
    if (x->idlen != y->idlen)
        return x->idlen < y->idlen ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long)doe - 719468;
}

/* Day number of a "YYYYMMDD" value, or -1 when it is not a date. */
static long date_days(const char *v, size_t len)
{
    if (!v || len < 8)
        return -1;
    long y = 0;
    unsigned m = 0, d = 0;
    for (size_t i = 0; i < 8; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        unsigned dig = (unsigned)(v[i] - '0');
        if (i < 4)
            y = y * 10 + dig;
        else if (i < 6)
            m = m * 10 + dig;
        else
            d = d * 10 + dig;
    }
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    return days_from_civil(y, m, d);
}

/* Whether some window holding every one of nstems stems (the tags) spans
 * less than limit (max - min).  v sorted by position. */
static bool span_below(const fl_tagpos *v, size_t n, size_t nstems, uint32_t limit)
{
    uint32_t *inwin = fl_xcalloc(nstems, sizeof *inwin);
    size_t have = 0;
    bool found = false;
    for (size_t lo = 0, hi = 0; hi < n && !found; hi++) {
        if (inwin[v[hi].tag]++ == 0)
            have++;
        while (have == nstems) {
            if (v[hi].pos - v[lo].pos < limit) {
                found = true;
                break;
            }
            if (--inwin[v[lo].tag] == 0)
                have--;
            lo++;
        }
    }
    free(inwin);
    return found;
}

/* The same for two stems, from their sorted positions as they are: the
 * closest pair is one that a walk through both lists at once compares
 * (each step moves on from the smaller). */
static bool pair_below(const fl_xtermpos *a, size_t na, const fl_xtermpos *b, size_t nb,
                       uint32_t limit)
{
    size_t i = 0, j = 0;
    while (i < na && j < nb) {
        uint32_t x = a[i], y = b[j];
        if ((x > y ? x - y : y - x) < limit)
            return true;
        if (x < y)
            i++;
        else
            j++;
    }
    return false;
}

/* A proximity group's figures for one query: its stems' BM25 term weights
 * (idf[k] < 0: no document has stem k, the group can never apply). */
typedef struct ngroup {
    const fl_strlist *stems;
    double *idf;
    size_t *rarest; /* the stems' indexes, rarest (highest idf) first */
    double max_gain;
} ngroup;

/* The proximity bonus of one group for a candidate: FL_NEAR_BONUS × the
 * BM25 weight of its stems when all of them occur within (stems +
 * FL_NEAR_SLACK) positions -- what Xapian's NEAR, scaled, added (its window:
 * max - min < window).  The term frequencies are the stems' occurrences (their
 * positions), not the wdf, which counts a title or heading word several
 * times: reading the wdf costs a posting list walk per stem, and over a
 * remote shard Xapian sends that list whole (measured: the multi-word
 * queries over 2 remote law shards took 138 instead of 93 ms); the eval
 * figures are the same either way. */
static int near_bonus(fl_searcher *s, fl_posmemo *pm, fl_xdocid docid, const ngroup *g,
                      double avlen, uint32_t *dlen, double *bonus)
{
    *bonus = 0;
    size_t ns = g->stems->n;
    for (size_t k = 0; k < ns; k++)
        if (g->idf[k] < 0)
            return 0; /* a stem no document has: the group never applies */
    uint32_t *tf = fl_xcalloc(ns, sizeof *tf);
    const fl_xtermpos **pos = fl_xcalloc(ns, sizeof *pos);
    fl_tagpos *v = NULL;
    size_t n = 0;
    int rc = 0;
    bool all = true;
    /* The rarest stem first: a candidate most often lacks it, and then the
     * others' positions are not read at all. */
    for (size_t r = 0; r < ns && all; r++) {
        size_t k = g->rarest[r], np = 0;
        if (fl_posmemo_get(pm, docid, g->stems->items[k], &pos[k], &np) != FL_XOK) {
            rc = -1;
            break;
        }
        all = np > 0; /* a stem missing: no bonus, the rest not read */
        tf[k] = (uint32_t)np;
        n += np;
    }
    bool near = false;
    if (rc == 0 && all && ns == 2) {
        near = pair_below(pos[0], tf[0], pos[1], tf[1], 2 + FL_NEAR_SLACK);
    } else if (rc == 0 && all) {
        size_t *runs = fl_xcalloc(ns + 1, sizeof *runs); /* stem k's positions: a run */
        v = fl_xcalloc(n + 1, sizeof *v);
        n = 0;
        for (size_t k = 0; k < ns; k++) {
            runs[k] = n;
            for (size_t i = 0; i < tf[k]; i++)
                v[n++] = (fl_tagpos){pos[k][i], (uint32_t)k};
        }
        runs[ns] = n;
        fl_tagpos_merge(v, n, runs, ns);
        free(runs);
        near = span_below(v, n, ns, (uint32_t)(ns + FL_NEAR_SLACK));
    }
    if (near) {
        /* The length once per candidate, whatever its groups. */
        if (*dlen == UINT32_MAX && fl_xdb_doclength(s->db, docid, dlen) != FL_XOK) {
            rc = -1;
        } else {
            /* Xapian's BM25 (k2 = 0, wqf 1, min_normlen 0.5). */
            double normlen = avlen > 0 ? *dlen / avlen : 1;
            if (normlen < 0.5)
                normlen = 0.5;
            double K = FL_BM25_K1 * ((1 - FL_BM25_B) + FL_BM25_B * normlen);
            double sum = 0;
            for (size_t k = 0; k < ns; k++)
                sum += g->idf[k] * (FL_BM25_K1 + 1) * tf[k] / (K + tf[k]);
            *bonus = FL_NEAR_BONUS * sum;
        }
    }
    free(v);
    free(pos);
    free(tf);
    return rc;
}

/* Fills g: the stems' idf and the most the group can add.  The frequencies
 * come from the MSet, which holds them for the query's terms (a remote shard
 * is not asked again).  Returns 0 or -1 (Xapian error pending). */
static int group_init(fl_searcher *s, fl_xmset *mset, const fl_strlist *stems, ngroup *g)
{
    size_t ns = stems->n;
    g->stems = stems;
    g->idf = fl_xcalloc(ns, sizeof *g->idf);
    double N = s->doccount, sum = 0;
    bool all = true;
    for (size_t k = 0; k < ns; k++) {
        const char *t = stems->items[k];
        uint32_t tf = 0;
        if (fl_xmset_termfreq(mset, t, strlen(t), &tf) != FL_XOK)
            return -1;
        if (tf == 0) {
            g->idf[k] = -1;
            all = false;
            continue;
        }
        /* Xapian's BM25 term weight without relevance data. */
        double tw = (N - tf + 0.5) / (tf + 0.5);
        if (tw < 2)
            tw = tw * 0.5 + 1;
        g->idf[k] = log(tw);
        sum += g->idf[k];
    }
    /* tf / (K + tf) < 1 */
    g->max_gain = all ? FL_NEAR_BONUS * (FL_BM25_K1 + 1) * sum : 0;
    /* Rarest first: an insertion sort of a few stems by idf, descending. */
    g->rarest = fl_xcalloc(ns + 1, sizeof *g->rarest);
    for (size_t k = 0; k < ns; k++) {
        size_t j = k;
        while (j > 0 && g->idf[g->rarest[j - 1]] < g->idf[k]) {
            g->rarest[j] = g->rarest[j - 1];
            j--;
        }
        g->rarest[j] = k;
    }
    return 0;
}

typedef struct keyed {
    double key;
    uint32_t i; /* the candidate's place in the pool */
} keyed;

static int keyed_cmp(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    return (x->key < y->key) - (x->key > y->key);
}

/* The document id is the match's sort key after the weight (relevance,
 * then FL_SLOT_ID: see fl_rerank), so it only orders candidates of equal
 * key: it is read for the scored candidates that share theirs with
 * another (reading it for every one was 1 % of a search).  Returns 0 or
 * -1 (Xapian error pending). */
static int read_tie_ids(fl_xmset *mset, cand *cs, uint32_t n)
{
    if (n < 2)
        return 0;
    keyed *v = fl_xmalloc(n * sizeof *v);
    for (uint32_t i = 0; i < n; i++)
        v[i] = (keyed){cs[i].key, i};
    qsort(v, n, sizeof *v, keyed_cmp);
    int rc = 0;
    for (uint32_t k = 0; k < n && rc == 0; k++) {
        bool tied = (k > 0 && v[k - 1].key == v[k].key) || (k + 1 < n && v[k + 1].key == v[k].key);
        cand *x = &cs[v[k].i];
        if (tied && x->scored && fl_xmset_sort_key(mset, x->index, &x->id, &x->idlen) != FL_XOK)
            rc = -1;
    }
    free(v);
    return rc;
}

/* The need-th largest of v[0..n) (n >= need >= 1); v is reordered. */
static double kth_largest(double *v, size_t n, size_t need)
{
    /* Candidates are few (50): a partial selection sort is plenty. */
    for (size_t i = 0; i < need; i++) {
        size_t best = i;
        for (size_t j = i + 1; j < n; j++)
            if (v[j] > v[best])
                best = j;
        double t = v[i];
        v[i] = v[best];
        v[best] = t;
    }
    return v[need - 1];
}

int fl_rerank(fl_searcher *s, const fl_compiled *c, fl_xmset *mset, fl_posmemo *pm, bool recency,
              uint32_t pool, uint32_t need, uint32_t **order, double **weights)
{
    uint32_t n = fl_xmset_size(mset);
    if (pool > n)
        pool = n;
    if (need > pool)
        need = pool;
    *order = fl_xcalloc(n ? n : 1, sizeof **order);
    *weights = fl_xcalloc(n ? n : 1, sizeof **weights);
    cand *cs = fl_xcalloc(n ? n : 1, sizeof *cs);
    fl_xdocid *docids = fl_xcalloc(pool ? pool : 1, sizeof *docids);
    ngroup *groups = fl_xcalloc(c->n_near_groups + 1, sizeof *groups);
    size_t ngroups = 0;
    double *finals = fl_xcalloc(pool ? pool : 1, sizeof *finals);
    double avlen = 0;
    int rc = 0;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        cs[i].index = i;
        if (fl_xmset_weight(mset, i, &cs[i].weight) != FL_XOK ||
            (i < pool && fl_xmset_docid(mset, i, &docids[i]) != FL_XOK))
            rc = -1;
    }
    if (rc == 0 && c->n_near_groups && fl_xdb_avlength(s->db, &avlen) != FL_XOK)
        rc = -1;
    for (size_t gi = 0; gi < c->n_near_groups && rc == 0; gi++)
        if (c->near_groups[gi].n >= 2)
            rc = group_init(s, mset, &c->near_groups[gi], &groups[ngroups++]);
    double top = fl_xmset_max_attained(mset);
    double today = (double)(time(NULL) / 86400);
    /* The most any candidate can gain: once a candidate's first-stage weight
     * plus that stays below the need-th best weight so far, neither it nor
     * any after it (their weights are lower) can reach the first `need`
     * places, and their bonuses are not computed (their order among
     * themselves, beyond the page, does not matter). */
    double max_gain = recency && top > 0 ? s->recency * top : 0;
    for (size_t gi = 0; gi < ngroups; gi++)
        max_gain += groups[gi].max_gain;
    /* The first `need` candidates are always scored: their stems' positions
     * are read together (fl_posmemo_prefetch). */
    if (rc == 0 && ngroups && need) {
        fl_strlist stems = {0};
        for (size_t gi = 0; gi < ngroups; gi++)
            if (groups[gi].max_gain > 0)
                for (size_t k = 0; k < groups[gi].stems->n; k++)
                    fl_strlist_push(&stems, groups[gi].stems->items[k]);
        fl_posmemo_prefetch(pm, docids, need, (const char *const *)stems.items, stems.n);
        fl_strlist_free(&stems);
    }
    bool pruned = false;
    for (uint32_t i = 0; i < pool && rc == 0; i++) {
        cand *x = &cs[i];
        if (need && i >= need && !pruned) {
            double kth = kth_largest(finals, i, need);
            /* A margin far above rounding noise (see sort_key). */
            pruned = x->weight + max_gain < kth * (1 - 1e-6);
        }
        if (pruned) {
            x->key = sort_key(x->weight);
            continue;
        }
        x->scored = true;
        if (recency && top > 0) {
            fl_xdoc *doc = NULL;
            if (fl_xmset_document(mset, i, &doc) != FL_XOK) {
                rc = -1;
                break;
            }
            char *dv = NULL;
            size_t dl = 0;
            if (fl_xdoc_get_value(doc, FL_SLOT_DATE, &dv, &dl) != FL_XOK) {
                fl_xdoc_free(doc);
                rc = -1;
                break;
            }
            fl_xdoc_free(doc);
            long day = date_days(dv, dl);
            free(dv);
            if (day >= 0) {
                double age = today - (double)day;
                x->weight += s->recency * top * exp2(-(age > 0 ? age : 0) / s->half_life);
            }
        }
        uint32_t dlen = UINT32_MAX; /* not read yet */
        for (size_t gi = 0; gi < ngroups && rc == 0; gi++) {
            double b = 0;
            if (near_bonus(s, pm, docids[i], &groups[gi], avlen, &dlen, &b) != 0)
                rc = -1;
            x->weight += b;
        }
        x->key = sort_key(x->weight);
        finals[i] = x->weight;
    }
    if (rc == 0 && read_tie_ids(mset, cs, pool) != 0)
        rc = -1;
    if (rc == 0) {
        /* The pool re-ranked; the candidates after it keep their place. */
        qsort(cs, pool, sizeof *cs, cand_cmp);
        for (uint32_t i = 0; i < n; i++) {
            (*order)[i] = cs[i].index;
            (*weights)[i] = cs[i].weight;
        }
    }
    for (uint32_t i = 0; i < n; i++)
        free(cs[i].id);
    for (size_t gi = 0; gi < ngroups; gi++) {
        free(groups[gi].idf);
        free(groups[gi].rarest);
    }
    free(groups);
    free(finals);
    free(docids);
    free(cs);
    if (rc != 0) {
        free(*order);
        free(*weights);
        *order = NULL;
        *weights = NULL;
    }
    return rc;
}
