/* analyzer.c — the German analysis chain (see fl_analyzer.h).
 *
 *   tokenize (tokenize.c) → per hyphen piece: NFC + case fold (exact form),
 *   accent fold → gender unification (tokenizer marks, gender.c for -in/
 *   -innen) → compound split (compound.c) → Snowball stem (fl_stem.h).
 *
 * Speed: a word's analysis depends only on its surface spelling, so every
 * WORD token's result is cached in a per-thread cache (one pthread key per
 * analyzer: the analyzer itself stays read-only and shareable).  Natural
 * text is Zipf-distributed, so after the first few thousand words almost
 * every token is a cache hit and the chain costs a tokenizer pass plus one
 * hash lookup per token.  The result handed to the callback lives in
 * per-call scratch buffers (reused token after token), never in the cache,
 * so a callback may even call fl_analyze again.
 */
#include "fl_analyzer.h"

#include "fl_compound.h"
#include "fl_err.h"
#include "fl_gender.h"
#include "fl_normalize.h"
#include "fl_stem.h"
#include "fl_tokenize.h"
#include "fl_wordlist.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Words every German text needs split even without a word list: heads and
 * modifiers that wngerman lacks as nouns. */
static const char *const builtin_words[] = {
    "Meetup", "Meetups", "Workshop", "Workshops", "Hackathon", "Hackathons", "Podcast",
    "Podcasts", "Startup", "Startups", "Newsletter", "Community", "Software", "Website",
    "Websites", "Online", "Digital", NULL};

struct fl_analyzer {
    fl_wordlist *wl;
    bool no_compounds, no_gender;
    pthread_key_t key;
    size_t cache_entries;   /* per-thread word cache bounds (see cache_put) */
    size_t cache_arena;
};

/* ------------------------------------------------------------------ records
 * A token's analysis serialised into a byte buffer:
 *   u32 flags, u32 kind, u32 nparts, u8 has_gender_base,
 *   exact\0 stem\0 gender_base\0 part\0 part\0 ...                         */

typedef struct rec_hdr {
    uint32_t flags, kind, nparts;
    uint8_t has_gb;
} rec_hdr;

#define REC_HDR_SIZE 13

static void rec_begin(fl_buf *r, unsigned flags, fl_token_kind kind)
{
    fl_buf_reset(r);
    uint32_t v[3] = {flags, (uint32_t)kind, 0};
    fl_buf_append(r, v, sizeof v);
    fl_buf_putc(r, 0);
}

static void rec_str(fl_buf *r, const char *s, size_t n)
{
    fl_buf_append(r, s, n);
    fl_buf_putc(r, 0);
}

static void rec_set_flags(fl_buf *r, unsigned flags)
{
    uint32_t f = flags;
    memcpy(r->data, &f, 4);
}

static unsigned rec_flags(const fl_buf *r)
{
    uint32_t f;
    memcpy(&f, r->data, 4);
    return f;
}

/* ------------------------------------------------------------------ cache */

typedef struct centry {
    uint32_t off;      /* key then record in the arena */
    uint32_t key_len;  /* 0 = empty */
    uint32_t rec_len;
    uint32_t hash;
} centry;

typedef struct state state; /* per call: below */
static void state_free(state *s);

typedef struct wcache {
    fl_buf arena;
    centry *tab;
    size_t cap, count;
    /* fl_analyze_token's scratch buffers, kept for the thread's next call
     * (busy while in use: a callback that analyses again gets its own). */
    state *scratch;
    bool scratch_busy;
} wcache;

/* Default bounds of a thread's word cache: ~270k distinct words of the laws
 * fit, so an indexing thread analyses each word once.  Smaller bounds (the
 * server's, fl_analyzer_options.word_cache_bytes) trade some re-analysis for
 * memory: the table is 32 bytes per entry, the arena ~40 per word. */
#define CACHE_MAX_ENTRIES (1u << 18)
#define CACHE_MAX_ARENA (64u << 20)

static void cache_free(void *p)
{
    wcache *c = p;
    if (!c)
        return;
    fl_buf_free(&c->arena);
    free(c->tab);
    if (c->scratch) {
        state_free(c->scratch);
        free(c->scratch);
    }
    free(c);
}

static uint32_t hash32(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

static void cache_clear(wcache *c)
{
    fl_buf_reset(&c->arena);
    memset(c->tab, 0, c->cap * sizeof(centry));
    c->count = 0;
}

static wcache *cache_get(const fl_analyzer *a)
{
    wcache *c = pthread_getspecific(a->key);
    if (!c) {
        c = fl_xcalloc(1, sizeof *c);
        c->cap = a->cache_entries * 2;
        c->tab = fl_xcalloc(c->cap, sizeof(centry));
        if (pthread_setspecific(a->key, c) != 0) {
            cache_free(c);
            return NULL;
        }
    }
    return c;
}

static const centry *cache_find(const wcache *c, const char *k, size_t n, uint32_t h)
{
    size_t p = h & (c->cap - 1);
    while (c->tab[p].key_len) {
        const centry *e = &c->tab[p];
        if (e->hash == h && e->key_len == n && memcmp(c->arena.data + e->off, k, n) == 0)
            return e;
        p = (p + 1) & (c->cap - 1);
    }
    return NULL;
}

static void cache_put(const fl_analyzer *a, wcache *c, const char *k, size_t n, uint32_t h,
                      const fl_buf *rec)
{
    if (n > 1024)
        return;
    if (c->count >= a->cache_entries || c->arena.len > a->cache_arena)
        cache_clear(c);
    size_t p = h & (c->cap - 1);
    while (c->tab[p].key_len)
        p = (p + 1) & (c->cap - 1);
    c->tab[p] = (centry){(uint32_t)c->arena.len, (uint32_t)n, (uint32_t)rec->len, h};
    fl_buf_append(&c->arena, k, n);
    fl_buf_append(&c->arena, rec->data, rec->len);
    c->count++;
}

/* ------------------------------------------------------------------ setup */

fl_analyzer *fl_analyzer_new(const fl_analyzer_options *opts, char **err)
{
    fl_analyzer_options none = {0};
    if (!opts)
        opts = &none;
    fl_analyzer *a = fl_xcalloc(1, sizeof *a);
    a->no_compounds = opts->no_compounds;
    a->no_gender = opts->no_gender;
    a->cache_entries = CACHE_MAX_ENTRIES;
    a->cache_arena = CACHE_MAX_ARENA;
    if (opts->word_cache_bytes) {
        /* Split between arena (~40 bytes a word) and table (32 an entry),
         * entries a power of two (the table is open addressing). */
        size_t want = opts->word_cache_bytes / 72, e = 1024;
        while (e * 2 <= want && e < CACHE_MAX_ENTRIES)
            e *= 2;
        a->cache_entries = e;
        a->cache_arena = opts->word_cache_bytes > e * 32 ? opts->word_cache_bytes - e * 32 : e * 40;
    }
    const char *path = opts->wordlist_path ? opts->wordlist_path : FL_DEFAULT_WORDLIST;
    bool have = opts->wordlist_path || access(path, R_OK) == 0;
    /* The cache of the list, when valid, spares reading and hashing it. */
    a->wl = have && opts->wordlist_cache ? fl_wordlist_map_cache(opts->wordlist_cache, path) : NULL;
    if (!a->wl) {
        a->wl = fl_wordlist_new();
        if (have && fl_wordlist_load(a->wl, path, err) != 0) {
            fl_wordlist_free(a->wl);
            free(a);
            return NULL;
        }
        if (have && opts->wordlist_cache && opts->write_wordlist_cache) {
            /* Best effort: a read-only index directory just has no cache. */
            char *cerr = NULL;
            fl_wordlist_save_cache(a->wl, path, opts->wordlist_cache, &cerr);
            free(cerr);
        }
    }
    for (size_t i = 0; builtin_words[i]; i++)
        fl_wordlist_add(a->wl, builtin_words[i], strlen(builtin_words[i]));
    for (size_t i = 0; i < opts->n_extra_words; i++)
        if (opts->extra_words && opts->extra_words[i])
            fl_wordlist_add(a->wl, opts->extra_words[i], strlen(opts->extra_words[i]));
    int rc = pthread_key_create(&a->key, cache_free);
    if (rc != 0) {
        fl_err_set(err, "analyzer: cannot create the per-thread cache: %s", strerror(rc));
        fl_wordlist_free(a->wl);
        free(a);
        return NULL;
    }
    return a;
}

bool fl_analyzer_knows(const fl_analyzer *a, const char *word, size_t len)
{
    return a && fl_wordlist_lookup(a->wl, word, len) != 0;
}

void fl_analyzer_free(fl_analyzer *a)
{
    if (!a)
        return;
    /* Threads that used the analyzer free their caches when they exit; the
     * calling thread's cache goes now. */
    cache_free(pthread_getspecific(a->key));
    pthread_setspecific(a->key, NULL);
    pthread_key_delete(a->key);
    fl_wordlist_free(a->wl);
    free(a);
}

/* ------------------------------------------------------------------ per call */

struct state {
    const fl_analyzer *a;
    fl_buf rec;     /* the current token's record */
    fl_buf seg;     /* raw segment (soft hyphens removed, ’ → ') */
    fl_buf ex, fo;  /* exact / folded segment */
    fl_buf pexact, pfold, punified; /* per piece */
    fl_buf stem, parts, gb, tmp;
    fl_buf ptrs;    /* const char *[] for fl_token.parts */
    char **err;
};

static void state_free(state *s)
{
    fl_buf *all[] = {&s->rec, &s->seg, &s->ex, &s->fo, &s->pexact, &s->pfold, &s->punified,
                     &s->stem, &s->parts, &s->gb, &s->tmp, &s->ptrs};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        fl_buf_free(all[i]);
}

/* Copies text[b..e) to out without soft hyphens and with ’ as '. */
static void clean_segment(const char *t, size_t b, size_t e, fl_buf *out)
{
    fl_buf_reset(out);
    size_t run = b;
    for (size_t i = b; i < e;) {
        unsigned char c = (unsigned char)t[i];
        if (c == 0xC2 && i + 1 < e && (unsigned char)t[i + 1] == 0xAD) { /* soft hyphen */
            fl_buf_append(out, t + run, i - run);
            i += 2;
            run = i;
        } else if (c == 0xE2 && i + 2 < e && (unsigned char)t[i + 1] == 0x80 &&
                   (unsigned char)t[i + 2] == 0x99) { /* ’ */
            fl_buf_append(out, t + run, i - run);
            fl_buf_putc(out, '\'');
            i += 3;
            run = i;
        } else {
            i++;
        }
    }
    fl_buf_append(out, t + run, e - run);
    if (!out->data)
        fl_buf_puts(out, "");
}

/* exact and folded forms of text[b..e), appended to s->pexact / s->pfold. */
static int norm_segment(state *s, const char *t, size_t b, size_t e)
{
    if (e <= b)
        return 0;
    clean_segment(t, b, e, &s->seg);
    fl_buf_reset(&s->ex);
    fl_buf_reset(&s->fo);
    if (fl_norm_exact(s->seg.data, s->seg.len, &s->ex, s->err) != 0 ||
        fl_norm_fold(s->ex.data ? s->ex.data : "", s->ex.len, &s->fo, s->err) != 0)
        return -1;
    fl_buf_append(&s->pexact, s->ex.data ? s->ex.data : "", s->ex.len);
    fl_buf_append(&s->pfold, s->fo.data ? s->fo.data : "", s->fo.len);
    return 0;
}

static bool has_german_special(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        if ((unsigned char)s[i] == 0xC3) {
            unsigned char d = (unsigned char)s[i + 1];
            if (d == 0xA4 || d == 0xB6 || d == 0xBC || d == 0x9F)
                return true;
        }
    return false;
}

/* Adds a part stem to s->parts unless empty or already there. */
static void add_part(state *s, const char *p, size_t n)
{
    if (n == 0)
        return;
    const char *d = s->parts.data;
    size_t i = 0;
    while (d && i < s->parts.len) {
        size_t l = strlen(d + i);
        if (l == n && memcmp(d + i, p, n) == 0)
            return;
        i += l + 1;
    }
    fl_buf_append(&s->parts, p, n);
    fl_buf_putc(&s->parts, 0);
}

/* Stem of a folded word for the chain: an apostrophe clitic is dropped
 * ("geht's" → geht, "Jenny's" → jenny). */
static void stem_into(const char *w, size_t n, fl_buf *out)
{
    const char *ap = memchr(w, '\'', n);
    if (ap) {
        size_t before = (size_t)(ap - w), after = n - before - 1;
        if (after <= 2) {
            fl_german_stem(w, before, out);
            return;
        }
        fl_buf tmp = FL_BUF_INIT;
        fl_buf_append(&tmp, w, before);
        fl_buf_append(&tmp, ap + 1, after);
        fl_german_stem(tmp.data, tmp.len, out);
        fl_buf_free(&tmp);
        return;
    }
    fl_german_stem(w, n, out);
}

/* Marks the stem out[from..] of a content word as apart from the stop
 * word with the same stem (FL_STEM_APART): "Sicherheit" must not find
 * every "sich" of a text, nor be highlighted there. */
static void stem_apart(fl_buf *out, size_t from)
{
    if (out->len > from && fl_is_stopword_stem(out->data + from, out->len - from))
        fl_buf_putc(out, FL_STEM_APART);
}

/* Compound parts of a folded, gender-unified word: the leaves and the
 * sub-compounds made of neighbouring leaves (so "Schutzgesetz" and
 * "Kündigungsschutz" both find "Kündigungsschutzgesetz"). */
static size_t add_compound_parts(state *s, const char *w, size_t n)
{
    fl_compound_part parts[FL_COMPOUND_MAX_PARTS];
    size_t np = fl_compound_split(s->a->wl, w, n, parts);
    if (np < 2)
        return 0;
    for (size_t i = 0; i < np; i++) {
        fl_buf_reset(&s->tmp);
        fl_german_stem(w + parts[i].start, parts[i].len, &s->tmp);
        stem_apart(&s->tmp, 0);
        add_part(s, s->tmp.data, s->tmp.len);
    }
    if (np <= 5)
        for (size_t i = 0; i < np; i++)
            for (size_t j = i + 1; j < np; j++) {
                if (i == 0 && j == np - 1)
                    continue; /* the whole word */
                fl_buf_reset(&s->tmp);
                size_t b = parts[i].start, e = parts[j].start + parts[j].len;
                fl_german_stem(w + b, e - b, &s->tmp);
                stem_apart(&s->tmp, 0);
                add_part(s, s->tmp.data, s->tmp.len);
            }
    return np;
}

/* Analyses a WORD token into s->rec. */
static int analyze_word(state *s, const char *text, const fl_rawtoken *rt)
{
    const fl_analyzer *a = s->a;
    const char *surf = text + rt->start;
    size_t slen = rt->len;
    unsigned flags = 0;
    if (rt->flags & FL_RAW_HYPHEN)
        flags |= FL_TOKFLAG_HYPHENATED;

    if (rt->flags & FL_RAW_ABBREV) {
        /* "z. B." → "z.b.", "bzw." → "bzw" */
        fl_buf_reset(&s->pexact);
        fl_buf_reset(&s->pfold);
        size_t b = 0;
        for (size_t i = 0; i <= slen; i++)
            if (i == slen || surf[i] == ' ' || (unsigned char)surf[i] == 0xC2) {
                if (norm_segment(s, surf, b, i) != 0)
                    return -1;
                if (i < slen && (unsigned char)surf[i] == 0xC2)
                    i++;
                b = i + 1;
            }
        const char *ex = fl_buf_cstr(&s->pexact);
        size_t exn = s->pexact.len;
        int dots = 0;
        for (size_t i = 0; i < exn; i++)
            dots += ex[i] == '.';
        if (dots == 1 && exn && ex[exn - 1] == '.')
            exn--;
        rec_begin(&s->rec, flags | FL_TOKFLAG_STOPWORD, FL_TOKEN_WORD);
        rec_str(&s->rec, ex, exn);
        rec_str(&s->rec, ex, exn);
        rec_str(&s->rec, "", 0);
        return 0;
    }

    /* exact form of the whole token, piece by piece */
    fl_buf_reset(&s->stem);
    fl_buf_reset(&s->parts);
    fl_buf_reset(&s->gb);
    fl_buf exact_all = FL_BUF_INIT;
    bool has_gb = false;
    size_t npieces = 0;
    size_t pb = 0;
    int rc = 0;
    for (size_t i = 0; i <= slen; i++) {
        bool end = i == slen;
        if (!end && !(surf[i] == '-' && !((rt->flags & FL_RAW_GENDER) && i == rt->mark_start + 1 &&
                                          surf[i - 1] == '/')))
            if (!(!end && (unsigned char)surf[i] == 0xE2 && i + 2 < slen &&
                  (unsigned char)surf[i + 1] == 0x80 && (unsigned char)surf[i + 2] == 0x91))
                continue;
        /* piece surf[pb..i) */
        size_t pe = i;
        bool marked = (rt->flags & FL_RAW_GENDER) && rt->mark_start >= pb && rt->mark_start < pe;
        bool binnen = (rt->flags & FL_RAW_BINNEN_I) && rt->mark_start >= pb && rt->mark_start < pe;
        size_t base_end = pe, suf_start = pe;
        if (marked) {
            base_end = rt->mark_start;
            suf_start = rt->mark_end;
        } else if (binnen) {
            base_end = suf_start = rt->mark_start;
        }
        fl_buf_reset(&s->pexact);
        fl_buf_reset(&s->pfold);
        if (norm_segment(s, surf, pb, base_end) != 0) {
            rc = -1;
            break;
        }
        size_t base_ex = s->pexact.len, base_fo = s->pfold.len;
        if (norm_segment(s, surf, suf_start, pe) != 0) {
            rc = -1;
            break;
        }
        const char *pex = fl_buf_cstr(&s->pexact), *pfo = fl_buf_cstr(&s->pfold);
        if (npieces)
            fl_buf_putc(&exact_all, '-');
        fl_buf_append(&exact_all, pex, s->pexact.len);
        if (s->pexact.len != s->pfold.len || memcmp(pex, pfo, s->pfold.len) != 0 ||
            has_german_special(pfo, s->pfold.len))
            flags |= FL_TOKFLAG_FOLDED;
        /* gender unification */
        fl_buf_reset(&s->punified);
        if (binnen && fl_gender_is_exception(pfo, s->pfold.len)) /* LinkedIn */
            binnen = false, base_fo = s->pfold.len, base_ex = s->pexact.len;
        const char *suf = pfo + base_fo;
        size_t sufn = s->pfold.len - base_fo;
        if ((marked || binnen) && !a->no_gender) {
            fl_buf_append(&s->punified, pfo, base_fo);
            if (sufn >= 5 && memcmp(suf, "innen", 5) == 0)
                fl_buf_append(&s->punified, suf + 5, sufn - 5);
            else if (sufn == 2 && memcmp(suf, "in", 2) == 0)
                ;
            else
                fl_buf_append(&s->punified, suf, sufn);
            flags |= FL_TOKFLAG_GENDER;
            if (!has_gb) {
                fl_buf_append(&s->gb, pex, base_ex);
                has_gb = true;
            }
        } else {
            size_t fb = a->no_gender ? 0 : fl_gender_feminine_base(a->wl, pfo, s->pfold.len);
            if (fb) {
                fl_buf_append(&s->punified, pfo, fb);
                flags |= FL_TOKFLAG_GENDER;
                if (!has_gb) {
                    fl_buf_append(&s->gb, pfo, fb);
                    has_gb = true;
                }
            } else {
                fl_buf_append(&s->punified, pfo, s->pfold.len);
            }
        }
        if (!s->punified.data)
            fl_buf_puts(&s->punified, "");
        /* stem of the piece */
        size_t stem_before = s->stem.len;
        if (npieces)
            fl_buf_putc(&s->stem, '-');
        size_t stem_piece = s->stem.len;
        stem_into(s->punified.data, s->punified.len, &s->stem);
        if (!fl_is_stopword(pex, s->pexact.len))
            stem_apart(&s->stem, stem_piece);
        if (rt->flags & FL_RAW_HYPHEN)
            add_part(s, s->stem.data + stem_piece, s->stem.len - stem_piece);
        (void)stem_before;
        if (!a->no_compounds && add_compound_parts(s, s->punified.data, s->punified.len))
            flags |= FL_TOKFLAG_COMPOUND;
        npieces++;
        pb = i + (i < slen && (unsigned char)surf[i] == 0xE2 ? 3 : 1);
        if (end)
            break;
    }
    if (rc != 0) {
        fl_buf_free(&exact_all);
        return -1;
    }
    const char *ex = fl_buf_cstr(&exact_all);
    if (fl_is_stopword(ex, exact_all.len))
        flags |= FL_TOKFLAG_STOPWORD;
    rec_begin(&s->rec, flags, FL_TOKEN_WORD);
    rec_str(&s->rec, ex, exact_all.len);
    rec_str(&s->rec, fl_buf_cstr(&s->stem), s->stem.len);
    rec_str(&s->rec, has_gb ? fl_buf_cstr(&s->gb) : "", has_gb ? s->gb.len : 0);
    if (has_gb)
        s->rec.data[12] = 1;
    /* parts: drop the token's own stem */
    uint32_t np = 0;
    const char *stem = fl_buf_cstr(&s->stem);
    for (size_t i = 0; s->parts.data && i < s->parts.len;) {
        const char *p = s->parts.data + i;
        size_t l = strlen(p);
        if (strcmp(p, stem) != 0 && l >= 2) { /* "E"-Mail: a letter finds nothing */
            rec_str(&s->rec, p, l);
            np++;
        }
        i += l + 1;
    }
    memcpy(s->rec.data + 8, &np, 4);
    if (np && (flags & FL_TOKFLAG_HYPHENATED) == 0)
        rec_set_flags(&s->rec, flags | FL_TOKFLAG_COMPOUND);
    else if (!np)
        rec_set_flags(&s->rec, flags & ~(unsigned)FL_TOKFLAG_COMPOUND);
    fl_buf_free(&exact_all);
    return 0;
}

/* Numbers, dates, citations, URLs, e-mail addresses. */
static int analyze_other(state *s, const char *text, const fl_rawtoken *rt)
{
    const char *t = text + rt->start;
    size_t n = rt->len;
    fl_buf *v = &s->tmp;
    fl_buf_reset(v);
    fl_buf_reset(&s->parts);
    uint32_t np = 0;
    switch (rt->kind) {
    case FL_TOKEN_NUMBER:
        for (size_t i = 0; i < n; i++)
            if (t[i] != '.') /* thousands separators: 1.000 = 1000 */
                fl_buf_putc(v, t[i]);
        break;
    case FL_TOKEN_DATE: {
        int d, m, y;
        if (n == 10 && t[4] == '-') {
            fl_buf_append(v, t, 10);
        } else {
            const char *p = t;
            d = (int)strtol(p, (char **)&p, 10);
            m = (int)strtol(p + 1, (char **)&p, 10);
            y = (int)strtol(p + 1, NULL, 10);
            fl_buf_printf(v, "%04d-%02d-%02d", y, m, d);
        }
        add_part(s, v->data, 4); /* the year alone finds the date */
        np = 1;
        break;
    }
    case FL_TOKEN_PARAGRAPH: {
        size_t i = 0;
        if ((unsigned char)t[0] == 0xC2) {
            fl_buf_puts(v, "§");
        } else {
            fl_buf_puts(v, "art");
        }
        while (i < n && !(t[i] >= '0' && t[i] <= '9'))
            i++;
        size_t num = v->len;
        for (; i < n; i++)
            fl_buf_putc(v, (char)((t[i] >= 'A' && t[i] <= 'Z') ? t[i] + 32 : t[i]));
        add_part(s, v->data + num, v->len - num);
        np = 1;
        break;
    }
    case FL_TOKEN_URL:
    case FL_TOKEN_EMAIL:
    default:
        if (fl_norm_exact(t, n, v, s->err) != 0)
            return -1;
        break;
    }
    rec_begin(&s->rec, 0, rt->kind);
    rec_str(&s->rec, fl_buf_cstr(v), v->len);
    rec_str(&s->rec, fl_buf_cstr(v), v->len);
    rec_str(&s->rec, "", 0);
    if (np)
        rec_str(&s->rec, s->parts.data, strlen(s->parts.data));
    memcpy(s->rec.data + 8, &np, 4);
    return 0;
}

/* Fills tok's analysis fields from the record in s->rec. */
static void rec_to_token(state *s, fl_token *tok)
{
    const char *r = s->rec.data;
    uint32_t flags, kind, np;
    memcpy(&flags, r, 4);
    memcpy(&kind, r + 4, 4);
    memcpy(&np, r + 8, 4);
    bool has_gb = r[12] != 0;
    const char *p = r + REC_HDR_SIZE;
    tok->flags = flags;
    tok->kind = (fl_token_kind)kind;
    tok->exact = p;
    p += strlen(p) + 1;
    tok->stem = p;
    p += strlen(p) + 1;
    tok->gender_base = has_gb ? p : NULL;
    p += strlen(p) + 1;
    fl_buf_reset(&s->ptrs);
    for (uint32_t i = 0; i < np; i++) {
        fl_buf_append(&s->ptrs, &p, sizeof p);
        p += strlen(p) + 1;
    }
    tok->parts = np ? (const char *const *)(void *)s->ptrs.data : NULL;
    tok->nparts = np;
}

/* Analyses raw token rt of text into s->rec (from the cache when it is a
 * cached word) and fills tok; returns 0 or -1 (s->err set). */
static int analyze_raw(state *s, wcache *cache, const char *text, const fl_rawtoken *rt,
                       uint32_t index, fl_token *tok)
{
    memset(tok, 0, sizeof *tok);
    tok->surface = text + rt->start;
    tok->surface_len = rt->len;
    tok->offset = rt->start;
    tok->index = index;
    if (rt->kind == FL_TOKEN_WORD && !(rt->flags & FL_RAW_ABBREV)) {
        uint32_t h = hash32(tok->surface, rt->len);
        const centry *e = cache ? cache_find(cache, tok->surface, rt->len, h) : NULL;
        if (e) {
            fl_buf_reset(&s->rec);
            fl_buf_append(&s->rec, cache->arena.data + e->off + e->key_len, e->rec_len);
        } else {
            if (analyze_word(s, text, rt) != 0)
                return -1;
            if (cache)
                cache_put(s->a, cache, tok->surface, rt->len, h, &s->rec);
        }
    } else if (rt->kind == FL_TOKEN_WORD) {
        if (analyze_word(s, text, rt) != 0)
            return -1;
    } else if (analyze_other(s, text, rt) != 0) {
        return -1;
    }
    rec_to_token(s, tok);
    return 0;
}

int fl_analyze(const fl_analyzer *a, const char *text, size_t len, fl_token_cb cb, void *ud,
               char **err)
{
    if (!a || (!text && len))
        return fl_err_set(err, "fl_analyze: no analyzer or no text");
    state s;
    memset(&s, 0, sizeof s);
    s.a = a;
    s.err = err;
    wcache *cache = cache_get(a);
    size_t pos = 0;
    uint32_t index = 0;
    fl_rawtoken rt;
    int rc = 0;
    while (fl_tokenize_next(text, len, &pos, &rt)) {
        fl_token tok;
        if (analyze_raw(&s, cache, text, &rt, index++, &tok) != 0) {
            rc = -1;
            break;
        }
        rc = cb(ud, &tok);
        if (rc != 0)
            break;
    }
    state_free(&s);
    (void)rec_flags;
    return rc;
}

int fl_analyze_token(const fl_analyzer *a, const char *text, const struct fl_rawtoken *rt,
                     fl_token_cb cb, void *ud, char **err)
{
    if (!a || !text || !rt)
        return fl_err_set(err, "fl_analyze_token: no analyzer, text or token");
    /* Called token after token (excerpt marks): the thread's scratch
     * buffers are reused instead of allocated and freed each time. */
    wcache *cache = cache_get(a);
    state local, *s = &local;
    bool scratch = cache && !cache->scratch_busy;
    if (scratch) {
        if (!cache->scratch)
            cache->scratch = fl_xcalloc(1, sizeof *cache->scratch);
        s = cache->scratch;
        cache->scratch_busy = true;
    } else {
        memset(&local, 0, sizeof local);
    }
    s->a = a;
    s->err = err;
    fl_token tok;
    int rc = analyze_raw(s, cache, text, rt, 0, &tok);
    if (rc == 0)
        rc = cb(ud, &tok);
    if (scratch)
        cache->scratch_busy = false;
    else
        state_free(&local);
    return rc;
}

/* ------------------------------------------------------------------ helpers */

typedef struct first_stem {
    fl_buf *out;
    bool done;
} first_stem;

static int first_stem_cb(void *ud, const fl_token *tok)
{
    first_stem *f = ud;
    fl_buf_puts(f->out, tok->stem);
    f->done = true;
    return 1;
}

void fl_analyzer_stem_word(const fl_analyzer *a, const char *word, size_t len, fl_buf *out)
{
    first_stem f = {out, false};
    fl_analyze(a, word, len, first_stem_cb, &f, NULL);
    if (!f.done && !out->data)
        fl_buf_puts(out, "");
}

typedef struct lead_words {
    size_t max, n;
    char sep;
    fl_buf *out;
} lead_words;

static int lead_words_cb(void *ud, const fl_token *t)
{
    lead_words *l = ud;
    if ((t->flags & FL_TOKFLAG_STOPWORD) || !t->exact || !t->exact[0])
        return 0;
    if (l->n < l->max) {
        if (l->n)
            fl_buf_putc(l->out, l->sep);
        fl_buf_puts(l->out, t->exact);
    }
    l->n++;
    return 0;
}

long fl_analyzer_lead_words(const fl_analyzer *a, const char *text, size_t len, size_t max,
                            char sep, fl_buf *out, char **err)
{
    lead_words l = {max, 0, sep, out};
    if (fl_analyze(a, text, len, lead_words_cb, &l, err) < 0)
        return -1;
    return (long)l.n;
}

char *fl_analyzer_xstem_cb(void *ud, const char *word, size_t len)
{
    fl_buf b = FL_BUF_INIT;
    fl_analyzer_stem_word(ud, word, len, &b);
    if (b.len == 0) {
        fl_buf_free(&b);
        return NULL;
    }
    return fl_buf_detach(&b);
}

size_t fl_analyzer_split(const fl_analyzer *a, const char *word, size_t len, fl_buf *out)
{
    if (!a || a->no_compounds)
        return 0;
    size_t n = len;
    if (!a->no_gender) {
        size_t fb = fl_gender_feminine_base(a->wl, word, len);
        if (fb)
            n = fb;
    }
    fl_compound_part parts[FL_COMPOUND_MAX_PARTS];
    size_t np = fl_compound_split(a->wl, word, n, parts);
    for (size_t i = 0; i < np; i++) {
        if (i)
            fl_buf_putc(out, '\n');
        fl_buf_append(out, word + parts[i].start, parts[i].len);
    }
    return np;
}
