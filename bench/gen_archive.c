/* gen_archive.c — a synthetic archive in the example site's shape, for the
 * scaling bench (issue 8, point 5).
 *
 *   gen_archive [--seed S] [--corpus DIR] N OUTDIR
 *
 * Writes a Jekyll site to OUTDIR (which must not exist or be empty):
 * _config.yml, findling.yml (category/author/year/tag facets like the example
 * site) and N posts _posts/YYYY/YYYY-MM-DD-beitrag-NNNNNNN.md with front
 * matter (title, teaser, author from a pool that spells some names two ways,
 * 1-3 categories, 0-3 tags, a date spread over 2006-2025) and a body of
 * paragraphs, a third of the posts with "##" headings.
 *
 * The text comes from the laws corpus (--corpus DIR: every *.md below it, in
 * sorted order; read at run time, never stored in the repository): its
 * paragraphs make the bodies and teasers, its "§" headings the titles and
 * headings.  Without --corpus (or when DIR holds no usable text) a small
 * built-in vocabulary makes the sentences, so tests run without the corpus.
 *
 * Deterministic: the same seed, N and corpus give byte-identical files.  Each
 * post draws from its own generator seeded from (seed, post number), so post
 * i does not depend on N.  Prints one JSON object (documents, bytes, seconds,
 * source, paragraphs, headings) on stdout.
 */
#include "benchutil.h"

#include "fl_buf.h"
#include "fl_utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>

/* ------------------------------------------------------------------ random */

typedef struct rng { uint64_t s; } rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}
static uint64_t next(rng *r) { return splitmix(&r->s); }
/* Uniform in [0, n) (n > 0; the modulo bias is irrelevant here). */
static size_t pick(rng *r, size_t n) { return (size_t)(next(r) % n); }
static bool chance(rng *r, unsigned pct) { return pick(r, 100) < pct; }

/* ------------------------------------------------------------------ pools */

static const char *const authors[] = {
    "Maria Gonçalves", "Maria Goncalves", "Jürgen Weiß", "Juergen Weiss", "Aylin Demir",
    "Henrik Straßburger", "Marta Nowak", "Friederike Lüdtke", "Team Offenes Labor",
    "Kemal Yılmaz", "Kemal Yilmaz", "Sophie Brandt", "Ole Jensen", "Nadia Haddad",
    "Paul Okafor", "Lena Schäfer", "Tobias Krüger", "Irina Volkova",
};
static const char *const categories[] = {
    "Beteiligung", "Verwaltung", "Digitales", "Stadtentwicklung", "Kultur", "Umwelt",
    "Verkehr", "Bildung", "Rückblick", "Veranstaltung", "Offenes Labor", "Soziales",
    "Recht", "Haushalt",
};
static const char *const tags[] = {
    "Ehrenamt", "Open Data", "Nachbarschaft", "Klimaschutz", "Barrierefreiheit", "KI",
    "Datenschutz", "ÖPNV", "Jugend", "Senior*innen", "Werkstatt", "Förderung",
};
/* The fallback vocabulary: plain German words, invented sentences. */
static const char *const words[] = {
    "Stadt", "Verwaltung", "Bürgerinnen", "Bürger", "Beteiligung", "Projekt", "Werkstatt",
    "Quartier", "Nachbarschaft", "Verein", "Rathaus", "Gemeinderat", "Antrag", "Haushalt",
    "Förderung", "Schule", "Bibliothek", "Spielplatz", "Radweg", "Straßenbahn", "Bahnhof",
    "Klimaschutz", "Energie", "Wärme", "Wasser", "Park", "Garten", "Markt", "Daten",
    "Plattform", "Formular", "Termin", "Sprechstunde", "Beratung", "Umfrage", "Ergebnis",
    "Bericht", "Entwurf", "Vorschlag", "Beschluss", "Satzung", "Ordnung", "Gesetz",
    "Verordnung", "Frist", "Zuständigkeit", "Behörde", "Amt", "Abteilung", "Team",
    "gemeinsam", "neu", "offen", "digital", "öffentlich", "städtisch", "wichtig", "klein",
    "groß", "schnell", "einfach", "nachhaltig", "sozial", "kulturell", "barrierefrei",
    "plant", "prüft", "beschließt", "fördert", "berät", "veröffentlicht", "sammelt",
    "entwickelt", "erprobt", "verbessert", "lädt", "zeigt", "erklärt", "diskutiert",
    "und", "oder", "mit", "für", "über", "nach", "im", "am", "vom", "zur", "zum", "die",
    "der", "das", "den", "dem", "eine", "ein", "einen", "viele", "alle", "mehr", "heute",
    "morgen", "bald", "wieder", "auch", "noch", "schon", "dort", "hier",
};
#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

typedef struct pool {
    char **v;
    size_t n, cap;
} pool;

static void pool_push(pool *p, const char *s, size_t len)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->v = fl_xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n++] = fl_xstrndup(s, len);
}

static void pool_free(pool *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
}

/* At most this many paragraphs per law, so that the big codes do not
 * dominate and memory stays bounded (~40k laws' worth of text). */
#define MAX_PARAS_PER_FILE 40
#define MIN_PARA 80

/* Splits one law into paragraphs (blank-line separated runs of text lines,
 * joined by spaces) and "§" headings. */
static void harvest(const char *text, pool *paras, pool *heads)
{
    const char *p = text;
    /* skip YAML front matter */
    if (!strncmp(p, "---\n", 4)) {
        const char *e = strstr(p + 4, "\n---");
        if (e) {
            p = strchr(e + 1, '\n');
            p = p ? p + 1 : e + 4;
        }
    }
    fl_buf para = FL_BUF_INIT;
    size_t kept = 0;
    bool usable = true;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        const char *l = p;
        while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\r'))
            len--;
        size_t ind = 0;
        while (ind < len && l[ind] == ' ')
            ind++;
        if (len == ind) { /* blank line ends a paragraph */
            if (usable && para.len >= MIN_PARA && kept < MAX_PARAS_PER_FILE) {
                pool_push(paras, para.data, para.len);
                kept++;
            }
            fl_buf_reset(&para);
            usable = true;
        } else if (l[0] == '#') {
            size_t h = 0;
            while (h < len && (l[h] == '#' || l[h] == ' '))
                h++;
            /* "§ 12 Anwendungsbereich" → "Anwendungsbereich" */
            if (h + 2 < len && !strncmp(l + h, "§", 2)) {
                size_t k = h + 2;
                while (k < len && l[k] != ' ')
                    k++;
                while (k < len && (l[k] == ' ' || (l[k] >= '0' && l[k] <= '9') || l[k] == 'a'))
                    k++;
                if (len - k >= 6 && len - k <= 90 && l[k] != '(' && l[k] != '-')
                    pool_push(heads, l + k, len - k);
            }
            usable = false;
        } else {
            /* lists, definition lists, tables and indented blocks are not prose */
            char c = l[ind];
            if (ind > 0 || c == ':' || c == '|' || c == '-' || c == '*' || c == '>' ||
                (c >= '0' && c <= '9' && ind + 1 < len && (l[ind + 1] == '.' || l[ind + 1] == ')')))
                usable = false;
            if (para.len)
                fl_buf_putc(&para, ' ');
            fl_buf_append(&para, l + ind, len - ind);
        }
        if (!nl)
            break;
        p = nl + 1;
    }
    if (usable && para.len >= MIN_PARA && kept < MAX_PARAS_PER_FILE)
        pool_push(paras, para.data, para.len);
    fl_buf_free(&para);
}

/* ------------------------------------------------------------------ text */

static void fallback_sentence(rng *r, fl_buf *out, size_t minw, size_t maxw, bool stop)
{
    size_t n = minw + pick(r, maxw - minw + 1);
    for (size_t i = 0; i < n; i++) {
        const char *w = words[pick(r, NELEM(words))];
        if (i)
            fl_buf_putc(out, ' ');
        if (i == 0 && w[0] >= 'a' && w[0] <= 'z') {
            fl_buf_putc(out, (char)(w[0] - 'a' + 'A'));
            fl_buf_puts(out, w + 1);
        } else {
            fl_buf_puts(out, w);
        }
    }
    if (stop)
        fl_buf_putc(out, '.');
}

/* The first `maxwords` words of s (whole UTF-8 sequences: words end at spaces). */
static void first_words(fl_buf *out, const char *s, size_t maxwords)
{
    size_t w = 0;
    const char *p = s;
    /* a law's paragraph number "(2) " is no way to start a title or teaser */
    if (*p == '(') {
        const char *e = strchr(p, ' ');
        if (e && e[-1] == ')' && e - p <= 6)
            p = e + 1;
    }
    while (*p && w < maxwords) {
        const char *e = strchr(p, ' ');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (w)
            fl_buf_putc(out, ' ');
        fl_buf_append(out, p, len);
        w++;
        if (!e)
            break;
        p = e + 1;
    }
}

/* A YAML double-quoted scalar. */
static void yaml_str(fl_buf *out, const char *s)
{
    fl_buf_putc(out, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fl_buf_putc(out, '\\');
        fl_buf_putc(out, *s);
    }
    fl_buf_putc(out, '"');
}

/* Days since 1970-01-01 → civil date (Howard Hinnant's algorithm). */
static void civil(long z, int *y, int *m, int *d)
{
    z += 719468;
    long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned long doe = (unsigned long)(z - era * 146097);
    unsigned long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long yy = (long)yoe + era * 400;
    unsigned long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned long mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

#define FIRST_DAY 13149L /* 2006-01-01 */
#define NDAYS 7305L      /* to 2025-12-31 */

typedef struct gen {
    pool paras, heads;
    bool laws;
} gen;

static void title_text(gen *g, rng *r, fl_buf *out)
{
    if (g->laws && g->heads.n && chance(r, 70)) {
        fl_buf_puts(out, g->heads.v[pick(r, g->heads.n)]);
    } else if (g->laws && g->paras.n) {
        first_words(out, g->paras.v[pick(r, g->paras.n)], 3 + pick(r, 6));
    } else {
        fallback_sentence(r, out, 3, 8, false);
    }
}

static void paragraph(gen *g, rng *r, fl_buf *out)
{
    if (g->laws && g->paras.n) {
        fl_buf_puts(out, g->paras.v[pick(r, g->paras.n)]);
        return;
    }
    size_t n = 2 + pick(r, 5);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fl_buf_putc(out, ' ');
        fallback_sentence(r, out, 6, 16, true);
    }
}

static void post(gen *g, uint64_t seed, size_t i, fl_buf *out, int *year, char *name, size_t namesz)
{
    uint64_t x = seed ^ ((uint64_t)i * 0xd1b54a32d192ed03ULL);
    rng r = {splitmix(&x)};
    int y, m, d;
    civil(FIRST_DAY + (long)pick(&r, NDAYS), &y, &m, &d);
    *year = y;
    snprintf(name, namesz, "%04d-%02d-%02d-beitrag-%07zu.md", y, m, d, i + 1);

    fl_buf t = FL_BUF_INIT;
    fl_buf_reset(out);
    fl_buf_puts(out, "---\ntitle: ");
    title_text(g, &r, &t);
    yaml_str(out, fl_buf_cstr(&t));
    fl_buf_puts(out, "\nteaser: ");
    fl_buf_reset(&t);
    if (g->laws && g->paras.n)
        first_words(&t, g->paras.v[pick(&r, g->paras.n)], 12 + pick(&r, 14));
    else
        fallback_sentence(&r, &t, 10, 22, true);
    yaml_str(out, fl_buf_cstr(&t));
    fl_buf_puts(out, "\nauthor: ");
    yaml_str(out, authors[pick(&r, NELEM(authors))]);
    fl_buf_puts(out, "\ncategories:\n");
    size_t nc = 1 + pick(&r, 3), c0 = pick(&r, NELEM(categories));
    for (size_t k = 0; k < nc; k++) { /* distinct: consecutive in the pool */
        fl_buf_puts(out, "  - ");
        yaml_str(out, categories[(c0 + k * 5) % NELEM(categories)]);
        fl_buf_putc(out, '\n');
    }
    size_t nt = pick(&r, 4), t0 = pick(&r, NELEM(tags));
    if (nt) {
        fl_buf_puts(out, "tags:\n");
        for (size_t k = 0; k < nt; k++) {
            fl_buf_puts(out, "  - ");
            yaml_str(out, tags[(t0 + k * 7) % NELEM(tags)]);
            fl_buf_putc(out, '\n');
        }
    }
    fl_buf_printf(out, "date: %04d-%02d-%02d\n---\n", y, m, d);

    size_t np = 2 + pick(&r, 7);
    bool headed = chance(&r, 35);
    for (size_t k = 0; k < np; k++) {
        if (headed && (k == 0 || chance(&r, 40))) {
            fl_buf_reset(&t);
            title_text(g, &r, &t);
            fl_buf_printf(out, "## %s\n\n", fl_buf_cstr(&t));
        }
        paragraph(g, &r, out);
        fl_buf_puts(out, "\n\n");
    }
    fl_buf_free(&t);
}

/* ------------------------------------------------------------------ files */

static int write_file(const char *path, const fl_buf *b)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "gen_archive: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t w = fwrite(b->data, 1, b->len, f);
    if (fclose(f) != 0 || w != b->len) {
        fprintf(stderr, "gen_archive: %s: write failed\n", path);
        return -1;
    }
    return 0;
}

static int mkdir_p(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST)
        return 0;
    fprintf(stderr, "gen_archive: %s: %s\n", path, strerror(errno));
    return -1;
}

static bool dir_empty_or_missing(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT;
    struct dirent *e;
    bool empty = true;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = false;
    closedir(d);
    return empty;
}

static const char config_yml[] =
    "# A synthetic archive made by bench/gen_archive (texts: see findling.yml).\n"
    "title: \"Synthetisches Archiv\"\n"
    "url: \"https://archiv.example\"\n"
    "baseurl: \"\"\n"
    "lang: de\n"
    "timezone: Europe/Berlin\n"
    "permalink: pretty\n";

static const char findling_yml[] =
    "# Generated by bench/gen_archive: bodies drawn from the laws corpus (or a\n"
    "# built-in word list), front matter invented.\n"
    "facets:\n"
    "  - name: category\n    field: categories\n    label: Kategorie\n"
    "  - name: author\n    field: authors\n    label: \"Autor*in\"\n"
    "  - name: year\n    field: date\n    label: Jahr\n"
    "  - name: tag\n    field: tags\n    label: Schlagwort\n";

static int usage(void)
{
    fprintf(stderr, "usage: gen_archive [--seed S] [--corpus DIR] N OUTDIR\n");
    return 2;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    const char *corpus = NULL;
    int a = 1;
    for (; a < argc && !strncmp(argv[a], "--", 2); a++) {
        if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
            char *end;
            errno = 0;
            seed = strtoull(argv[++a], &end, 10);
            if (*end || end == argv[a] || errno) {
                fprintf(stderr, "gen_archive: --seed: expected a number, got '%s'\n", argv[a]);
                return 2;
            }
        } else if (!strcmp(argv[a], "--corpus") && a + 1 < argc) {
            corpus = argv[++a];
        } else {
            return usage();
        }
    }
    if (argc - a != 2)
        return usage();
    char *end;
    errno = 0;
    unsigned long long nd = strtoull(argv[a], &end, 10);
    if (*end || end == argv[a] || errno || nd == 0 || nd > 100000000ULL) {
        fprintf(stderr, "gen_archive: N: expected 1..100000000, got '%s'\n", argv[a]);
        return 2;
    }
    const char *outdir = argv[a + 1];
    if (!dir_empty_or_missing(outdir)) {
        fprintf(stderr, "gen_archive: %s: exists and is not empty\n", outdir);
        return 2;
    }
    double t0 = bench_now();

    gen g = {0};
    if (corpus) {
        char **paths = NULL;
        size_t np = 0;
        if (bench_list_files(corpus, &paths, &np) != 0)
            return 1;
        fl_buf text = FL_BUF_INIT;
        for (size_t i = 0; i < np; i++) {
            fl_buf_reset(&text);
            if (bench_read_file(paths[i], &text) == 0 && fl_utf8_is_valid(text.data, text.len))
                harvest(fl_buf_cstr(&text), &g.paras, &g.heads);
            free(paths[i]);
        }
        free(paths);
        fl_buf_free(&text);
        g.laws = g.paras.n > 0;
        if (!g.laws)
            fprintf(stderr, "gen_archive: no usable text under %s; using the built-in words\n",
                    corpus);
    }

    if (mkdir_p(outdir))
        return 1;
    char *p = fl_xasprintf("%s/_posts", outdir);
    int rc = mkdir_p(p);
    free(p);
    for (int y = 2006; y <= 2025 && rc == 0; y++) {
        p = fl_xasprintf("%s/_posts/%d", outdir, y);
        rc = mkdir_p(p);
        free(p);
    }
    fl_buf b = FL_BUF_INIT;
    if (rc == 0) {
        fl_buf_puts(&b, config_yml);
        p = fl_xasprintf("%s/_config.yml", outdir);
        rc = write_file(p, &b);
        free(p);
    }
    if (rc == 0) {
        fl_buf_reset(&b);
        fl_buf_puts(&b, findling_yml);
        p = fl_xasprintf("%s/findling.yml", outdir);
        rc = write_file(p, &b);
        free(p);
    }
    uint64_t bytes = 0;
    char name[64];
    for (size_t i = 0; i < nd && rc == 0; i++) {
        int year;
        post(&g, seed, i, &b, &year, name, sizeof name);
        p = fl_xasprintf("%s/_posts/%d/%s", outdir, year, name);
        rc = write_file(p, &b);
        free(p);
        bytes += b.len;
    }
    fl_buf_free(&b);
    if (rc == 0)
        printf("{\"documents\": %llu, \"bytes\": %llu, \"seconds\": %.3f, \"seed\": %llu, "
               "\"source\": \"%s\", \"paragraphs\": %zu, \"headings\": %zu}\n",
               nd, (unsigned long long)bytes, bench_now() - t0, (unsigned long long)seed,
               g.laws ? "laws" : "builtin", g.paras.n, g.heads.n);
    pool_free(&g.paras);
    pool_free(&g.heads);
    return rc == 0 ? 0 : 1;
}
