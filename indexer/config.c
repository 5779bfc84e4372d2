/* config.c — findling.yml (see fl_config.h). */
#include "fl_config.h"

#include "fl_buf.h"
#include "fl_err.h"
#include "fl_yaml.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add_facet(fl_config *c, const char *name, const char *field, const char *label,
                      const char *prefix)
{
    c->facets = fl_xrealloc(c->facets, (c->nfacets + 1) * sizeof *c->facets);
    fl_facet_conf *f = &c->facets[c->nfacets++];
    f->name = fl_xstrdup(name);
    f->field = fl_xstrdup(field ? field : name);
    f->label = fl_xstrdup(label ? label : name);
    f->prefix = prefix ? fl_xstrdup(prefix) : NULL;
}

static void clear_facets(fl_config *c)
{
    for (size_t i = 0; i < c->nfacets; i++) {
        free(c->facets[i].name);
        free(c->facets[i].field);
        free(c->facets[i].label);
        free(c->facets[i].prefix);
    }
    free(c->facets);
    c->facets = NULL;
    c->nfacets = 0;
}

fl_config *fl_config_new_default(void)
{
    fl_config *c = fl_xcalloc(1, sizeof *c);
    c->max_file_size = FL_CONFIG_DEFAULT_MAX_FILE_SIZE;
    c->recency_half_life = FL_CONFIG_DEFAULT_HALF_LIFE;
    add_facet(c, "category", "categories", "Kategorie", "kategorie");
    add_facet(c, "author", "authors", "Autor*in", "autor");
    add_facet(c, "tag", "tags", "Schlagwort", "schlagwort");
    add_facet(c, "year", "date", "Jahr", "jahr");
    return c;
}

void fl_config_free(fl_config *c)
{
    if (!c)
        return;
    free(c->path);
    free(c->db);
    clear_facets(c);
    for (size_t i = 0; i < c->nsynonyms; i++)
        fl_strlist_free(&c->synonyms[i]);
    free(c->synonyms);
    fl_strlist_free(&c->exclude);
    fl_strlist_free(&c->words);
    fl_strlist_free(&c->warnings);
    free(c);
}

const fl_facet_conf *fl_config_facet(const fl_config *c, const char *name)
{
    for (size_t i = 0; c && i < c->nfacets; i++)
        if (strcmp(c->facets[i].name, name) == 0)
            return &c->facets[i];
    return NULL;
}

/* "10MB", "512k", "1048576" → bytes; -1 when not a size. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno || s[0] == '-')
        return -1;
    while (*end == ' ')
        end++;
    uint64_t mul = 1;
    if (*end == 'k' || *end == 'K')
        mul = 1024, end++;
    else if (*end == 'm' || *end == 'M')
        mul = 1024 * 1024, end++;
    else if (*end == 'g' || *end == 'G')
        mul = 1024ULL * 1024 * 1024, end++;
    if (mul > 1 && (*end == 'b' || *end == 'B'))
        end++;
    if (*end || (v && mul > UINT64_MAX / v))
        return -1;
    *out = (uint64_t)v * mul;
    return 0;
}

/* Appends the scalar items of a list (or one scalar) to out; -1 if shapeless. */
static int str_list(const fl_yaml *v, fl_strlist *out)
{
    if (v->kind == FL_YAML_SCALAR) {
        fl_strlist_push(out, v->value);
        return 0;
    }
    if (v->kind != FL_YAML_SEQ)
        return -1;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i]->kind != FL_YAML_SCALAR)
            return -1;
        fl_strlist_push(out, v->items[i]->value);
    }
    return 0;
}

/* The built-in facets keep their field mapping when named in the config. */
static const char *builtin_field(const char *name)
{
    if (!strcmp(name, "category"))
        return "categories";
    if (!strcmp(name, "author"))
        return "authors";
    if (!strcmp(name, "tag"))
        return "tags";
    if (!strcmp(name, "year"))
        return "date";
    return NULL;
}

static int load_facets(fl_config *c, const fl_yaml *v, const char *path, char **err)
{
    if (v->kind != FL_YAML_SEQ)
        return fl_err_set(err, "%s:%d: facets: expected a list of {field, name, label}", path,
                          v->line);
    clear_facets(c);
    for (size_t i = 0; i < v->n; i++) {
        const fl_yaml *it = v->items[i];
        const char *name = NULL, *field = NULL, *label = NULL, *prefix = NULL;
        if (it->kind == FL_YAML_SCALAR) {
            name = it->value;
        } else if (it->kind == FL_YAML_MAP) {
            field = fl_yaml_str(fl_yaml_get(it, "field"));
            name = fl_yaml_str(fl_yaml_get(it, "name"));
            label = fl_yaml_str(fl_yaml_get(it, "label"));
            prefix = fl_yaml_str(fl_yaml_get(it, "prefix"));
            /* `name:` may be the display name when a field is given and the
             * name looks like a label (the brief allows name/label). */
            if (!name)
                name = field;
        }
        if (!name || !*name)
            return fl_err_set(err, "%s:%d: facets: each entry needs a field or name", path,
                              it->line);
        if (fl_config_facet(c, name))
            return fl_err_set(err, "%s:%d: facets: '%s' is listed twice", path, it->line, name);
        if (!field)
            field = builtin_field(name) ? builtin_field(name) : name;
        add_facet(c, name, field, label, prefix);
    }
    return 0;
}

static int load_tree(fl_config *c, const fl_yaml *root, const char *path, char **err)
{
    if (!root)
        return 0;
    if (root->kind != FL_YAML_MAP)
        return fl_err_set(err, "%s:%d: expected a mapping of settings", path, root->line);
    for (size_t i = 0; i < root->n; i++) {
        const fl_yaml *k = root->items[2 * i], *v = root->items[2 * i + 1];
        const char *key = fl_yaml_str(k);
        if (!key) {
            char *w = fl_xasprintf("%s:%d: ignored a non-text key", path, k->line);
            fl_strlist_push(&c->warnings, w);
            free(w);
            continue;
        }
        if (v->kind == FL_YAML_NULL)
            continue;
        if (!strcmp(key, "db")) {
            if (v->kind != FL_YAML_SCALAR)
                return fl_err_set(err, "%s:%d: db: expected a path", path, v->line);
            free(c->db);
            c->db = fl_xstrdup(v->value);
        } else if (!strcmp(key, "facets")) {
            if (load_facets(c, v, path, err))
                return -1;
        } else if (!strcmp(key, "synonyms")) {
            if (v->kind != FL_YAML_SEQ)
                return fl_err_set(err, "%s:%d: synonyms: expected a list of lists", path, v->line);
            for (size_t j = 0; j < v->n; j++) {
                fl_strlist g = {0};
                if (v->items[j]->kind != FL_YAML_SEQ || str_list(v->items[j], &g) || g.n < 2) {
                    fl_strlist_free(&g);
                    return fl_err_set(err,
                                      "%s:%d: synonyms: each group must be a list of at least "
                                      "two strings, e.g. [KI, Künstliche Intelligenz]",
                                      path, v->items[j]->line);
                }
                c->synonyms = fl_xrealloc(c->synonyms, (c->nsynonyms + 1) * sizeof *c->synonyms);
                c->synonyms[c->nsynonyms++] = g;
            }
        } else if (!strcmp(key, "max_file_size")) {
            if (v->kind != FL_YAML_SCALAR || parse_size(v->value, &c->max_file_size) ||
                c->max_file_size == 0)
                return fl_err_set(err, "%s:%d: max_file_size: expected a size such as 10MB", path,
                                  v->line);
        } else if (!strcmp(key, "shards")) {
            char *end = NULL;
            long n = v->kind == FL_YAML_SCALAR ? strtol(v->value, &end, 10) : 0;
            if (v->kind != FL_YAML_SCALAR || !end || *end || end == v->value || n < 1 ||
                n > FL_CONFIG_MAX_SHARDS)
                return fl_err_set(err, "%s:%d: shards: expected a number 1..%d", path, v->line,
                                  FL_CONFIG_MAX_SHARDS);
            c->shards = (unsigned)n;
        } else if (!strcmp(key, "exclude")) {
            if (str_list(v, &c->exclude))
                return fl_err_set(err, "%s:%d: exclude: expected a list of globs", path, v->line);
        } else if (!strcmp(key, "words")) {
            if (str_list(v, &c->words))
                return fl_err_set(err, "%s:%d: words: expected a list of words", path, v->line);
        } else if (!strcmp(key, "recency_boost")) {
            char *end;
            double d = v->kind == FL_YAML_SCALAR ? strtod(v->value, &end) : -1;
            if (v->kind != FL_YAML_SCALAR || *end || end == v->value || d < 0)
                return fl_err_set(err, "%s:%d: recency_boost: expected a number >= 0", path,
                                  v->line);
            c->recency_boost = d;
        } else if (!strcmp(key, "recency_half_life")) {
            char *end;
            double d = v->kind == FL_YAML_SCALAR ? strtod(v->value, &end) : -1;
            if (v->kind != FL_YAML_SCALAR || *end || end == v->value || !(d > 0) || d > 1e6)
                return fl_err_set(err, "%s:%d: recency_half_life: expected a number of days > 0",
                                  path, v->line);
            c->recency_half_life = d;
        } else if (!strcmp(key, "changesets")) {
            char *end;
            long n = v->kind == FL_YAML_SCALAR ? strtol(v->value, &end, 10) : -1;
            if (v->kind != FL_YAML_SCALAR || *end || end == v->value || n < 0 || n > 100000)
                return fl_err_set(err, "%s:%d: changesets: expected a number 0..100000", path,
                                  v->line);
            c->changesets = (unsigned)n;
        } else {
            char *w = fl_xasprintf("%s:%d: unknown setting '%s' ignored", path, k->line, key);
            fl_strlist_push(&c->warnings, w);
            free(w);
        }
    }
    return 0;
}

static int read_all(const char *path, fl_buf *out, char **err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fl_err_set(err, "%s: %s", path, strerror(errno));
    char tmp[65536];
    size_t n;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        fl_buf_append(out, tmp, n);
    int bad = ferror(f);
    fclose(f);
    if (bad)
        return fl_err_set(err, "%s: read error", path);
    return 0;
}

fl_config *fl_config_load_file(const char *path, char **err)
{
    fl_buf text = FL_BUF_INIT;
    if (read_all(path, &text, err)) {
        fl_buf_free(&text);
        return NULL;
    }
    char *yerr = NULL;
    fl_yaml *root = fl_yaml_parse(fl_buf_cstr(&text), text.len, &yerr, NULL);
    fl_buf_free(&text);
    if (!root && yerr) {
        fl_err_set(err, "%s:%s", path, yerr);
        free(yerr);
        return NULL;
    }
    fl_config *c = fl_config_new_default();
    c->path = fl_xstrdup(path);
    int rc = load_tree(c, root, path, err);
    fl_yaml_free(root);
    if (rc) {
        fl_config_free(c);
        return NULL;
    }
    return c;
}

fl_config *fl_config_load(const char *cli_path, const char *site_dir, char **err)
{
    if (cli_path && *cli_path)
        return fl_config_load_file(cli_path, err);
    const char *env = getenv("FINDLING_CONFIG");
    if (env && *env) {
        fl_config *c = fl_config_load_file(env, err);
        if (!c)
            fl_err_wrap(err, "$FINDLING_CONFIG");
        return c;
    }
    if (site_dir) {
        char *p = fl_xasprintf("%s/findling.yml", site_dir);
        struct stat st;
        if (stat(p, &st) == 0) {
            fl_config *c = fl_config_load_file(p, err);
            free(p);
            return c;
        }
        free(p);
    }
    return fl_config_new_default();
}
