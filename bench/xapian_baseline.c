/* xapian_baseline.c — the plain-Xapian indexing baseline (issue 4, point 9).
 *
 *   xapian_baseline DB_DIR CORPUS_DIR [FLUSH_THRESHOLD]
 *
 * What a minimal Xapian indexer does with the same files: read each *.md
 * file, feed its whole text to Xapian's TermGenerator with Xapian's built-in
 * German stemmer (STEM_SOME, positions), add a unique Q<path> term and the
 * path as document data, and add it with one writer.  Xapian flushes every
 * FLUSH_THRESHOLD documents (default 300, the fastest setting measured here)
 * and the run ends with one commit.  DB_DIR is created (overwritten).
 * Prints one JSON object: documents, bytes, seconds, peak RSS.
 */
#include "benchutil.h"

#include "fl_buf.h"
#include "fl_json.h"
#include "fl_terms.h"
#include "fl_utf8.h"
#include "fl_xapian.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int xfail(const char *what, const char *path)
{
    fprintf(stderr, "xapian_baseline: %s%s%s: %s\n", path ? path : "", path ? ": " : "", what,
            fl_xlast_error());
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: xapian_baseline DB_DIR CORPUS_DIR [FLUSH_THRESHOLD]\n");
        return 2;
    }
    unsigned flush = argc == 4 ? (unsigned)strtoul(argv[3], NULL, 10) : 300;
    const char *root = argv[2];
    size_t rootlen = strlen(root);
    while (rootlen > 1 && root[rootlen - 1] == '/')
        rootlen--;

    double t0 = bench_now();
    char **paths = NULL;
    size_t n = 0;
    if (bench_list_files(root, &paths, &n) != 0)
        return 1;
    fl_xdb *db = NULL;
    fl_xstem *stem = NULL;
    fl_xtermgen *tg = NULL;
    int rc = 0;
    if (fl_xdb_open_writable(argv[1], FL_XDB_CREATE_OR_OVERWRITE, flush, &db) != FL_XOK)
        rc = xfail("opening the database", argv[1]);
    if (rc == 0 && fl_xstem_new("german", &stem) != FL_XOK)
        rc = xfail("fl_xstem_new(german)", NULL);
    if (rc == 0 && (fl_xtermgen_new(&tg) != FL_XOK || fl_xtermgen_set_stemmer(tg, stem) != FL_XOK ||
                    fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_SOME) != FL_XOK))
        rc = xfail("setting up the term generator", NULL);

    size_t bytes = 0, docs = 0;
    fl_buf text = FL_BUF_INIT, fixed = FL_BUF_INIT, term = FL_BUF_INIT;
    fl_xdoc *prev = NULL;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        fl_buf_reset(&text);
        if (bench_read_file(paths[i], &text) != 0) {
            rc = -1;
            break;
        }
        const char *body = text.data ? text.data : "";
        size_t len = text.len;
        if (len && !fl_utf8_is_valid(body, len)) {
            fl_buf_reset(&fixed);
            fl_utf8_repair(&fixed, body, len, NULL);
            body = fixed.data;
            len = fixed.len;
        }
        const char *rel = paths[i] + rootlen;
        while (*rel == '/')
            rel++;
        fl_xdoc *doc = NULL;
        if (fl_xdoc_new(&doc) != FL_XOK) {
            rc = xfail("fl_xdoc_new", paths[i]);
            break;
        }
        fl_buf_reset(&term);
        fl_buf_puts(&term, FL_PREFIX_ID);
        fl_buf_puts(&term, rel);
        if (fl_xtermgen_set_document(tg, doc) != FL_XOK ||
            fl_xtermgen_index_text(tg, body, len, 1, "") != FL_XOK ||
            fl_xdoc_add_boolean_term(doc, term.data, term.len) != FL_XOK ||
            fl_xdoc_set_data(doc, rel, strlen(rel)) != FL_XOK ||
            fl_xdb_add_document(db, doc, NULL) != FL_XOK)
            rc = xfail("indexing", paths[i]);
        /* The generator references its document until the next set_document. */
        fl_xdoc_free(prev);
        prev = doc;
        bytes += text.len;
        docs++;
    }
    if (rc == 0 && fl_xdb_commit(db) != FL_XOK)
        rc = xfail("commit", argv[1]);
    fl_xtermgen_free(tg);
    fl_xdoc_free(prev);
    fl_xstem_free(stem);
    fl_xdb_free(db);
    double secs = bench_now() - t0;
    for (size_t i = 0; i < n; i++)
        free(paths[i]);
    free(paths);
    fl_buf_free(&text);
    fl_buf_free(&fixed);
    fl_buf_free(&term);
    if (rc != 0)
        return 1;

    fl_buf out = FL_BUF_INIT;
    fl_json j;
    fl_json_init(&j, &out);
    fl_json_object_begin(&j);
    fl_json_key(&j, "documents");
    fl_json_int(&j, (int64_t)docs);
    fl_json_key(&j, "bytes");
    fl_json_int(&j, (int64_t)bytes);
    fl_json_key(&j, "flush_threshold");
    fl_json_int(&j, flush);
    fl_json_key(&j, "seconds");
    fl_json_double(&j, secs, 3);
    fl_json_key(&j, "peak_rss_kb");
    fl_json_int(&j, bench_peak_rss_kb());
    fl_json_object_end(&j);
    printf("%s\n", out.data);
    fl_buf_free(&out);
    return 0;
}
