/* posmemo.c — the term positions one search reads, each read once
 * (search_int.h).
 *
 * Why: positions are most of what a search reads from the index after the
 * match.  The re-rank and the excerpts ask for the same (document, term)
 * pairs, and each lookup costs a descent of a B-tree.  So a term's
 * positions in several documents are read together (fl_xdb_term_positions:
 * through the positions mirror, whose entries of one term are neighbours;
 * in an index without it, the term's posting list telling which documents
 * to look up at all) and kept for the rest of the search.  Measured on the
 * laws' 63 bench queries before the mirror: position-table block reads
 * 9,301 -> 6,544 (posting-list reads +711).
 */
#include "search_int.h"

#include "fl_err.h"

#include <stdlib.h>
#include <string.h>

typedef struct memo_entry {
    fl_xdocid docid;
    fl_xtermpos *pos; /* NULL when n == 0 */
    size_t n;
} memo_entry;

typedef struct memo_term {
    char *term;
    memo_entry *e;
    size_t n, cap;
} memo_term;

struct fl_posmemo {
    fl_xdb *db;
    memo_term *terms;
    size_t nterms, cap;
};

fl_posmemo *fl_posmemo_new(fl_xdb *db)
{
    fl_posmemo *m = fl_xcalloc(1, sizeof *m);
    m->db = db;
    return m;
}

void fl_posmemo_free(fl_posmemo *m)
{
    if (!m)
        return;
    for (size_t t = 0; t < m->nterms; t++) {
        for (size_t i = 0; i < m->terms[t].n; i++)
            free(m->terms[t].e[i].pos);
        free(m->terms[t].e);
        free(m->terms[t].term);
    }
    free(m->terms);
    free(m);
}

static memo_term *term_slot(fl_posmemo *m, const char *term)
{
    for (size_t t = 0; t < m->nterms; t++)
        if (strcmp(m->terms[t].term, term) == 0)
            return &m->terms[t];
    if (m->nterms == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 8;
        m->terms = fl_xrealloc(m->terms, m->cap * sizeof *m->terms);
    }
    memo_term *mt = &m->terms[m->nterms++];
    memset(mt, 0, sizeof *mt);
    mt->term = fl_xstrdup(term);
    return mt;
}

static const memo_entry *term_find(const memo_term *mt, fl_xdocid docid)
{
    for (size_t i = 0; i < mt->n; i++)
        if (mt->e[i].docid == docid)
            return &mt->e[i];
    return NULL;
}

static const memo_entry *term_keep(memo_term *mt, fl_xdocid docid, fl_xtermpos *pos, size_t n)
{
    if (mt->n == mt->cap) {
        mt->cap = mt->cap ? mt->cap * 2 : 16;
        mt->e = fl_xrealloc(mt->e, mt->cap * sizeof *mt->e);
    }
    memo_entry *e = &mt->e[mt->n++];
    e->docid = docid;
    e->pos = pos;
    e->n = n;
    return e;
}

fl_xstatus fl_posmemo_get(fl_posmemo *m, fl_xdocid docid, const char *term,
                          const fl_xtermpos **pos, size_t *n)
{
    memo_term *mt = term_slot(m, term);
    const memo_entry *e = term_find(mt, docid);
    if (!e) {
        fl_xtermpos *p = NULL;
        size_t np = 0;
        fl_xstatus st = fl_xdb_positions(m->db, docid, term, strlen(term), &p, &np);
        if (st != FL_XOK) {
            free(p);
            *pos = NULL;
            *n = 0;
            return st; /* not kept: a later ask tries again */
        }
        e = term_keep(mt, docid, p, np);
    }
    *pos = e->pos;
    *n = e->n;
    return FL_XOK;
}

static int docid_cmp(const void *a, const void *b)
{
    fl_xdocid x = *(const fl_xdocid *)a, y = *(const fl_xdocid *)b;
    return (x > y) - (x < y);
}

void fl_posmemo_prefetch(fl_posmemo *m, const fl_xdocid *docids, size_t ndocs,
                         const char *const *terms, size_t nterms)
{
    if (!ndocs || !nterms)
        return;
    fl_xdocid *d = fl_xcalloc(ndocs, sizeof *d);
    memcpy(d, docids, ndocs * sizeof *d);
    qsort(d, ndocs, sizeof *d, docid_cmp);
    fl_xdocid *want = fl_xcalloc(ndocs, sizeof *want);
    fl_xtermpos **pos = fl_xcalloc(ndocs, sizeof *pos);
    size_t *npos = fl_xcalloc(ndocs, sizeof *npos);
    for (size_t k = 0; k < nterms; k++) {
        /* A term named twice finds its documents read the first time. */
        memo_term *mt = term_slot(m, terms[k]);
        size_t nw = 0;
        for (size_t i = 0; i < ndocs; i++)
            if (!(i && d[i] == d[i - 1]) && !term_find(mt, d[i]))
                want[nw++] = d[i];
        /* On an error nothing is kept: fl_posmemo_get asks again, one
         * document at a time, and reports it where the positions are used. */
        if (!nw || fl_xdb_term_positions(m->db, mt->term, strlen(mt->term), want, nw, pos,
                                         npos) != FL_XOK)
            continue;
        for (size_t i = 0; i < nw; i++)
            term_keep(mt, want[i], pos[i], npos[i]);
    }
    free(npos);
    free(pos);
    free(want);
    free(d);
}

void fl_tagpos_merge(fl_tagpos *v, size_t n, size_t *bounds, size_t nruns)
{
    if (nruns <= 1 || n <= 1)
        return;
    fl_tagpos *tmp = fl_xcalloc(n, sizeof *tmp);
    fl_tagpos *src = v, *dst = tmp;
    while (nruns > 1) {
        /* Runs 2k and 2k + 1 become run k (a last odd one is copied). */
        size_t nb = 0;
        for (size_t r = 0; r < nruns; r += 2) {
            size_t a = bounds[r], m = bounds[r + 1];
            size_t e = r + 2 <= nruns ? bounds[r + 2] : m;
            size_t i = a, j = m, o = a;
            while (i < m && j < e)
                dst[o++] = src[j].pos < src[i].pos ? src[j++] : src[i++];
            while (i < m)
                dst[o++] = src[i++];
            while (j < e)
                dst[o++] = src[j++];
            bounds[nb++] = a;
        }
        bounds[nb] = n;
        nruns = nb;
        fl_tagpos *t = src;
        src = dst;
        dst = t;
    }
    if (src != v)
        memcpy(v, src, n * sizeof *v);
    free(tmp);
}
