/* fl_jsonread.h — a small JSON reader (a DOM) for the index's stored config.
 *
 * Only for trusted, small documents written by Findling itself (the
 * FL_META_CONFIG metadata); still, malformed input gives an error, never a
 * crash.  fl_jv_parse returns a tree the caller frees with fl_jv_free().
 */
#ifndef FL_JSONREAD_H
#define FL_JSONREAD_H

#include <stdbool.h>
#include <stddef.h>

typedef enum fl_jtype { FL_J_NULL, FL_J_BOOL, FL_J_NUM, FL_J_STR, FL_J_ARR, FL_J_OBJ } fl_jtype;

typedef struct fl_jv {
    fl_jtype type;
    bool b;
    double num;
    char *str;            /* FL_J_STR (NUL-terminated UTF-8) */
    struct fl_jv **items; /* FL_J_ARR / FL_J_OBJ values */
    char **keys;          /* FL_J_OBJ keys, parallel to items */
    size_t n;
} fl_jv;

/* Parses s[0..len); NULL with *err on malformed JSON (or nesting deeper than 64). */
fl_jv *fl_jv_parse(const char *s, size_t len, char **err);
void fl_jv_free(fl_jv *v);
/* Member of an object by key, or NULL (also when v is not an object). */
const fl_jv *fl_jv_get(const fl_jv *v, const char *key);
/* String value, or NULL when v is not a string. */
const char *fl_jv_str(const fl_jv *v);

#endif
