/* search.c — the searcher (fl_search.h): open/reopen, run, hits, facets.
 *
 * One fl_search_run: parse (parse.c) → compile (build.c) → Xapian match with
 * the request's filters and match spies on the facet slots → hits with
 * excerpts and sections (excerpt.c).  A concurrent index run can make Xapian
 * throw DatabaseModifiedError mid-way: we then reopen and start again.
 */
#include "search_int.h"

#include "fl_docbuild.h"
#include "fl_docdata.h"
#include "fl_err.h"
#include "fl_jsonread.h"
#include "fl_normalize.h"
#include "fl_terms.h"
#include "fl_tokenize.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_SECTIONS 3
#define MAX_FACET_VALUES 100
/* Candidates (the first stage's best) that get the proximity and recency
 * bonuses (rerank.c). */
#define RERANK_POOL 50

/* ---------------------------------------------------------------- open */

static char *read_stub(const char *dir)
{
    char *p = fl_xasprintf("%s/XAPIANDB", dir);
    FILE *f = fopen(p, "rb");
    free(p);
    if (!f)
        return NULL;
    fl_buf b = FL_BUF_INIT;
    char tmp[512];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        fl_buf_append(&b, tmp, n);
    fclose(f);
    return fl_buf_detach(&b);
}

static void free_config(fl_searcher *s)
{
    for (size_t i = 0; i < s->nfacets; i++)
        free(s->facets[i].name);
    free(s->facets);
    for (size_t i = 0; i < s->nsyns; i++) {
        fl_strlist_free(&s->syns[i].members);
        fl_strlist_free(&s->syns[i].stems);
    }
    free(s->syns);
    s->facets = NULL;
    s->syns = NULL;
    s->nfacets = s->nsyns = 0;
    s->recency = 0;
    s->half_life = 365;
}

static void add_facet(fl_searcher *s, const char *name, fl_xvalueno slot)
{
    s->facets = fl_xrealloc(s->facets, (s->nfacets + 1) * sizeof *s->facets);
    s->facets[s->nfacets].name = fl_xstrdup(name);
    s->facets[s->nfacets].slot = slot;
    s->nfacets++;
}

typedef struct stemjoin {
    fl_buf b;
} stemjoin;

static int stemjoin_cb(void *ud, const fl_token *t)
{
    stemjoin *sj = ud;
    if (sj->b.len)
        fl_buf_putc(&sj->b, ' ');
    fl_buf_puts(&sj->b, t->stem && t->stem[0] ? t->stem : t->exact);
    return 0;
}

static void add_syn_group(fl_searcher *s, const fl_jv *arr)
{
    fl_syn_group g = {{0}, {0}};
    for (size_t i = 0; i < arr->n; i++) {
        const char *m = fl_jv_str(arr->items[i]);
        if (!m || !*m)
            continue;
        stemjoin sj = {FL_BUF_INIT};
        fl_analyze(s->an, m, strlen(m), stemjoin_cb, &sj, NULL);
        if (sj.b.len) {
            fl_strlist_push(&g.members, m);
            fl_strlist_push(&g.stems, sj.b.data);
        }
        fl_buf_free(&sj.b);
    }
    if (g.members.n < 2) {
        fl_strlist_free(&g.members);
        fl_strlist_free(&g.stems);
        return;
    }
    s->syns = fl_xrealloc(s->syns, (s->nsyns + 1) * sizeof *s->syns);
    s->syns[s->nsyns++] = g;
}

/* Reads FL_META_CONFIG (written by the indexer).  Tolerant: what it does not
 * understand it ignores, and a missing config means the default facets. */
static void load_config(fl_searcher *s)
{
    free_config(s);
    char *val = NULL;
    size_t len = 0;
    fl_jv *cfg = NULL;
    if (fl_xdb_get_metadata(s->db, FL_META_CONFIG, strlen(FL_META_CONFIG), &val, &len) ==
            FL_XOK &&
        val)
        cfg = fl_jv_parse(val, len, NULL);
    free(val);
    const fl_jv *facets = fl_jv_get(cfg, "facets");
    if (facets && (facets->type == FL_J_ARR || facets->type == FL_J_OBJ)) {
        for (size_t i = 0; i < facets->n; i++) {
            const fl_jv *f = facets->items[i];
            const char *name = facets->type == FL_J_OBJ ? facets->keys[i] : fl_jv_str(f);
            if (!name)
                name = fl_jv_str(fl_jv_get(f, "name"));
            if (!name)
                continue;
            const fl_jv *slot = fl_jv_get(f, "slot");
            add_facet(s, name,
                      slot && slot->type == FL_J_NUM ? (fl_xvalueno)slot->num
                                                      : (fl_xvalueno)(FL_SLOT_FACET0 + i));
        }
    }
    if (s->nfacets == 0) {
        static const char *const def[] = {"category", "author", "tag", "year"};
        for (size_t i = 0; i < 4; i++)
            add_facet(s, def[i], (fl_xvalueno)(FL_SLOT_FACET0 + i));
    }
    const fl_jv *syn = fl_jv_get(cfg, "synonyms");
    if (syn && syn->type == FL_J_ARR) {
        for (size_t i = 0; i < syn->n; i++) {
            const fl_jv *g = syn->items[i];
            if (g->type == FL_J_OBJ)
                g = fl_jv_get(g, "terms") ? fl_jv_get(g, "terms") : fl_jv_get(g, "words");
            if (g && g->type == FL_J_ARR)
                add_syn_group(s, g);
        }
    } else if (syn && syn->type == FL_J_OBJ) {
        /* {"KI": ["Künstliche Intelligenz"], ...} */
        for (size_t i = 0; i < syn->n; i++) {
            fl_jv grp = {FL_J_ARR, false, 0, NULL, NULL, NULL, 0};
            fl_jv key = {FL_J_STR, false, 0, syn->keys[i], NULL, NULL, 0};
            const fl_jv *v = syn->items[i];
            size_t n = 1 + (v->type == FL_J_ARR ? v->n : 1);
            fl_jv **items = fl_xcalloc(n, sizeof *items);
            items[0] = &key;
            if (v->type == FL_J_ARR)
                for (size_t k = 0; k < v->n; k++)
                    items[k + 1] = v->items[k];
            else
                items[1] = (fl_jv *)v;
            grp.items = items;
            grp.n = n;
            add_syn_group(s, &grp);
            free(items);
        }
    }
    const fl_jv *rec = fl_jv_get(cfg, "recency_boost");
    if (rec && rec->type == FL_J_NUM && rec->num > 0 && rec->num < 10)
        s->recency = rec->num;
    const fl_jv *hl = fl_jv_get(cfg, "recency_half_life");
    if (hl && hl->type == FL_J_NUM && hl->num > 0 && hl->num <= 1e6)
        s->half_life = hl->num;
    fl_jv_free(cfg);
}

/* Which facet slots hold any value: a facet no document has (the laws have
 * none at all) costs a match spy over every match for nothing. */
static void load_liveness(fl_searcher *s)
{
    for (size_t i = 0; i < s->nfacets; i++) {
        uint32_t f = 1;
        fl_xdb_value_freq(s->db, s->facets[i].slot, &f);
        s->facets[i].live = f > 0;
    }
    uint32_t f = 1;
    fl_xdb_value_freq(s->db, FL_SLOT_DATE, &f);
    s->dates_live = f > 0;
}

/* The revision of an index with remote shards: Xapian has none for them,
 * and a count of this handle's reopens would differ from another handle's
 * (the server's workers) on the same data -- a response cached under one
 * handle's revision would then be served for another's.  The run stamps
 * every index run writes into every shard are the same for all. */
static void load_stamps(fl_searcher *s)
{
    s->stamp_rev = 0;
    s->stamps_ok = false;
    if (!fl_xdb_has_remote(s->db))
        return;
    uint64_t sum = 0;
    uint32_t n = fl_xdb_shard_count(s->db);
    for (uint32_t i = 0; i < n; i++) {
        char *v = NULL;
        size_t len = 0;
        if (fl_xdb_shard_metadata(s->db, i, FL_META_RUN, strlen(FL_META_RUN), &v, &len) !=
                FL_XOK ||
            !v) {
            free(v);
            return; /* an index from before the stamps: the handle's count */
        }
        sum += strtoull(v, NULL, 10);
        free(v);
    }
    s->stamp_rev = sum;
    s->stamps_ok = true;
}

static int open_db(fl_searcher *s, char **err)
{
    fl_xdb *db = NULL;
    if (fl_xdb_open(s->path, &db) != FL_XOK)
        return fl_err_set(err, "cannot open the index '%s' (%s): %s", s->path,
                          fl_xstatus_name(fl_xlast_status()), fl_xlast_error_message());
    fl_xdb_free(s->db);
    s->db = db;
    s->epoch++;
    s->doccount = 0;
    fl_xdb_doccount(db, &s->doccount);
    load_config(s);
    load_liveness(s);
    load_stamps(s);
    return 0;
}

static void doccache_free(struct fl_doccache *dc);
static void secscratch_free(struct fl_secscratch *x);

fl_searcher *fl_searcher_open(const char *db_path, const fl_analyzer *an, char **err)
{
    if (!db_path || !an) {
        fl_err_set(err, "fl_searcher_open: no index path or analyzer");
        return NULL;
    }
    fl_searcher *s = fl_xcalloc(1, sizeof *s);
    s->path = fl_xstrdup(db_path);
    s->an = an;
    s->stub = read_stub(db_path);
    if (open_db(s, err) != 0) {
        fl_searcher_free(s);
        return NULL;
    }
    return s;
}

void fl_searcher_free(fl_searcher *s)
{
    if (!s)
        return;
    free_config(s);
    doccache_free(s->docs);
    secscratch_free(s->secs);
    fl_xvalue_free(s->secval);
    fl_completions_unref(s->compl);
    fl_xdb_free(s->db);
    free(s->path);
    free(s->stub);
    free(s);
}

int fl_searcher_reopen(fl_searcher *s, bool *changed, char **err)
{
    char *stub = read_stub(s->path);
    bool swapped = (stub == NULL) != (s->stub == NULL) ||
                   (stub && s->stub && strcmp(stub, s->stub) != 0);
    if (swapped) {
        /* A --full run put a new generation in place: open it afresh.  The
         * new stub is remembered only once that open worked, so that a failed
         * attempt is retried at the next reopen instead of being forgotten
         * (the old handle stays in use meanwhile). */
        if (open_db(s, err) != 0) {
            free(stub);
            return -1;
        }
        free(s->stub);
        s->stub = stub;
        if (changed)
            *changed = true;
        return 0;
    }
    free(stub);
    bool ch = false;
    if (fl_xdb_reopen(s->db, &ch) != FL_XOK) {
        /* The generation we had may be gone: try a fresh open. */
        if (changed)
            *changed = true;
        return open_db(s, err);
    }
    if (ch) {
        s->epoch++;
        s->doccount = 0;
        fl_xdb_doccount(s->db, &s->doccount);
        load_config(s);
        load_liveness(s);
        load_stamps(s);
    }
    if (changed)
        *changed = ch;
    return 0;
}

uint64_t fl_searcher_revision(fl_searcher *s)
{
    if (s->stamps_ok)
        return s->stamp_rev;
    uint64_t rev = 0;
    fl_xdb_revision(s->db, &rev);
    return rev;
}

uint32_t fl_searcher_doccount(fl_searcher *s) { return s->doccount; }


/* ---------------------------------------------------------------- decoded documents */

/* The decoded data of recent hits, per searcher (so per worker thread: no
 * locks).  Popular documents are hit again and again; a law's section
 * table has thousands of entries to decode, so the decoded page is kept,
 * bounded in entries and in (estimated) bytes, and dropped whenever the
 * searcher sees another revision (docids may change).  The byte bound is
 * what limits it: the laws' pages average about 5 KB decoded, so 64 entries
 * (0.3 MB) were evicted long before it -- 63 searches over the laws show
 * 446 different documents, which 64 entries served 8 % of the time and 512
 * serve all (2.2 MB; 5.6 MB with the section entries their sub-results
 * showed, dc_section).  8 MB per worker keeps the server within its memory
 * budget with every worker's cache full (README, Operations). */
#define DC_SLOTS 512
#define DC_MAX_BYTES (8u << 20)

/* A section entry (fl_docdata.h) read for a cached document, kept with it:
 * a popular document's sub-results are shown again and again, and each
 * read is a descent of the index's B-tree and a copy of its blocks (6 % of
 * a search's CPU on the laws before they were kept). */
typedef struct dc_section {
    size_t idx;
    char *raw;
    size_t len;
} dc_section;

/* Section entries kept per document, and the largest kept: a law's
 * sections are a few KB; an annex of tables can be far more. */
#define DC_SECTIONS 16
#define DC_SECTION_MAX (64u << 10)

typedef struct dc_entry {
    fl_page page;        /* sections: positions, level, title_tokens, has_anchor */
    /* sections[i].pos_start for every i, packed: the sub-results look up
     * the section of each matched position, and a law's thousands of
     * sections take a cache line each in the page's table. */
    uint32_t *starts;
    dc_section *secs;    /* up to DC_SECTIONS, allocated with the first */
    size_t nsecs;
    size_t cost;
    uint64_t used;       /* LRU clock */
    bool kept;           /* in the cache (not a page too big to keep, doc_get) */
} dc_entry;

struct fl_doccache {
    uint64_t epoch, clock; /* the searcher's epoch the entries belong to */
    size_t bytes;
    fl_xdocid ids[DC_SLOTS]; /* e[k]'s document, 0 = free slot; packed: what a lookup scans */
    dc_entry e[DC_SLOTS];
};

/* Frees what an entry holds (a cached one, or one too big to keep). */
static void dc_entry_clear(dc_entry *e)
{
    fl_page_free(&e->page);
    free(e->starts);
    for (size_t i = 0; i < e->nsecs; i++)
        free(e->secs[i].raw);
    free(e->secs);
    memset(e, 0, sizeof *e);
}

static void dc_drop(struct fl_doccache *dc, dc_entry *e)
{
    dc->bytes -= e->cost;
    dc->ids[e - dc->e] = 0;
    dc_entry_clear(e);
}

static void doccache_free(struct fl_doccache *dc)
{
    if (!dc)
        return;
    for (size_t i = 0; i < DC_SLOTS; i++)
        if (dc->ids[i])
            dc_drop(dc, &dc->e[i]);
    free(dc);
}

/* Makes the cache match what the searcher has open: any reopen that changed
 * it (new revision, other generation) drops the entries, docids may have
 * changed.  The searcher's own epoch, not the revision number: that one is
 * not meaningful for every kind of database. */
static void doccache_check(fl_searcher *s)
{
    if (!s->docs) {
        s->docs = fl_xcalloc(1, sizeof *s->docs);
    } else if (s->docs->epoch != s->epoch) {
        for (size_t i = 0; i < DC_SLOTS; i++)
            if (s->docs->ids[i])
                dc_drop(s->docs, &s->docs->e[i]);
    }
    s->docs->epoch = s->epoch;
}

/* Estimated heap bytes of a decoded page. */
static size_t page_cost(const fl_page *p, size_t dlen)
{
    /* The display fields are about the data without its section table
     * (about five bytes a section, fl_docdata.h). */
    size_t fields = dlen > 5 * p->nsections ? dlen - 5 * p->nsections : 0;
    return sizeof *p + fields + p->nsections * (sizeof(fl_section) + sizeof(uint32_t)) + 256;
}

/* The decoded page of hit i of mset (docid), from the cache or decoded now
 * and kept.  *tmp receives a page to free when it was too big to keep.
 * Returns NULL (with the Xapian error pending) when the data could not be
 * read. */
static dc_entry *doc_get(fl_searcher *s, fl_xmset *mset, uint32_t i, fl_xdocid docid,
                         dc_entry *tmp)
{
    struct fl_doccache *dc = s->docs;
    for (size_t k = 0; k < DC_SLOTS; k++)
        if (dc->ids[k] == docid) {
            dc->e[k].used = ++dc->clock;
            return &dc->e[k];
        }
    fl_xdoc *doc = NULL;
    char *data = NULL;
    size_t dlen = 0;
    if (fl_xmset_document(mset, i, &doc) != FL_XOK)
        return NULL;
    fl_xstatus st = fl_xdoc_get_data(doc, &data, &dlen);
    fl_xdoc_free(doc);
    if (st != FL_XOK)
        return NULL;
    dc_entry n;
    memset(&n, 0, sizeof n);
    fl_page_init(&n.page);
    char *derr = NULL;
    if (data && fl_docdata_decode(data, dlen, &n.page, &derr) != 0) {
        /* Damaged data: the hit is still shown, with what was read. */
        free(derr);
    }
    free(data);
    if (n.page.nsections) {
        n.starts = fl_xmalloc(n.page.nsections * sizeof *n.starts);
        for (size_t k = 0; k < n.page.nsections; k++)
            n.starts[k] = n.page.sections[k].pos_start;
    }
    n.cost = page_cost(&n.page, dlen);
    n.used = ++dc->clock;
    if (n.cost > DC_MAX_BYTES / 2) {
        *tmp = n;
        return tmp;
    }
    /* Make room: a free slot, and the bytes. */
    for (;;) {
        size_t free_slot = DC_SLOTS, lru = DC_SLOTS;
        for (size_t k = 0; k < DC_SLOTS; k++) {
            if (!dc->ids[k]) {
                if (free_slot == DC_SLOTS)
                    free_slot = k;
            } else if (lru == DC_SLOTS || dc->e[k].used < dc->e[lru].used) {
                lru = k;
            }
        }
        if (free_slot < DC_SLOTS && dc->bytes + n.cost <= DC_MAX_BYTES) {
            n.kept = true;
            dc->e[free_slot] = n;
            dc->ids[free_slot] = docid;
            dc->bytes += n.cost;
            return &dc->e[free_slot];
        }
        dc_drop(dc, &dc->e[lru]);
    }
}

/* ---------------------------------------------------------------- results */

static void hit_free(fl_hit *h)
{
    free(h->id);
    free(h->url);
    free(h->title);
    free(h->teaser);
    free(h->date);
    fl_strlist_free(&h->categories);
    fl_strlist_free(&h->authors);
    fl_strlist_free(&h->tags);
    free(h->image);
    free(h->excerpt);
    for (size_t i = 0; i < h->nsections; i++) {
        free(h->sections[i].title);
        free(h->sections[i].anchor);
        free(h->sections[i].url);
        free(h->sections[i].excerpt);
    }
    free(h->sections);
    free(h->explain);
}

void fl_search_result_free(fl_search_result *res)
{
    if (!res)
        return;
    free(res->query);
    free(res->corrected_query);
    for (size_t i = 0; i < res->nhits; i++)
        hit_free(&res->hits[i]);
    free(res->hits);
    for (size_t i = 0; i < res->nfacets; i++) {
        free(res->facets[i].name);
        for (size_t k = 0; k < res->facets[i].ncounts; k++)
            free(res->facets[i].counts[k].value);
        free(res->facets[i].counts);
    }
    free(res->facets);
    memset(res, 0, sizeof *res);
}

/* ---------------------------------------------------------------- sections */

typedef struct secscore {
    size_t idx;
    uint32_t count;
    uint64_t groups;
    uint64_t title_groups;
    bool cited;
    long score;
} secscore;

static int secscore_cmp(const void *a, const void *b)
{
    const secscore *x = a, *y = b;
    if (x->score != y->score)
        return x->score < y->score ? 1 : -1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int popcount64(uint64_t v)
{
    int n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Whether a positional term is a compound part's (fl_posterm_stem). */
static bool is_part_term(const char *term)
{
    return fl_posterm_stem(term) != term;
}

static int term_group(const fl_hl *hl, const char *term)
{
    const char *t = fl_posterm_stem(term);
    int g = fl_strset_find(&hl->stems, t);
    if (g < 0)
        g = fl_strset_find(&hl->parts, t);
    return g < 0 ? 0 : g;
}

/* Keeps section entry n's bytes with the document de, when it is in the
 * cache and the bytes fit the cache's bound. */
static void dc_keep_section(fl_searcher *s, dc_entry *de, size_t n, const char *raw, size_t len)
{
    struct fl_doccache *dc = s->docs;
    size_t cost = len + sizeof(dc_section) + 32;
    if (!de->kept || de->nsecs >= DC_SECTIONS || len > DC_SECTION_MAX ||
        dc->bytes + cost > DC_MAX_BYTES)
        return;
    if (!de->secs)
        de->secs = fl_xcalloc(DC_SECTIONS, sizeof *de->secs);
    dc_section *x = &de->secs[de->nsecs++];
    x->idx = n;
    x->raw = fl_xmalloc(len ? len : 1);
    memcpy(x->raw, raw, len);
    x->len = len;
    de->cost += cost;
    dc->bytes += cost;
}

/* Reads section n of the hit's document (de, docid) into e: from the
 * document's cache entry, else from the index (and kept there), its slices
 * then pointing into the searcher's holder (s->secval): valid until the
 * next section_read.  false when it has no (well-formed) entry.  The
 * entries are in the document's own shard (fl_terms.h), so one shard is
 * asked, not each in turn: over remote shards every ask is a round trip. */
static bool section_read(fl_searcher *s, dc_entry *de, fl_xdocid docid, size_t n,
                         fl_secentry *e)
{
    memset(e, 0, sizeof *e);
    for (size_t i = 0; i < de->nsecs; i++)
        if (de->secs[i].idx == n)
            return fl_secentry_decode(de->secs[i].raw, de->secs[i].len, e) == 0;
    if (!s->secval && fl_xvalue_new(&s->secval) != FL_XOK)
        return false;
    const char *id = de->page.id ? de->page.id : "";
    fl_buf key = FL_BUF_INIT;
    fl_buf_puts(&key, FL_META_SECTION_PREFIX);
    fl_buf_puts(&key, id);
    fl_buf_putc(&key, '\x1f');
    fl_buf_put_uint(&key, n);
    uint32_t nshards = fl_xdb_shard_count(s->db);
    size_t len = 0;
    const char *raw = NULL;
    fl_xstatus st = FL_XOK;
    if (nshards > 1) {
        st = fl_xdb_shard_metadata_into(s->db, (docid - 1) % nshards, key.data, key.len,
                                        s->secval);
        raw = fl_xvalue_data(s->secval, &len);
    }
    /* Not there (a stub whose entry is itself a stub of several databases
     * interleaves differently): ask every shard. */
    if (nshards <= 1 || st != FL_XOK || !raw) {
        st = fl_xdb_get_metadata_into(s->db, key.data, key.len, s->secval);
        raw = st == FL_XOK ? fl_xvalue_data(s->secval, &len) : NULL;
    }
    fl_buf_free(&key);
    if (raw && fl_secentry_decode(raw, len, e) == 0) {
        dc_keep_section(s, de, n, raw, len);
        return true;
    }
    memset(e, 0, sizeof *e);
    return false;
}

/* The positions of one query term in the hit, sorted. */
typedef struct pterm {
    const fl_xtermpos *pos; /* owned by the search's fl_posmemo (or hit_excerpts) */
    size_t n;
    int group;
    bool part;        /* a compound part's term (P…) */
    const char *term; /* the compiled query's */
} pterm;

/* First index of v[0..n) with v[i] >= p. */
static size_t lower_bound(const fl_xtermpos *v, size_t n, uint32_t p)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const pterm *pt_find(const pterm *pt, size_t npt, const char *term)
{
    for (size_t t = 0; t < npt; t++)
        if (strcmp(pt[t].term, term) == 0)
            return &pt[t];
    return NULL;
}

/* Where phrase ph stands in the hit (its first word's position less that
 * word's offset), ascending: *n of them, malloc'd (NULL when none).  Driven
 * by the word with the fewest positions, the others bisected. */
static uint32_t *phrase_starts(const fl_phrase *ph, const pterm *pt, size_t npt, size_t *n)
{
    *n = 0;
    const pterm **w = fl_xcalloc(ph->n, sizeof *w);
    size_t drive = 0;
    for (size_t k = 0; k < ph->n; k++) {
        w[k] = pt_find(pt, npt, ph->stems[k]);
        if (!w[k] || w[k]->n == 0) {
            free(w);
            return NULL;
        }
        if (w[k]->n < w[drive]->n)
            drive = k;
    }
    uint32_t *out = fl_xmalloc(w[drive]->n * sizeof *out);
    for (size_t i = 0; i < w[drive]->n; i++) {
        uint32_t q = w[drive]->pos[i];
        if (q < ph->offsets[drive])
            continue;
        uint32_t base = q - ph->offsets[drive];
        bool all = true;
        for (size_t k = 0; k < ph->n && all; k++) {
            uint32_t want = base + ph->offsets[k];
            size_t j = lower_bound(w[k]->pos, w[k]->n, want);
            all = j < w[k]->n && w[k]->pos[j] == want;
        }
        if (all)
            out[(*n)++] = base;
    }
    free(w);
    if (*n == 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int termpos_cmp(const void *a, const void *b)
{
    fl_xtermpos x = *(const fl_xtermpos *)a, y = *(const fl_xtermpos *)b;
    return (x > y) - (x < y);
}

/* Narrows the positions of each phrase-only term in pt (hl->phraseterms) to
 * those where one of its phrases stands; returns the arrays it made, one
 * per pt entry (NULL where unchanged), for the caller to free. */
static fl_xtermpos **phrase_positions(const fl_hl *hl, pterm *pt, size_t npt)
{
    /* Every phrase's places first, from the positions as read. */
    uint32_t **starts = fl_xcalloc(hl->nphrases, sizeof *starts);
    size_t *nstarts = fl_xcalloc(hl->nphrases, sizeof *nstarts);
    for (size_t i = 0; i < hl->nphrases; i++)
        starts[i] = phrase_starts(&hl->phrases[i], pt, npt, &nstarts[i]);
    fl_xtermpos **kept = fl_xcalloc(npt + 1, sizeof *kept);
    for (size_t t = 0; t < npt; t++) {
        if (!fl_strlist_contains(&hl->phraseterms, pt[t].term))
            continue;
        size_t n = 0, cap = 0, sources = 0;
        fl_xtermpos *v = NULL;
        for (size_t i = 0; i < hl->nphrases; i++)
            for (size_t k = 0; k < hl->phrases[i].n; k++) {
                if (strcmp(hl->phrases[i].stems[k], pt[t].term) != 0 || !nstarts[i])
                    continue;
                if (n + nstarts[i] > cap) {
                    cap = n + nstarts[i];
                    v = fl_xrealloc(v, cap * sizeof *v);
                }
                for (size_t j = 0; j < nstarts[i]; j++)
                    v[n++] = starts[i][j] + hl->phrases[i].offsets[k];
                sources++;
            }
        /* The same word twice in a phrase, or in several: in order, once. */
        if (sources > 1 && n > 1) {
            qsort(v, n, sizeof *v, termpos_cmp);
            size_t u = 1;
            for (size_t j = 1; j < n; j++)
                if (v[j] != v[u - 1])
                    v[u++] = v[j];
            n = u;
        }
        kept[t] = v;
        pt[t].pos = v;
        pt[t].n = n;
    }
    for (size_t i = 0; i < hl->nphrases; i++)
        free(starts[i]);
    free(starts);
    free(nstarts);
    return kept;
}

#define MAX_WINDOW_POSITIONS 4096

/* The token (counted from the start of the section's text) where the best
 * cluster of matches in [lo, hi) begins: most distinct query words within
 * about `length` characters, then most matches.  -1 when none. */
static long best_cluster(const pterm *pt, size_t npt, uint32_t lo, uint32_t hi, size_t length)
{
    if (hi <= lo)
        return -1;
    fl_tagpos *v = NULL;
    size_t n = 0, cap = 0;
    size_t *runs = fl_xcalloc(npt + 1, sizeof *runs);
    size_t nruns = 0;
    for (size_t t = 0; t < npt; t++) {
        size_t start = n;
        for (size_t k = lower_bound(pt[t].pos, pt[t].n, lo);
             k < pt[t].n && pt[t].pos[k] < hi && n < MAX_WINDOW_POSITIONS; k++) {
            if (n == cap) {
                cap = cap ? cap * 2 : 64;
                v = fl_xrealloc(v, cap * sizeof *v);
            }
            v[n++] = (fl_tagpos){pt[t].pos[k], (uint32_t)pt[t].group};
        }
        if (n > start)
            runs[nruns++] = start;
    }
    if (n == 0) {
        free(runs);
        free(v);
        return -1;
    }
    runs[nruns] = n;
    fl_tagpos_merge(v, n, runs, nruns);
    free(runs);
    /* German legal prose averages about 8 bytes a token. */
    uint32_t span = (uint32_t)(length / 8 > 4 ? length / 8 : 4);
    long best = -1, best_score = -1;
    for (size_t i = 0, j = 0; i < n; i++) {
        uint64_t groups = 0;
        long count = 0;
        for (j = i; j < n && v[j].pos - v[i].pos <= span; j++) {
            groups |= 1ull << (v[j].tag % 64);
            count++;
        }
        long score = popcount64(groups) * 1000L + count;
        if (score > best_score) {
            best_score = score;
            best = (long)(v[i].pos - lo);
        }
    }
    free(v);
    return best;
}

/* The tokens of a section's text and which of them matched (fl_tokmap). */
typedef struct sec_tokens {
    const fl_secentry *e;
    const pterm *pt;
    size_t npt;
    uint32_t body, end; /* the text's positions: [body, end) */
    size_t *cur;        /* per term: its first position not below the token asked last */
    uint32_t next;      /* the least position at a cursor: no token before it matched */
    /* The starts of tokens known_tok .. known_tok + nknown - 1, found on
     * the way to the excerpt's match (token_offset): the marks are looked
     * for from the last of them before the excerpt, not from a checkpoint
     * again. */
    uint32_t known_tok;
    size_t nknown;
    size_t known[FL_SECENTRY_STRIDE + 1];
} sec_tokens;

/* Byte offset of raw token k of the section's text (its length when there
 * are fewer): from the checkpoint before k, at most FL_SECENTRY_STRIDE
 * tokens; the starts passed are kept in st. */
static size_t token_offset(sec_tokens *st, uint32_t k)
{
    const fl_secentry *e = st->e;
    size_t j = k / FL_SECENTRY_STRIDE;
    if (j > e->nchecks)
        j = e->nchecks;
    size_t pos = fl_secentry_checkpoint(e, j);
    st->known_tok = (uint32_t)(j * FL_SECENTRY_STRIDE);
    st->nknown = 0;
    fl_rawtoken rt;
    for (size_t i = j * FL_SECENTRY_STRIDE; fl_tokenize_next(e->text, e->text_len, &pos, &rt); i++) {
        if (st->nknown < FL_SECENTRY_STRIDE + 1)
            st->known[st->nknown++] = rt.start;
        if (i == k)
            return rt.start;
    }
    return e->text_len;
}

static size_t sec_start_before(void *ud, size_t byte, uint32_t *tok)
{
    sec_tokens *st = ud;
    size_t j = 0;
    size_t at = fl_secentry_checkpoint_before(st->e, byte, &j);
    *tok = (uint32_t)(j * FL_SECENTRY_STRIDE);
    /* A token found by token_offset, nearer to byte. */
    for (size_t i = st->nknown; i-- > 0;)
        if (st->known[i] <= byte) {
            if (st->known[i] > at) {
                at = st->known[i];
                *tok = st->known_tok + (uint32_t)i;
            }
            break;
        }
    st->next = UINT32_MAX;
    for (size_t t = 0; t < st->npt; t++) {
        const pterm *x = &st->pt[t];
        size_t k = st->cur[t] = lower_bound(x->pos, x->n, st->body + *tok);
        if (k < x->n && x->pos[k] < st->next)
            st->next = x->pos[k];
    }
    return at;
}

/* Asked for increasing tok after sec_start_before: each term's cursor only
 * moves forward.  The group of a stem's term before a compound part's,
 * then the first in the query's order. */
static int sec_matched(void *ud, uint32_t tok)
{
    sec_tokens *st = ud;
    if (st->end <= st->body || tok >= st->end - st->body)
        return -1;
    uint32_t p = st->body + tok;
    if (p < st->next)
        return -1; /* most tokens: none of the terms is at or before them */
    int group = -1;
    bool group_is_part = false;
    st->next = UINT32_MAX;
    for (size_t t = 0; t < st->npt; t++) {
        const pterm *x = &st->pt[t];
        size_t k = st->cur[t];
        while (k < x->n && x->pos[k] < p)
            k++;
        st->cur[t] = k;
        if (k < x->n && x->pos[k] == p && (group < 0 || (group_is_part && !x->part))) {
            group = x->group;
            group_is_part = x->part;
        }
        /* The term's next position after this token. */
        size_t after = k < x->n && x->pos[k] == p ? k + 1 : k;
        if (after < x->n && x->pos[after] < st->next)
            st->next = x->pos[after];
    }
    return group;
}

/* After sec_matched(tok): on at pos, or at the checkpoint nearest before
 * the next matched token when that is further. */
static size_t sec_resume(void *ud, uint32_t tok, size_t pos, uint32_t *next_tok)
{
    sec_tokens *st = ud;
    *next_tok = tok + 1;
    if (st->next >= st->end)
        return SIZE_MAX; /* no term at a later token of the text */
    size_t j = (st->next - st->body) / FL_SECENTRY_STRIDE;
    if (j > st->e->nchecks)
        j = st->e->nchecks;
    uint32_t ctok = (uint32_t)(j * FL_SECENTRY_STRIDE);
    if (ctok <= tok + 1)
        return pos;
    size_t at = fl_secentry_checkpoint(st->e, j);
    if (at < pos)
        return pos;
    *next_tok = ctok;
    return at;
}

/* Excerpt of a section (its table row sec, its entry e) around its best
 * cluster of matches; all_positions: pt holds every query term's positions
 * (else the window is analysed to find the marks). */
static void section_excerpt(fl_searcher *s, const fl_compiled *c, const fl_section *sec,
                            const fl_secentry *e, const pterm *pt, size_t npt,
                            bool all_positions, size_t exlen, fl_buf *out)
{
    /* The indexer numbers the heading's tokens from pos_start, then leaves
     * FL_DOCBUILD_GAP, then numbers the text's tokens (fl_docbuild.h). */
    uint32_t ntitle = sec->title_tokens;
    uint32_t body = ntitle ? sec->pos_start + ntitle + FL_DOCBUILD_GAP : sec->pos_start;
    if (!e->text_len)
        return;
    sec_tokens st;
    st.e = e;
    st.pt = pt;
    st.npt = npt;
    st.body = body;
    st.end = sec->pos_end;
    st.cur = fl_xcalloc(npt + 1, sizeof *st.cur);
    st.next = 0; /* unknown until sec_start_before */
    st.known_tok = 0;
    st.nknown = 0;
    long tok = best_cluster(pt, npt, body, sec->pos_end, exlen ? exlen : 220);
    size_t at = tok < 0 ? 0 : token_offset(&st, (uint32_t)tok);
    fl_tokmap tm = {sec_start_before, sec_matched, sec_resume, &st};
    fl_excerpt_at(s->an, &c->hl, e->text, e->text_len, at, exlen, all_positions ? &tm : NULL,
                  out);
    free(st.cur);
}

/* hit_excerpts' tallies per section, kept by the searcher (one per worker
 * thread) and grown to the most sections seen: all zero between hits. */
struct fl_secscratch {
    secscore *tally;
    size_t *touched; /* the sections a hit's tallies touched */
    size_t cap;
};

/* The searcher's scratch, with room for ns sections. */
static struct fl_secscratch *sec_scratch(fl_searcher *s, size_t ns)
{
    if (!s->secs)
        s->secs = fl_xcalloc(1, sizeof *s->secs);
    struct fl_secscratch *x = s->secs;
    if (x->cap < ns) {
        free(x->tally);
        free(x->touched);
        x->tally = fl_xcalloc(ns, sizeof *x->tally);
        x->touched = fl_xmalloc(ns * sizeof *x->touched);
        x->cap = ns;
    }
    return x;
}

static void secscratch_free(struct fl_secscratch *x)
{
    if (!x)
        return;
    free(x->tally);
    free(x->touched);
    free(x);
}

/* Excerpt and sub-results of one hit.  Everything is located through the
 * term positions and the section table, so only a few hundred bytes around
 * each shown match are analysed, however big the document. */
static void hit_excerpts(fl_searcher *s, const fl_compiled *c, fl_posmemo *pm, fl_xdocid docid,
                         dc_entry *de, size_t exlen, fl_hit *h)
{
    const fl_page *p = &de->page;
    size_t ns = p->nsections;
    const uint32_t *starts = de->starts;
    /* Per section: the tallies (zero but for the sections touched, which
     * are listed), in the searcher's scratch: a law has thousands of
     * sections, a search touches a few. */
    struct fl_secscratch *scratch = ns ? sec_scratch(s, ns) : NULL;
    secscore *tally = scratch ? scratch->tally : NULL;
    size_t *touched = scratch ? scratch->touched : NULL, nmatched = 0;
    pterm *pt = fl_xcalloc(c->hl.posterms.n + 1, sizeof *pt);
    size_t npt = 0;
    bool all_positions = true;
    /* The words' own terms first, then the split parts of the words (the
     * groups) the hit has no own term of (fl_hl.splitterms). */
    uint64_t whole_groups = 0;
    for (size_t i = 0; i < 2 * c->hl.posterms.n && ns; i++) {
        bool split_pass = i >= c->hl.posterms.n;
        const char *term = c->hl.posterms.items[i - (split_pass ? c->hl.posterms.n : 0)];
        bool split = fl_strlist_contains(&c->hl.splitterms, term);
        if (split != split_pass)
            continue;
        int g = term_group(&c->hl, term);
        uint64_t gbit = 1ull << (g % 64);
        if (split && (whole_groups & gbit))
            continue;
        const fl_xtermpos *pos = NULL;
        size_t np = 0;
        fl_xstatus st = fl_posmemo_get(pm, docid, term, &pos, &np);
        if (st != FL_XOK || np == 0) {
            /* A term whose positions could not be read: its matches are
             * found by analysing the excerpts' windows instead. */
            all_positions &= st == FL_XOK;
            continue;
        }
        if (!split)
            whole_groups |= gbit;
        pt[npt++] = (pterm){pos, np, g, is_part_term(term), term};
    }
    /* A phrase word only where its phrase stands. */
    fl_xtermpos **kept = c->hl.nphrases ? phrase_positions(&c->hl, pt, npt) : NULL;
    for (size_t t = 0; t < npt; t++) {
        const fl_xtermpos *pos = pt[t].pos;
        size_t np = pt[t].n;
        uint64_t gbit = 1ull << (pt[t].group % 64);
        bool cites = c->hl.cite_groups & gbit;
        size_t si = 0;
        for (size_t k = 0; k < np; k++) {
            uint32_t ps = pos[k];
            /* The section holding ps: positions are sorted, so it is at or
             * after the last one; galloping forward, then bisecting, finds
             * it in O(log distance) (a law has thousands of sections and a
             * term may occur in a few far apart). */
            if (si >= ns || ps < starts[si]) {
                si = 0;
                if (ps < starts[0])
                    continue; /* before the first section */
            }
            size_t step = 1, lo = si, hi = si;
            while (hi + step < ns && starts[hi + step] <= ps) {
                lo = hi + step;
                hi = lo;
                step *= 2;
            }
            /* starts[lo] <= ps; the section is in [lo, lo + step). */
            size_t top = lo + step < ns ? lo + step : ns;
            while (top - lo > 1) {
                size_t mid = lo + (top - lo) / 2;
                if (starts[mid] <= ps)
                    lo = mid;
                else
                    top = mid;
            }
            si = lo;
            const fl_section *sec = &p->sections[si];
            if (ps >= sec->pos_end)
                continue;
            /* This position and the term's next ones in the section: a
             * common word occurs many times in one section of a law, and
             * they are counted at once (galloping to the first at or past
             * the section's end). */
            size_t run = 1, jump = 1;
            while (k + run + jump <= np && pos[k + run + jump - 1] < sec->pos_end) {
                run += jump;
                jump *= 2;
            }
            while (jump > 1) {
                jump /= 2;
                if (k + run + jump <= np && pos[k + run + jump - 1] < sec->pos_end)
                    run += jump;
            }
            if (!tally[si].count)
                touched[nmatched++] = si;
            tally[si].count += (uint32_t)run;
            tally[si].groups |= gbit;
            /* A match in the heading (the positions before the text's, see
             * section_excerpt); one at the heading's very start in a
             * legal-citation group means the heading starts with the cited
             * paragraph: the very section the reader asked for.  The run's
             * first position is its smallest. */
            if (ps < sec->pos_start + sec->title_tokens) {
                tally[si].title_groups |= gbit;
                if (ps == sec->pos_start && cites)
                    tally[si].cited = true;
            }
            k += run - 1;
        }
    }
    /* A section whose heading matches comes first ("§ 622 BGB" → the
     * section "§ 622 Kündigungsfristen …"). */
    /* Only the matched sections are ranked, taken out of the scratch (which
     * is left all zero again); their order does not matter, secscore_cmp
     * orders them fully. */
    secscore *sc = nmatched ? fl_xmalloc(nmatched * sizeof *sc) : NULL;
    for (size_t t = 0; t < nmatched; t++) {
        secscore *x = &tally[touched[t]];
        x->idx = touched[t];
        x->score = (x->cited ? 10000000L : 0) + popcount64(x->title_groups) * 100000L +
                   popcount64(x->groups) * 1000L + (x->count < 999 ? x->count : 999);
        sc[t] = *x;
        memset(x, 0, sizeof *x);
    }
    /* Sub-results: matching sections with an anchor, best first.  A common
     * word matches thousands of a big law's sections and only the first
     * few are shown: each is picked as the best of those left, and the
     * rest sorted only if that goes on (sections without an anchor). */
    h->sections = fl_xcalloc(MAX_SECTIONS, sizeof *h->sections);
    bool best_shown = false; /* the best section is sub-result 0 */
    for (size_t i = 0; i < nmatched && h->nsections < MAX_SECTIONS; i++) {
        if (i < 2 * MAX_SECTIONS) {
            size_t b = i;
            for (size_t k = i + 1; k < nmatched; k++)
                if (secscore_cmp(&sc[k], &sc[b]) < 0)
                    b = k;
            secscore t = sc[i];
            sc[i] = sc[b];
            sc[b] = t;
        } else if (i == 2 * MAX_SECTIONS) {
            qsort(sc + i, nmatched - i, sizeof *sc, secscore_cmp);
        }
        const fl_section *sec = &p->sections[sc[i].idx];
        fl_secentry e;
        if (!sec->has_anchor || !section_read(s, de, docid, sc[i].idx, &e))
            continue;
        fl_hit_section *hs = &h->sections[h->nsections++];
        hs->title = fl_xstrndup(e.title, e.title_len);
        hs->anchor = fl_xstrndup(e.anchor, e.anchor_len);
        fl_buf u = FL_BUF_INIT;
        fl_buf_puts(&u, p->url ? p->url : "");
        fl_buf_putc(&u, '#');
        fl_buf_puts(&u, hs->anchor);
        hs->url = fl_buf_detach(&u);
        fl_buf b = FL_BUF_INIT;
        section_excerpt(s, c, sec, &e, pt, npt, all_positions, exlen, &b);
        hs->excerpt = fl_buf_detach(&b);
        best_shown |= i == 0;
    }
    /* The hit's excerpt: from its best section (already made when that one
     * is a sub-result), else the teaser, else the text's beginning. */
    fl_buf ex = FL_BUF_INIT;
    fl_secentry e;
    if (best_shown) {
        fl_buf_puts(&ex, h->sections[0].excerpt ? h->sections[0].excerpt : "");
    } else if (nmatched > 0 && section_read(s, de, docid, sc[0].idx, &e)) {
        section_excerpt(s, c, &p->sections[sc[0].idx], &e, pt, npt, all_positions, exlen, &ex);
    }
    if (ex.len == 0 && p->teaser)
        fl_excerpt(s->an, &c->hl, p->teaser, strlen(p->teaser), SIZE_MAX, exlen, true, &ex);
    if (ex.len == 0 && ns > 0 && section_read(s, de, docid, 0, &e))
        fl_excerpt(s->an, &c->hl, e.text, e.text_len, SIZE_MAX, exlen, true, &ex);
    h->excerpt = fl_buf_detach(&ex);
    for (size_t t = 0; kept && t < npt; t++)
        free(kept[t]);
    free(kept);
    free(pt);
    free(sc);
}

/* ---------------------------------------------------------------- explain */

typedef struct explain_ctx {
    const fl_compiled *c;
    fl_buf *b;
    fl_strlist fields;
} explain_ctx;

static int explain_term_cb(void *ud, const char *term, size_t len, uint32_t wdf)
{
    (void)wdf;
    explain_ctx *e = ud;
    char *t = fl_xstrndup(term, len);
    const char *reason = NULL;
    for (size_t i = 0; i < e->c->why_term.n; i++)
        if (strcmp(e->c->why_term.items[i], t) == 0)
            reason = e->c->why_text.items[i];
    if (e->b->len)
        fl_buf_puts(e->b, "\n");
    fl_buf_printf(e->b, "%s [%s]", reason ? reason : "term", t);
    free(t);
    return 0;
}

typedef struct fieldscan {
    const fl_hl *hl;
    fl_buf *b;
} fieldscan;

static int fieldscan_cb(void *ud, const char *term, size_t len, uint32_t wdf)
{
    (void)wdf;
    fieldscan *f = ud;
    static const struct { const char *prefix; const char *name; } fields[] = {
        {FL_PREFIX_TITLE, "title"}, {FL_PREFIX_TEASER, "teaser"}, {FL_PREFIX_HEADING, "heading"}};
    for (size_t i = 0; i < 3; i++) {
        size_t pl = strlen(fields[i].prefix);
        if (len <= pl || memcmp(term, fields[i].prefix, pl) != 0)
            continue;
        /* "XT…" also starts with nothing else we use; "S" must not swallow "XT" */
        char *st = fl_xstrndup(term + pl, len - pl);
        if ((unsigned char)st[0] >= 'a' || (unsigned char)st[0] >= 0x80 || (st[0] >= '0' && st[0] <= '9')) {
            if (fl_strset_find(&f->hl->stems, st) >= 0 || fl_strset_find(&f->hl->parts, st) >= 0)
                fl_buf_printf(f->b, "\n'%s' in the %s", st, fields[i].name);
        }
        free(st);
    }
    return 0;
}

static char *explain_hit(fl_searcher *s, fl_xenquire *enq, const fl_compiled *c, fl_xdocid docid)
{
    fl_buf b = FL_BUF_INIT;
    explain_ctx e = {c, &b, {0}};
    fl_xenquire_matching_terms(enq, docid, explain_term_cb, &e);
    fieldscan f = {&c->hl, &b};
    fl_xdb_termlist(s->db, docid, fieldscan_cb, &f);
    if (b.len == 0)
        fl_buf_puts(&b, "matched by filters only");
    return fl_buf_detach(&b);
}

/* ---------------------------------------------------------------- facets */

typedef struct fcount {
    char *key;
    char *display;   /* most frequent spelling seen */
    uint32_t display_n;
    uint32_t count;
} fcount;

typedef struct fagg {
    fcount *v;
    size_t n;
    bool by_year;    /* values are YYYYMMDD dates: bucket by year */
} fagg;

static int fagg_cb(void *ud, const char *val, size_t len, uint32_t count)
{
    fagg *a = ud;
    fl_buf key = FL_BUF_INIT;
    const char *disp = val;
    size_t dlen = len;
    if (a->by_year) {
        if (len < 4)
            return 0;
        dlen = 4;
    }
    if (fl_norm_facet_key(disp, dlen, &key, NULL) != 0 || key.len == 0) {
        fl_buf_free(&key);
        return 0;
    }
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(a->v[i].key, key.data) == 0) {
            a->v[i].count += count;
            if (count > a->v[i].display_n) {
                free(a->v[i].display);
                a->v[i].display = fl_xstrndup(disp, dlen);
                a->v[i].display_n = count;
            }
            fl_buf_free(&key);
            return 0;
        }
    }
    a->v = fl_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
    a->v[a->n++] = (fcount){fl_buf_detach(&key), fl_xstrndup(disp, dlen), count, count};
    fl_buf_free(&key);
    return 0;
}

static int fcount_cmp(const void *a, const void *b)
{
    const fl_facet_count *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return strcmp(x->value, y->value);
}

/* Copies a hit's facet values in the spelling the facet counts show: values
 * that differ only in case, accents or spacing are one facet value, shown in
 * its most frequent spelling (the indexer keeps it in metadata), so a hit
 * does not say " rückblick " where the facet list says "Rückblick". */
static void push_display(fl_searcher *s, const char *facet, const fl_strlist *from,
                         fl_strlist *to)
{
    fl_buf key = FL_BUF_INIT;
    for (size_t k = 0; k < from->n; k++) {
        const char *v = from->items[k];
        char *disp = NULL;
        size_t dl = 0;
        fl_buf_reset(&key);
        fl_buf_printf(&key, "%s%s:", FL_META_FACET_PREFIX, facet);
        if (fl_norm_facet_key(v, strlen(v), &key, NULL) == 0 &&
            fl_xdb_get_metadata(s->db, key.data, key.len, &disp, &dl) == FL_XOK && disp && dl)
            fl_strlist_push_n(to, disp, dl);
        else
            fl_strlist_push(to, v);
        free(disp);
    }
    fl_buf_free(&key);
}

static void facet_result(fl_searcher *s, const char *name, const fl_xspy *spy, bool by_year,
                         fl_facet_result *out)
{
    fagg a = {NULL, 0, by_year};
    fl_xspy_results(spy, fagg_cb, &a);
    out->name = fl_xstrdup(name);
    out->counts = a.n ? fl_xcalloc(a.n, sizeof *out->counts) : NULL;
    for (size_t i = 0; i < a.n; i++) {
        /* The indexer records each value's most frequent spelling. */
        char *k = fl_xasprintf("%s%s:%s", FL_META_FACET_PREFIX, name, a.v[i].key);
        char *val = NULL;
        size_t vl = 0;
        if (!by_year && fl_xdb_get_metadata(s->db, k, strlen(k), &val, &vl) == FL_XOK && val &&
            vl) {
            out->counts[i].value = fl_xstrndup(val, vl);
        } else {
            out->counts[i].value = fl_xstrdup(a.v[i].display);
        }
        free(val);
        free(k);
        out->counts[i].count = a.v[i].count;
        free(a.v[i].key);
        free(a.v[i].display);
    }
    free(a.v);
    out->ncounts = a.n;
    if (out->ncounts)
        qsort(out->counts, out->ncounts, sizeof *out->counts, fcount_cmp);
    if (out->ncounts > MAX_FACET_VALUES) {
        for (size_t i = MAX_FACET_VALUES; i < out->ncounts; i++)
            free(out->counts[i].value);
        out->ncounts = MAX_FACET_VALUES;
    }
}

/* ---------------------------------------------------------------- run */

fl_xquery *fl_facet_filter_q(fl_searcher *s, const char *facet, const char *const *values,
                             size_t n, int *xerr);

static bool facet_slot(fl_searcher *s, const char *name, fl_xvalueno *slot)
{
    for (size_t i = 0; i < s->nfacets; i++)
        if (strcmp(s->facets[i].name, name) == 0) {
            *slot = s->facets[i].slot;
            return true;
        }
    return false;
}

/* The query for request filter i (facet values OR'ed; year without a year
 * facet: date ranges). */
static fl_xquery *request_filter_q(fl_searcher *s, const fl_filter *f, int *xerr)
{
    fl_xvalueno slot;
    if (strcmp(f->facet, "year") == 0 && !facet_slot(s, "year", &slot)) {
        fl_xquery **rs = fl_xcalloc(f->nvalues ? f->nvalues : 1, sizeof *rs);
        size_t n = 0;
        for (size_t i = 0; i < f->nvalues; i++) {
            char lo[9], hi[9];
            const char *v = f->values[i];
            if (fl_query_parse_date(v, strlen(v), false, lo) == 0 &&
                fl_query_parse_date(v, strlen(v), true, hi) == 0 &&
                fl_xquery_value_range(FL_SLOT_DATE, lo, hi, &rs[n]) == FL_XOK)
                n++;
        }
        fl_xquery *q = NULL;
        if (n == 0)
            fl_xquery_match_nothing(&q);
        else if (n == 1)
            q = rs[0], rs[0] = NULL;
        else if (fl_xquery_combine(FL_XOP_OR, rs, n, 0, &q) != FL_XOK)
            *xerr = 1;
        for (size_t i = 0; i < n; i++)
            fl_xquery_free(rs[i]);
        free(rs);
        return q;
    }
    return fl_facet_filter_q(s, f->facet, f->values, f->nvalues, xerr);
}

/* query FILTER (all request filters except `skip`, and the date range). */
static fl_xquery *filtered(fl_searcher *s, const fl_xquery *q, const fl_search_request *req,
                           long skip, int *xerr)
{
    fl_xquery **fs = fl_xcalloc(req->nfilters + 2, sizeof *fs);
    size_t n = 0;
    for (size_t i = 0; i < req->nfilters; i++) {
        if ((long)i == skip || req->filters[i].nvalues == 0)
            continue;
        fs[n] = request_filter_q(s, &req->filters[i], xerr);
        if (fs[n])
            n++;
    }
    if (req->since || req->until) {
        char lo[9], hi[9];
        bool okl = !req->since || fl_query_parse_date(req->since, strlen(req->since), false, lo) == 0;
        bool okh = !req->until || fl_query_parse_date(req->until, strlen(req->until), true, hi) == 0;
        if (okl && okh &&
            fl_xquery_value_range(FL_SLOT_DATE, req->since ? lo : NULL, req->until ? hi : NULL,
                                  &fs[n]) == FL_XOK)
            n++;
    }
    fl_xquery *base = NULL;
    if (q)
        fl_xquery_copy(q, &base);
    else
        fl_xquery_match_nothing(&base);
    if (n == 0) {
        free(fs);
        return base;
    }
    fl_xquery *all = NULL;
    if (n == 1)
        all = fs[0], fs[0] = NULL;
    else if (fl_xquery_combine(FL_XOP_AND, fs, n, 0, &all) != FL_XOK)
        *xerr = 1;
    fl_xquery *pair[2] = {base, all};
    fl_xquery *r = NULL;
    if (fl_xquery_combine(FL_XOP_FILTER, pair, 2, 0, &r) != FL_XOK)
        *xerr = 1;
    fl_xquery_free(base);
    fl_xquery_free(all);
    for (size_t i = 0; i < n; i++)
        fl_xquery_free(fs[i]);
    free(fs);
    return r;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long active_filter(const fl_search_request *req, const char *facet)
{
    for (size_t i = 0; i < req->nfilters; i++)
        if (strcmp(req->filters[i].facet, facet) == 0 && req->filters[i].nvalues > 0)
            return (long)i;
    return -1;
}

#define XCHK(call)                                                                         \
    do {                                                                                   \
        if ((call) != FL_XOK)                                                              \
            goto xfail;                                                                    \
    } while (0)

/* The positions of the shown hits (MSet entries first .. first + size, in
 * `order` when re-ranked), read together. */
static fl_xstatus prefetch_shown(fl_posmemo *pm, const fl_compiled *c, fl_xmset *mset,
                                 const uint32_t *order, uint32_t first, uint32_t size)
{
    if (!size)
        return FL_XOK;
    fl_xdocid *shown = fl_xcalloc(size, sizeof *shown);
    fl_xstatus st = FL_XOK;
    for (uint32_t k = 0; k < size && st == FL_XOK; k++)
        st = fl_xmset_docid(mset, order ? order[first + k] : first + k, &shown[k]);
    /* The split parts are read for the hits that need them (hit_excerpts). */
    const char **terms = fl_xcalloc(c->hl.posterms.n + 1, sizeof *terms);
    size_t nterms = 0;
    for (size_t t = 0; t < c->hl.posterms.n; t++)
        if (!fl_strlist_contains(&c->hl.splitterms, c->hl.posterms.items[t]))
            terms[nterms++] = c->hl.posterms.items[t];
    if (st == FL_XOK)
        fl_posmemo_prefetch(pm, shown, size, terms, nterms);
    free(terms);
    free(shown);
    return st;
}

/* One attempt; returns 0, FL_SEARCH_E*, or -FL_XERR_MODIFIED to retry. */
static int run_once(fl_searcher *s, const fl_search_request *req, const fl_qnode *root,
                    fl_search_result *res, char **err)
{
    fl_compiled c;
    int rc = fl_compile(s, root, req->query ? req->query : "", false, req->explain, &c, err);
    if (rc != 0)
        return rc;
    doccache_check(s);
    int xerr = 0;
    fl_xenquire *enq = NULL;
    fl_xmset *mset = NULL;
    fl_xquery *q = NULL;
    size_t nspies = 0;
    fl_xspy **spies = fl_xcalloc(s->nfacets + 1, sizeof *spies);
    const char **spy_names = fl_xcalloc(s->nfacets + 1, sizeof *spy_names);
    bool *spy_year = fl_xcalloc(s->nfacets + 1, sizeof *spy_year);
    uint32_t *order = NULL; /* re-ranked hits (fl_rerank) */
    double *weights = NULL;
    fl_posmemo *pm = fl_posmemo_new(s->db); /* shared by the re-rank and the excerpts */

    q = filtered(s, c.q, req, -1, &xerr);
    if (xerr)
        goto xfail;
    XCHK(fl_xenquire_new(s->db, &enq));
    XCHK(fl_xenquire_set_query(enq, q, c.qlen ? c.qlen : 1));
    XCHK(fl_xenquire_set_weighting_bm25(enq, FL_BM25_K1, 0, 1, FL_BM25_B, 0.5));
    fl_sort sort = req->sort;
    if (sort == FL_SORT_RELEVANCE && !c.has_words)
        sort = FL_SORT_DATE_DESC; /* browsing ('*', filters only): newest first */
    /* Equal keys are ordered by the document id, never by docid: docids
     * differ between one database and N shards, results must not. */
    if (sort != FL_SORT_RELEVANCE && !c.has_words) {
        /* Browsing: every weight is equal; date, then id A-Z (one value,
         * ascending either way: see FL_SLOT_NEWEST_ID). */
        XCHK(fl_xenquire_set_sort_by_value(
            enq, sort == FL_SORT_DATE_DESC ? FL_SLOT_NEWEST_ID : FL_SLOT_DATE_ID, false));
    } else if (sort == FL_SORT_DATE_DESC) {
        XCHK(fl_xenquire_set_sort_by_value_then_relevance(enq, FL_SLOT_DATE, true));
    } else if (sort == FL_SORT_DATE_ASC) {
        XCHK(fl_xenquire_set_sort_by_value_then_relevance(enq, FL_SLOT_DATE, false));
    } else {
        XCHK(fl_xenquire_set_sort_by_relevance_then_value(enq, FL_SLOT_ID, false));
    }
    bool have_year = false;
    if (!req->no_facets) {
        for (size_t i = 0; i < s->nfacets; i++) {
            have_year |= strcmp(s->facets[i].name, "year") == 0;
            if (active_filter(req, s->facets[i].name) >= 0 || !s->facets[i].live)
                continue;
            XCHK(fl_xspy_new_multivalue(s->facets[i].slot, FL_FACET_SEP, &spies[nspies]));
            spy_names[nspies] = s->facets[i].name;
            XCHK(fl_xenquire_add_matchspy(enq, spies[nspies]));
            nspies++;
        }
        if (!have_year && active_filter(req, "year") < 0 && s->dates_live) {
            XCHK(fl_xspy_new_values(FL_SLOT_DATE, &spies[nspies]));
            spy_names[nspies] = "year";
            spy_year[nspies] = true;
            XCHK(fl_xenquire_add_matchspy(enq, spies[nspies]));
            nspies++;
        }
    }
    uint32_t limit = req->limit ? req->limit : 10;
    /* Every match is looked at (check_at_least = all documents): the spies
     * must see them all, and the total is exact.  Xapian's estimate, when it
     * stops early, depends on how the documents are spread over shards, and
     * one database and N shards must give the same total; counting all
     * costs about 4 % of a search on the laws, which have no facets. */
    bool recency = s->recency > 0 && c.has_words && sort == FL_SORT_RELEVANCE;
    bool rerank = (c.n_near_groups || recency) && sort == FL_SORT_RELEVANCE;
    /* Re-ranked: the best RERANK_POOL candidates get their bonuses, later
     * pages follow on in first-stage order (so pages never overlap). */
    uint32_t fetch = req->offset + limit > RERANK_POOL ? req->offset + limit : RERANK_POOL;
    XCHK(fl_xenquire_get_mset(enq, rerank ? 0 : req->offset, rerank ? fetch : limit, s->doccount,
                              &mset));
    res->total = fl_xmset_matches_estimated(mset);
    /* The hits: MSet entries first .. first + size, in `order` when the
     * candidates were re-ranked. */
    uint32_t first = 0, size = fl_xmset_size(mset);
    double pct_scale = 1; /* re-ranked: weights scaled into the first stage's */
    if (rerank) {
        if (fl_rerank(s, &c, mset, pm, recency, RERANK_POOL, req->offset + limit, &order,
                      &weights) != 0)
            goto xfail;
        /* Scores are Xapian's percentages of the weights scaled so that the
         * best one is the first stage's best (a bonus must not push several
         * hits to 100 %). */
        double w0 = 0;
        if (size && fl_xmset_weight(mset, 0, &w0) == FL_XOK && weights[0] > 0)
            pct_scale = w0 / weights[0];
        first = req->offset;
        size = first < size ? (size - first < limit ? size - first : limit) : 0;
    }
    res->offset = req->offset;
    res->limit = limit;
    res->corrected_query = c.corrected ? fl_xstrdup(c.corrected) : NULL;

    res->hits = size ? fl_xcalloc(size, sizeof *res->hits) : NULL;
    if (!req->no_excerpts && prefetch_shown(pm, &c, mset, order, first, size) != FL_XOK)
        goto xfail;
    for (uint32_t k = 0; k < size; k++) {
        uint32_t i = order ? order[first + k] : first + k;
        fl_xdocid docid;
        int percent = 0;
        XCHK(fl_xmset_docid(mset, i, &docid));
        if (order)
            XCHK(fl_xmset_weight_percent(mset, pct_scale * weights[first + k], &percent));
        else
            fl_xmset_percent(mset, i, &percent);
        dc_entry tmp;
        memset(&tmp, 0, sizeof tmp);
        dc_entry *de = doc_get(s, mset, i, docid, &tmp);
        if (!de)
            goto xfail;
        const fl_page *pg = &de->page;
        fl_hit *h = &res->hits[res->nhits++];
        h->id = fl_xstrdup(pg->id ? pg->id : "");
        h->url = fl_xstrdup(pg->url ? pg->url : "");
        h->title = fl_xstrdup(pg->title ? pg->title : (pg->id ? pg->id : ""));
        h->teaser = pg->teaser ? fl_xstrdup(pg->teaser) : NULL;
        h->date = pg->date ? fl_xstrdup(pg->date) : NULL;
        h->image = pg->image ? fl_xstrdup(pg->image) : NULL;
        push_display(s, "category", &pg->categories, &h->categories);
        push_display(s, "author", &pg->authors, &h->authors);
        push_display(s, "tag", &pg->tags, &h->tags);
        h->score = c.has_words ? percent / 100.0 : 1.0;
        if (!req->no_excerpts)
            hit_excerpts(s, &c, pm, docid, de, req->excerpt_length, h);
        if (req->explain)
            h->explain = explain_hit(s, enq, &c, docid);
        if (de == &tmp)
            dc_entry_clear(&tmp);
    }

    /* Facets: the ones without an active filter came with the match; each
     * facet with one is counted again with all OTHER filters, so that its
     * own selection does not shrink its own counts. */
    if (!req->no_facets) {
        res->facets = fl_xcalloc(s->nfacets + 1, sizeof *res->facets);
        for (size_t i = 0; i < s->nfacets + (have_year ? 0 : 1); i++) {
            const char *name = i < s->nfacets ? s->facets[i].name : "year";
            bool by_year = i >= s->nfacets;
            long af = active_filter(req, name);
            if (af < 0) {
                bool found = false;
                for (size_t k = 0; k < nspies && !found; k++)
                    if (spy_names[k] == name || (by_year && spy_year[k])) {
                        facet_result(s, name, spies[k], spy_year[k], &res->facets[res->nfacets++]);
                        found = true;
                    }
                if (!found) /* no document has this facet: nothing to count */
                    res->facets[res->nfacets++].name = fl_xstrdup(name);
                continue;
            }
            fl_xquery *q2 = filtered(s, c.q, req, af, &xerr);
            fl_xenquire *e2 = NULL;
            fl_xspy *sp = NULL;
            fl_xmset *m2 = NULL;
            bool okk = !xerr && fl_xenquire_new(s->db, &e2) == FL_XOK &&
                       fl_xenquire_set_query(e2, q2, 1) == FL_XOK &&
                       fl_xenquire_set_weighting_bool(e2) == FL_XOK &&
                       (by_year ? fl_xspy_new_values(FL_SLOT_DATE, &sp)
                                : fl_xspy_new_multivalue(s->facets[i].slot, FL_FACET_SEP, &sp)) ==
                           FL_XOK &&
                       fl_xenquire_add_matchspy(e2, sp) == FL_XOK &&
                       fl_xenquire_get_mset(e2, 0, 0, s->doccount, &m2) == FL_XOK;
            if (okk)
                facet_result(s, name, sp, by_year, &res->facets[res->nfacets++]);
            fl_xmset_free(m2);
            fl_xenquire_free(e2);
            fl_xspy_free(sp);
            fl_xquery_free(q2);
            if (!okk)
                goto xfail;
        }
    }
    fl_xmset_free(mset);
    fl_xenquire_free(enq);
    for (size_t k = 0; k < nspies; k++)
        fl_xspy_free(spies[k]);
    free(spies);
    free(spy_names);
    free(spy_year);
    free(order);
    free(weights);
    fl_posmemo_free(pm);
    fl_xquery_free(q);
    fl_compiled_free(&c);
    return 0;

xfail:;
    fl_xstatus st = fl_xlast_status();
    fl_xmset_free(mset);
    fl_xenquire_free(enq);
    for (size_t k = 0; k < nspies; k++)
        fl_xspy_free(spies[k]);
    free(spies);
    free(spy_names);
    free(spy_year);
    free(order);
    free(weights);
    fl_posmemo_free(pm);
    fl_xquery_free(q);
    fl_compiled_free(&c);
    if (st == FL_XERR_MODIFIED)
        return -FL_XERR_MODIFIED;
    fl_err_set(err, "searching the index failed: %s", fl_xlast_error());
    return FL_SEARCH_EINDEX;
}

int fl_search_run(fl_searcher *s, const fl_search_request *req, fl_search_result *res,
                  char **err)
{
    double t0 = now_ms();
    memset(res, 0, sizeof *res);
    if (!s || !req) {
        fl_err_set(err, "fl_search_run: no searcher or request");
        return FL_SEARCH_EBADQUERY;
    }
    if (req->limit > 100) {
        fl_err_set(err, "limit %u is too large (at most 100)", (unsigned)req->limit);
        return FL_SEARCH_EBADQUERY;
    }
    char d[9];
    if (req->since && fl_query_parse_date(req->since, strlen(req->since), false, d) != 0) {
        fl_err_set(err, "since: '%s' is not a date (YYYY-MM-DD)", req->since);
        return FL_SEARCH_EBADQUERY;
    }
    if (req->until && fl_query_parse_date(req->until, strlen(req->until), true, d) != 0) {
        fl_err_set(err, "until: '%s' is not a date (YYYY-MM-DD)", req->until);
        return FL_SEARCH_EBADQUERY;
    }
    for (size_t i = 0; i < req->nfilters; i++) {
        fl_xvalueno slot;
        const char *f = req->filters[i].facet;
        if (!f || (!facet_slot(s, f, &slot) && strcmp(f, "year") != 0)) {
            fl_err_set(err, "unknown facet '%s'", f ? f : "(null)");
            return FL_SEARCH_EBADQUERY;
        }
    }
    const char *qs = req->query ? req->query : "";
    fl_qnode *root = NULL;
    if (fl_query_parse(qs, strlen(qs), &root, NULL, err) != 0)
        return FL_SEARCH_EBADQUERY;
    int rc = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        fl_search_result_free(res);
        rc = run_once(s, req, root, res, err);
        if (rc != -FL_XERR_MODIFIED)
            break;
        if (fl_searcher_reopen(s, NULL, err) != 0) {
            rc = FL_SEARCH_EINDEX;
            break;
        }
    }
    if (rc == -FL_XERR_MODIFIED) {
        fl_err_set(err, "the index kept changing while searching; try again");
        rc = FL_SEARCH_EINDEX;
    }
    fl_qnode_free(root);
    if (rc != 0) {
        fl_search_result_free(res);
        return rc;
    }
    res->query = fl_xstrdup(qs);
    res->took_ms = now_ms() - t0;
    return 0;
}
