/* cmd_search.c — `findling search`: the staff archive search on the terminal. */
#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_cli.h"
#include "fl_indexer.h"
#include "fl_query.h"
#include "fl_search.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char help[] =
    "Usage: findling search [OPTIONS] QUERY...\n"
    "\n"
    "Searches the index the way a German reader expects: Bürger finds Bürger*innen,\n"
    "Gesellschaft finds Zivilgesellschaft, Rueckblick finds Rückblick, and a typo\n"
    "such as Inovation still finds Innovation (\"Meinten Sie …?\").\n"
    "\n"
    "Query language:\n"
    "  Wort Wort           documents with all words rank first; not all are required\n"
    "                      (a word in most documents, like \"Abs.\" in laws, only ranks\n"
    "                      what the other words find)\n"
    "  \"eine Phrase\"       the words next to each other, in this order\n"
    "  -wort, NICHT wort   exclude (NOT works too)\n"
    "  a ODER b, a UND b   either / both (OR, AND; upper case only: \"und\" is a word)\n"
    "  Innov*              words starting with Innov\n"
    "  titel:Wort          in the title (title:)\n"
    "  autor:Name  kategorie:Name  tag:Name  jahr:2025    facet values (author:, category:, year:)\n"
    "  datum:2025-01-01..2025-06-30   jahr:2024..2025    date ranges\n"
    "  *                   every document (browse by facet and date; newest first)\n"
    "\n"
    "Options:\n"
    "  --db DIR            the index (else $FINDLING_DB, else ./findling.db)\n"
    "  --format FORMAT     text (default), json (the API's JSON) or ids (one id per line)\n"
    "  --json              same as --format json\n"
    "  --limit N           hits per page, 1..100 (default 10)\n"
    "  --offset N          skip the first N hits (paging; default 0)\n"
    "  --category C        only documents in category C (repeatable: any of them)\n"
    "  --author A          only documents by A; spelling variants match (Goncalves = Gonçalves)\n"
    "  --tag T             only documents tagged T (repeatable)\n"
    "  --year Y            only documents dated in year Y (repeatable)\n"
    "  --since YYYY-MM-DD  only documents dated on or after this day\n"
    "  --until YYYY-MM-DD  only documents dated on or before this day\n"
    "  --sort ORDER        relevance (default), date (newest first) or -date (oldest first)\n"
    "  --explain           show why each hit matched: stem, gender form, umlaut variant,\n"
    "                      compound part, corrected word, field\n"
    "  --no-color          no colours or bold (also when NO_COLOR is set or output is piped)\n"
    "  -h, --help          this text\n"
    "\n"
    "Filters on different facets must all hold; values of one facet are alternatives.\n"
    "\n"
    "Exit status: 0 hits found, 1 no hits, 2 usage or query error (message on stderr).\n"
    "\n"
    "Beispiele / Examples:\n"
    "  findling search Bürger*innen\n"
    "      findet auch Bürgerinnen, Bürger und Bürger:innen\n"
    "  findling search --category Rückblick --year 2025 \"KI Meetup\"\n"
    "      Rückblicke aus 2025 / retrospectives from 2025\n"
    "  findling search --author \"Jens Edler\" --sort date '*'\n"
    "      alle Beiträge eines Autors, neueste zuerst / all posts by an author, newest first\n"
    "  findling search 'Zivilgesellschaft -Verein'\n"
    "      ohne Treffer mit \"Verein\" / excluding hits mentioning \"Verein\"\n"
    "  findling search --format ids --limit 100 Innov*\n"
    "      ids for scripts / ids for scripts\n"
    "  findling search --explain Barrierefreihet\n"
    "      zeigt die Korrektur zu Barrierefreiheit / shows the correction used\n"
    "  findling search --json '§ 622 BGB'\n"
    "      JSON wie GET /api/search / the same JSON as GET /api/search\n";

typedef struct opts {
    const char *db;
    enum { OUT_TEXT, OUT_JSON, OUT_IDS } format;
    long limit, offset;
    const char *since, *until;
    fl_sort sort;
    bool explain, no_color;
    fl_strlist cat, author, tag, year;
    fl_buf query;
} opts;

static int usage_error(const char *fmt, const char *a, const char *b)
{
    fprintf(stderr, "findling search: ");
    fprintf(stderr, fmt, a, b);
    fprintf(stderr, "\nTry 'findling search --help'.\n");
    return 2;
}

static bool parse_long(const char *s, long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end)
        return false;
    *out = v;
    return true;
}

static void opts_free(opts *o)
{
    fl_strlist_free(&o->cat);
    fl_strlist_free(&o->author);
    fl_strlist_free(&o->tag);
    fl_strlist_free(&o->year);
    fl_buf_free(&o->query);
}

/* Returns -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, opts *o)
{
    o->limit = 10;
    bool only_args = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0' ||
            (a[1] != '-' && a[1] != 'h')) {
            /* A query word (also "-wort": exclusion is query syntax). */
            if (o->query.len)
                fl_buf_putc(&o->query, ' ');
            fl_buf_puts(&o->query, a);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(help, stdout);
            return 0;
        }
        const char *name = a;
        const char *val = NULL;
        char namebuf[64];
        const char *eq = strchr(a, '=');
        if (eq && (size_t)(eq - a) < sizeof namebuf) {
            memcpy(namebuf, a, (size_t)(eq - a));
            namebuf[eq - a] = '\0';
            name = namebuf;
            val = eq + 1;
        }
        static const char *const flags[] = {"--json", "--explain", "--no-color"};
        bool is_flag = false;
        for (size_t k = 0; k < 3; k++)
            is_flag |= strcmp(name, flags[k]) == 0;
        if (is_flag) {
            if (val)
                return usage_error("option %s takes no value%s", name, "");
            if (strcmp(name, "--json") == 0)
                o->format = OUT_JSON;
            else if (strcmp(name, "--explain") == 0)
                o->explain = true;
            else
                o->no_color = true;
            continue;
        }
        static const char *const valued[] = {"--db",       "--format", "--limit", "--offset",
                                             "--category", "--author", "--tag",   "--year",
                                             "--since",    "--until",  "--sort"};
        bool known = false;
        for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
            known |= strcmp(name, valued[k]) == 0;
        if (!known) {
            /* "-wort" handled above; "--x" unknown */
            return usage_error("unknown option '%s'%s", name, "");
        }
        if (!val) {
            if (i + 1 >= argc)
                return usage_error("option %s needs a value%s", name, "");
            val = argv[++i];
        }
        if (strcmp(name, "--db") == 0) {
            o->db = val;
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(val, "text") == 0) o->format = OUT_TEXT;
            else if (strcmp(val, "json") == 0) o->format = OUT_JSON;
            else if (strcmp(val, "ids") == 0) o->format = OUT_IDS;
            else return usage_error("--format: '%s' is not one of text, json, ids%s", val, "");
        } else if (strcmp(name, "--limit") == 0) {
            if (!parse_long(val, &o->limit) || o->limit < 1 || o->limit > 100)
                return usage_error("--limit: '%s' is not a number from 1 to 100%s", val, "");
        } else if (strcmp(name, "--offset") == 0) {
            if (!parse_long(val, &o->offset) || o->offset < 0 || o->offset > 1000000)
                return usage_error("--offset: '%s' is not a number >= 0%s", val, "");
        } else if (strcmp(name, "--since") == 0 || strcmp(name, "--until") == 0) {
            char d[9];
            if (fl_query_parse_date(val, strlen(val), strcmp(name, "--until") == 0, d) != 0)
                return usage_error("%s: '%s' is not a date (YYYY-MM-DD)", name, val);
            if (strcmp(name, "--since") == 0)
                o->since = val;
            else
                o->until = val;
        } else if (strcmp(name, "--sort") == 0) {
            if (strcmp(val, "relevance") == 0) o->sort = FL_SORT_RELEVANCE;
            else if (strcmp(val, "date") == 0) o->sort = FL_SORT_DATE_DESC;
            else if (strcmp(val, "-date") == 0) o->sort = FL_SORT_DATE_ASC;
            else return usage_error("--sort: '%s' is not one of relevance, date, -date%s", val, "");
        } else if (strcmp(name, "--year") == 0) {
            long y;
            if (!parse_long(val, &y) || y < 1 || y > 9999)
                return usage_error("--year: '%s' is not a year%s", val, "");
            fl_strlist_push(&o->year, val);
        } else if (strcmp(name, "--category") == 0) {
            fl_strlist_push(&o->cat, val);
        } else if (strcmp(name, "--author") == 0) {
            fl_strlist_push(&o->author, val);
        } else if (strcmp(name, "--tag") == 0) {
            fl_strlist_push(&o->tag, val);
        }
    }
    if (o->since && o->until) {
        char a[9], b[9];
        fl_query_parse_date(o->since, strlen(o->since), false, a);
        fl_query_parse_date(o->until, strlen(o->until), true, b);
        if (strcmp(a, b) > 0)
            return usage_error("--since %s is after --until %s", o->since, o->until);
    }
    if (o->query.len == 0)
        return usage_error("no query given (use '*' for every document)%s%s", "", "");
    return -1;
}

/* ---------------------------------------------------------------- text output */

typedef struct style {
    const char *bold, *dim, *mark, *off, *mark_off;
} style;

/* Prints HTML excerpt text for a terminal: entities decoded, <mark> styled. */
static void print_html(const char *s, const style *st)
{
    while (*s) {
        if (strncmp(s, "<mark>", 6) == 0) {
            fputs(st->mark, stdout);
            s += 6;
        } else if (strncmp(s, "</mark>", 7) == 0) {
            fputs(st->mark_off, stdout);
            s += 7;
        } else if (*s == '&') {
            static const struct { const char *ent; char c; } ents[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}};
            bool done = false;
            for (size_t i = 0; i < 5 && !done; i++) {
                size_t n = strlen(ents[i].ent);
                if (strncmp(s, ents[i].ent, n) == 0) {
                    putchar(ents[i].c);
                    s += n;
                    done = true;
                }
            }
            if (!done)
                putchar(*s++);
        } else {
            putchar(*s++);
        }
    }
}

static void print_list(const fl_strlist *l, bool *first)
{
    for (size_t i = 0; i < l->n; i++) {
        fputs(*first ? "" : (i == 0 ? " · " : ", "), stdout);
        fputs(l->items[i], stdout);
        *first = false;
    }
}

static const char *facet_label(const char *name)
{
    if (strcmp(name, "category") == 0) return "Kategorien";
    if (strcmp(name, "author") == 0) return "Autor*innen";
    if (strcmp(name, "tag") == 0) return "Tags";
    if (strcmp(name, "year") == 0) return "Jahre";
    return name;
}

static void print_text(const fl_search_result *r, const style *st, bool explain)
{
    if (r->nhits == 0)
        printf("Keine Treffer für „%s“.\n", r->query);
    for (size_t i = 0; i < r->nhits; i++) {
        const fl_hit *h = &r->hits[i];
        printf("%2zu. %s%s%s\n", r->offset + i + 1, st->bold, h->title, st->off);
        bool first = true;
        fputs("    ", stdout);
        fputs(st->dim, stdout);
        if (h->date) {
            fputs(h->date, stdout);
            first = false;
        }
        print_list(&h->authors, &first);
        bool f2 = first;
        if (!first && h->categories.n) {
            fputs(" · ", stdout);
            f2 = true;
        }
        print_list(&h->categories, &f2);
        printf("%s\n    %s\n", st->off, h->url);
        if (h->excerpt && *h->excerpt) {
            fputs("    ", stdout);
            print_html(h->excerpt, st);
            putchar('\n');
        }
        for (size_t k = 0; k < h->nsections; k++) {
            printf("      ↳ %s%s%s  %s\n", st->bold, h->sections[k].title, st->off,
                   h->sections[k].url);
            if (h->sections[k].excerpt && *h->sections[k].excerpt) {
                fputs("        ", stdout);
                print_html(h->sections[k].excerpt, st);
                putchar('\n');
            }
        }
        if (explain && h->explain) {
            printf("    %swarum:%s\n", st->bold, st->off);
            const char *p = h->explain;
            while (*p) {
                const char *nl = strchr(p, '\n');
                size_t n = nl ? (size_t)(nl - p) : strlen(p);
                printf("      - %.*s\n", (int)n, p);
                p += n + (nl ? 1 : 0);
            }
        }
        putchar('\n');
    }
    for (size_t i = 0; i < r->nfacets; i++) {
        const fl_facet_result *f = &r->facets[i];
        if (f->ncounts == 0)
            continue;
        printf("%s%s:%s ", st->bold, facet_label(f->name), st->off);
        for (size_t k = 0; k < f->ncounts && k < 12; k++)
            printf("%s%s (%u)", k ? ", " : "", f->counts[k].value, (unsigned)f->counts[k].count);
        if (f->ncounts > 12)
            printf(", … (%zu weitere)", f->ncounts - 12);
        putchar('\n');
    }
    if (r->corrected_query)
        printf("Meinten Sie: %s%s%s?\n", st->bold, r->corrected_query, st->off);
    printf("%u Treffer%s (%.1f ms)\n", (unsigned)r->total,
           r->total > r->offset + r->nhits ? ", weitere mit --offset" : "", r->took_ms);
}

int fl_cmd_search(int argc, char **argv)
{
    opts o = {0};
    int rc = parse_args(argc, argv, &o);
    if (rc >= 0) {
        opts_free(&o);
        return rc;
    }
    char *err = NULL;
    char *db = fl_cli_db_path(o.db, NULL);
    fl_analyzer *an = fl_cli_analyzer_for_index(db, &err);
    if (!an) {
        fprintf(stderr, "findling search: %s\n", err ? err : "cannot load the analysis chain");
        free(err);
        free(db);
        opts_free(&o);
        return 2;
    }
    fl_searcher *s = fl_searcher_open(db, an, &err);
    if (!s) {
        fprintf(stderr, "findling search: %s\n", err ? err : "cannot open the index");
        free(err);
        free(db);
        fl_analyzer_free(an);
        opts_free(&o);
        return 2;
    }
    fl_filter filters[4];
    size_t nf = 0;
    struct { const char *name; fl_strlist *l; } fs[] = {
        {"category", &o.cat}, {"author", &o.author}, {"tag", &o.tag}, {"year", &o.year}};
    for (size_t i = 0; i < 4; i++)
        if (fs[i].l->n)
            filters[nf++] = (fl_filter){fs[i].name, (const char *const *)fs[i].l->items,
                                        fs[i].l->n};
    fl_search_request req = {0};
    req.query = fl_buf_cstr(&o.query);
    req.filters = filters;
    req.nfilters = nf;
    req.since = o.since;
    req.until = o.until;
    req.sort = o.sort;
    req.offset = (uint32_t)o.offset;
    req.limit = (uint32_t)o.limit;
    req.no_excerpts = o.format == OUT_IDS;
    req.no_facets = o.format == OUT_IDS;
    req.explain = o.explain;
    fl_search_result res;
    rc = fl_search_run(s, &req, &res, &err);
    if (rc != 0) {
        fprintf(stderr, "findling search: %s\n", err ? err : "search failed");
        free(err);
        rc = 2;
    } else {
        if (o.format == OUT_JSON) {
            fl_buf out = FL_BUF_INIT;
            fl_search_result_json(&res, &out);
            fl_buf_putc(&out, '\n');
            fwrite(out.data, 1, out.len, stdout);
            fl_buf_free(&out);
        } else if (o.format == OUT_IDS) {
            for (size_t i = 0; i < res.nhits; i++)
                puts(res.hits[i].id);
        } else {
            const char *nc = getenv("NO_COLOR");
            bool color = !o.no_color && !(nc && *nc) && isatty(STDOUT_FILENO);
            style st = color ? (style){"\033[1m", "\033[2m", "\033[1;33m", "\033[0m", "\033[0m"}
                             : (style){"", "", "", "", ""};
            print_text(&res, &st, o.explain);
        }
        rc = res.total > 0 ? 0 : 1;
        fl_search_result_free(&res);
    }
    fflush(stdout);
    fl_searcher_free(s);
    fl_analyzer_free(an);
    free(db);
    opts_free(&o);
    return rc;
}
