/* docbuild.c — an fl_page becomes a Xapian document (see fl_docbuild.h). */
#include "fl_docbuild.h"

#include "fl_docdata.h"
#include "fl_err.h"
#include "fl_hash.h"
#include "fl_normalize.h"
#include "fl_terms.h"
#include "fl_tokenize.h"
#include "fl_utf8.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* ------------------------------------------------------------ a string set */

/* Open addressing, FNV-1a: only to deduplicate a document's words. */
typedef struct strset {
    char **slots;
    size_t cap, n;
} strset;

static uint64_t hash_bytes(const char *s, size_t len)
{
    return fl_fnv1a(s, len, FL_FNV1A_INIT);
}

/* Returns true when s was added (was not present yet). */
static bool strset_add(strset *set, const char *s, size_t len)
{
    if ((set->n + 1) * 2 > set->cap) {
        size_t ncap = set->cap ? set->cap * 2 : 256;
        char **nslots = fl_xcalloc(ncap, sizeof *nslots);
        for (size_t i = 0; i < set->cap; i++) {
            char *e = set->slots[i];
            if (!e)
                continue;
            size_t j = hash_bytes(e, strlen(e)) & (ncap - 1);
            while (nslots[j])
                j = (j + 1) & (ncap - 1);
            nslots[j] = e;
        }
        free(set->slots);
        set->slots = nslots;
        set->cap = ncap;
    }
    size_t j = hash_bytes(s, len) & (set->cap - 1);
    while (set->slots[j]) {
        if (strncmp(set->slots[j], s, len) == 0 && set->slots[j][len] == '\0')
            return false;
        j = (j + 1) & (set->cap - 1);
    }
    set->slots[j] = fl_xstrndup(s, len);
    set->n++;
    return true;
}

/* Term → wdf of a document's unpositioned terms, added to the document once
 * each at the end: one Xapian call per distinct term instead of one per
 * occurrence (the exact forms alone are a third of all calls). */
typedef struct tcount {
    char *term;
    uint32_t wdf;
} tcount;

typedef struct tcounts {
    tcount *slots;
    size_t cap, n;
} tcounts;

static void tcounts_add(tcounts *m, const char *t, size_t len, uint32_t wdf)
{
    if ((m->n + 1) * 2 > m->cap) {
        size_t ncap = m->cap ? m->cap * 2 : 512;
        tcount *ns = fl_xcalloc(ncap, sizeof *ns);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->slots[i].term)
                continue;
            size_t j = hash_bytes(m->slots[i].term, strlen(m->slots[i].term)) & (ncap - 1);
            while (ns[j].term)
                j = (j + 1) & (ncap - 1);
            ns[j] = m->slots[i];
        }
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    size_t j = hash_bytes(t, len) & (m->cap - 1);
    while (m->slots[j].term) {
        if (strncmp(m->slots[j].term, t, len) == 0 && m->slots[j].term[len] == '\0') {
            m->slots[j].wdf += wdf;
            return;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].term = fl_xstrndup(t, len);
    m->slots[j].wdf = wdf;
    m->n++;
}

static void tcounts_free(tcounts *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].term);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void strset_free(strset *set)
{
    for (size_t i = 0; i < set->cap; i++)
        free(set->slots[i]);
    free(set->slots);
    memset(set, 0, sizeof *set);
}

/* ------------------------------------------------------------ helpers */

bool fl_spelling_word(const char *s, size_t len)
{
    size_t letters = 0, i = 0;
    while (i < len) {
        size_t adv;
        uint32_t cp = fl_utf8_decode(s + i, len - i, &adv);
        i += adv;
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        if (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO)
            letters++;
        else if (!(c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME))
            return false;
    }
    return letters >= FL_SPELLING_MIN_LETTERS;
}

void fl_mtime_value(int64_t mtime, int64_t size, fl_buf *out)
{
    fl_buf_printf(out, "%" PRId64 ":%" PRId64, mtime, size);
}

/* Whether s has an upper-case letter (a noun, a name, an acronym: "Bürger",
 * "KI", "eGovernment"). */
static bool has_upper(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char b = (unsigned char)s[i];
        if (b < 0x80) {
            if (b >= 'A' && b <= 'Z')
                return true;
            i++;
            continue;
        }
        size_t adv;
        uint32_t cp = fl_utf8_decode(s + i, len - i, &adv);
        i += adv ? adv : 1;
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT)
            return true;
    }
    return false;
}

static size_t count_cps(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

/* ------------------------------------------------------------ indexing text */

typedef struct ctx {
    fl_xdoc *doc;
    const char *field_prefix; /* S / XT / XH or NULL for the body */
    uint32_t wdf;
    uint32_t base;            /* position of token index 0 is base + 1 */
    uint32_t last;            /* highest position used so far */
    strset spelling;          /* exact words for the spelling table */
    strset suggest;           /* XW terms */
    tcounts plain;            /* unpositioned terms with their wdf */
    bool no_extras;           /* no spelling or autocomplete entries (path words) */
    fl_buf term, key;
    fl_xstatus st;
} ctx;

static void add_term(ctx *c, const char *prefix, const char *word, uint32_t pos, uint32_t wdf)
{
    fl_buf_reset(&c->term);
    fl_buf_puts(&c->term, prefix);
    fl_buf_puts(&c->term, word);
    if (c->term.len == strlen(prefix) || c->term.len > FL_MAX_TERM_LEN)
        return;
    if (!pos) {
        tcounts_add(&c->plain, c->term.data, c->term.len, wdf);
        return;
    }
    fl_xstatus st = fl_xdoc_add_posting(c->doc, c->term.data, c->term.len, pos, wdf);
    if (st != FL_XOK && c->st == FL_XOK)
        c->st = st;
}

static int on_token(void *ud, const fl_token *t)
{
    ctx *c = ud;
    uint32_t pos = c->base + t->index + 1;
    if (pos > c->last)
        c->last = pos;
    if (!t->stem || !*t->stem)
        return 0;
    add_term(c, "", t->stem, pos, c->wdf);
    /* Path words get no E term: the E terms are also the dictionary that
     * spelling corrections are drawn from (query/spell.c), and a slug such as
     * "rueckblick" is no word to offer a searcher. */
    if (t->exact && *t->exact && !c->no_extras)
        add_term(c, FL_PREFIX_EXACT, t->exact, 0, c->wdf);
    for (size_t i = 0; i < t->nparts; i++)
        add_term(c, FL_PREFIX_PART, t->parts[i], pos, c->wdf);
    if (c->field_prefix)
        add_term(c, c->field_prefix, t->stem, 0, 1);
    if (t->kind != FL_TOKEN_WORD || c->no_extras)
        return 0;
    if (t->exact && fl_spelling_word(t->exact, strlen(t->exact)))
        strset_add(&c->spelling, t->exact, strlen(t->exact));
    if (t->flags & FL_TOKFLAG_STOPWORD)
        return 0;
    /* Autocomplete entries cost a posting per word per document (a quarter
     * of all postings when every word had one).  Completions are wanted for
     * nouns, names and acronyms -- German writes them with a capital -- and
     * for the words of titles, teasers and headings; a body word written in
     * lower case only (verbs, adjectives, particles) gets none. */
    if (!c->field_prefix && !has_upper(t->surface, t->surface_len))
        return 0;
    /* Autocomplete: XW<key>\t<surface as written>. */
    fl_buf_reset(&c->key);
    fl_buf_puts(&c->key, "XW");
    fl_suggest_key(t->surface, t->surface_len, &c->key);
    if (count_cps(c->key.data + 2, c->key.len - 2) < FL_SUGGEST_MIN_LETTERS)
        return 0;
    fl_buf_putc(&c->key, '\t');
    fl_buf_append(&c->key, t->surface, t->surface_len);
    if (c->key.len <= FL_MAX_TERM_LEN)
        strset_add(&c->suggest, c->key.data, c->key.len);
    return 0;
}

/* Indexes one chunk (a field or a section part); returns 0 or -1 with *err. */
static int index_chunk(const fl_analyzer *an, ctx *c, const char *text, size_t len,
                       const char *field_prefix, uint32_t wdf, char **err)
{
    if (!text || !len)
        return 0;
    c->field_prefix = field_prefix;
    c->wdf = wdf;
    uint32_t before = c->last;
    if (fl_analyze(an, text, len, on_token, c, err) < 0)
        return -1;
    if (c->st != FL_XOK)
        return fl_err_set(err, "adding terms: %s", fl_xlast_error());
    if (c->last > before)
        c->base = c->last + FL_DOCBUILD_GAP;
    return 0;
}

/* The XS terms of a title or short name: its first 1..FL_TITLE_START_WORDS
 * words that are no stop words (fl_terms.h). */
static int add_title_start(const fl_analyzer *an, ctx *c, const char *text, char **err)
{
    fl_buf lead = FL_BUF_INIT, key = FL_BUF_INIT;
    long n = fl_analyzer_lead_words(an, text, strlen(text), FL_TITLE_START_WORDS,
                                    FL_TITLE_START_SEP, &lead, err);
    if (n < 0) {
        fl_buf_free(&lead);
        return -1;
    }
    const char *s = fl_buf_cstr(&lead);
    for (size_t i = 1; i <= lead.len; i++)
        if (i == lead.len || s[i] == FL_TITLE_START_SEP) {
            fl_buf_reset(&key);
            fl_title_start_key(s, i, &key);
            add_term(c, FL_PREFIX_TITLE_START, fl_buf_cstr(&key), 0, 1);
        }
    fl_buf_free(&lead);
    fl_buf_free(&key);
    return 0;
}

/* The words of a page's source path, so that a page is found by its slug or
 * folder ("b/bgb/index.md" → "bgb", "_beitraege/rueckblick-ki-meetup.md" →
 * "beitraege rueckblick ki meetup"): folders and file name without
 * extension, leading "_" and a leading "YYYY-MM-DD-" of posts; "index" and
 * one-character segments (the laws' "b/" letter folders) are left out.
 * "-", "_" and "." separate words. */
static void path_words(const char *id, fl_buf *out)
{
    const char *end = id + strlen(id);
    const char *slash = strrchr(id, '/');
    const char *dot = strrchr(id, '.');
    if (dot && (!slash || dot > slash))
        end = dot;
    for (const char *seg = id; seg < end;) {
        const char *se = memchr(seg, '/', (size_t)(end - seg));
        if (!se)
            se = end;
        const char *a = seg;
        while (a < se && *a == '_')
            a++;
        if (se - a >= 11 && a[4] == '-' && a[7] == '-' && a[10] == '-' &&
            strspn(a, "0123456789-") >= 11)
            a += 11;
        size_t n = (size_t)(se - a);
        if (n > 1 && !(n == 5 && memcmp(a, "index", 5) == 0)) {
            if (out->len)
                fl_buf_putc(out, ' ');
            for (const char *q = a; q < se; q++)
                fl_buf_putc(out, (*q == '-' || *q == '_' || *q == '.') ? ' ' : *q);
        }
        seg = se + 1;
    }
}

static int set_value(fl_xdoc *doc, unsigned slot, const char *v, size_t len, char **err)
{
    if (fl_xdoc_set_value(doc, slot, v, len) != FL_XOK)
        return fl_err_set(err, "setting value %u: %s", slot, fl_xlast_error());
    return 0;
}

static int add_facets(const fl_docbuild_config *cfg, const fl_page *p, fl_built_doc *out,
                      char **err)
{
    fl_buf keys = FL_BUF_INIT, disp = FL_BUF_INIT, term = FL_BUF_INIT, key = FL_BUF_INIT;
    int rc = 0;
    for (size_t f = 0; cfg && f < cfg->nfacets && rc == 0; f++) {
        const fl_facet_values *fv = NULL;
        for (size_t i = 0; i < p->nfacets; i++)
            if (strcmp(p->facets[i].name, cfg->facet_names[f]) == 0)
                fv = &p->facets[i];
        if (!fv)
            continue;
        fl_buf_reset(&keys);
        fl_buf_reset(&disp);
        strset seen = {0};
        for (size_t v = 0; v < fv->values.n; v++) {
            const char *val = fv->values.items[v];
            fl_buf_reset(&key);
            char *kerr = NULL;
            if (fl_norm_facet_key(val, strlen(val), &key, &kerr) < 0 || key.len == 0) {
                free(kerr);
                continue;
            }
            fl_buf_reset(&term);
            fl_buf_printf(&term, "%s%s:%s", FL_PREFIX_FACET, cfg->facet_names[f], key.data);
            if (term.len > FL_MAX_TERM_LEN || !strset_add(&seen, key.data, key.len))
                continue;
            if (fl_xdoc_add_boolean_term(out->doc, term.data, term.len) != FL_XOK) {
                rc = fl_err_set(err, "adding facet term: %s", fl_xlast_error());
                break;
            }
            if (keys.len) {
                fl_buf_putc(&keys, FL_FACET_SEP);
                fl_buf_putc(&disp, FL_FACET_SEP);
            }
            fl_buf_append(&keys, key.data, key.len);
            fl_buf_puts(&disp, val);
            out->facets = fl_xrealloc(out->facets, (out->nfacets + 1) * sizeof *out->facets);
            fl_built_facet *bf = &out->facets[out->nfacets++];
            bf->facet = (unsigned)f;
            bf->name = fl_xstrdup(cfg->facet_names[f]);
            bf->key = fl_xstrdup(key.data);
            bf->display = fl_xstrdup(val);
        }
        strset_free(&seen);
        if (rc == 0 && keys.len) {
            rc = set_value(out->doc, FL_SLOT_FACET0 + (unsigned)f, keys.data, keys.len, err);
            if (rc == 0)
                rc = set_value(out->doc, FL_SLOT_FACET_DISPLAY0 + (unsigned)f, disp.data,
                               disp.len, err);
        }
    }
    fl_buf_free(&keys);
    fl_buf_free(&disp);
    fl_buf_free(&term);
    fl_buf_free(&key);
    return rc;
}

/* The raw tokens of s[0..len) (each takes one position, fl_docbuild.h). */
static uint32_t raw_tokens(const char *s, size_t len)
{
    size_t pos = 0;
    fl_rawtoken rt;
    uint32_t n = 0;
    while (fl_tokenize_next(s, len, &pos, &rt))
        n++;
    return n;
}

/* The metadata entry of a section: anchor, title, token checkpoints, text. */
static void section_entry(const fl_section *s, fl_buf *out)
{
    /* The text as index_chunk numbered its tokens: text_len bytes. */
    const char *text = s->text ? s->text : "";
    size_t len = s->text ? s->text_len : 0, pos = 0, n = 0, cap = 0;
    size_t *checks = NULL;
    fl_rawtoken rt;
    for (size_t k = 0; fl_tokenize_next(text, len, &pos, &rt); k++) {
        if (k == 0 || k % FL_SECENTRY_STRIDE)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            checks = fl_xrealloc(checks, cap * sizeof *checks);
        }
        checks[n++] = rt.start;
    }
    fl_secentry_encode(s->anchor, s->title, checks, n, text, len, out);
    free(checks);
}

int fl_docbuild(const fl_analyzer *an, const fl_docbuild_config *cfg, fl_page *p,
                int64_t mtime, int64_t size, fl_built_doc *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!p->id || !*p->id)
        return fl_err_set(err, "page without an id");
    size_t idlen = strlen(p->id);
    if (idlen + strlen(FL_PREFIX_ID) > FL_MAX_TERM_LEN ||
        idlen + strlen(FL_META_SECTION_PREFIX) + 12 > FL_MAX_TERM_LEN)
        return fl_err_set(err, "%s: path too long to index (%zu bytes)", p->id, idlen);
    if (fl_xdoc_new(&out->doc) != FL_XOK)
        return fl_err_set(err, "creating document: %s", fl_xlast_error());
    out->id = fl_xstrdup(p->id);
    out->idterm = fl_xasprintf("%s%s", FL_PREFIX_ID, p->id);

    ctx c = {0};
    c.doc = out->doc;
    int rc = 0;
    if (p->title)
        rc = index_chunk(an, &c, p->title, strlen(p->title), FL_PREFIX_TITLE, FL_WDF_TITLE, err);
    if (rc == 0 && p->title)
        rc = add_title_start(an, &c, p->title, err);
    /* Short names (jurabk, abbreviation, ...) weigh like the title. */
    for (size_t i = 0; rc == 0 && i < p->keywords.n; i++) {
        rc = index_chunk(an, &c, p->keywords.items[i], strlen(p->keywords.items[i]),
                         FL_PREFIX_TITLE, FL_WDF_TITLE, err);
        if (rc == 0)
            rc = add_title_start(an, &c, p->keywords.items[i], err);
    }
    if (rc == 0 && p->teaser)
        rc = index_chunk(an, &c, p->teaser, strlen(p->teaser), FL_PREFIX_TEASER, FL_WDF_TEASER,
                         err);
    for (size_t i = 0; rc == 0 && i < p->nsections; i++) {
        fl_section *s = &p->sections[i];
        uint32_t start = c.base + 1;
        uint32_t last_before = c.last;
        if (s->title && *s->title)
            rc = index_chunk(an, &c, s->title, strlen(s->title), FL_PREFIX_HEADING,
                             FL_WDF_HEADING, err);
        if (rc == 0 && s->text)
            rc = index_chunk(an, &c, s->text, s->text_len, NULL, FL_WDF_BODY, err);
        s->pos_start = start;
        s->pos_end = c.last > last_before ? c.last + 1 : start;
        s->title_tokens = s->title ? raw_tokens(s->title, strlen(s->title)) : 0;
    }
    if (rc == 0 && p->nsections == 0 && p->body)
        rc = index_chunk(an, &c, p->body, p->body_len, NULL, FL_WDF_BODY, err);

    /* The path's words, after everything else, with the body's weight and
     * without spelling or autocomplete entries ("rueckblick" is no word to
     * suggest). */
    if (rc == 0) {
        fl_buf pw = FL_BUF_INIT;
        path_words(p->id, &pw);
        c.no_extras = true;
        if (pw.len)
            rc = index_chunk(an, &c, pw.data, pw.len, NULL, FL_WDF_BODY, err);
        c.no_extras = false;
        fl_buf_free(&pw);
    }

    /* The title as a whole is an autocomplete entry too. */
    if (rc == 0 && p->title && *p->title) {
        fl_buf_reset(&c.key);
        fl_buf_puts(&c.key, "XW");
        fl_suggest_key(p->title, strlen(p->title), &c.key);
        fl_buf_putc(&c.key, '\t');
        fl_buf_puts(&c.key, p->title);
        if (c.key.len <= FL_MAX_TERM_LEN && c.key.len > 3 && !strchr(p->title, '\n'))
            strset_add(&c.suggest, c.key.data, c.key.len);
    }
    for (size_t i = 0; rc == 0 && i < c.plain.cap; i++) {
        const tcount *e = &c.plain.slots[i];
        if (e->term && fl_xdoc_add_term(out->doc, e->term, strlen(e->term), e->wdf) != FL_XOK)
            rc = fl_err_set(err, "adding terms: %s", fl_xlast_error());
    }
    for (size_t i = 0; rc == 0 && i < c.suggest.cap; i++) {
        const char *t = c.suggest.slots[i];
        if (t && fl_xdoc_add_boolean_term(out->doc, t, strlen(t)) != FL_XOK)
            rc = fl_err_set(err, "adding autocomplete term: %s", fl_xlast_error());
    }
    for (size_t i = 0; i < c.spelling.cap; i++)
        if (c.spelling.slots[i])
            fl_strlist_push(&out->spelling, c.spelling.slots[i]);

    if (rc == 0 && fl_xdoc_add_boolean_term(out->doc, out->idterm, strlen(out->idterm)) != FL_XOK)
        rc = fl_err_set(err, "adding id term: %s", fl_xlast_error());
    if (rc == 0 && p->collection && *p->collection) {
        char *k = fl_xasprintf("%s%s", FL_PREFIX_KIND, p->collection);
        if (strlen(k) <= FL_MAX_TERM_LEN && fl_xdoc_add_boolean_term(out->doc, k, strlen(k)) != FL_XOK)
            rc = fl_err_set(err, "adding kind term: %s", fl_xlast_error());
        free(k);
    }
    if (rc == 0)
        rc = add_facets(cfg, p, out, err);

    /* Values. */
    fl_buf v = FL_BUF_INIT;
    if (rc == 0 && p->date && strlen(p->date) >= 10) {
        const char *d = p->date;
        fl_buf_append(&v, d, 4);
        fl_buf_append(&v, d + 5, 2);
        fl_buf_append(&v, d + 8, 2);
        rc = set_value(out->doc, FL_SLOT_DATE, v.data, v.len, err);
    }
    if (rc == 0 && out->id) {
        rc = set_value(out->doc, FL_SLOT_ID, out->id, strlen(out->id), err);
        fl_buf di = FL_BUF_INIT;
        if (v.len == 8)
            fl_buf_append(&di, v.data, 8);
        else
            fl_buf_puts(&di, "00000000");
        fl_buf_putc(&di, '\x1f');
        fl_buf_puts(&di, out->id);
        if (rc == 0)
            rc = set_value(out->doc, FL_SLOT_DATE_ID, di.data, di.len, err);
        /* The same with the date counted down (99999999 - YYYYMMDD, each
         * digit d as 9 - d): newest first in ascending order. */
        for (size_t i = 0; i < 8; i++)
            if (di.data[i] >= '0' && di.data[i] <= '9')
                di.data[i] = (char)('9' - (di.data[i] - '0'));
        if (rc == 0)
            rc = set_value(out->doc, FL_SLOT_NEWEST_ID, di.data, di.len, err);
        fl_buf_free(&di);
    }
    if (rc == 0 && p->content_hash)
        rc = set_value(out->doc, FL_SLOT_HASH, p->content_hash, strlen(p->content_hash), err);
    if (rc == 0) {
        fl_buf_reset(&v);
        fl_mtime_value(mtime, size, &v);
        rc = set_value(out->doc, FL_SLOT_MTIME, v.data, v.len, err);
    }
    /* Data (after the sections got their positions). */
    if (rc == 0) {
        fl_buf_reset(&v);
        fl_docdata_encode(p, &v);
        if (fl_xdoc_set_data(out->doc, v.data ? v.data : "", v.len) != FL_XOK)
            rc = fl_err_set(err, "setting document data: %s", fl_xlast_error());
    }
    fl_buf_free(&v);
    if (rc == 0 && p->nsections) {
        out->nsections = p->nsections;
        out->section_entries = fl_xcalloc(p->nsections, sizeof *out->section_entries);
        for (size_t i = 0; i < p->nsections; i++) {
            section_entry(&p->sections[i], &out->section_entries[i]);
            free(p->sections[i].text);
            p->sections[i].text = NULL;
        }
    }
    strset_free(&c.spelling);
    strset_free(&c.suggest);
    tcounts_free(&c.plain);
    fl_buf_free(&c.term);
    fl_buf_free(&c.key);
    if (rc != 0)
        fl_built_doc_free(out);
    return rc;
}

void fl_built_doc_free(fl_built_doc *b)
{
    free(b->id);
    free(b->idterm);
    fl_xdoc_free(b->doc);
    fl_strlist_free(&b->spelling);
    for (size_t i = 0; i < b->nfacets; i++) {
        free(b->facets[i].name);
        free(b->facets[i].key);
        free(b->facets[i].display);
    }
    free(b->facets);
    for (size_t i = 0; i < b->nsections; i++)
        fl_buf_free(&b->section_entries[i]);
    free(b->section_entries);
    memset(b, 0, sizeof *b);
}
