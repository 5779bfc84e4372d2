/* fuzz_config.c — the YAML tree (fl_yaml.h) and the findling.yml loader
 * (fl_config.h) on any bytes.
 *
 * fl_yaml_parse sees the raw input (libyaml checks the encoding); the
 * loader reads it from a file.  Properties: a parse error or a rejected
 * config always comes with a message (naming the file for the loader), a
 * loaded config has the shape its header promises (facets with name,
 * field and label; non-empty synonym groups; max_file_size > 0), and nodes
 * carry sane line numbers. */
#include "fuzz_util.h"

#include "fl_config.h"
#include "fl_yaml.h"

#include <stdint.h>
#include <stdlib.h>

static void check_tree(const fl_yaml *y, int depth)
{
    if (!y || depth > 200)
        return;
    FUZZ_CHECK(y->line >= 1, "node on line %d", y->line);
    FUZZ_CHECK((y->kind == FL_YAML_SCALAR) == (y->value != NULL), "scalar/value mismatch");
    if (y->kind == FL_YAML_SEQ || y->kind == FL_YAML_MAP) {
        size_t n = y->kind == FL_YAML_MAP ? 2 * y->n : y->n;
        FUZZ_CHECK(n == 0 || y->items, "container without items");
        for (size_t i = 0; i < n; i++)
            check_tree(y->items[i], depth + 1);
    } else {
        FUZZ_CHECK(y->n == 0, "scalar with %zu items", y->n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    int line = -1;
    fl_yaml *y = fl_yaml_parse((const char *)data, size, &err, &line);
    if (!y && err) {
        FUZZ_CHECK(*err, "empty parse error");
        FUZZ_CHECK(line >= 0, "parse error without a line");
        free(err);
    } else {
        FUZZ_CHECK(!err, "message '%s' on success", err);
        check_tree(y, 0);
        fl_yaml_free(y);
    }

    static char *path;
    if (!path)
        path = fl_xasprintf("%s/findling.yml", fuzz_tmpdir());
    fuzz_write_file(path, data, size);
    err = NULL;
    fl_config *c = fl_config_load_file(path, &err);
    if (!c) {
        FUZZ_CHECK(err && strstr(err, "findling.yml"), "rejected config, message '%s'",
                   err ? err : "(none)");
        free(err);
        return 0;
    }
    FUZZ_CHECK(c->max_file_size > 0, "max_file_size 0");
    for (size_t i = 0; i < c->nfacets; i++) {
        const fl_facet_conf *f = &c->facets[i];
        FUZZ_CHECK(f->name && *f->name && f->field && *f->field && f->label,
                   "facet %zu incomplete", i);
        FUZZ_CHECK(fl_config_facet(c, f->name) != NULL, "facet '%s' not found by name", f->name);
    }
    for (size_t i = 0; i < c->nsynonyms; i++)
        for (size_t k = 0; k < c->synonyms[i].n; k++)
            FUZZ_CHECK(c->synonyms[i].items[k], "NULL synonym");
    for (size_t i = 0; i < c->warnings.n; i++)
        FUZZ_CHECK(c->warnings.items[i] && *c->warnings.items[i], "empty warning");
    fl_config_free(c);
    return 0;
}
