/* fuzz_site.c — a whole document through the site reader (fl_site.h):
 * _config.yml handling, front matter fields, defaults, permalinks, dates,
 * facets and the Markdown body, as `findling index` reads a file.
 *
 * The input up to its first NUL byte becomes the site's _config.yml (no
 * NUL: a fixed config with defaults and a collection); the rest becomes a
 * post, a collection document and a page in a scratch Jekyll site, which is
 * opened, walked and read.  Properties: reading fails only with a message
 * naming the file; a page read has id, url and collection, valid UTF-8 in
 * every field shown to users, a "YYYY-MM-DD" date when dated, a 16-digit
 * hash, and section positions that are not set yet (0). */
#include "fuzz_util.h"

#include "fl_config.h"
#include "fl_page.h"
#include "fl_site.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>

static const char default_config[] =
    "title: Fuzz\n"
    "baseurl: /lab\n"
    "permalink: pretty\n"
    "timezone: Europe/Berlin\n"
    "collections:\n"
    "  beitraege:\n"
    "    output: true\n"
    "    permalink: /beitraege/:title/\n"
    "defaults:\n"
    "  - scope: {path: \"\", type: beitraege}\n"
    "    values: {layout: post, category: Allgemein}\n";

static void check_str(const char *what, const char *s)
{
    fuzz_check_utf8_str(what, s);
}

static void check_list(const char *what, const fl_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        check_str(what, l->items[i]);
}

static void check_page(const fl_page *p)
{
    FUZZ_CHECK(p->id && p->url && p->collection, "page without id, url or collection");
    check_str("url", p->url);
    check_str("title", p->title);
    check_str("teaser", p->teaser);
    check_str("datetime", p->datetime);
    check_str("image", p->image);
    check_str("lang", p->lang);
    check_list("author", &p->authors);
    check_list("category", &p->categories);
    check_list("tag", &p->tags);
    if (p->date) {
        bool ok = strlen(p->date) == 10 && p->date[4] == '-' && p->date[7] == '-';
        FUZZ_CHECK(ok, "date '%s'", p->date);
    }
    FUZZ_CHECK(p->content_hash && strlen(p->content_hash) == 16, "content hash");
    for (size_t i = 0; i < p->nfacets; i++) {
        FUZZ_CHECK(p->facets[i].name, "facet without a name");
        check_list("facet value", &p->facets[i].values);
    }
    fuzz_check_utf8("body", p->body, p->body_len);
    for (size_t i = 0; i < p->nsections; i++) {
        check_str("section title", p->sections[i].title);
        check_str("section anchor", p->sections[i].anchor);
    }
    for (size_t i = 0; i < p->nwarnings; i++)
        FUZZ_CHECK(p->warnings[i].message && p->warnings[i].line >= 0, "bad warning");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char *root, *cfg_path, *post, *doc, *page;
    static fl_config *cfg;
    if (!root) {
        root = fl_xasprintf("%s/site", fuzz_tmpdir());
        mkdir(root, 0755);
        char *d = fl_xasprintf("%s/_posts", root);
        mkdir(d, 0755);
        free(d);
        d = fl_xasprintf("%s/_beitraege", root);
        mkdir(d, 0755);
        free(d);
        cfg_path = fl_xasprintf("%s/_config.yml", root);
        post = fl_xasprintf("%s/_posts/2025-03-01-fuzz-test.md", root);
        doc = fl_xasprintf("%s/_beitraege/fuzz.md", root);
        page = fl_xasprintf("%s/seite.md", root);
        cfg = fl_config_new_default();
    }
    const uint8_t *nul = memchr(data, 0, size);
    const char *body = (const char *)data;
    size_t body_len = size;
    if (nul) {
        fuzz_write_file(cfg_path, data, (size_t)(nul - data));
        body = (const char *)nul + 1;
        body_len = size - (size_t)(nul - data) - 1;
    } else {
        fuzz_write_file(cfg_path, default_config, sizeof default_config - 1);
    }
    fuzz_write_file(post, body, body_len);
    fuzz_write_file(doc, body, body_len);
    fuzz_write_file(page, body, body_len);

    char *err = NULL;
    fl_site *s = fl_site_open(root, cfg, &err);
    if (!s) {
        FUZZ_CHECK(err && strstr(err, "_config.yml"), "open failed, message '%s'",
                   err ? err : "(none)");
        free(err);
        return 0;
    }
    fl_site_files fs;
    FUZZ_CHECK(fl_site_list(s, false, &fs, &err) == 0, "walk failed: %s", err);
    for (size_t i = 0; i < fs.n; i++) {
        fl_page p;
        fl_site_skip skip;
        /* 2025-06-01: some documents are dated in the future */
        if (fl_site_read(s, &fs.files[i], (time_t)1748736000, &p, &skip, &err) != 0) {
            FUZZ_CHECK(err && strstr(err, fs.files[i].relpath), "read failed, message '%s'",
                       err ? err : "(none)");
            free(err);
            err = NULL;
        } else {
            FUZZ_CHECK(strcmp(p.id, fs.files[i].relpath) == 0, "id '%s'", p.id);
            FUZZ_CHECK(skip == FL_SKIP_NONE || *fl_site_skip_reason(skip), "skip without reason");
            check_page(&p);
        }
        fl_page_free(&p);
    }
    fl_site_files_free(&fs);
    fl_site_close(s);
    return 0;
}
