/* complete.c — the in-memory completion table behind fl_suggest.
 *
 * Scanning the XW<key>\t<surface> terms of a prefix costs milliseconds on a
 * large index (every keystroke of every visitor).  The table reads them all
 * once per index revision into one immutable array, sorted by key exactly as
 * Xapian sorts the terms, so the entries completing a typed key are one
 * contiguous range found by binary search.  The best entries of a range come
 * from a segment tree over each entry's rank (frequency, then shorter, then
 * alphabetical): k completions cost O(k log n), whatever the range's size.
 *
 * Immutable after fl_completions_build(): threads share it read-only;
 * the reference count (atomic) lets a server swap in the table of a new
 * revision while requests still hold the old one.
 */
#include "search_int.h"

#include "fl_err.h"
#include "fl_hash.h"
#include "fl_terms.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define SPELL_LCP_BLOCK 64 /* words per spell_lcp_min entry */

typedef struct centry {
    uint32_t off;   /* key at arena + off, then '\t', then the surface */
    uint16_t klen;
    uint16_t slen;
    uint32_t freq;
} centry;

struct fl_completions {
    atomic_uint refs;
    uint64_t revision;
    uint64_t stub_hash;
    char *arena;
    size_t arena_len, arena_cap;
    centry *e;
    size_t n, cap;
    uint32_t *byrank;  /* rank → entry (rank 0 = best) */
    uint32_t *seg;     /* segment tree of ranks: seg[n + i] = rank of entry i */
    /* Xapian's spelling dictionary, which spell.c walks for every unknown
     * query word: word i is spell_arena[spell_off[i] .. spell_off[i + 1]),
     * in Xapian's (byte) order, with its frequency spell_freq[i]. */
    char *spell_arena;
    size_t spell_arena_len, spell_arena_cap;
    uint32_t *spell_off; /* spell_n + 1 */
    uint32_t *spell_freq;
    size_t spell_n, spell_cap;
    /* spell_lcp[i]: bytes word i shares with word i - 1 (at most
     * FL_SPELLWORDS_PREFIX_MAX; 0 for word 0), and spell_lcp_min[b] the least of
     * words 64b .. 64b + 63: the words starting with word i's first L
     * bytes are i up to the first later one whose lcp is below L, found
     * with a byte scan instead of string comparisons
     * (fl_spellwords_past_prefix). */
    uint8_t *spell_lcp;
    uint8_t *spell_lcp_min;
};

uint64_t fl_searcher_stub_hash(const fl_searcher *s)
{
    const char *stub = s->stub ? s->stub : "";
    return fl_fnv1a(stub, strlen(stub), FL_FNV1A_INIT);
}

static const char *ekey(const fl_completions *c, const centry *e) { return c->arena + e->off; }
static const char *esurf(const fl_completions *c, const centry *e)
{
    return c->arena + e->off + e->klen + 1;
}

/* Room for `need` more bytes in an arena of *cap bytes holding len (doubling). */
static char *arena_reserve(char *arena, size_t len, size_t *cap, size_t need)
{
    if (len + need <= *cap)
        return arena;
    while (len + need > *cap)
        *cap = *cap ? *cap * 2 : 65536;
    return fl_xrealloc(arena, *cap);
}

/* Gives back what doubling growth left over: the n elements of size bytes
 * p holds (nothing when n is 0); *cap becomes n. */
static void *shrink_to(void *p, size_t n, size_t size, size_t *cap)
{
    if (!n)
        return p;
    *cap = n;
    return fl_xrealloc(p, n * size);
}

static int add_cb(void *ud, const char *term, size_t len, uint32_t freq)
{
    fl_completions *c = ud;
    const char *tab = memchr(term, '\t', len);
    if (!tab || len < 2)
        return 0;
    size_t klen = (size_t)(tab - term) - 2, slen = len - (size_t)(tab + 1 - term);
    if (klen > UINT16_MAX || slen > UINT16_MAX || c->arena_len + len > UINT32_MAX)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4096;
        c->e = fl_xrealloc(c->e, c->cap * sizeof *c->e);
    }
    c->arena = arena_reserve(c->arena, c->arena_len, &c->arena_cap, len + 1);
    c->e[c->n++] = (centry){(uint32_t)c->arena_len, (uint16_t)klen, (uint16_t)slen, freq};
    memcpy(c->arena + c->arena_len, term + 2, len - 2);
    c->arena_len += len - 2;
    c->arena[c->arena_len++] = '\0';
    return 0;
}

static int byte_cmp(const char *a, size_t al, const char *b, size_t bl)
{
    int r = memcmp(a, b, al < bl ? al : bl);
    if (r)
        return r;
    return al < bl ? -1 : al > bl;
}

/* The order of fl_suggest's answers: more documents first, then the shorter,
 * then alphabetical. */
static const fl_completions *sort_ctx;
static int rank_cmp(const void *a, const void *b)
{
    const centry *x = &sort_ctx->e[*(const uint32_t *)a], *y = &sort_ctx->e[*(const uint32_t *)b];
    if (x->freq != y->freq)
        return x->freq < y->freq ? 1 : -1;
    if (x->slen != y->slen)
        return x->slen < y->slen ? -1 : 1;
    return byte_cmp(esurf(sort_ctx, x), x->slen, esurf(sort_ctx, y), y->slen);
}

static int term_cmp(const void *a, const void *b)
{
    const centry *x = a, *y = b;
    /* The term order: key, then '\t', then surface. */
    return byte_cmp(sort_ctx->arena + x->off, (size_t)x->klen + 1 + x->slen,
                    sort_ctx->arena + y->off, (size_t)y->klen + 1 + y->slen);
}

/* Copies the spelling dictionary into c (the words' order as Xapian gives
 * it: byte order, also over shards).  On an index error, or a dictionary
 * past 32-bit offsets, c keeps no copy: typo corrections then walk the
 * index's, and the completions are not lost for it. */
static void read_spellings(fl_completions *c, fl_xdb *db)
{
    fl_xtermit *it = NULL;
    if (fl_xdb_spellings_open(db, &it) != FL_XOK)
        return;
    bool ok = true;
    c->spell_off = fl_xmalloc(sizeof *c->spell_off);
    c->spell_off[0] = 0;
    while (!fl_xtermit_at_end(it)) {
        size_t len = 0;
        uint32_t freq = 0;
        const char *w = fl_xtermit_term(it, &len, &freq);
        if (c->spell_arena_len + len > UINT32_MAX) {
            ok = false; /* 4 GB of words: never on a real dictionary */
            break;
        }
        if (c->spell_n + 1 >= c->spell_cap) {
            c->spell_cap = c->spell_cap ? c->spell_cap * 2 : 4096;
            c->spell_off = fl_xrealloc(c->spell_off, (c->spell_cap + 1) * sizeof *c->spell_off);
            c->spell_freq = fl_xrealloc(c->spell_freq, c->spell_cap * sizeof *c->spell_freq);
        }
        c->spell_arena =
            arena_reserve(c->spell_arena, c->spell_arena_len, &c->spell_arena_cap, len);
        memcpy(c->spell_arena + c->spell_arena_len, w, len);
        c->spell_arena_len += len;
        c->spell_freq[c->spell_n++] = freq;
        c->spell_off[c->spell_n] = (uint32_t)c->spell_arena_len;
        if (fl_xtermit_next(it) != FL_XOK) {
            ok = false;
            break;
        }
    }
    fl_xtermit_free(it);
    if (!ok) {
        free(c->spell_arena);
        free(c->spell_off);
        free(c->spell_freq);
        c->spell_arena = NULL;
        c->spell_off = NULL;
        c->spell_freq = NULL;
        c->spell_n = c->spell_cap = c->spell_arena_len = c->spell_arena_cap = 0;
        return;
    }
    if (c->spell_n)
        c->spell_off = fl_xrealloc(c->spell_off, (c->spell_n + 1) * sizeof *c->spell_off);
    c->spell_freq = shrink_to(c->spell_freq, c->spell_n, sizeof *c->spell_freq, &c->spell_cap);
    c->spell_arena = shrink_to(c->spell_arena, c->spell_arena_len, 1, &c->spell_arena_cap);
    if (!c->spell_n)
        return;
    c->spell_lcp = fl_xmalloc(c->spell_n);
    c->spell_lcp_min = fl_xmalloc((c->spell_n + SPELL_LCP_BLOCK - 1) / SPELL_LCP_BLOCK);
    for (size_t i = 0; i < c->spell_n; i++) {
        size_t l = 0;
        if (i > 0) {
            const char *a = c->spell_arena + c->spell_off[i - 1];
            const char *b = c->spell_arena + c->spell_off[i];
            size_t la = c->spell_off[i] - c->spell_off[i - 1];
            size_t lb = c->spell_off[i + 1] - c->spell_off[i];
            while (l < la && l < lb && l < FL_SPELLWORDS_PREFIX_MAX && a[l] == b[l])
                l++;
        }
        c->spell_lcp[i] = (uint8_t)l;
        if (i % SPELL_LCP_BLOCK == 0 || l < c->spell_lcp_min[i / SPELL_LCP_BLOCK])
            c->spell_lcp_min[i / SPELL_LCP_BLOCK] = (uint8_t)l;
    }
}

fl_completions *fl_completions_build(fl_searcher *s, char **err)
{
    fl_completions *c = fl_xcalloc(1, sizeof *c);
    atomic_init(&c->refs, 1);
    c->revision = fl_searcher_revision(s);
    c->stub_hash = fl_searcher_stub_hash(s);
    if (fl_xdb_allterms(s->db, "XW", add_cb, c) != FL_XOK) {
        fl_err_set(err, "building the completion table: %s", fl_xlast_error());
        fl_completions_unref(c);
        return NULL;
    }
    /* A sharded (or merged) database yields the terms in order too; sort only
     * if something did not. */
    static pthread_mutex_t sort_lock = PTHREAD_MUTEX_INITIALIZER;
    pthread_mutex_lock(&sort_lock);
    sort_ctx = c;
    for (size_t i = 1; i < c->n; i++)
        if (term_cmp(&c->e[i - 1], &c->e[i]) > 0) {
            qsort(c->e, c->n, sizeof *c->e, term_cmp);
            break;
        }
    c->byrank = fl_xmalloc((c->n ? c->n : 1) * sizeof *c->byrank);
    for (size_t i = 0; i < c->n; i++)
        c->byrank[i] = (uint32_t)i;
    if (c->n)
        qsort(c->byrank, c->n, sizeof *c->byrank, rank_cmp);
    sort_ctx = NULL;
    pthread_mutex_unlock(&sort_lock);
    c->seg = fl_xmalloc((2 * c->n + 1) * sizeof *c->seg);
    for (size_t r = 0; r < c->n; r++)
        c->seg[c->n + c->byrank[r]] = (uint32_t)r;
    for (size_t i = c->n; i-- > 1;)
        c->seg[i] = c->seg[2 * i] < c->seg[2 * i + 1] ? c->seg[2 * i] : c->seg[2 * i + 1];
    c->e = shrink_to(c->e, c->n, sizeof *c->e, &c->cap);
    c->arena = shrink_to(c->arena, c->arena_len, 1, &c->arena_cap);
    read_spellings(c, s->db);
    return c;
}

fl_completions *fl_completions_ref(fl_completions *c)
{
    if (c)
        atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void fl_completions_unref(fl_completions *c)
{
    if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    free(c->arena);
    free(c->e);
    free(c->byrank);
    free(c->seg);
    free(c->spell_arena);
    free(c->spell_off);
    free(c->spell_freq);
    free(c->spell_lcp);
    free(c->spell_lcp_min);
    free(c);
}

size_t fl_completions_count(const fl_completions *c) { return c ? c->n : 0; }

size_t fl_completions_bytes(const fl_completions *c)
{
    if (!c)
        return 0;
    return sizeof *c + c->arena_cap + c->cap * sizeof *c->e + c->n * sizeof *c->byrank +
           (2 * c->n + 1) * sizeof *c->seg + c->spell_arena_cap +
           (c->spell_off ? c->spell_cap + 1 : 0) * sizeof *c->spell_off +
           c->spell_cap * sizeof *c->spell_freq +
           (c->spell_lcp ? c->spell_n + (c->spell_n + SPELL_LCP_BLOCK - 1) / SPELL_LCP_BLOCK : 0);
}

bool fl_completions_behind(const fl_completions *c, fl_searcher *s)
{
    return c && c->stub_hash == fl_searcher_stub_hash(s) && c->revision > fl_searcher_revision(s);
}

bool fl_completions_current(const fl_completions *c, fl_searcher *s)
{
    return c && c->revision == fl_searcher_revision(s) &&
           c->stub_hash == fl_searcher_stub_hash(s);
}

/* ------------------------------------------------------------ lookups */

size_t fl_completions_spell_count(const fl_completions *c) { return c ? c->spell_n : 0; }

const char *fl_spellwords_word(const fl_completions *c, size_t i, size_t *len, uint32_t *freq)
{
    *len = c->spell_off[i + 1] - c->spell_off[i];
    *freq = c->spell_freq[i];
    return c->spell_arena + c->spell_off[i];
}

/* The first index in [lo, hi) whose cmp(c, i, key, len) is above `limit`
 * (hi when none), for cmp ascending over the range: -1 finds the first
 * entry not before key, 0 the first after those cmp calls equal. */
typedef int (*entry_cmp)(const fl_completions *c, size_t i, const char *key, size_t len);
static size_t first_above(const fl_completions *c, size_t lo, size_t hi, entry_cmp cmp,
                          const char *key, size_t len, int limit)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp(c, mid, key, len) <= limit)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int spell_cmp(const fl_completions *c, size_t i, const char *key, size_t len)
{
    return byte_cmp(c->spell_arena + c->spell_off[i], c->spell_off[i + 1] - c->spell_off[i],
                    key, len);
}

size_t fl_spellwords_seek(const fl_completions *c, size_t from, const char *key, size_t len)
{
    /* The walk skips forward, mostly a little way (to the next sibling's
     * subtree): gallop from `from`, then bisect the last step. */
    if (from >= c->spell_n || spell_cmp(c, from, key, len) >= 0)
        return from;
    size_t lo = from + 1, step = 1, hi = c->spell_n;
    while (lo < c->spell_n && spell_cmp(c, lo, key, len) < 0) {
        from = lo;
        lo = from + step;
        step *= 2;
    }
    /* word[from] < key; the answer is in (from, lo], lo capped at the count. */
    return first_above(c, from + 1, lo < hi ? lo : hi, spell_cmp, key, len, -1);
}

size_t fl_spellwords_past_prefix(const fl_completions *c, size_t i, size_t plen)
{
    size_t j = i + 1;
    while (j < c->spell_n) {
        if (j % SPELL_LCP_BLOCK == 0 && c->spell_lcp_min[j / SPELL_LCP_BLOCK] >= plen) {
            j += SPELL_LCP_BLOCK;
            continue;
        }
        if (c->spell_lcp[j] < plen)
            return j;
        j++;
    }
    return c->spell_n;
}

/* <0, 0 or >0 as entry i's key is before, starts with, or is after p. */
static int prefix_cmp(const fl_completions *c, size_t i, const char *p, size_t plen)
{
    const centry *e = &c->e[i];
    size_t m = e->klen < plen ? e->klen : plen;
    int r = memcmp(ekey(c, e), p, m);
    if (r)
        return r;
    return e->klen < plen ? -1 : 0;
}

/* The entries [*lo, *hi) whose key starts with p, searched within [lo, hi). */
static void prefix_range(const fl_completions *c, const char *p, size_t plen, size_t *lo,
                         size_t *hi)
{
    size_t first = first_above(c, *lo, *hi, prefix_cmp, p, plen, -1);
    *hi = first_above(c, first, *hi, prefix_cmp, p, plen, 0);
    *lo = first;
}

/* Lowest rank in [l, r) (non-empty). */
static uint32_t range_min(const fl_completions *c, size_t l, size_t r)
{
    uint32_t best = UINT32_MAX;
    for (l += c->n, r += c->n; l < r; l >>= 1, r >>= 1) {
        if (l & 1) {
            if (c->seg[l] < best)
                best = c->seg[l];
            l++;
        }
        if (r & 1) {
            r--;
            if (c->seg[r] < best)
                best = c->seg[r];
        }
    }
    return best;
}

typedef struct span {
    size_t l, r;
    uint32_t best;
} span;

/* Which entries count (see spelt_ok), or NULL: all. */
typedef struct entry_filter {
    const char *want; /* fl_suggest_key_spelt of what was typed */
    size_t wlen;
    fl_buf scratch;
} entry_filter;

/* Whether e's surface, its umlauts spelt out, starts with what was typed,
 * spelt out likewise: "Bue" and "Bü" complete to Bürger and Bühne, not to
 * Bus and Bundes, which share their key ("bu"). */
static bool spelt_ok(const fl_completions *c, const centry *e, entry_filter *f)
{
    fl_buf_reset(&f->scratch);
    fl_suggest_key_spelt(esurf(c, e), e->slen, &f->scratch);
    return f->scratch.len >= f->wlen && memcmp(f->scratch.data, f->want, f->wlen) == 0;
}

/* Entries looked at for one filtered answer at most: a filter rejecting
 * most of a big range ("bu" of the laws: Bund, Bundes... before the
 * first Bürger) must not make a keystroke slow. */
#define FILTER_BUDGET 1024

/* Appends to out[] (capacity k) the ranks of the k best entries of [l, r)
 * that f accepts (all when f is NULL) in rank order; returns how many. */
static size_t top_k(const fl_completions *c, size_t l, size_t r, size_t k, entry_filter *f,
                    uint32_t *out)
{
    if (l >= r || k == 0)
        return 0;
    /* Each entry looked at replaces its span by at most two. */
    span pend_fixed[2 * FL_COMPLETIONS_MAX_K + 2];
    span *pend = f ? fl_xmalloc((FILTER_BUDGET + 2) * sizeof *pend) : pend_fixed;
    size_t np = 0, got = 0, looked = 0;
    pend[np++] = (span){l, r, range_min(c, l, r)};
    while (np && got < k && looked < (f ? FILTER_BUDGET : SIZE_MAX)) {
        size_t bi = 0;
        for (size_t i = 1; i < np; i++)
            if (pend[i].best < pend[bi].best)
                bi = i;
        span s = pend[bi];
        pend[bi] = pend[--np];
        looked++;
        if (!f || spelt_ok(c, &c->e[c->byrank[s.best]], f))
            out[got++] = s.best;
        size_t pos = c->byrank[s.best];
        if (pos > s.l)
            pend[np++] = (span){s.l, pos, range_min(c, s.l, pos)};
        if (pos + 1 < s.r)
            pend[np++] = (span){pos + 1, s.r, range_min(c, pos + 1, s.r)};
    }
    if (pend != pend_fixed)
        free(pend);
    return got;
}

typedef struct cand {
    char *text;
    uint32_t freq;
} cand;

typedef struct cands {
    cand *c;
    size_t n, cap;
} cands;

static void cands_add(cands *cs, const char *lead, const char *s, size_t slen, uint32_t freq)
{
    fl_buf b = FL_BUF_INIT;
    if (lead) {
        fl_buf_puts(&b, lead);
        fl_buf_putc(&b, ' ');
    }
    fl_buf_append(&b, s, slen);
    char *t = fl_buf_detach(&b);
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->c[i].text, t) == 0) {
            cs->c[i].freq += freq;
            free(t);
            return;
        }
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 16;
        cs->c = fl_xrealloc(cs->c, cs->cap * sizeof *cs->c);
    }
    cs->c[cs->n++] = (cand){t, freq};
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? 1 : -1;
    size_t lx = strlen(x->text), ly = strlen(y->text);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* The completions of key (of the typed text[0..tlen)): when what was typed
 * has an umlaut, or ae/oe/ue (which fl_suggest_key merges into a, o, u),
 * only those that have it there too (spelt_ok). */
static void exact(const fl_completions *c, const char *key, size_t klen, const char *typed,
                  size_t tlen, const char *lead, size_t k, cands *cs, size_t *rlo, size_t *rhi)
{
    size_t lo = 0, hi = c->n;
    prefix_range(c, key, klen, &lo, &hi);
    *rlo = lo;
    *rhi = hi;
    entry_filter f = {NULL, 0, FL_BUF_INIT};
    fl_buf spelt = FL_BUF_INIT;
    fl_suggest_key_spelt(typed, tlen, &spelt);
    bool umlaut = false;
    for (size_t i = 0; i + 1 < spelt.len && !umlaut; i++)
        umlaut = spelt.data[i + 1] == 'e' &&
                 (spelt.data[i] == 'a' || spelt.data[i] == 'o' || spelt.data[i] == 'u');
    if (umlaut) {
        f.want = spelt.data;
        f.wlen = spelt.len;
    }
    uint32_t ranks[FL_COMPLETIONS_MAX_K];
    size_t got = top_k(c, lo, hi, k, umlaut ? &f : NULL, ranks);
    fl_buf_free(&f.scratch);
    fl_buf_free(&spelt);
    for (size_t i = 0; i < got; i++) {
        const centry *e = &c->e[c->byrank[ranks[i]]];
        cands_add(cs, lead, esurf(c, e), e->slen, e->freq);
    }
}

/* Typo tolerance: the best entries whose key starts with a variant of key
 * one edit away (a letter left out, one too many, a wrong one, two swapped),
 * outside [xlo, xhi) (the exact completions).  Results: ranks in fz[]. */
typedef struct fuzz {
    const fl_completions *c;
    size_t xlo, xhi, k;
    uint32_t *best;   /* k best ranks found so far, sorted */
    size_t nbest;
} fuzz;

static void fuzz_range(fuzz *f, size_t lo, size_t hi)
{
    /* Leave out the exact range (it is already answered). */
    size_t parts[2][2] = {{lo, hi < f->xlo ? hi : f->xlo}, {lo > f->xhi ? lo : f->xhi, hi}};
    for (int p = 0; p < 2; p++) {
        size_t l = parts[p][0], r = parts[p][1];
        if (l >= r)
            continue;
        uint32_t ranks[FL_COMPLETIONS_MAX_K];
        size_t got = top_k(f->c, l, r, f->k, NULL, ranks);
        for (size_t i = 0; i < got; i++) {
            uint32_t rk = ranks[i];
            bool dup = false;
            for (size_t j = 0; j < f->nbest; j++)
                if (f->best[j] == rk)
                    dup = true;
            if (dup)
                continue;
            if (f->nbest == f->k && rk > f->best[f->nbest - 1])
                break; /* ranks come in order: the rest are worse still */
            size_t at = f->nbest < f->k ? f->nbest++ : f->nbest - 1;
            while (at > 0 && f->best[at - 1] > rk) {
                f->best[at] = f->best[at - 1];
                at--;
            }
            f->best[at] = rk;
        }
    }
}

static void fuzz_variant(fuzz *f, const char *v, size_t vlen, size_t lo, size_t hi)
{
    prefix_range(f->c, v, vlen, &lo, &hi);
    if (lo < hi)
        fuzz_range(f, lo, hi);
}

static void fuzzy(const fl_completions *c, const char *key, size_t n, size_t xlo, size_t xhi,
                  size_t k, uint32_t *best, size_t *nbest)
{
    fuzz f = {c, xlo, xhi, k, best, 0};
    char *v = fl_xmalloc(n + 2);
    size_t plo = 0, phi = c->n; /* entries starting with key[0..i) */
    for (size_t i = 0; i < n && plo < phi; i++) {
        /* Left out: key[i] was typed but does not belong (not the last
         * letter: that is a wrong letter, below). */
        if (i + 1 < n) {
            memcpy(v, key, i);
            memcpy(v + i, key + i + 1, n - i - 1);
            fuzz_variant(&f, v, n - 1, plo, phi);
        }
        /* Swapped with the next one. */
        if (i + 1 < n && key[i] != key[i + 1]) {
            memcpy(v, key, n);
            v[i] = key[i + 1];
            v[i + 1] = key[i];
            fuzz_variant(&f, v, n, plo, phi);
        }
        /* A wrong letter at i, or a letter missing before i: try every byte
         * that some key continues key[0..i) with. */
        size_t j = plo;
        while (j < phi && c->e[j].klen <= i)
            j++;
        while (j < phi) {
            char ch = ekey(c, &c->e[j])[i];
            memcpy(v, key, i);
            v[i] = ch;
            size_t clo = j, chi = phi;
            prefix_range(c, v, i + 1, &clo, &chi);
            if (ch != key[i]) {
                memcpy(v + i + 1, key + i + 1, n - i - 1);
                fuzz_variant(&f, v, n, clo, chi);
                memcpy(v + i + 1, key + i, n - i);
                fuzz_variant(&f, v, n + 1, clo, chi);
            }
            j = chi > j ? chi : j + 1;
        }
        size_t nlo = plo, nhi = phi;
        prefix_range(c, key, i + 1, &nlo, &nhi);
        plo = nlo;
        phi = nhi;
    }
    free(v);
    *nbest = f.nbest;
}

int fl_completions_suggest(const fl_completions *c, const char *prefix, size_t limit,
                           fl_strlist *out)
{
    memset(out, 0, sizeof *out);
    if (!prefix || !c)
        return 0;
    if (limit > FL_COMPLETIONS_MAX_K)
        limit = FL_COMPLETIONS_MAX_K;
    size_t len = strlen(prefix);
    while (len && (prefix[len - 1] == ' ' || prefix[len - 1] == '\t'))
        len--;
    if (len == 0 || limit == 0)
        return 0;
    cands cs = {0};
    fl_buf key = FL_BUF_INIT;
    size_t xlo = 0, xhi = 0;
    /* The whole prefix (titles, "Open Inno" → "Open Innovation City")... */
    fl_suggest_key(prefix, len, &key);
    if (key.len >= 1)
        exact(c, key.data, key.len, prefix, len, NULL, limit, &cs, &xlo, &xhi);
    /* ...then the last word, with the words before it kept. */
    const char *sp = NULL;
    for (size_t i = len; i > 0; i--)
        if (prefix[i - 1] == ' ') {
            sp = prefix + i - 1;
            break;
        }
    char *lead = NULL;
    if (sp) {
        lead = fl_xstrndup(prefix, (size_t)(sp - prefix));
        fl_buf_reset(&key);
        fl_suggest_key(sp + 1, len - (size_t)(sp + 1 - prefix), &key);
        if (key.len >= 1)
            exact(c, key.data, key.len, sp + 1, len - (size_t)(sp + 1 - prefix), lead, limit,
                  &cs, &xlo, &xhi);
    }
    if (cs.n)
        qsort(cs.c, cs.n, sizeof *cs.c, cand_cmp);
    size_t nexact = cs.n < limit ? cs.n : limit;
    /* Typo tolerance for the last word: when it has FL_SUGGEST_FUZZY_MIN
     * letters and the exact completions leave room, those one edit away
     * follow them (ranked by frequency among themselves). */
    fl_strlist fz = {0}; /* the typo-tolerant completions */
    if (nexact < limit && key.len >= FL_SUGGEST_FUZZY_MIN) {
        uint32_t best[FL_COMPLETIONS_MAX_K];
        size_t nbest = 0;
        fuzzy(c, key.data, key.len, xlo, xhi, limit, best, &nbest);
        for (size_t i = 0; i < nbest && fz.n + nexact < limit; i++) {
            const centry *e = &c->e[c->byrank[best[i]]];
            fl_buf b = FL_BUF_INIT;
            if (lead) {
                fl_buf_puts(&b, lead);
                fl_buf_putc(&b, ' ');
            }
            fl_buf_append(&b, esurf(c, e), e->slen);
            bool dup = false;
            for (size_t j = 0; j < nexact; j++)
                if (strcmp(cs.c[j].text, fl_buf_cstr(&b)) == 0)
                    dup = true;
            for (size_t j = 0; j < fz.n; j++)
                if (strcmp(fz.items[j], fl_buf_cstr(&b)) == 0)
                    dup = true;
            if (!dup)
                fl_strlist_push(&fz, fl_buf_cstr(&b));
            fl_buf_free(&b);
        }
    }
    /* Exact completions first. */
    for (size_t i = 0; i < nexact; i++)
        fl_strlist_push(out, cs.c[i].text);
    for (size_t i = 0; i < fz.n; i++)
        fl_strlist_push(out, fz.items[i]);
    fl_strlist_free(&fz);
    for (size_t i = 0; i < cs.n; i++)
        free(cs.c[i].text);
    free(cs.c);
    free(lead);
    fl_buf_free(&key);
    return 0;
}
