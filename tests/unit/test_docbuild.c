/* test_docbuild.c — fl_page → Xapian document, and the autocomplete key. */
#include "fl_docbuild.h"
#include "fl_docdata.h"
#include "fl_terms.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void key_is(const char *in, const char *want)
{
    fl_buf b = FL_BUF_INIT;
    fl_suggest_key(in, strlen(in), &b);
    is_str(fl_buf_cstr(&b), want, "suggest key of '%s'", in);
    fl_buf_free(&b);
}

typedef struct found {
    const char *want;
    uint32_t wdf;
    bool seen;
} found;

static int find_term(void *ud, const char *t, size_t len, uint32_t wdf)
{
    found *f = ud;
    if (strlen(f->want) == len && memcmp(f->want, t, len) == 0) {
        f->seen = true;
        f->wdf = wdf;
    }
    return 0;
}

static bool has_term(fl_xdoc *d, const char *t, uint32_t *wdf)
{
    found f = {t, 0, false};
    fl_xdoc_termlist(d, find_term, &f);
    if (wdf)
        *wdf = f.wdf;
    return f.seen;
}

static void add_section(fl_page *p, const char *title, const char *anchor, const char *text)
{
    p->sections = fl_xrealloc(p->sections, (p->nsections + 1) * sizeof *p->sections);
    fl_section *s = &p->sections[p->nsections++];
    memset(s, 0, sizeof *s);
    s->title = fl_xstrdup(title);
    s->anchor = fl_xstrdup(anchor);
    s->level = *title ? 2 : 0;
    s->text = fl_xstrdup(text);
    s->text_len = strlen(text);
}

static void spelt_is(const char *in, const char *want)
{
    fl_buf b = FL_BUF_INIT;
    fl_suggest_key_spelt(in, strlen(in), &b);
    is_str(fl_buf_cstr(&b), want, "spelt-out suggest key of '%s'", in);
    fl_buf_free(&b);
}

int main(void)
{
    spelt_is("Bürger*innen", "buergerinnen");
    spelt_is("Buerger", "buerger");
    spelt_is("ÄRZTE Öl Übung", "aerzteoeluebung");
    spelt_is("Straße", "strasse");
    spelt_is("Zoë Çelik", "zoecelik");
    key_is("Bürger*innen", "burgerinnen");
    key_is("Buerger", "burger");
    key_is("Straße", "strasse");
    key_is("Zoë Çelik", "zocelik");
    key_is("KI-Meetup 2026", "kimeetup");
    static const struct { const char *words, *want; } ts[] = {
        {"bürgerliches gesetzbuch", "burgerliches gesetzbuch"},
        {"buergerliches gesetzbuch", "burgerliches gesetzbuch"},
        {"whg 2009", "whg 2009"},
        {"§622", "§622"},
        {"straße", "strasse"}};
    for (size_t i = 0; i < sizeof ts / sizeof *ts; i++) {
        fl_buf b = FL_BUF_INIT;
        fl_title_start_key(ts[i].words, strlen(ts[i].words), &b);
        is_str(fl_buf_cstr(&b), ts[i].want, "title start key of '%s'", ts[i].words);
        fl_buf_free(&b);
    }

    char *err = NULL;
    fl_analyzer *an = fl_analyzer_new(NULL, &err);
    ok(an != NULL, "analyzer created (%s)", err ? err : "");
    if (!an)
        return tap_done();

    fl_page p;
    fl_page_init(&p);
    p.id = fl_xstrdup("_beitraege/x.md");
    p.url = fl_xstrdup("/beitraege/x/");
    p.collection = fl_xstrdup("beitraege");
    p.title = fl_xstrdup("Zivilgesellschaft im Rathaus");
    p.teaser = fl_xstrdup("Ein Abend für Bürger*innen");
    p.date = fl_xstrdup("2025-03-01");
    p.content_hash = fl_xstrdup("00112233aabbccdd");
    p.nfacets = 1;
    p.facets = fl_xcalloc(1, sizeof *p.facets);
    p.facets[0].name = fl_xstrdup("author");
    fl_strlist_push(&p.facets[0].values, "Zoë Çelik");
    add_section(&p, "", "", "Einleitung ohne Überschrift.");
    add_section(&p, "Pizza und Vernetzung", "pizza-und-vernetzung", "Wir trafen uns im Labor.");

    const char *names[] = {"category", "author"};
    fl_docbuild_config cfg = {names, 2};
    fl_built_doc d;
    int rc = fl_docbuild(an, &cfg, &p, 1700000000123456789LL, 1234, &d, &err);
    ok(rc == 0, "docbuild succeeds (%s)", err ? err : "");
    if (rc != 0)
        return tap_done();
    uint32_t wdf = 0;
    ok(has_term(d.doc, "Q_beitraege/x.md", NULL), "unique id term");
    ok(has_term(d.doc, "XKbeitraege", NULL), "kind term");
    ok(has_term(d.doc, "XFauthor:zoe celik", NULL), "facet term by key");
    ok(has_term(d.doc, "Srathaus", NULL), "title field term");
    ok(has_term(d.doc, "rathaus", &wdf) && wdf == FL_WDF_TITLE, "title word weighted (wdf %u)", wdf);
    ok(has_term(d.doc, "Erathaus", NULL), "exact term");
    ok(has_term(d.doc, "XHpizza", NULL), "heading field term");
    ok(has_term(d.doc, "XWrathaus\tRathaus", NULL), "autocomplete term keeps the surface");
    ok(has_term(d.doc, "XWzivilgesellschaftimrathaus\tZivilgesellschaft im Rathaus", NULL),
       "the title is an autocomplete entry");
    /* How the title starts: "im" is a stop word, so the second key has the
     * first two words that are none. */
    ok(has_term(d.doc, "XSzivilgesellschaft", NULL), "title start: first word");
    ok(has_term(d.doc, "XSzivilgesellschaft rathaus", NULL), "title start: first two words");
    ok(!has_term(d.doc, "XSzivilgesellschaft im", NULL) && !has_term(d.doc, "XSrathaus", NULL),
       "title start: no stop word, nothing from the middle");
    ok(fl_strlist_contains(&d.spelling, "rathaus"), "spelling word");
    ok(!fl_strlist_contains(&d.spelling, "im"), "short words are not spelling words");
    is_int((int)d.nfacets, 1, "one facet value");
    is_str(d.facets[0].display, "Zoë Çelik", "facet display spelling");
    is_int((int)d.nsections, 2, "section entries made");
    fl_secentry se;
    ok(d.nsections == 2 &&
           fl_secentry_decode(d.section_entries[1].data, d.section_entries[1].len, &se) == 0 &&
           se.text_len == 24 && memcmp(se.text, "Wir trafen uns im Labor.", 24) == 0,
       "section text in its entry");
    ok(d.nsections == 2 && se.title_len == 20 && memcmp(se.title, "Pizza und Vernetzung", 20) == 0 &&
           se.anchor_len == 20 && memcmp(se.anchor, "pizza-und-vernetzung", 20) == 0,
       "the entry carries the heading and its anchor");
    is_int((int)p.sections[1].title_tokens, 3, "title tokens counted");
    is_int((int)p.sections[0].title_tokens, 0, "no title, no title tokens");

    char *v = NULL;
    size_t vl = 0;
    fl_xdoc_get_value(d.doc, FL_SLOT_DATE, &v, &vl);
    is_str(v ? v : "", "20250301", "date value");
    free(v);
    fl_xdoc_get_value(d.doc, FL_SLOT_DATE_ID, &v, &vl);
    is_str(v ? v : "", "20250301\x1f_beitraege/x.md", "oldest-first browse key: date, id");
    free(v);
    fl_xdoc_get_value(d.doc, FL_SLOT_NEWEST_ID, &v, &vl);
    is_str(v ? v : "", "79749698\x1f_beitraege/x.md",
           "newest-first browse key: 99999999 - date, id");
    free(v);
    fl_xdoc_get_value(d.doc, FL_SLOT_MTIME, &v, &vl);
    is_str(v ? v : "", "1700000000123456789:1234", "mtime value");
    free(v);
    fl_xdoc_get_value(d.doc, FL_SLOT_FACET0 + 1, &v, &vl);
    is_str(v ? v : "", "zoe celik", "facet key slot");
    free(v);
    fl_xdoc_get_value(d.doc, FL_SLOT_FACET_DISPLAY0 + 1, &v, &vl);
    is_str(v ? v : "", "Zoë Çelik", "facet display slot");
    free(v);

    /* Positions: title from 1, fields >= FL_DOCBUILD_GAP apart. */
    ok(p.sections[0].pos_start > 3 + FL_DOCBUILD_GAP, "first section after the title and teaser");
    ok(p.sections[1].pos_start >= p.sections[0].pos_end + FL_DOCBUILD_GAP - 1,
       "sections are a gap apart (%u, %u)", p.sections[0].pos_end, p.sections[1].pos_start);
    ok(p.sections[1].pos_end > p.sections[1].pos_start, "section range not empty");

    /* Positions and data through a real database. */
    char tmpl[] = "/tmp/fl-docbuild-XXXXXX";
    char *dir = mkdtemp(tmpl);
    char *path = fl_xasprintf("%s/db", dir);
    fl_xdb *db = NULL;
    ok(fl_xdb_open_writable(path, FL_XDB_CREATE, 0, &db) == FL_XOK, "temp db");
    fl_xdocid id = 0;
    ok(db && fl_xdb_add_document(db, d.doc, &id) == FL_XOK, "document added");
    fl_xtermpos *pos = NULL;
    size_t np = 0;
    if (db) {
        fl_xdb_positions(db, id, "rathaus", 7, &pos, &np);
        ok(np == 1 && pos[0] == 3, "title word 'Rathaus' at position 3");
        free(pos);
        pos = NULL;
        fl_xdb_positions(db, id, "labor", 5, &pos, &np);
        ok(np == 1 && pos[0] >= p.sections[1].pos_start && pos[0] < p.sections[1].pos_end,
           "body word inside its section's range");
        free(pos);
        pos = NULL;
        fl_xdb_positions(db, id, "Pgesellschaft", 13, &pos, &np);
        ok(np == 1 && pos[0] == 1, "compound part at the compound's position");
        free(pos);
        fl_xdoc *back = NULL;
        char *data = NULL;
        size_t dl = 0;
        fl_xdb_get_document(db, id, &back);
        if (back)
            fl_xdoc_get_data(back, &data, &dl);
        fl_page q;
        fl_page_init(&q);
        ok(data && fl_docdata_decode(data, dl, &q, &err) == 0 && q.nsections == 2 &&
               q.sections[1].pos_start == p.sections[1].pos_start,
           "document data carries the section positions");
        fl_page_free(&q);
        free(data);
        fl_xdoc_free(back);
    }
    fl_xdb_free(db);
    char *cmd = fl_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    free(cmd);
    free(path);

    /* A too long id fails cleanly. */
    fl_built_doc d2;
    free(p.id);
    p.id = malloc(400);
    memset(p.id, 'a', 399);
    p.id[399] = '\0';
    char *err2 = NULL;
    ok(fl_docbuild(an, &cfg, &p, 0, 0, &d2, &err2) != 0 && err2 && strstr(err2, "too long"),
       "over-long id rejected: %s", err2 ? err2 : "");
    free(err2);

    ok(fl_spelling_word("bürgerinnen", strlen("bürgerinnen")), "letters-only word is spellable");
    ok(!fl_spelling_word("ki-meetup", 9), "hyphenated word is not");
    ok(!fl_spelling_word("2025", 4), "number is not");

    fl_built_doc_free(&d);
    fl_page_free(&p);

    /* A long section: a checkpoint at every FL_SECENTRY_STRIDE-th raw token of
     * its text ("§ 3" is one token of four bytes, so offsets are no multiple
     * of a word's). */
    fl_page_init(&p);
    p.id = fl_xstrdup("lang.md");
    fl_buf text = FL_BUF_INIT;
    size_t starts[200];
    for (size_t k = 0; k < 200; k++) {
        starts[k] = text.len;
        fl_buf_printf(&text, k % 7 == 3 ? "§ %zu " : "Wort%zu ", k);
    }
    add_section(&p, "Lang", "lang", fl_buf_cstr(&text));
    rc = fl_docbuild(an, &cfg, &p, 0, 0, &d, &err);
    ok(rc == 0 && d.nsections == 1 &&
           fl_secentry_decode(d.section_entries[0].data, d.section_entries[0].len, &se) == 0,
       "long section built");
    if (rc == 0 && d.nsections == 1) {
        size_t want = (200 - 1) / FL_SECENTRY_STRIDE;
        is_int((int)se.nchecks, (int)want, "a checkpoint every %d tokens: %zu of them",
               FL_SECENTRY_STRIDE, want);
        for (size_t j = 1; j <= se.nchecks && j <= want; j++)
            is_int((int)fl_secentry_checkpoint(&se, j), (int)starts[FL_SECENTRY_STRIDE * j],
                   "checkpoint %zu is the start of token %zu", j, FL_SECENTRY_STRIDE * j);
        size_t before = 0;
        is_int((int)fl_secentry_checkpoint_before(&se, starts[3 * FL_SECENTRY_STRIDE + 5], &before),
               (int)starts[3 * FL_SECENTRY_STRIDE], "the checkpoint before a byte");
        is_int((int)before, 3, "…is checkpoint 3");
        is_int((int)p.sections[0].title_tokens, 1, "one title token");
        fl_built_doc_free(&d);
    }
    fl_buf_free(&text);
    fl_page_free(&p);
    fl_analyzer_free(an);
    free(err);
    return tap_done();
}
