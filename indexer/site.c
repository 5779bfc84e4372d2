/* site.c — a site directory as Jekyll sees it (see fl_site.h).
 *
 * The URL rules follow Jekyll 4.3 and were checked against Debian's jekyll
 * on hand-written sites (tests/unit/test_site.c holds the cases):
 *  - posts: the global `permalink` (style name or pattern);
 *    collections: their own `permalink`, else "/:collection/:path" plus the
 *    style's suffix; pages: "/:path/:basename" plus the suffix, index pages
 *    "/:path/"; a `permalink:` in front matter (or defaults) wins;
 *  - :name/:slug are slugified (lower case, runs of other than letters,
 *    marks and digits → "-"), :title keeps case ("pretty" slug mode),
 *    :categories are lower-cased and joined by "/";
 *  - the URL is percent-encoded (UTF-8, spaces %20) like Jekyll's
 *    escape_path; the baseurl is prefixed (Jekyll's relative_url).
 */
#include "fl_site.h"

#include "fl_err.h"
#include "fl_frontmatter.h"
#include "fl_markdown.h"
#include "fl_normalize.h"
#include "fl_utf8.h"
#include "fl_yaml.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

typedef struct {
    char *name;
    bool output;
    char *permalink; /* NULL: default template */
} site_coll;

typedef struct {
    char *path;      /* scope path ("" = everywhere) */
    char *type;      /* scope type or NULL */
    const fl_yaml *values;
} site_default;

struct fl_site {
    char *root;
    const fl_config *cfg;
    fl_config *own_cfg;
    bool jekyll;
    fl_yaml *conf;        /* _config.yml */
    char *permalink;      /* global style or pattern, expanded for posts */
    char *style;          /* the raw `permalink:` value ("date" by default) */
    char *baseurl;        /* without trailing "/" */
    char *timezone;       /* NULL: system zone */
    bool future;
    char *collections_dir; /* "" or "dir/" */
    site_coll *colls;
    size_t ncolls;
    site_default *defaults;
    size_t ndefaults;
    fl_strlist exclude, include;
};

const char *fl_site_skip_reason(fl_site_skip s)
{
    switch (s) {
    case FL_SKIP_NONE: return "";
    case FL_SKIP_UNPUBLISHED: return "published: false";
    case FL_SKIP_NOSEARCH: return "search: false";
    case FL_SKIP_NOINDEX: return "noindex: true";
    case FL_SKIP_NOSITEMAP: return "sitemap: false";
    case FL_SKIP_FUTURE: return "dated in the future";
    }
    return "";
}

bool fl_site_is_jekyll(const fl_site *s) { return s->jekyll; }
const char *fl_site_baseurl(const fl_site *s) { return s->baseurl; }

char *fl_site_hash(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return fl_xasprintf("%016llx", (unsigned long long)h);
}

static void str_list(const fl_yaml *v, fl_strlist *out)
{
    fl_frontmatter_list(v, false, out);
}

static const char *style_template(const char *style)
{
    if (!strcmp(style, "pretty"))
        return "/:categories/:year/:month/:day/:title/";
    if (!strcmp(style, "none"))
        return "/:categories/:title:output_ext";
    if (!strcmp(style, "date"))
        return "/:categories/:year/:month/:day/:title:output_ext";
    if (!strcmp(style, "ordinal"))
        return "/:categories/:year/:y_day/:title:output_ext";
    if (!strcmp(style, "weekdate"))
        return "/:categories/:year/W:week/:short_day/:title:output_ext";
    return NULL;
}

/* Jekyll's Utils.add_permalink_suffix. */
static char *add_suffix(const char *tmpl, const char *style)
{
    size_t sl = strlen(style);
    if (!strcmp(style, "pretty"))
        return fl_xasprintf("%s/", tmpl);
    if (!strcmp(style, "date") || !strcmp(style, "ordinal") || !strcmp(style, "none") ||
        !strcmp(style, "weekdate"))
        return fl_xasprintf("%s:output_ext", tmpl);
    if (sl && style[sl - 1] == '/')
        return fl_xasprintf("%s/", tmpl);
    if (sl >= 11 && !strcmp(style + sl - 11, ":output_ext"))
        return fl_xasprintf("%s:output_ext", tmpl);
    return fl_xstrdup(tmpl);
}

static int apply_config(fl_site *s, const char *path, char **err);

static int load_config(fl_site *s, const char *path, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fl_err_set(err, "%s: %s", path, strerror(errno));
    fl_buf b = FL_BUF_INIT;
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        fl_buf_append(&b, tmp, n);
    fclose(f);
    char *yerr = NULL;
    s->conf = fl_yaml_parse(fl_buf_cstr(&b), b.len, &yerr, NULL);
    fl_buf_free(&b);
    if (!s->conf && yerr) {
        fl_err_set(err, "%s:%s", path, yerr);
        free(yerr);
        return -1;
    }
    if (s->conf && s->conf->kind != FL_YAML_MAP)
        return fl_err_set(err, "%s:%d: expected a mapping of settings", path, s->conf->line);
    return apply_config(s, path, err);
}

/* Settings from the parsed _config.yml (s->conf; NULL = Jekyll's defaults). */
static int apply_config(fl_site *s, const char *path, char **err)
{
    const fl_yaml *c = s->conf;
    const char *pl = fl_yaml_str(fl_yaml_get(c, "permalink"));
    s->style = fl_xstrdup(pl ? pl : "date");
    const char *t = style_template(s->style);
    s->permalink = fl_xstrdup(t ? t : s->style);
    const char *bu = fl_yaml_str(fl_yaml_get(c, "baseurl"));
    s->baseurl = fl_xstrdup(bu ? bu : "");
    size_t bl = strlen(s->baseurl);
    while (bl && s->baseurl[bl - 1] == '/')
        s->baseurl[--bl] = 0;
    if (bl && s->baseurl[0] != '/') {
        char *x = fl_xasprintf("/%s", s->baseurl);
        free(s->baseurl);
        s->baseurl = x;
    }
    const char *tz = fl_yaml_str(fl_yaml_get(c, "timezone"));
    s->timezone = tz && *tz ? fl_xstrdup(tz) : NULL;
    s->future = fl_yaml_bool(fl_yaml_get(c, "future")) == 1;
    const char *cd = fl_yaml_str(fl_yaml_get(c, "collections_dir"));
    s->collections_dir = cd && *cd ? fl_xasprintf("%s/", cd) : fl_xstrdup("");
    str_list(fl_yaml_get(c, "exclude"), &s->exclude);
    str_list(fl_yaml_get(c, "include"), &s->include);

    const fl_yaml *cols = fl_yaml_get(c, "collections");
    if (cols && cols->kind == FL_YAML_MAP) {
        for (size_t i = 0; i < cols->n; i++) {
            const char *name = fl_yaml_str(cols->items[2 * i]);
            const fl_yaml *m = cols->items[2 * i + 1];
            if (!name || !strcmp(name, "posts"))
                continue;
            s->colls = fl_xrealloc(s->colls, (s->ncolls + 1) * sizeof *s->colls);
            site_coll *sc = &s->colls[s->ncolls++];
            sc->name = fl_xstrdup(name);
            sc->output = fl_yaml_bool(fl_yaml_get(m, "output")) == 1;
            const char *p = fl_yaml_str(fl_yaml_get(m, "permalink"));
            sc->permalink = p ? fl_xstrdup(p) : NULL;
        }
    } else if (cols && cols->kind == FL_YAML_SEQ) {
        /* the old list form: collections without output */
        for (size_t i = 0; i < cols->n; i++) {
            const char *name = fl_yaml_str(cols->items[i]);
            if (!name)
                continue;
            s->colls = fl_xrealloc(s->colls, (s->ncolls + 1) * sizeof *s->colls);
            s->colls[s->ncolls++] = (site_coll){fl_xstrdup(name), false, NULL};
        }
    } else if (cols && cols->kind != FL_YAML_NULL) {
        return fl_err_set(err, "%s:%d: collections: expected a mapping", path, cols->line);
    }

    const fl_yaml *defs = fl_yaml_get(c, "defaults");
    if (defs && defs->kind == FL_YAML_SEQ) {
        for (size_t i = 0; i < defs->n; i++) {
            const fl_yaml *d = defs->items[i];
            const fl_yaml *scope = fl_yaml_get(d, "scope");
            const fl_yaml *values = fl_yaml_get(d, "values");
            if (!values || values->kind != FL_YAML_MAP)
                continue;
            const char *sp = fl_yaml_str(fl_yaml_get(scope, "path"));
            const char *st = fl_yaml_str(fl_yaml_get(scope, "type"));
            s->defaults = fl_xrealloc(s->defaults, (s->ndefaults + 1) * sizeof *s->defaults);
            site_default *sd = &s->defaults[s->ndefaults++];
            /* "./x/" and "x/" and "x" all mean the folder x */
            while (sp && sp[0] == '.' && sp[1] == '/')
                sp += 2;
            sd->path = fl_xstrdup(sp ? sp : "");
            size_t l = strlen(sd->path);
            while (l && sd->path[l - 1] == '/')
                sd->path[--l] = 0;
            sd->type = st ? fl_xstrdup(st) : NULL;
            sd->values = values;
        }
    }
    return 0;
}

fl_site *fl_site_open(const char *root, const fl_config *cfg, char **err)
{
    struct stat st;
    if (stat(root, &st) != 0) {
        fl_err_set(err, "%s: %s", root, strerror(errno));
        return NULL;
    }
    if (!S_ISDIR(st.st_mode)) {
        fl_err_set(err, "%s: not a folder", root);
        return NULL;
    }
    fl_site *s = fl_xcalloc(1, sizeof *s);
    s->root = fl_xstrdup(root);
    size_t rl = strlen(s->root);
    while (rl > 1 && s->root[rl - 1] == '/')
        s->root[--rl] = 0;
    if (!cfg)
        cfg = s->own_cfg = fl_config_new_default();
    s->cfg = cfg;
    char *conf = fl_xasprintf("%s/_config.yml", s->root);
    if (stat(conf, &st) == 0) {
        s->jekyll = true;
        if (load_config(s, conf, err)) {
            free(conf);
            fl_site_close(s);
            return NULL;
        }
    } else if (free(conf), conf = fl_xasprintf("%s/_posts", s->root),
               stat(conf, &st) == 0 && S_ISDIR(st.st_mode)) {
        /* no _config.yml but a _posts folder: Jekyll with its defaults */
        s->jekyll = true;
        apply_config(s, conf, err);
    } else {
        s->style = fl_xstrdup("pretty");
        s->permalink = fl_xstrdup(style_template("pretty"));
        s->baseurl = fl_xstrdup("");
        s->collections_dir = fl_xstrdup("");
    }
    free(conf);
    return s;
}

void fl_site_close(fl_site *s)
{
    if (!s)
        return;
    free(s->root);
    fl_config_free(s->own_cfg);
    fl_yaml_free(s->conf);
    free(s->permalink);
    free(s->style);
    free(s->baseurl);
    free(s->timezone);
    free(s->collections_dir);
    for (size_t i = 0; i < s->ncolls; i++) {
        free(s->colls[i].name);
        free(s->colls[i].permalink);
    }
    free(s->colls);
    for (size_t i = 0; i < s->ndefaults; i++) {
        free(s->defaults[i].path);
        free(s->defaults[i].type);
    }
    free(s->defaults);
    fl_strlist_free(&s->exclude);
    fl_strlist_free(&s->include);
    free(s);
}

/* ------------------------------------------------------------------ walk */

typedef struct {
    fl_site *s;
    bool drafts;
    fl_site_files *out;
    dev_t devs[256];
    ino_t inos[256];
    int depth;
} walk_ctx;

static bool has_ext(const char *name, bool html)
{
    const char *dot = strrchr(name, '.');
    if (!dot)
        return false;
    return !strcasecmp(dot, ".md") || !strcasecmp(dot, ".markdown") ||
           (html && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm")));
}

static bool glob_match(const fl_strlist *l, const char *rel)
{
    for (size_t i = 0; i < l->n; i++) {
        const char *pat = l->items[i];
        while (pat[0] == '.' && pat[1] == '/')
            pat += 2;
        while (*pat == '/')
            pat++;
        size_t pl = strlen(pat);
        while (pl && pat[pl - 1] == '/')
            pl--;
        if (!pl)
            continue;
        if (strncmp(rel, pat, pl) == 0 && (rel[pl] == 0 || rel[pl] == '/'))
            return true;
        char *p = fl_xstrndup(pat, pl);
        bool m = fnmatch(p, rel, 0) == 0;
        free(p);
        if (m)
            return true;
    }
    return false;
}

static bool excluded(fl_site *s, const char *rel, const char *name)
{
    if (glob_match(&s->include, rel))
        return false;
    if (name[0] == '.' || name[0] == '#' || name[strlen(name) - 1] == '~')
        return true;
    if (glob_match(&s->exclude, rel) || glob_match(&s->cfg->exclude, rel))
        return true;
    return false;
}

static void add_problem(walk_ctx *w, const char *rel, const char *msg)
{
    fl_site_files *o = w->out;
    o->problems = fl_xrealloc(o->problems, (o->nproblems + 1) * sizeof *o->problems);
    o->problems[o->nproblems].relpath = fl_xstrdup(rel);
    o->problems[o->nproblems].message = fl_xstrdup(msg);
    o->nproblems++;
}

/* Jekyll's has_yaml_header?: the file starts with a "---" line (we also
 * accept a BOM before it). */
static bool has_front_matter(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return true; /* let fl_site_read report the error */
    char b[8];
    ssize_t n = read(fd, b, sizeof b);
    close(fd);
    if (n < 0)
        return true;
    const char *p = b;
    size_t len = (size_t)n;
    if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3, len -= 3;
    if (len < 4 || memcmp(p, "---", 3) != 0)
        return false;
    size_t i = 3;
    while (i < len && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return i < len && (p[i] == '\n' || p[i] == '\r');
}

static bool is_post_name(const char *name)
{
    /* YYYY-MM-DD-slug.ext (months and days may have one digit) */
    const char *p = name;
    int k = 0;
    while (isdigit((unsigned char)*p) && k < 4)
        p++, k++;
    if (k < 2 || *p++ != '-')
        return false;
    for (int part = 0; part < 2; part++) {
        k = 0;
        while (isdigit((unsigned char)*p) && k < 2)
            p++, k++;
        if (!k || *p++ != '-')
            return false;
    }
    return *p && *p != '.';
}

static const char *coll_name(fl_site *s, const char *n)
{
    for (size_t i = 0; i < s->ncolls; i++)
        if (!strcmp(s->colls[i].name, n))
            return s->colls[i].name;
    return NULL;
}

static void add_file(walk_ctx *w, const char *rel, const char *abs, const struct stat *st,
                     const char *coll)
{
    fl_site_files *o = w->out;
    o->files = fl_xrealloc(o->files, (o->n + 1) * sizeof *o->files);
    fl_site_file *f = &o->files[o->n++];
    f->relpath = fl_xstrdup(rel);
    f->abspath = fl_xstrdup(abs);
    f->size = (uint64_t)st->st_size;
    f->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    f->collection = coll;
}

/* kind: NULL = pages, else a collection name ("posts", "drafts", ...) */
static void walk(walk_ctx *w, const char *rel, const char *kind)
{
    fl_site *s = w->s;
    char *abs = rel[0] ? fl_xasprintf("%s/%s", s->root, rel) : fl_xstrdup(s->root);
    DIR *d = opendir(abs);
    if (!d) {
        char *m = fl_xasprintf("cannot read folder: %s", strerror(errno));
        add_problem(w, rel[0] ? rel : ".", m);
        free(m);
        free(abs);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (!strcmp(name, ".") || !strcmp(name, ".."))
            continue;
        char *crel = rel[0] ? fl_xasprintf("%s/%s", rel, name) : fl_xstrdup(name);
        char *cabs = fl_xasprintf("%s/%s", abs, name);
        struct stat st, lst;
        if (excluded(s, crel, name) || lstat(cabs, &lst) != 0)
            goto next;
        if (stat(cabs, &st) != 0) {
            if (S_ISLNK(lst.st_mode)) {
                char *m = fl_xasprintf("broken or looping symlink: %s", strerror(errno));
                add_problem(w, crel, m);
                free(m);
            }
            goto next;
        }
        if (S_ISDIR(st.st_mode)) {
            if (!strcmp(name, "_site") || !strcmp(name, "node_modules") || !strcmp(name, "vendor"))
                goto next;
            bool loop = false;
            for (int i = 0; i < w->depth; i++)
                if (w->devs[i] == st.st_dev && w->inos[i] == st.st_ino)
                    loop = true;
            if (loop) {
                add_problem(w, crel, "symlink loop");
                goto next;
            }
            if (w->depth >= 255) {
                add_problem(w, crel, "folders nested too deeply");
                goto next;
            }
            const char *ckind = kind;
            if (s->jekyll && !kind && name[0] == '_') {
                if (!strcmp(name, "_posts"))
                    ckind = "posts";
                else if (!strcmp(name, "_drafts") && w->drafts)
                    ckind = "drafts";
                else if (!rel[0] && !s->collections_dir[0] && coll_name(s, name + 1))
                    ckind = coll_name(s, name + 1);
                else
                    goto next;
                if (ckind != kind && strcmp(ckind, "posts") && strcmp(ckind, "drafts")) {
                    /* collections without output are not pages */
                    bool out = false;
                    for (size_t i = 0; i < s->ncolls; i++)
                        if (!strcmp(s->colls[i].name, ckind))
                            out = s->colls[i].output;
                    if (!out)
                        goto next;
                }
            }
            w->devs[w->depth] = st.st_dev;
            w->inos[w->depth] = st.st_ino;
            w->depth++;
            walk(w, crel, ckind);
            w->depth--;
        } else if (S_ISREG(st.st_mode)) {
            if (!s->jekyll) {
                if (has_ext(name, false))
                    add_file(w, crel, cabs, &st, "pages");
            } else if (kind && (!strcmp(kind, "posts") || !strcmp(kind, "drafts"))) {
                if (has_ext(name, true) && (!strcmp(kind, "drafts") || is_post_name(name)))
                    add_file(w, crel, cabs, &st, kind);
            } else if (has_ext(name, true) && has_front_matter(cabs)) {
                add_file(w, crel, cabs, &st, kind ? kind : "pages");
            }
        }
    next:
        free(crel);
        free(cabs);
    }
    closedir(d);
    free(abs);
}

static int file_cmp(const void *a, const void *b)
{
    return strcmp(((const fl_site_file *)a)->relpath, ((const fl_site_file *)b)->relpath);
}

int fl_site_list(fl_site *s, bool drafts, fl_site_files *out, char **err)
{
    memset(out, 0, sizeof *out);
    walk_ctx *w = fl_xcalloc(1, sizeof *w);
    w->s = s;
    w->drafts = drafts;
    w->out = out;
    struct stat st;
    if (stat(s->root, &st) != 0) {
        free(w);
        return fl_err_set(err, "%s: %s", s->root, strerror(errno));
    }
    w->devs[0] = st.st_dev;
    w->inos[0] = st.st_ino;
    w->depth = 1;
    walk(w, "", NULL);
    /* collections under collections_dir */
    if (s->jekyll && s->collections_dir[0]) {
        for (size_t i = 0; i < s->ncolls; i++) {
            if (!s->colls[i].output)
                continue;
            char *rel = fl_xasprintf("%s_%s", s->collections_dir, s->colls[i].name);
            char *abs = fl_xasprintf("%s/%s", s->root, rel);
            if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode))
                walk(w, rel, s->colls[i].name);
            free(rel);
            free(abs);
        }
    }
    free(w);
    if (out->n)
        qsort(out->files, out->n, sizeof *out->files, file_cmp);
    return 0;
}

void fl_site_files_free(fl_site_files *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->files[i].relpath);
        free(f->files[i].abspath);
    }
    free(f->files);
    for (size_t i = 0; i < f->nproblems; i++) {
        free(f->problems[i].relpath);
        free(f->problems[i].message);
    }
    free(f->problems);
    memset(f, 0, sizeof *f);
}

/* ------------------------------------------------------------------ reading */

/* Which defaults apply to a document, and the value of a key: front matter
 * first, then the most specific matching default (Jekyll's precedence: a
 * longer scope path wins, then a scope with a type; later entries win ties). */
typedef struct {
    const fl_site *s;
    const fl_yaml *fm;
    const char *rel;
    const char *type;
} lookup;

static bool default_applies(const site_default *d, const char *rel, const char *type)
{
    if (d->type && strcmp(d->type, type) != 0)
        return false;
    if (!d->path[0])
        return true;
    size_t pl = strlen(d->path);
    if (strncmp(rel, d->path, pl) == 0 && (rel[pl] == 0 || rel[pl] == '/'))
        return true;
    if (strpbrk(d->path, "*?[")) {
        char *pat = fl_xasprintf("%s*", d->path);
        bool m = fnmatch(pat, rel, 0) == 0;
        free(pat);
        return m;
    }
    return false;
}

static const fl_yaml *get(const lookup *l, const char *key)
{
    const fl_yaml *v = fl_yaml_get(l->fm, key);
    if (v)
        return v;
    const fl_yaml *best = NULL;
    int best_rank = -1;
    for (size_t i = 0; i < l->s->ndefaults; i++) {
        const site_default *d = &l->s->defaults[i];
        if (!default_applies(d, l->rel, l->type))
            continue;
        const fl_yaml *dv = fl_yaml_get(d->values, key);
        if (!dv)
            continue;
        int segs = 0;
        for (const char *p = d->path; *p; p++)
            segs += *p == '/';
        int rank = (d->path[0] ? (segs + 1) * 2 : 0) + (d->type ? 1 : 0);
        if (rank >= best_rank) {
            best = dv;
            best_rank = rank;
        }
    }
    return best;
}

/* Jekyll's Utils.slugify, modes "default" and "pretty". */
static char *slugify(const char *s, bool pretty, bool cased)
{
    fl_buf b = FL_BUF_INIT;
    size_t len = strlen(s), i = 0;
    bool dash = false;
    while (i < len) {
        size_t adv;
        uint32_t cp = fl_utf8_decode(s + i, len - i, &adv);
        utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
        bool keep = (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
                    (c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME) ||
                    c == UTF8PROC_CATEGORY_ND ||
                    (pretty && cp < 128 && strchr("._~!$&'()+,;=@", (int)cp));
        if (keep) {
            if (dash)
                fl_buf_putc(&b, '-');
            dash = false;
            fl_utf8_encode(&b, cased ? cp : (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
        } else {
            dash = true;
        }
        i += adv;
    }
    if (dash && b.len)
        fl_buf_putc(&b, '-');
    /* a run at the start became nothing; one at the end is dropped */
    if (b.len && b.data[b.len - 1] == '-')
        fl_buf_truncate(&b, b.len - 1);
    return fl_buf_detach(&b);
}

/* Jekyll's URL.escape_path: percent-encode all but the path characters. */
static void escape_path(fl_buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-._~!$&'()*+,;=:@/", *p))
            fl_buf_putc(out, (char)*p);
        else
            fl_buf_printf(out, "%%%02X", *p);
    }
}

typedef struct {
    const char *name;
    const char *value;
} ph;

/* Expands :placeholders (longest name first) and sanitises like Jekyll's
 * URL#sanitize_url: "//" → "/", a leading "/" ensured. */
static char *expand(const char *tmpl, const ph *phs, size_t nph)
{
    fl_buf b = FL_BUF_INIT;
    for (const char *p = tmpl; *p;) {
        if (*p == ':') {
            const ph *best = NULL;
            size_t bl = 0;
            for (size_t i = 0; i < nph; i++) {
                size_t nl = strlen(phs[i].name);
                if (nl > bl && strncmp(p + 1, phs[i].name, nl) == 0) {
                    best = &phs[i];
                    bl = nl;
                }
            }
            if (best) {
                escape_path(&b, best->value);
                p += 1 + bl;
                continue;
            }
        }
        fl_buf_putc(&b, *p++);
    }
    fl_buf r = FL_BUF_INIT;
    fl_buf_putc(&r, '/');
    const char *s = fl_buf_cstr(&b);
    for (size_t i = 0; s[i]; i++) {
        if (s[i] == '/' && r.len && r.data[r.len - 1] == '/')
            continue;
        fl_buf_putc(&r, s[i]);
    }
    fl_buf_free(&b);
    return fl_buf_detach(&r);
}

static char *titleize(const char *slug)
{
    fl_buf b = FL_BUF_INIT;
    bool start = true;
    for (const char *p = slug; *p; p++) {
        if (*p == '-') {
            fl_buf_putc(&b, ' ');
            start = true;
        } else {
            fl_buf_putc(&b, start ? (char)toupper((unsigned char)*p) : *p);
            start = false;
        }
    }
    return fl_buf_detach(&b);
}

static void clean_values(const fl_strlist *in, fl_strlist *out)
{
    fl_strlist keys = {0};
    for (size_t i = 0; i < in->n; i++) {
        fl_buf d = FL_BUF_INIT, k = FL_BUF_INIT;
        char *e = NULL;
        if (fl_norm_display(in->items[i], strlen(in->items[i]), &d, &e) == 0 && d.len &&
            fl_norm_facet_key(d.data, d.len, &k, &e) == 0 && !fl_strlist_contains(&keys, fl_buf_cstr(&k))) {
            fl_strlist_push(&keys, fl_buf_cstr(&k));
            fl_strlist_push(out, d.data);
        }
        free(e);
        fl_buf_free(&d);
        fl_buf_free(&k);
    }
    fl_strlist_free(&keys);
}

static void scalar_copy(char **dst, const fl_yaml *v)
{
    const char *s = fl_yaml_str(v);
    if (s && *s && !*dst)
        *dst = fl_xstrdup(s);
}

static int read_file(const fl_site_file *f, uint64_t max, fl_buf *out, char **err)
{
    int fd = open(f->abspath, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fl_err_set(err, "%s: cannot open: %s", f->relpath, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return fl_err_set(err, "%s: not a regular file", f->relpath);
    }
    if ((uint64_t)st.st_size > max) {
        close(fd);
        return fl_err_set(err, "%s: file too large (%llu bytes, limit %llu)", f->relpath,
                          (unsigned long long)st.st_size, (unsigned long long)max);
    }
    fl_buf_reserve(out, (size_t)st.st_size);
    char tmp[65536];
    for (;;) {
        ssize_t n = read(fd, tmp, sizeof tmp);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            close(fd);
            return fl_err_set(err, "%s: read error: %s", f->relpath, strerror(e));
        }
        if (n == 0)
            break;
        fl_buf_append(out, tmp, (size_t)n);
        if (out->len > max) {
            close(fd);
            return fl_err_set(err, "%s: file too large (limit %llu bytes)", f->relpath,
                              (unsigned long long)max);
        }
    }
    close(fd);
    if (out->len && memchr(out->data, 0, out->len))
        return fl_err_set(err, "%s: binary file (contains NUL bytes)", f->relpath);
    return 0;
}

static int line_of(const char *s, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off; i++)
        line += s[i] == '\n';
    return line;
}

int fl_site_read(const fl_site *s, const fl_site_file *f, time_t now, fl_page *p,
                 fl_site_skip *skip, char **err)
{
    fl_page_init(p);
    *skip = FL_SKIP_NONE;
    p->id = fl_xstrdup(f->relpath);
    p->collection = fl_xstrdup(f->collection ? f->collection : "pages");
    fl_buf raw = FL_BUF_INIT, text = FL_BUF_INIT;
    if (read_file(f, s->cfg->max_file_size, &raw, err)) {
        fl_buf_free(&raw);
        return -1;
    }
    p->content_hash = fl_site_hash(raw.data ? raw.data : "", raw.len);
    size_t bad_at;
    size_t bad = fl_utf8_repair(&text, fl_buf_cstr(&raw), raw.len, &bad_at);
    if (bad)
        fl_page_warn(p, line_of(fl_buf_cstr(&raw), bad_at),
                     "invalid UTF-8 repaired (%zu byte%s replaced)", bad, bad == 1 ? "" : "s");
    fl_buf_free(&raw);
    const char *txt = fl_buf_cstr(&text);

    fl_frontmatter fm;
    fl_frontmatter_split(txt, text.len, !s->jekyll, &fm, p);
    const char *type = p->collection;
    lookup L = {s, fm.yaml, f->relpath, type};

    /* The site's decisions not to publish or index. */
    if (fl_yaml_bool(get(&L, "published")) == 0)
        *skip = FL_SKIP_UNPUBLISHED;
    else if (fl_yaml_bool(get(&L, "search")) == 0)
        *skip = FL_SKIP_NOSEARCH;
    else if (fl_yaml_bool(get(&L, "noindex")) == 1)
        *skip = FL_SKIP_NOINDEX;
    else if (fl_yaml_bool(get(&L, "sitemap")) == 0)
        *skip = FL_SKIP_NOSITEMAP;

    /* File name parts. */
    const char *base = strrchr(f->relpath, '/');
    base = base ? base + 1 : f->relpath;
    const char *dot = strrchr(base, '.');
    char *stem = fl_xstrndup(base, dot ? (size_t)(dot - base) : strlen(base));
    char *dir = fl_xstrndup(f->relpath, (size_t)(base - f->relpath));
    bool is_post = !strcmp(type, "posts") || !strcmp(type, "drafts");
    bool is_doc = strcmp(type, "pages") != 0 && s->jekyll;
    bool is_html = dot && (!strcasecmp(dot, ".html") || !strcasecmp(dot, ".htm"));
    char *slug = NULL;
    char fdate[11] = "";
    if (is_post && is_post_name(stem)) {
        /* YYYY-MM-DD-slug */
        const char *q = stem;
        for (int dashes = 0; *q && dashes < 3; q++)
            dashes += *q == '-';
        slug = fl_xstrdup(q);
        snprintf(fdate, sizeof fdate, "%.*s", (int)(q - 1 - stem), stem);
    } else {
        slug = fl_xstrdup(stem);
    }

    /* Date: front matter (or defaults), else from the post's file name. */
    long long when = 0;
    bool dated = false;
    char date[11];
    const fl_yaml *dv = get(&L, "date");
    if (fl_yaml_str(dv) && fl_frontmatter_date(fl_yaml_str(dv), s->timezone, &when, date) == 0) {
        dated = true;
        p->datetime = fl_xstrdup(fl_yaml_str(dv));
    } else {
        if (fl_yaml_str(dv))
            fl_page_warn(p, dv->line + (fm.yaml ? 1 : 0), "date '%s' not understood",
                         fl_yaml_str(dv));
        if (fdate[0] && fl_frontmatter_date(fdate, s->timezone, &when, date) == 0)
            dated = true;
    }
    if (dated) {
        p->date = fl_xstrdup(date);
        if (is_doc && !s->future && when > (long long)now && *skip == FL_SKIP_NONE)
            *skip = FL_SKIP_FUTURE;
    }

    /* Lists as Jekyll reads them. */
    fl_strlist cats = {0}, tags = {0}, authors = {0};
    fl_frontmatter_list(get(&L, "categories"), true, &cats);
    fl_frontmatter_list(get(&L, "category"), false, &cats);
    fl_frontmatter_list(get(&L, "tags"), true, &tags);
    fl_frontmatter_list(get(&L, "tag"), false, &tags);
    fl_frontmatter_list(get(&L, "authors"), false, &authors);
    fl_frontmatter_list(get(&L, "author"), false, &authors);
    clean_values(&cats, &p->categories);
    clean_values(&tags, &p->tags);
    clean_values(&authors, &p->authors);
    /* Short names a reader may search by ("§ 622 BGB"): indexed with the
     * title's weight. */
    fl_strlist kw = {0};
    static const char *const kw_fields[] = {"jurabk", "abbreviation", "short_title", "keywords"};
    for (size_t i = 0; i < sizeof kw_fields / sizeof *kw_fields; i++)
        fl_frontmatter_list(get(&L, kw_fields[i]), false, &kw);
    clean_values(&kw, &p->keywords);
    fl_strlist_free(&kw);

    scalar_copy(&p->teaser, get(&L, "teaser"));
    scalar_copy(&p->teaser, get(&L, "description"));
    scalar_copy(&p->teaser, get(&L, "excerpt"));
    const fl_yaml *img = get(&L, "image");
    if (img && img->kind == FL_YAML_MAP)
        img = fl_yaml_get(img, "path");
    scalar_copy(&p->image, img);
    scalar_copy(&p->image, get(&L, "header_image"));
    scalar_copy(&p->lang, get(&L, "lang"));
    if (!p->lang && s->conf)
        scalar_copy(&p->lang, fl_yaml_get(s->conf, "lang"));

    /* URL. */
    char *url = NULL;
    const char *permalink = fl_yaml_str(get(&L, "permalink"));
    if (!s->jekyll) {
        /* plain archive: a/x/index.md → /a/x/, a/b.md → /a/b/ */
        url = !strcmp(stem, "index") ? fl_xasprintf("/%s", dir) : fl_xasprintf("/%s%s/", dir, stem);
        fl_buf e = FL_BUF_INIT;
        escape_path(&e, url);
        free(url);
        url = fl_buf_detach(&e);
    } else if (!is_doc) {
        char *tmpl;
        if (permalink)
            tmpl = fl_xstrdup(permalink);
        else if (!strcmp(stem, "index"))
            tmpl = fl_xstrdup("/:path/");
        else
            tmpl = add_suffix("/:path/:basename", s->style);
        char *path = fl_xstrndup(dir, strlen(dir) ? strlen(dir) - 1 : 0);
        ph phs[] = {{"path", path}, {"basename", stem}, {"output_ext", ".html"}};
        url = expand(tmpl, phs, sizeof phs / sizeof *phs);
        free(path);
        free(tmpl);
    } else {
        char *tmpl = NULL;
        if (permalink) {
            tmpl = fl_xstrdup(permalink);
        } else if (is_post) {
            tmpl = fl_xstrdup(s->permalink);
        } else {
            /* A collection named twice in _config.yml: the last one
             * counts, as in Jekyll (the earlier copy is freed). */
            for (size_t i = 0; i < s->ncolls; i++)
                if (!strcmp(s->colls[i].name, type) && s->colls[i].permalink) {
                    free(tmpl);
                    tmpl = fl_xstrdup(s->colls[i].permalink);
                }
            if (!tmpl)
                tmpl = add_suffix("/:collection/:path", s->style);
        }
        /* :path — the path inside the collection folder, without extension */
        const char *inside = f->relpath;
        char *cdir = fl_xasprintf("%s_%s/", s->collections_dir, type);
        if (!strncmp(inside, cdir, strlen(cdir)))
            inside += strlen(cdir) - 1;
        const char *idot = strrchr(inside, '.');
        char *cpath = fl_xstrndup(inside, idot && idot > strrchr(inside, '/') ? (size_t)(idot - inside) : strlen(inside));
        free(cdir);
        /* categories of a post: front matter plus the folders above _posts */
        fl_strlist ucats = {0};
        if (is_post) {
            const char *mp = strstr(f->relpath, "_posts/");
            if (!mp)
                mp = strstr(f->relpath, "_drafts/");
            if (mp && mp > f->relpath) {
                char *pre = fl_xstrndup(f->relpath, (size_t)(mp - f->relpath - 1));
                for (char *t = strtok(pre, "/"); t; t = strtok(NULL, "/"))
                    fl_strlist_push(&ucats, t);
                free(pre);
            }
            for (size_t i = 0; i < cats.n; i++)
                fl_strlist_push(&ucats, cats.items[i]);
        }
        fl_buf cj = FL_BUF_INIT;
        fl_strlist seen = {0};
        for (size_t i = 0; i < ucats.n; i++) {
            fl_buf lc = FL_BUF_INIT;
            for (const char *q = ucats.items[i]; *q;) {
                size_t adv;
                uint32_t cp = fl_utf8_decode(q, strlen(q), &adv);
                fl_utf8_encode(&lc, (uint32_t)utf8proc_tolower((utf8proc_int32_t)cp));
                q += adv;
            }
            if (!fl_strlist_contains(&seen, fl_buf_cstr(&lc))) {
                fl_strlist_push(&seen, fl_buf_cstr(&lc));
                if (cj.len)
                    fl_buf_putc(&cj, '/');
                fl_buf_puts(&cj, fl_buf_cstr(&lc));
            }
            fl_buf_free(&lc);
        }
        fl_strlist_free(&seen);
        fl_strlist_free(&ucats);
        char ud[11];
        if (dated)
            memcpy(ud, date, 11);
        else
            fl_frontmatter_date_in_tz((long long)now, s->timezone, ud);
        struct tm tm = {0};
        tm.tm_year = atoi(ud) - 1900;
        tm.tm_mon = atoi(ud + 5) - 1;
        tm.tm_mday = atoi(ud + 8);
        time_t tt = timegm(&tm);
        gmtime_r(&tt, &tm);
        char y[8], m[4], d[4], im[4], id[4], sy[4], yday[5], sm[8], lm[16], sd[8], ld[16], wk[4];
        strftime(y, sizeof y, "%Y", &tm);
        strftime(m, sizeof m, "%m", &tm);
        strftime(d, sizeof d, "%d", &tm);
        snprintf(im, sizeof im, "%d", (tm.tm_mon + 1) % 100);
        snprintf(id, sizeof id, "%d", tm.tm_mday % 100);
        strftime(sy, sizeof sy, "%y", &tm);
        strftime(yday, sizeof yday, "%j", &tm);
        strftime(sm, sizeof sm, "%b", &tm);
        strftime(lm, sizeof lm, "%B", &tm);
        strftime(sd, sizeof sd, "%a", &tm);
        strftime(ld, sizeof ld, "%A", &tm);
        strftime(wk, sizeof wk, "%V", &tm);
        const fl_yaml *fslug = get(&L, "slug");
        const char *slug_src = fl_yaml_str(fslug) ? fl_yaml_str(fslug) : slug;
        char *name = slugify(stem, false, false);
        char *title_ph = slugify(slug_src, true, true);
        char *slug_ph = slugify(slug_src, false, false);
        ph phs[] = {{"collection", type},  {"path", cpath},      {"name", name},
                    {"title", title_ph},   {"slug", slug_ph},    {"categories", fl_buf_cstr(&cj)},
                    {"year", y},           {"month", m},         {"day", d},
                    {"i_month", im},       {"i_day", id},        {"short_year", sy},
                    {"y_day", yday},       {"short_month", sm},  {"long_month", lm},
                    {"short_day", sd},     {"long_day", ld},     {"week", wk},
                    {"output_ext", ".html"}};
        url = expand(tmpl, phs, sizeof phs / sizeof *phs);
        free(name);
        free(title_ph);
        free(slug_ph);
        fl_buf_free(&cj);
        free(cpath);
        free(tmpl);
    }
    p->url = fl_xasprintf("%s%s", s->baseurl, url);
    free(url);

    /* Body and sections. */
    int rc = 0;
    if (fm.pre) {
        fl_buf both = FL_BUF_INIT;
        fl_buf_append(&both, fm.pre, fm.pre_len);
        fl_buf_puts(&both, "\n\n");
        fl_buf_append(&both, fm.body, fm.body_len);
        rc = fl_markdown_extract(fl_buf_cstr(&both), both.len, is_html, p, err);
        fl_buf_free(&both);
    } else {
        rc = fl_markdown_extract(fm.body, fm.body_len, is_html, p, err);
    }
    if (rc)
        fl_err_wrap(err, "%s", f->relpath);

    /* Title: front matter, else the first heading, else the file name. */
    const fl_yaml *tv = get(&L, "title");
    if (!tv)
        tv = fl_yaml_get(fm.yaml, "Title");
    if (fl_yaml_str(tv)) {
        fl_buf t = FL_BUF_INIT;
        char *e = NULL;
        if (fl_norm_display(fl_yaml_str(tv), strlen(fl_yaml_str(tv)), &t, &e) == 0 && t.len)
            p->title = fl_buf_detach(&t);
        free(e);
        fl_buf_free(&t);
    }
    for (size_t i = 0; !p->title && i < p->nsections; i++)
        if (p->sections[i].level > 0 && p->sections[i].title[0])
            p->title = fl_xstrdup(p->sections[i].title);
    if (!p->title) {
        if (is_post)
            p->title = titleize(slug);
        else if (!strcmp(stem, "index") && dir[0]) {
            size_t dl = strlen(dir) - 1;
            const char *ds = dir + dl;
            while (ds > dir && ds[-1] != '/')
                ds--;
            p->title = fl_xstrndup(ds, (size_t)(dir + dl - ds));
        } else
            p->title = fl_xstrdup(stem);
    }

    /* Facets of the configured names. */
    const fl_config *cfg = s->cfg;
    p->facets = fl_xcalloc(cfg->nfacets ? cfg->nfacets : 1, sizeof *p->facets);
    for (size_t i = 0; i < cfg->nfacets; i++) {
        const fl_facet_conf *fc = &cfg->facets[i];
        fl_facet_values *fv = &p->facets[p->nfacets++];
        fv->name = fl_xstrdup(fc->name);
        if (!strcmp(fc->name, "category"))
            clean_values(&p->categories, &fv->values);
        else if (!strcmp(fc->name, "author"))
            clean_values(&p->authors, &fv->values);
        else if (!strcmp(fc->name, "tag"))
            clean_values(&p->tags, &fv->values);
        else if (!strcmp(fc->name, "year")) {
            if (p->date)
                fl_strlist_push_n(&fv->values, p->date, 4);
        } else {
            fl_strlist raw_vals = {0};
            fl_frontmatter_list(get(&L, fc->field), false, &raw_vals);
            clean_values(&raw_vals, &fv->values);
            fl_strlist_free(&raw_vals);
        }
    }

    fl_strlist_free(&cats);
    fl_strlist_free(&tags);
    fl_strlist_free(&authors);
    free(slug);
    free(stem);
    free(dir);
    fl_frontmatter_free(&fm);
    fl_buf_free(&text);
    return rc ? -1 : 0;
}
