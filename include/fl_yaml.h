/* fl_yaml.h — a small YAML document tree over libyaml.
 *
 * _config.yml, findling.yml and front matter are all small YAML documents
 * that are read as a whole; this loads one into a tree of scalars,
 * sequences and mappings that remembers each node's line for messages.
 * Aliases are resolved by libyaml's document loader.
 * Ownership: the tree returned by fl_yaml_parse is freed with fl_yaml_free.
 */
#ifndef FL_YAML_H
#define FL_YAML_H

#include <stdbool.h>
#include <stddef.h>

typedef enum { FL_YAML_NULL, FL_YAML_SCALAR, FL_YAML_SEQ, FL_YAML_MAP } fl_yaml_kind;

typedef struct fl_yaml fl_yaml;
struct fl_yaml {
    fl_yaml_kind kind;
    int line;            /* 1-based line in the parsed text */
    bool quoted;         /* scalar was quoted ('x' or "x"): never a bool/null */
    char *value;         /* FL_YAML_SCALAR: the text; else NULL */
    size_t n;            /* SEQ: items; MAP: pairs */
    fl_yaml **items;     /* SEQ: n items; MAP: 2n nodes key, value, key, value... */
};

/* Parses the first document of text[0..len).  Empty text gives a NULL node.
 * On a syntax error returns NULL with *err = "LINE: problem" and, when
 * err_line is not NULL, the 1-based line in *err_line. */
fl_yaml *fl_yaml_parse(const char *text, size_t len, char **err, int *err_line);
void fl_yaml_free(fl_yaml *y);

/* Value for scalar key `key` in a mapping, or NULL. */
const fl_yaml *fl_yaml_get(const fl_yaml *map, const char *key);
/* Scalar text or NULL (for non-scalars and YAML nulls: ~, null, empty). */
const char *fl_yaml_str(const fl_yaml *y);
/* YAML 1.1 boolean: 1 true (true/yes/on), 0 false (false/no/off), -1 neither. */
int fl_yaml_bool(const fl_yaml *y);

#endif
