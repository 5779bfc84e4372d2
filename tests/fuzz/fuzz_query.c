/* fuzz_query.c — the query parser (fl_query.h) on any bytes.
 *
 * Properties: a parse either succeeds with a tree or fails with a message
 * (over-long input must fail); every string in the tree and its description
 * is valid UTF-8 (the parser repairs the input); ranges are "YYYYMMDD";
 * field nodes carry a canonical field name; the tree is no bigger than the
 * input allows.  Date bounds and field names are fuzzed too. */
#include "fuzz_util.h"

#include "fl_query.h"

#include <stdint.h>
#include <stdlib.h>

static bool ymd(const char *s)
{
    if (!s || strlen(s) != 8)
        return false;
    for (int i = 0; i < 8; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static size_t check_node(const fl_qnode *n, int depth)
{
    /* Each level needs at least one byte of input ("((((x))))"). */
    FUZZ_CHECK(depth <= FL_QUERY_MAX_BYTES + 1, "tree deeper than the input is long");
    FUZZ_CHECK(n->kind <= FL_Q_OR, "node kind %d", (int)n->kind);
    fuzz_check_utf8_str("node text", n->text);
    switch (n->kind) {
    case FL_Q_TEXT:
    case FL_Q_PHRASE:
    case FL_Q_WILDCARD:
        FUZZ_CHECK(n->text, "text node without text");
        break;
    case FL_Q_FIELD:
        FUZZ_CHECK(n->text && n->field, "field node without field or text");
        FUZZ_CHECK(fl_query_field_name(n->field, strlen(n->field)) != NULL,
                   "field '%s' is not canonical", n->field);
        break;
    case FL_Q_RANGE:
        FUZZ_CHECK(n->lo || n->hi, "range without bounds");
        FUZZ_CHECK(!n->lo || ymd(n->lo), "range lo '%s'", n->lo);
        FUZZ_CHECK(!n->hi || ymd(n->hi), "range hi '%s'", n->hi);
        FUZZ_CHECK(!n->lo || !n->hi || strcmp(n->lo, n->hi) <= 0, "range %s..%s reversed",
                   n->lo, n->hi);
        break;
    default:
        break;
    }
    size_t count = 1;
    FUZZ_CHECK(n->nkids == 0 || n->kids, "kids missing");
    for (size_t i = 0; i < n->nkids; i++) {
        FUZZ_CHECK(n->kids[i], "NULL kid");
        count += check_node(n->kids[i], depth + 1);
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *q = (const char *)data;
    fl_qnode *root = NULL;
    char *notes = NULL, *err = NULL;
    int rc = fl_query_parse(q, size, &root, &notes, &err);
    if (size > FL_QUERY_MAX_BYTES)
        FUZZ_CHECK(rc != 0, "a %zu-byte query was accepted", size);
    if (rc == 0) {
        FUZZ_CHECK(root, "success without a tree");
        FUZZ_CHECK(!err, "message '%s' on success", err);
        size_t nodes = check_node(root, 0);
        FUZZ_CHECK(nodes <= 2 * size + 2, "%zu nodes from %zu bytes", nodes, size);
        char *d = fl_qnode_describe(root);
        FUZZ_CHECK(d, "no description");
        fuzz_check_utf8_str("description", d);
        free(d);
        fuzz_check_utf8_str("notes", notes);
        fl_qnode_free(root);
    } else {
        FUZZ_CHECK(err && *err, "failure without a message");
        fuzz_check_utf8_str("error", err);
        FUZZ_CHECK(!root, "tree returned on failure");
    }
    free(notes);
    free(err);

    /* Date bounds and field names on the raw bytes. */
    for (int upper = 0; upper <= 1; upper++) {
        char out[9] = "xxxxxxxx";
        if (fl_query_parse_date(q, size, upper, out) == 0)
            FUZZ_CHECK(ymd(out), "date bound '%.9s'", out);
    }
    const char *f = fl_query_field_name(q, size);
    FUZZ_CHECK(!f || fl_query_field_name(f, strlen(f)) == f || fl_query_field_name(f, strlen(f)),
               "canonical name '%s' not known", f);
    return 0;
}
