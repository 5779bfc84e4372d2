/* yaml.c — a YAML document as a small tree (see fl_yaml.h). */
#include "fl_yaml.h"

#include "fl_buf.h"
#include "fl_err.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Hostile YAML: an alias may point to a node that contains it (a cycle), or
 * a few anchors referring to each other may expand to billions of nodes
 * ("billion laughs") -- libyaml keeps aliases as references, our tree would
 * copy them.  So the conversion stops at a cycle, and at a budget of nodes
 * proportional to the input. */
#define YAML_MIN_NODE_BUDGET 10000
#define YAML_NODES_PER_BYTE 16

typedef struct conv {
    yaml_document_t *doc;
    unsigned char *on_path; /* per node (index - 1): being converted now */
    size_t nnodes;
    size_t budget;          /* nodes still allowed */
    const char *problem;    /* set when the conversion was stopped */
    int problem_line;
} conv;

/* libyaml's nodes are indexed from 1; depth guards against hostile nesting. */
static fl_yaml *convert(conv *cv, yaml_node_t *node, int depth)
{
    fl_yaml *y = fl_xcalloc(1, sizeof *y);
    y->line = (int)node->start_mark.line + 1;
    size_t idx = (size_t)(node - cv->doc->nodes.start);
    if (cv->problem || depth > 64 || idx >= cv->nnodes) {
        y->kind = FL_YAML_NULL;
        return y;
    }
    if (cv->budget == 0) {
        cv->problem = "aliases expand to too many nodes";
        cv->problem_line = y->line;
        y->kind = FL_YAML_NULL;
        return y;
    }
    cv->budget--;
    if (cv->on_path[idx]) {
        cv->problem = "an alias refers to a node that contains it";
        cv->problem_line = y->line;
        y->kind = FL_YAML_NULL;
        return y;
    }
    cv->on_path[idx] = 1;
    yaml_document_t *doc = cv->doc;
    switch (node->type) {
    case YAML_SCALAR_NODE: {
        const char *v = (const char *)node->data.scalar.value;
        size_t len = node->data.scalar.length;
        y->quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                    node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE ||
                    node->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                    node->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
        if (!y->quoted && (len == 0 || (len == 1 && v[0] == '~') ||
                           (len == 4 && strncasecmp(v, "null", 4) == 0))) {
            y->kind = FL_YAML_NULL;
        } else {
            y->kind = FL_YAML_SCALAR;
            y->value = fl_xstrndup(v, len);
        }
        break;
    }
    case YAML_SEQUENCE_NODE: {
        y->kind = FL_YAML_SEQ;
        size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
        y->items = fl_xcalloc(n ? n : 1, sizeof *y->items);
        for (size_t i = 0; i < n; i++) {
            yaml_node_t *c = yaml_document_get_node(doc, node->data.sequence.items.start[i]);
            y->items[y->n++] = c ? convert(cv, c, depth + 1) : fl_xcalloc(1, sizeof(fl_yaml));
        }
        break;
    }
    case YAML_MAPPING_NODE: {
        y->kind = FL_YAML_MAP;
        size_t n = (size_t)(node->data.mapping.pairs.top - node->data.mapping.pairs.start);
        y->items = fl_xcalloc(n ? 2 * n : 1, sizeof *y->items);
        for (size_t i = 0; i < n; i++) {
            yaml_node_pair_t *pr = &node->data.mapping.pairs.start[i];
            yaml_node_t *k = yaml_document_get_node(doc, pr->key);
            yaml_node_t *v = yaml_document_get_node(doc, pr->value);
            y->items[2 * y->n] = k ? convert(cv, k, depth + 1) : fl_xcalloc(1, sizeof(fl_yaml));
            y->items[2 * y->n + 1] =
                v ? convert(cv, v, depth + 1) : fl_xcalloc(1, sizeof(fl_yaml));
            y->n++;
        }
        break;
    }
    default:
        y->kind = FL_YAML_NULL;
    }
    cv->on_path[idx] = 0;
    return y;
}

fl_yaml *fl_yaml_parse(const char *text, size_t len, char **err, int *err_line)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (err_line)
        *err_line = 0;
    if (!yaml_parser_initialize(&parser)) {
        fl_err_set(err, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t m = parser.problem_mark;
        int line = (int)m.line + 1;
        if (err_line)
            *err_line = line;
        fl_err_set(err, "%d: %s%s%s", line, parser.problem ? parser.problem : "invalid YAML",
                   parser.context ? " " : "", parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return NULL;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    size_t nnodes = (size_t)(doc.nodes.top - doc.nodes.start);
    conv cv = {&doc, fl_xcalloc(nnodes ? nnodes : 1, 1), nnodes,
               len < (SIZE_MAX - YAML_MIN_NODE_BUDGET) / YAML_NODES_PER_BYTE
                   ? YAML_MIN_NODE_BUDGET + len * YAML_NODES_PER_BYTE
                   : SIZE_MAX,
               NULL, 0};
    fl_yaml *y = root ? convert(&cv, root, 0) : NULL;
    free(cv.on_path);
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (cv.problem) {
        if (err_line)
            *err_line = cv.problem_line;
        fl_err_set(err, "%d: %s", cv.problem_line, cv.problem);
        fl_yaml_free(y);
        return NULL;
    }
    return y;
}

void fl_yaml_free(fl_yaml *y)
{
    if (!y)
        return;
    size_t n = y->kind == FL_YAML_MAP ? 2 * y->n : y->kind == FL_YAML_SEQ ? y->n : 0;
    for (size_t i = 0; i < n; i++)
        fl_yaml_free(y->items[i]);
    free(y->items);
    free(y->value);
    free(y);
}

const fl_yaml *fl_yaml_get(const fl_yaml *map, const char *key)
{
    if (!map || map->kind != FL_YAML_MAP)
        return NULL;
    /* The last duplicate wins, as in Ruby's YAML. */
    const fl_yaml *found = NULL;
    for (size_t i = 0; i < map->n; i++) {
        const fl_yaml *k = map->items[2 * i];
        if (k->kind == FL_YAML_SCALAR && strcmp(k->value, key) == 0)
            found = map->items[2 * i + 1];
    }
    return found;
}

const char *fl_yaml_str(const fl_yaml *y)
{
    return y && y->kind == FL_YAML_SCALAR ? y->value : NULL;
}

int fl_yaml_bool(const fl_yaml *y)
{
    if (!y || y->kind != FL_YAML_SCALAR || y->quoted)
        return -1;
    const char *v = y->value;
    if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on"))
        return 1;
    if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off"))
        return 0;
    return -1;
}
