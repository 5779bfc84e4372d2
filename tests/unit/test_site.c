/* Tests for indexer/site.c, frontmatter.c and config.c on hand-written
 * sites (URLs verified with Debian's jekyll 4.3) and, when present, the
 * real corpora and the example site's jekyll fixtures. */
#include "fl_config.h"
#include "fl_frontmatter.h"
#include "fl_site.h"
#include "fl_yaml.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[1024];

static void put(const char *rel, const char *content, size_t len)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            mkdir(path, 0755);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    fwrite(content, 1, len ? len : strlen(content), f);
    fclose(f);
}

/* Reads every listed file; returns pages by id via callbacks below. */
typedef struct {
    fl_page pages[256];
    fl_site_skip skips[256];
    char *errs[256];
    int n;
    fl_site_files fs;
} run_t;

static int run(run_t *r, const fl_config *cfg, time_t now)
{
    char *err = NULL;
    memset(r, 0, sizeof *r);
    fl_site *s = fl_site_open(root, cfg, &err);
    if (!s) {
        diag("open: %s", err);
        free(err);
        return -1;
    }
    fl_site_list(s, false, &r->fs, &err);
    for (size_t i = 0; i < r->fs.n && i < 256; i++) {
        if (fl_site_read(s, &r->fs.files[i], now, &r->pages[i], &r->skips[i], &r->errs[i]) != 0 &&
            !r->errs[i])
            r->errs[i] = strdup("?");
        r->n++;
    }
    fl_site_close(s);
    return 0;
}

static int find(run_t *r, const char *id)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->fs.files[i].relpath, id))
            return i;
    return -1;
}

static const char *url_of(run_t *r, const char *id)
{
    int i = find(r, id);
    return i < 0 ? "(not listed)" : r->pages[i].url ? r->pages[i].url : "(none)";
}

static void run_free(run_t *r)
{
    for (int i = 0; i < r->n; i++) {
        fl_page_free(&r->pages[i]);
        free(r->errs[i]);
    }
    fl_site_files_free(&r->fs);
}

static void clean(void)
{
    char cmd[1100];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    if (system(cmd) != 0)
        diag("cleanup failed");
    snprintf(root, sizeof root, "/tmp/fl-site-XXXXXX");
    if (!mkdtemp(root))
        abort();
}

static const char *FM = "---\ntitle: T\n---\nText\n";

int main(void)
{
    snprintf(root, sizeof root, "/tmp/fl-site-XXXXXX");
    if (!mkdtemp(root))
        return 1;
    static run_t r;
    time_t now = 1767225600; /* 2026-01-01 */

    /* --- permalink styles (each checked with jekyll 4.3) --- */
    const char *posts[] = {
        "_posts/2025-03-01-hallo-welt.md", "---\ntitle: Hallo\ncategories: Foo Bar\n---\nx\n",
        "_posts/2025-03-02-zwei.md", "---\ncategory: Foo Bar\ndate: 2025-03-02 23:30:00 -0500\n---\nx\n",
        "_posts/2025-01-01-Über Straße_x.md", "---\ncategories: [Über Uns, Foo]\n---\nx\n",
        "news/_posts/2025-02-02-n.md", "---\n---\nx\n",
        "_beitraege/AI-Driven über_Straße & Co.md", FM,
        "_things/sub/thing-one.md", FM,
        "_things/nofm.md", "no front matter\n",
        "_hidden/h.md", FM,
        "sub/dir/index.md", "---\n---\nx\n",
        "sub/page.md", "---\n---\nx\n",
        "sub/page2.html", "---\n---\n<p>x</p>\n",
        "sub/page3.md", "no fm\n",
        "sub/custom.md", "---\npermalink: /custom/path.html\n---\nx\n",
        "about.markdown", "---\n---\n",
        "index.md", "---\n---\n",
        "_site/old.md", FM, "node_modules/x/r.md", FM, ".hidden.md", FM, "_drafts/d.md", FM,
        "README.md", FM, NULL};
    for (int i = 0; posts[i]; i += 2)
        put(posts[i], posts[i + 1], 0);
    const char *base_cfg = "timezone: Europe/Berlin\nexclude: [README.md]\ncollections:\n"
                           "  beitraege:\n    output: true\n    permalink: /beitraege/:name/\n"
                           "  things:\n    output: true\n  hidden:\n    output: false\n";
    char cfgtext[1024];
    snprintf(cfgtext, sizeof cfgtext, "permalink: pretty\n%s", base_cfg);
    put("_config.yml", cfgtext, 0);
    run(&r, NULL, now);
    is_int(r.n, 12, "pretty: documents listed (no _site, node_modules, hidden, drafts, static .md)");
    is_str(url_of(&r, "_posts/2025-03-01-hallo-welt.md"), "/foo/bar/2025/03/01/hallo-welt/", "pretty post, categories split");
    is_str(url_of(&r, "_posts/2025-03-02-zwei.md"), "/foo%20bar/2025/03/03/zwei/", "category: one value; offset date in site zone");
    is_str(url_of(&r, "_posts/2025-01-01-Über Straße_x.md"), "/%C3%BCber%20uns/foo/2025/01/01/%C3%9Cber-Stra%C3%9Fe_x/", ":title keeps case, escaped");
    is_str(url_of(&r, "news/_posts/2025-02-02-n.md"), "/news/2025/02/02/n/", "folder above _posts is a category");
    is_str(url_of(&r, "_beitraege/AI-Driven über_Straße & Co.md"), "/beitraege/ai-driven-%C3%BCber-stra%C3%9Fe-co/", ":name slugified");
    is_str(url_of(&r, "_things/sub/thing-one.md"), "/things/sub/thing-one/", "collection default /:collection/:path/");
    is_str(url_of(&r, "sub/dir/index.md"), "/sub/dir/", "index page");
    is_str(url_of(&r, "sub/page.md"), "/sub/page/", "page pretty");
    is_str(url_of(&r, "sub/page2.html"), "/sub/page2/", "html page with front matter");
    is_str(url_of(&r, "sub/custom.md"), "/custom/path.html", "front matter permalink wins");
    is_str(url_of(&r, "about.markdown"), "/about/", ".markdown page");
    is_str(url_of(&r, "index.md"), "/", "root index");
    ok(find(&r, "_things/nofm.md") < 0 && find(&r, "sub/page3.md") < 0, "files without front matter are static");
    ok(find(&r, "_hidden/h.md") < 0, "output: false collection skipped");
    int zi = find(&r, "_posts/2025-03-02-zwei.md");
    if (zi >= 0) {
        is_str(r.pages[zi].date, "2025-03-03", "date converted to site zone");
        ok(r.pages[zi].categories.n == 1 && !strcmp(r.pages[zi].categories.items[0], "Foo Bar"), "category scalar is one value");
    }
    int hi = find(&r, "_posts/2025-03-01-hallo-welt.md");
    if (hi >= 0)
        is_int(r.pages[hi].categories.n, 2, "categories string split on spaces");
    run_free(&r);

    snprintf(cfgtext, sizeof cfgtext,
             "permalink: /:categories/:year/:month/:day/:title:output_ext\nbaseurl: /base/\n"
             "defaults:\n  - scope: {path: \"sub\"}\n    values: {permalink: \"/fromdefault/:basename/\"}\n%s",
             base_cfg);
    put("_config.yml", cfgtext, 0);
    put("blog.md", "---\n---\nx\n", 0);
    put("_things/2024-01-01-dated-Thing.md", "---\ndate: 2025-01-05\n---\nx\n", 0);
    run(&r, NULL, now);
    is_str(url_of(&r, "_posts/2025-03-01-hallo-welt.md"), "/base/foo/bar/2025/03/01/hallo-welt.html", "custom pattern + baseurl");
    is_str(url_of(&r, "blog.md"), "/base/blog.html", "page suffix follows :output_ext");
    is_str(url_of(&r, "about.markdown"), "/base/about.html", "about.html");
    is_str(url_of(&r, "sub/dir/index.md"), "/base/fromdefault/index/", "permalink from defaults");
    is_str(url_of(&r, "sub/custom.md"), "/base/custom/path.html", "front matter beats defaults");
    is_str(url_of(&r, "_things/2024-01-01-dated-Thing.md"), "/base/things/2024-01-01-dated-Thing.html", "collection :path raw");
    is_str(url_of(&r, "_things/sub/thing-one.md"), "/base/things/sub/thing-one.html", "collection with :output_ext");
    run_free(&r);

    put("_config.yml", "permalink: none\n", 0);
    run(&r, NULL, now);
    is_str(url_of(&r, "_posts/2025-03-01-hallo-welt.md"), "/foo/bar/hallo-welt.html", "style none");
    run_free(&r);
    put("_config.yml", "permalink: date\n", 0);
    run(&r, NULL, now);
    is_str(url_of(&r, "_posts/2025-03-01-hallo-welt.md"), "/foo/bar/2025/03/01/hallo-welt.html", "style date");
    is_str(url_of(&r, "sub/page.md"), "/sub/page.html", "page with date style");
    run_free(&r);
    put("_config.yml", "permalink: ordinal\n", 0);
    run(&r, NULL, now);
    is_str(url_of(&r, "_posts/2025-03-01-hallo-welt.md"), "/foo/bar/2025/060/hallo-welt.html", "style ordinal");
    run_free(&r);
    put("_config.yml", "permalink: /:year/:i_month/:i_day/:slug/\n", 0);
    run(&r, NULL, now);
    is_str(url_of(&r, "_posts/2025-01-01-Über Straße_x.md"), "/2025/1/1/%C3%BCber-stra%C3%9Fe-x/", ":i_month :i_day :slug");
    run_free(&r);

    /* --- skips, defaults, future --- */
    clean();
    put("_config.yml", "timezone: Europe/Berlin\ncollections:\n  sounds:\n    output: true\n"
                       "defaults:\n  - scope: {path: \"\", type: sounds}\n    values: {noindex: true, sitemap: false}\n", 0);
    put("_sounds/a.md", FM, 0);
    put("a.md", "---\npublished: false\n---\n", 0);
    put("b.md", "---\nsearch: false\n---\n", 0);
    put("c.md", "---\nnoindex: true\n---\n", 0);
    put("d.md", "---\nsitemap: false\n---\n", 0);
    put("_posts/2030-01-01-zukunft.md", FM, 0);
    put("_posts/2025-01-01-jetzt.md", "---\ndate: 2026-01-01 00:30:00 +0100\n---\n", 0);
    run(&r, NULL, now);
    is_int(r.skips[find(&r, "_sounds/a.md")], FL_SKIP_NOINDEX, "noindex via defaults by type");
    is_int(r.skips[find(&r, "a.md")], FL_SKIP_UNPUBLISHED, "published: false");
    is_int(r.skips[find(&r, "b.md")], FL_SKIP_NOSEARCH, "search: false");
    is_int(r.skips[find(&r, "c.md")], FL_SKIP_NOINDEX, "noindex: true");
    is_int(r.skips[find(&r, "d.md")], FL_SKIP_NOSITEMAP, "sitemap: false");
    is_int(r.skips[find(&r, "_posts/2030-01-01-zukunft.md")], FL_SKIP_FUTURE, "future post");
    is_int(r.skips[find(&r, "_posts/2025-01-01-jetzt.md")], FL_SKIP_NONE, "past date-time with offset");
    is_str(fl_site_skip_reason(FL_SKIP_FUTURE), "dated in the future", "reason text");
    run_free(&r);
    put("_config.yml", "future: true\n", 0);
    run(&r, NULL, now);
    is_int(r.skips[find(&r, "_posts/2030-01-01-zukunft.md")], FL_SKIP_NONE, "future: true");
    run_free(&r);

    /* --- bad input: plain archive --- */
    clean();
    put("a/x/index.md", "Vorspann\n\n---\nTitle: Gesetz X\njurabk: X\n---\n\n# Überschrift\n\nText.\n", 0);
    put("b.md", "\xEF\xBB\xBF---\r\ntitle: \"Mit BOM\"\r\ntags: eins zwei\r\n---\r\n# H\r\nText\r\n", 0);
    put("c.md", "---\ntitle: [kaputt\n---\n# Aus Überschrift\n\nText.\n", 0);
    put("d.md", "---\ntitle: Kaputt\xff\n---\nText \xfe mehr.\n", 0);
    put("e.md", "bin\0ary", 7);
    put("f.md", "---\nauthors: [\" Maria  Gonçalves \", \"maria goncalves\"]\nauthor: Jens\n---\n", 0);
    char big[5000];
    memset(big, 'a', sizeof big);
    big[sizeof big - 1] = 0;
    put("g.md", big, 0);
    put("notes.txt", "ignored", 0);
    char loop[1100];
    snprintf(loop, sizeof loop, "%s/a/x/loop", root);
    ok(symlink("..", loop) == 0, "symlink loop made");
    fl_config *cfg = fl_config_new_default();
    cfg->max_file_size = 4096;
    run(&r, cfg, now);
    is_int(r.n, 7, "archive: every .md file");
    ok(r.fs.nproblems >= 1 && strstr(r.fs.problems[0].message, "loop"), "symlink loop reported");
    int i = find(&r, "a/x/index.md");
    if (i >= 0) {
        is_str(r.pages[i].url, "/a/x/", "archive index url");
        is_str(r.pages[i].title, "Gesetz X", "late front matter still read (Title)");
        ok(r.pages[i].nwarnings == 1 && r.pages[i].warnings[0].line == 3 &&
           strstr(r.pages[i].warnings[0].message, "not at the top"), "late front matter warned at line 3");
        ok(strstr(r.pages[i].body, "Vorspann") && strstr(r.pages[i].body, "Text."), "text before and after kept");
    }
    i = find(&r, "b.md");
    if (i >= 0) {
        is_str(r.pages[i].title, "Mit BOM", "BOM + CRLF front matter");
        is_int(r.pages[i].tags.n, 2, "tags string split");
        is_str(r.pages[i].url, "/b/", "archive page url");
    }
    i = find(&r, "c.md");
    if (i >= 0) {
        is_str(r.pages[i].title, "Aus Überschrift", "broken YAML: title from heading");
        ok(r.pages[i].nwarnings == 1 && strstr(r.pages[i].warnings[0].message, "not valid YAML"), "broken YAML warned");
        ok(r.pages[i].body && strstr(r.pages[i].body, "Text."), "broken YAML: body indexed");
    }
    i = find(&r, "d.md");
    if (i >= 0)
        ok(r.pages[i].nwarnings == 1 && strstr(r.pages[i].warnings[0].message, "UTF-8") &&
           r.pages[i].warnings[0].line == 2, "invalid UTF-8 repaired, line 2");
    i = find(&r, "e.md");
    ok(i >= 0 && r.errs[i] && strstr(r.errs[i], "e.md: binary"), "binary file is an error naming it");
    i = find(&r, "g.md");
    ok(i >= 0 && r.errs[i] && strstr(r.errs[i], "too large"), "size limit");
    i = find(&r, "f.md");
    if (i >= 0) {
        is_int(r.pages[i].authors.n, 2, "authors deduped by facet key");
        is_str(r.pages[i].authors.items[0], "Maria Gonçalves", "cleaned display value");
        is_str(r.pages[i].facets[1].name, "author", "facet author");
        is_str(r.pages[i].title, "f", "title falls back to file name");
    }
    ok(r.pages[0].content_hash && strlen(r.pages[0].content_hash) == 16, "content hash hex");
    run_free(&r);
    fl_config_free(cfg);

    /* --- config --- */
    clean();
    put("findling.yml", "db: /tmp/x.db\nmax_file_size: 2MB\nsynonyms:\n  - [KI, Künstliche Intelligenz]\n"
                        "facets:\n  - {field: ressort, label: Ressort}\n  - category\nexclude: [alt]\nwords: [Bürgerbeteiligung]\n", 0);
    char *err = NULL;
    cfg = fl_config_load(NULL, root, &err);
    ok(cfg != NULL, "config loads");
    if (cfg) {
        is_str(cfg->db, "/tmp/x.db", "db");
        is_int(cfg->max_file_size, 2 * 1024 * 1024, "max_file_size 2MB");
        is_int(cfg->nsynonyms, 1, "synonym group");
        is_int(cfg->nfacets, 2, "facets replaced");
        is_str(cfg->facets[0].name, "ressort", "custom facet name");
        is_str(cfg->facets[1].field, "categories", "built-in field");
        fl_config_free(cfg);
    }
    put("findling.yml", "db: x\nfacets: 3\n", 0);
    cfg = fl_config_load(NULL, root, &err);
    ok(!cfg && err && strstr(err, "findling.yml:2:"), "bad config: file:line (%s)", err ? err : "");
    free(err);
    err = NULL;
    put("findling.yml", "db: [\n", 0);
    cfg = fl_config_load(NULL, root, &err);
    ok(!cfg && err && strstr(err, "findling.yml:"), "broken YAML config named (%s)", err ? err : "");
    free(err);
    err = NULL;
    cfg = fl_config_load("/nonexistent/f.yml", root, &err);
    ok(!cfg && err, "missing --config file is an error");
    free(err);
    err = NULL;
    put("_config.yml", "a: [\n", 0);
    ok(fl_site_open(root, NULL, &err) == NULL && err && strstr(err, "_config.yml:"), "bad _config.yml named");
    free(err);
    err = NULL;

    /* --- the real corpus and the example site --- */
    /* root is pointed at read-only trees below: remove our scratch tree now. */
    clean();
    rmdir(root);
    const char *shared = getenv("SHARED");
    char oic[512];
    snprintf(oic, sizeof oic, "%s/corpus/oic-site", shared && *shared ? shared : "../shared");
    struct stat st;
    if (stat(oic, &st) == 0) {
        snprintf(root, sizeof root, "%s", oic);
        run(&r, NULL, time(NULL));
        int docs = 0, beitraege = 0, methoden = 0, autoren = 0, sounds_skipped = 0, errors = 0;
        for (int k = 0; k < r.n; k++) {
            if (r.errs[k]) {
                errors++;
                continue;
            }
            const char *id = r.fs.files[k].relpath;
            if (r.skips[k] != FL_SKIP_NONE) {
                sounds_skipped += !strncmp(id, "_sounds/", 8);
                continue;
            }
            docs++;
            beitraege += !strncmp(id, "_beitraege/", 11);
            methoden += !strncmp(id, "_methoden/", 10);
            autoren += !strncmp(id, "autoren/", 8);
        }
        is_int(docs, 89, "oic-site: 89 documents");
        is_int(beitraege, 65, "65 posts");
        is_int(methoden, 16, "16 methods");
        is_int(autoren, 6, "6 author pages");
        is_int(sounds_skipped, 9, "_sounds noindex by defaults");
        is_int(errors, 0, "no errors");
        is_str(url_of(&r, "_beitraege/rueckblick-ki-meetup-reihe.md"), "/beitraege/rueckblick-ki-meetup-reihe/", "post URL");
        is_str(url_of(&r, "_beitraege/ai-driven-innovation-wie-ki-im-Innovationsprozess-unterstuetzen-kann.md"),
               "/beitraege/ai-driven-innovation-wie-ki-im-innovationsprozess-unterstuetzen-kann/", ":name lower-cased");
        is_str(url_of(&r, "datenschutz.md"), "/datenschutz/", "page URL");
        run_free(&r);
        snprintf(root, sizeof root, "%s/corpus/jekyll-variants", shared && *shared ? shared : "../shared");
        run(&r, NULL, time(NULL));
        ok(r.n == 1 && !r.errs[0] && r.pages[0].categories.n == 1 && r.pages[0].authors.n == 1,
           "jekyll-variants: scalar author/category parsed");
        run_free(&r);
    } else {
        skip("no shared corpus");
    }
    FILE *f = fopen("tests/data/example-site-urls.tsv", "r");
    if (f && stat("examples/site", &st) == 0) {
        snprintf(root, sizeof root, "examples/site");
        run(&r, NULL, time(NULL));
        char line[1024];
        int n = 0, good = 0;
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            char *tab = strchr(line, '\t');
            if (!tab || !strncmp(line, "source_path", 11))
                continue;
            *tab = 0;
            n++;
            int k = find(&r, line);
            if (k >= 0 && r.skips[k] == FL_SKIP_NONE && r.pages[k].url && !strcmp(r.pages[k].url, tab + 1))
                good++;
            else
                diag("%s: got %s, jekyll %s", line, url_of(&r, line), tab + 1);
        }
        int indexed = 0;
        for (int k = 0; k < r.n; k++)
            indexed += !r.errs[k] && r.skips[k] == FL_SKIP_NONE;
        ok(n > 0 && good == n && indexed == n, "example site: %d/%d URLs as jekyll, %d indexed", good, n, indexed);
        run_free(&r);
        fclose(f);
    } else {
        if (f)
            fclose(f);
        skip("no example site fixtures");
    }

    /* Hostile YAML (front matter is site content): an alias inside the node
     * it names, and aliases that expand exponentially, are refused with a
     * message instead of recursing until memory runs out.  The first input
     * is what libFuzzer found (fuzz_config, a timeout). */
    {
        static const char cyc[] = "base: &b\n  -cets:\n  - <<: *b\n    field <<: *b\n"
                                  "    field:: doc\n_file_size: 1.5MB\ndb: ~\n";
        char *err = NULL;
        int line = 0;
        fl_yaml *y = fl_yaml_parse(cyc, strlen(cyc), &err, &line);
        ok(y == NULL && err && strstr(err, "alias"), "recursive alias refused: %s", err ? err : "");
        ok(line >= 1, "... with a line number (%d)", line);
        free(err);
        fl_yaml_free(y);
        fl_buf laughs = FL_BUF_INIT;
        fl_buf_puts(&laughs, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (char c = 'b'; c <= 'j'; c++)
            fl_buf_printf(&laughs, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c,
                          c, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
        err = NULL;
        y = fl_yaml_parse(laughs.data, laughs.len, &err, NULL);
        ok(y == NULL && err && strstr(err, "too many nodes"), "billion laughs refused: %s",
           err ? err : "");
        free(err);
        fl_yaml_free(y);
        fl_buf_free(&laughs);
        static const char fine[] = "base: &b {x: 1}\none: *b\ntwo: *b\n";
        err = NULL;
        y = fl_yaml_parse(fine, strlen(fine), &err, NULL);
        const fl_yaml *two = fl_yaml_get(y, "two");
        ok(y && two && fl_yaml_str(fl_yaml_get(two, "x")) &&
               strcmp(fl_yaml_str(fl_yaml_get(two, "x")), "1") == 0,
           "an alias used twice, without a cycle, still reads");
        free(err);
        fl_yaml_free(y);
    }
    return tap_done();
}
