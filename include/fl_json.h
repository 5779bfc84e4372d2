/* fl_json.h — a small streaming JSON writer onto an fl_buf.
 *
 * The writer tracks nesting and commas so callers just say what comes next.
 * Strings are escaped per RFC 8259; invalid UTF-8 in a string is replaced by
 * U+FFFD so the output is always valid JSON.  fl_json_raw() inserts text that
 * the caller guarantees to be a valid JSON value.
 */
#ifndef FL_JSON_H
#define FL_JSON_H

#include "fl_buf.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_JSON_MAX_DEPTH 64

typedef struct fl_json {
    fl_buf *out;                      /* not owned */
    int depth;
    bool need_comma[FL_JSON_MAX_DEPTH + 1];
    bool after_key;
} fl_json;

void fl_json_init(fl_json *j, fl_buf *out);
void fl_json_object_begin(fl_json *j);
void fl_json_object_end(fl_json *j);
void fl_json_array_begin(fl_json *j);
void fl_json_array_end(fl_json *j);
/* Writes "key": — the next value call supplies the value. */
void fl_json_key(fl_json *j, const char *key);
void fl_json_string(fl_json *j, const char *s);
void fl_json_string_n(fl_json *j, const char *s, size_t len);
/* NULL is written as null. */
void fl_json_string_or_null(fl_json *j, const char *s);
void fl_json_int(fl_json *j, int64_t v);
/* Finite doubles with up to `decimals` digits after the point; NaN/inf → null. */
void fl_json_double(fl_json *j, double v, int decimals);
void fl_json_bool(fl_json *j, bool v);
void fl_json_null(fl_json *j);
void fl_json_raw(fl_json *j, const char *json_value);

/* Appends `s` escaped for a JSON string body (no quotes) to `out`. */
void fl_json_escape(fl_buf *out, const char *s, size_t len);

#endif
