/* test_shards.c — the wrapper over a stub listing several shards: shard
 * handles, metadata from every shard, summed revision, docid lists, the
 * multi-valued facet spy, fl_shard_of, and the unhappy paths (a dead remote
 * shard fails quickly, a stub we do not parse is left to Xapian). */
#include "fl_buf.h"
#include "fl_terms.h"
#include "fl_xapian.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/fl_shards_test_XXXXXX";

static char *path_in(const char *name) { return fl_xasprintf("%s/%s", tmpdir, name); }

static void write_file(const char *name, const char *text)
{
    char *p = path_in(name);
    FILE *f = fopen(p, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    free(p);
}

/* Adds a document with id and facet combination to the writable db. */
static void add_doc(fl_xdb *w, const char *id, const char *facets, const char *word)
{
    fl_xdoc *d = NULL;
    fl_xdoc_new(&d);
    char *q = fl_xasprintf("Q%s", id);
    fl_xdoc_add_boolean_term(d, q, strlen(q));
    fl_xdoc_add_posting(d, word, strlen(word), 1, 1);
    fl_xdoc_set_value(d, FL_SLOT_ID, id, strlen(id));
    if (facets)
        fl_xdoc_set_value(d, FL_SLOT_FACET0, facets, strlen(facets));
    fl_xdocid did = 0;
    fl_xdb_replace_document_by_term(w, q, d, &did);
    free(q);
    fl_xdoc_free(d);
}

typedef struct counts {
    char text[512];
} counts;

static int collect_counts(void *ud, const char *t, size_t len, uint32_t n)
{
    counts *c = ud;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%.*s=%u ", (int)len, t, n);
    return 0;
}

static int collect_keys(void *ud, const char *s, size_t len)
{
    counts *c = ud;
    size_t used = strlen(c->text);
    snprintf(c->text + used, sizeof c->text - used, "%.*s ", (int)len, s);
    return 0;
}

static int sum_wdf(void *ud, const char *t, size_t len, uint32_t wdf)
{
    (void)t;
    (void)len;
    *(uint32_t *)ud += wdf;
    return 0;
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        printf("1..0 # SKIP no temp dir\n");
        return 0;
    }
    /* Two shards: a1 a3 in shard 0, a2 in shard 1. */
    char *p0 = path_in("s0"), *p1 = path_in("s1");
    fl_xdb *w0 = NULL, *w1 = NULL;
    ok(fl_xdb_open_writable(p0, FL_XDB_CREATE_OR_OVERWRITE, 0, &w0) == FL_XOK, "shard 0 created");
    ok(fl_xdb_open_writable(p1, FL_XDB_CREATE_OR_OVERWRITE, 0, &w1) == FL_XOK, "shard 1 created");
    add_doc(w0, "a1", "x\x1fy", "wort");
    add_doc(w0, "a3", "x", "wort");
    add_doc(w1, "a2", "y\x1fz\x1fy", "wort");
    fl_xdb_set_metadata(w0, "global", 6, "zero", 4);
    fl_xdb_set_metadata(w1, "only-in-1", 9, "one", 3);
    fl_xdb_commit(w0);
    fl_xdb_commit(w1);
    fl_xdb_free(w0);
    fl_xdb_free(w1);
    write_file("XAPIANDB", "# two shards\nauto s0\n\nglass s1\n");

    fl_xdb *db = NULL;
    ok(fl_xdb_open(tmpdir, &db) == FL_XOK, "stub with two shards opens: %s", fl_xlast_error());
    is_int(fl_xdb_shard_count(db), 2, "two shard handles");
    ok(!fl_xdb_has_remote(db), "no remote shard");
    uint32_t n0 = 0, n1 = 0, all = 0;
    ok(fl_xdb_shard_info(db, 0, &n0, NULL) == FL_XOK && fl_xdb_shard_info(db, 1, &n1, NULL) == FL_XOK,
       "shard info");
    fl_xdb_doccount(db, &all);
    is_int(n0, 2, "shard 0: two documents");
    is_int(n1, 1, "shard 1: one document");
    is_int(all, 3, "combined: three");
    ok(fl_xdb_shard_info(db, 2, &n0, NULL) == FL_XERR_RANGE, "shard 2: out of range");

    char *v = NULL;
    size_t vl = 0;
    ok(fl_xdb_get_metadata(db, "global", 6, &v, &vl) == FL_XOK && v && strcmp(v, "zero") == 0,
       "metadata of shard 0");
    free(v);
    v = NULL;
    ok(fl_xdb_get_metadata(db, "only-in-1", 9, &v, &vl) == FL_XOK && v && strcmp(v, "one") == 0,
       "metadata only shard 1 has (Xapian alone would miss it)");
    free(v);
    v = NULL;
    ok(fl_xdb_get_metadata(db, "missing", 7, &v, &vl) == FL_XOK && v == NULL, "missing key: NULL");
    fl_xvalue *hv = NULL;
    fl_xvalue_new(&hv);
    const char *hd = NULL;
    ok(fl_xdb_get_metadata_into(db, "only-in-1", 9, hv) == FL_XOK &&
           (hd = fl_xvalue_data(hv, &vl)) && vl == 3 && memcmp(hd, "one", 3) == 0,
       "metadata only shard 1 has, into a holder");
    ok(fl_xdb_shard_metadata_into(db, 0, "only-in-1", 9, hv) == FL_XOK &&
           fl_xvalue_data(hv, &vl) == NULL,
       "shard 0 alone does not have it");
    ok(fl_xdb_shard_metadata_into(db, 1, "only-in-1", 9, hv) == FL_XOK &&
           (hd = fl_xvalue_data(hv, &vl)) && vl == 3 && memcmp(hd, "one", 3) == 0,
       "shard 1 alone has it");
    fl_xvalue_free(hv);
    counts keys = {{0}};
    fl_xdb_metadata_keys(db, "", collect_keys, &keys);
    is_str(keys.text, "global only-in-1 ", "metadata keys: the union");

    uint64_t rev = 0, r0 = 0, r1 = 0;
    fl_xdb_shard_info(db, 0, NULL, &r0);
    fl_xdb_shard_info(db, 1, NULL, &r1);
    ok(fl_xdb_revision(db, &rev) == FL_XOK, "revision of a combined database");
    ok(rev == r0 + r1 && rev >= 2, "... is the sum of the shards' (%llu)", (unsigned long long)rev);

    /* Multi-valued facet counts: each document counts once per item. */
    fl_xquery *q = NULL;
    fl_xenquire *e = NULL;
    fl_xspy *spy = NULL;
    fl_xmset *m = NULL;
    fl_xquery_term("wort", 4, 1, 0, &q);
    fl_xenquire_new(db, &e);
    fl_xenquire_set_query(e, q, 1);
    fl_xspy_new_multivalue(FL_SLOT_FACET0, FL_FACET_SEP, &spy);
    fl_xenquire_add_matchspy(e, spy);
    fl_xenquire_set_sort_by_relevance_then_value(e, FL_SLOT_ID, false);
    ok(fl_xenquire_get_mset(e, 0, 10, 10, &m) == FL_XOK, "match over both shards");
    counts c = {{0}};
    fl_xspy_results(spy, collect_counts, &c);
    is_str(c.text, "x=2 y=2 z=1 ", "facet items counted once per document, most frequent first");
    uint32_t total = 0;
    fl_xspy_total(spy, &total);
    is_int(total, 3, "spy saw three documents");
    /* Equal weights: ordered by the id value, not by the interleaved docids. */
    fl_buf order = FL_BUF_INIT;
    for (uint32_t i = 0; i < fl_xmset_size(m); i++) {
        fl_xdoc *d = NULL;
        char *id = NULL;
        size_t il = 0;
        fl_xmset_document(m, i, &d);
        fl_xdoc_get_value(d, FL_SLOT_ID, &id, &il);
        fl_buf_printf(&order, "%s ", id ? id : "?");
        free(id);
        fl_xdoc_free(d);
    }
    is_str(fl_buf_cstr(&order), "a1 a2 a3 ", "ties in id order");
    fl_buf_free(&order);

    /* Document lengths over shards (what BM25 normalises by, see
     * query/rerank.c): the sum of the document's wdfs, whatever its shard. */
    for (uint32_t i = 0; i < fl_xmset_size(m); i++) {
        fl_xdocid d = 0;
        uint32_t len = 0, sum = 0;
        fl_xmset_docid(m, i, &d);
        ok(fl_xdb_doclength(db, d, &len) == FL_XOK, "doclength of hit %u", (unsigned)i);
        fl_xdb_termlist(db, d, sum_wdf, &sum);
        ok(len > 0 && len == sum, "hit %u: length %u = its wdf sum %u", (unsigned)i,
           (unsigned)len, (unsigned)sum);
    }
    uint32_t nolen = 0;
    ok(fl_xdb_doclength(db, 999999, &nolen) != FL_XOK, "doclength of a missing docid: an error");
    fl_xmset_free(m);
    fl_xenquire_free(e);
    fl_xspy_free(spy);
    fl_xquery_free(q);
    fl_xdb_free(db);

    /* fl_shard_of: stable (part of the format) and within range. */
    is_int(fl_shard_of("a/x/index.md", 1), 0, "one shard: always 0");
    is_int(fl_shard_of("", 3), (int)(0xcbf29ce484222325ULL % 3), "empty id: FNV offset basis mod n");
    is_int(fl_shard_of("a", 7), (int)(0xaf63dc4c8601ec8cULL % 7), "FNV-1a 64 of \"a\" mod 7");
    int inrange = 1;
    for (int i = 0; i < 100; i++) {
        char id[16];
        snprintf(id, sizeof id, "doc%d", i);
        inrange &= fl_shard_of(id, 4) < 4;
    }
    ok(inrange, "always < n");

    /* A dead remote shard fails quickly with a network error. */
    write_file("XAPIANDB", "auto s0\nremote 127.0.0.1:1\n");
    time_t t0 = time(NULL);
    fl_xdb *bad = NULL;
    fl_xstatus st = fl_xdb_open(tmpdir, &bad);
    ok(st == FL_XERR_NETWORK, "remote shard with nothing listening: network error (%s)",
       fl_xlast_error());
    ok(time(NULL) - t0 < 5, "... quickly");
    ok(bad == NULL, "... and no handle");
    /* A stub line we do not parse is Xapian's business (and its error). */
    write_file("XAPIANDB", "auto s0\nfrobnicate s1\n");
    st = fl_xdb_open(tmpdir, &bad);
    ok(st != FL_XOK && bad == NULL, "unknown stub line: Xapian's error (%s)", fl_xlast_error());
    /* One local entry: a plain database (no shard list). */
    write_file("XAPIANDB", "auto s1\n");
    ok(fl_xdb_open(tmpdir, &bad) == FL_XOK && fl_xdb_shard_count(bad) == 1, "one entry: one database");
    fl_xdb_free(bad);

    free(p0);
    free(p1);
    char *cmd = fl_xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    free(cmd);
    return tap_done();
}
