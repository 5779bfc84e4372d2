/* test_posmirror.c — the positions mirror of the Xapian wrapper
 * (fl_xapian.h, "Positions mirror").
 *
 * Whatever a database goes through -- adds, replaces by docid and by id
 * term, deletes, a document stored back with a new value only, transactions
 * committed and cancelled, compaction with a gap in the docids, shards --
 * every position read through the mirror equals Xapian's own, and no entry
 * outlives its (document, term).  A database built without the mirror is
 * left alone, and a malformed entry is read from Xapian's table instead.
 */
#include "fl_buf.h"
#include "fl_xapian.h"
#include "tap.h"
#include "xcheck.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/fl_posmirror_test_XXXXXX";

/* A document from "term@pos,pos term@pos ..." (no "@": a boolean term) and
 * an id term "Q<id>". */
static fl_xdoc *make_doc(const char *id, const char *spec)
{
    fl_xdoc *d = NULL;
    if (fl_xdoc_new(&d) != FL_XOK)
        return NULL;
    char *copy = fl_xstrdup(spec), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *at = strchr(tok, '@');
        if (!at) {
            fl_xdoc_add_boolean_term(d, tok, strlen(tok));
            continue;
        }
        *at = '\0';
        for (char *p = at + 1; *p;) {
            fl_xdoc_add_posting(d, tok, strlen(tok), (fl_xtermpos)strtoul(p, &p, 10), 1);
            if (*p == ',')
                p++;
        }
    }
    free(copy);
    char *q = fl_xasprintf("Q%s", id);
    fl_xdoc_add_boolean_term(d, q, strlen(q));
    free(q);
    return d;
}

/* Positions as "1,3" ("" when none); mirror on or off. */
static char *positions(fl_xdb *db, fl_xdocid did, const char *term, bool mirror)
{
    fl_xdb_set_mirror_reads(db, mirror);
    fl_xtermpos *pos = NULL;
    size_t n = 0;
    fl_buf b = FL_BUF_INIT;
    if (fl_xdb_positions(db, did, term, strlen(term), &pos, &n) != FL_XOK)
        fl_buf_puts(&b, "ERROR");
    for (size_t i = 0; i < n; i++)
        fl_buf_printf(&b, "%s%u", i ? "," : "", pos[i]);
    free(pos);
    fl_xdb_set_mirror_reads(db, true);
    fl_buf_putc(&b, '\0');
    return b.data;
}

static int count_cb(void *ud, const char *s, size_t len)
{
    (void)s;
    (void)len;
    (*(size_t *)ud)++;
    return 0;
}

static size_t mirror_entries(fl_xdb *db)
{
    size_t n = 0;
    fl_xdb_metadata_keys(db, "~", count_cb, &n);
    return n;
}

typedef struct pairs {
    fl_xdb *db;
    fl_xdocid did;
    size_t positioned, mismatches;
} pairs;

static int check_term(void *ud, const char *t, size_t len, uint32_t wdf)
{
    (void)wdf;
    pairs *p = ud;
    char *term = fl_xstrndup(t, len);
    char *via_mirror = positions(p->db, p->did, term, true);
    char *via_xapian = positions(p->db, p->did, term, false);
    if (*via_xapian)
        p->positioned++;
    if (strcmp(via_mirror, via_xapian) != 0) {
        p->mismatches++;
        diag("doc %u term %s: mirror '%s', Xapian '%s'", p->did, term, via_mirror, via_xapian);
    }
    free(via_mirror);
    free(via_xapian);
    free(term);
    return 0;
}

/* Every term of docs 1..last: the mirror answers as Xapian does, and there
 * are as many entries as positioned (document, term) pairs. */
static void check_all(fl_xdb *db, const char *what)
{
    fl_xdocid last = 0;
    fl_xdb_lastdocid(db, &last);
    pairs p = {db, 0, 0, 0};
    for (fl_xdocid d = 1; d <= last; d++) {
        p.did = d;
        fl_xdb_termlist(db, d, check_term, &p); /* NOT_FOUND for a deleted one */
    }
    ok(p.mismatches == 0, "%s: every position list read through the mirror is Xapian's", what);
    size_t n = mirror_entries(db);
    ok(n == p.positioned, "%s: one entry per positioned (document, term), none stale (%zu, %zu)",
       what, n, p.positioned);
}

static void test_maintenance(void)
{
    char *path = fl_xasprintf("%s/m", tmpdir);
    fl_xdb *w = NULL;
    bool mirrored = false, reads = false;
    OKX(fl_xdb_open_writable(path, FL_XDB_CREATE_OR_OVERWRITE, 0, &w), "create");
    OKX(fl_xdb_mirror_positions(w, &mirrored), "a new database gets the mirror");
    ok(mirrored, "mirrored");
    OKX(fl_xdb_positions_mirrored(w, &reads), "reads");
    ok(reads, "reads use it");

    fl_xdoc *a = make_doc("a", "alpha@1,3 beta@2 XCkultur");
    fl_xdoc *b = make_doc("b", "alpha@7 gamma@1,2,300000");
    fl_xdocid da = 0, db_ = 0;
    OKX(fl_xdb_add_document(w, a, &da), "add a");
    OKX(fl_xdb_add_document(w, b, &db_), "add b");
    char *s = positions(w, da, "alpha", true);
    ok(strcmp(s, "1,3") == 0, "uncommitted writes are read back through the mirror: '%s'", s);
    free(s);
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "two documents");

    /* Replaced by id term: beta goes, delta comes. */
    fl_xdoc *a2 = make_doc("a", "alpha@5 delta@1");
    fl_xdocid da2 = 0;
    OKX(fl_xdb_replace_document_by_term(w, "Qa", a2, &da2), "replace a by term");
    ok(da2 == da, "same docid");
    s = positions(w, da, "beta", true);
    ok(*s == '\0', "a removed term has no positions through the mirror: '%s'", s);
    free(s);
    /* Replaced by docid, deleted by docid and by term, added by term. */
    fl_xdoc *b2 = make_doc("b", "gamma@4");
    OKX(fl_xdb_replace_document(w, db_, b2), "replace b by docid");
    fl_xdoc *c = make_doc("c", "epsilon@2,9");
    fl_xdocid dc = 0;
    OKX(fl_xdb_replace_document_by_term(w, "Qc", c, &dc), "replace c by term: added");
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "after replaces");
    OKX(fl_xdb_delete_document(w, db_), "delete b by docid");
    OKX(fl_xdb_delete_document_by_term(w, "Qc"), "delete c by term");
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "after deletes");
    ok(mirror_entries(w) == 2, "only a's two terms are left (%zu)", mirror_entries(w));

    /* Read back, a new value, stored under its own docid: entries stand. */
    fl_xdoc *back = NULL;
    OKX(fl_xdb_get_document(w, da, &back), "get a");
    OKX(fl_xdoc_set_value(back, 3, "x", 1), "new value");
    OKX(fl_xdb_replace_document(w, da, back), "store it back");
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "a value-only change");
    /* Read back and given a term: its entries follow the new terms. */
    OKX(fl_xdoc_add_posting(back, "zeta", 4, 11, 1), "a new positioned term");
    OKX(fl_xdb_replace_document(w, da, back), "store it back");
    OKX(fl_xdb_commit(w), "commit");
    s = positions(w, da, "zeta", true);
    ok(strcmp(s, "11") == 0, "the added term is mirrored: '%s'", s);
    free(s);
    check_all(w, "a read-back document with a new term");

    /* A cancelled transaction leaves no entry behind; a committed one does. */
    OKX(fl_xdb_begin_transaction(w, true), "begin");
    fl_xdoc *gone = make_doc("gone", "theta@4");
    OKX(fl_xdb_add_document(w, gone, NULL), "add a document");
    fl_xdoc_free(gone);
    OKX(fl_xdb_cancel_transaction(w), "cancel");
    check_all(w, "a cancelled transaction");
    fl_xdoc *d = make_doc("d", "eta@1"); /* gets the cancelled one's docid */
    OKX(fl_xdb_begin_transaction(w, true), "begin");
    OKX(fl_xdb_add_document(w, d, NULL), "add d");
    OKX(fl_xdb_commit_transaction(w), "commit the transaction");
    check_all(w, "a committed transaction");

    /* Many documents: the pending entries are sorted and written in one go. */
    for (int i = 0; i < 300; i++) {
        char id[32], spec[128];
        snprintf(id, sizeof id, "n%d", i);
        snprintf(spec, sizeof spec, "w%d@1,%d common@2 shared%d@3", i, i + 5, i % 7);
        fl_xdoc *n = make_doc(id, spec);
        OKX(i % 3 ? fl_xdb_add_document(w, n, NULL)
                  : fl_xdb_replace_document_by_term(w, "Qa", n, NULL),
            "document %d", i);
        fl_xdoc_free(n);
    }
    fl_xdoc_free(back); /* it keeps the database open */
    back = NULL;
    fl_xdb_free(w); /* outside a transaction: Xapian commits, the mirror with it */
    OKX(fl_xdb_open_writable(path, FL_XDB_OPEN, 0, &w), "reopen");
    check_all(w, "300 more, closed without a commit");

    /* Reopened for writing without asking: the mirror is kept anyway. */
    fl_xdoc *x1 = make_doc("x", "iota@1"), *x2 = make_doc("x", "kappa@2,3"), *x3 = NULL;
    fl_xdocid dx1 = 0, dx2 = 0;
    OKX(fl_xdb_add_document(w, x1, &dx1), "a document with id term Qx");
    OKX(fl_xdb_add_document(w, x2, &dx2), "another with the same id term");
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "a writer that did not ask for the mirror");
    /* By term over two documents with the term: the first is replaced,
     * the other deleted -- here by the second one read back. */
    OKX(fl_xdb_get_document(w, dx2, &x3), "read the second back");
    fl_xdocid got = 0;
    OKX(fl_xdb_replace_document_by_term(w, "Qx", x3, &got), "replace Qx by the second, read back");
    ok(got == dx1, "it lands on the first docid");
    fl_xdoc_free(x3);
    OKX(fl_xdb_commit(w), "commit");
    /* Xapian 1.4 takes a read-back document's terms as unchanged and keeps
     * what the first docid had; the mirror follows what it stored. */
    s = positions(w, dx1, "iota", true);
    ok(strcmp(s, "1") == 0, "the mirror says what Xapian stored: '%s'", s);
    free(s);
    check_all(w, "a replace by a term two documents had");
    OKX(fl_xdb_add_document(w, x1, NULL), "Qx twice again");
    OKX(fl_xdb_delete_document_by_term(w, "Qx"), "delete both by term");
    OKX(fl_xdb_commit(w), "commit");
    check_all(w, "a delete by a term two documents had");
    fl_xdoc_free(x1);
    fl_xdoc_free(x2);
    fl_xtermpos *none = NULL;
    size_t nnone = 0;
    ok(fl_xdb_positions(w, 0, "alpha", 5, &none, &nnone) == FL_XERR_INVALID_ARGUMENT,
       "docid 0 is an invalid argument");

    /* A malformed entry: the position table answers instead. */
    fl_xdocid dn = 0;
    OKX(fl_xdb_find_document(w, "Qn1", 3, &dn), "find n1");
    char key[64];
    size_t kl = (size_t)snprintf(key, sizeof key, "~common") + 1;
    key[kl++] = (char)(dn >> 24);
    key[kl++] = (char)(dn >> 16);
    key[kl++] = (char)(dn >> 8);
    key[kl++] = (char)dn;
    const char *bad[] = {"\x80", "\x01\x00", "\xff\xff\xff\xff\x7f", "\x90\x80\x80\x80\x80\x01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t bl = strlen(bad[i]) ? strlen(bad[i]) : 1;
        if (i == 1)
            bl = 2; /* a gap of 0 after the first position */
        OKX(fl_xdb_set_metadata(w, key, kl, bad[i], bl), "corrupt the entry (%zu)", i);
        s = positions(w, dn, "common", true);
        ok(strcmp(s, "2") == 0, "malformed entry %zu: Xapian's positions instead: '%s'", i, s);
        free(s);
    }

    fl_xdoc_free(a);
    fl_xdoc_free(a2);
    fl_xdoc_free(b);
    fl_xdoc_free(b2);
    fl_xdoc_free(c);
    fl_xdoc_free(d);
    fl_xdoc_free(back);
    fl_xdb_free(w);
    free(path);
}

static void test_without_mirror(void)
{
    char *path = fl_xasprintf("%s/plain", tmpdir);
    fl_xdb *w = NULL;
    bool mirrored = true, reads = true;
    OKX(fl_xdb_open_writable(path, FL_XDB_CREATE_OR_OVERWRITE, 0, &w), "create");
    fl_xdoc *a = make_doc("a", "alpha@1,3");
    OKX(fl_xdb_add_document(w, a, NULL), "add without the mirror");
    OKX(fl_xdb_commit(w), "commit");
    OKX(fl_xdb_mirror_positions(w, &mirrored), "asked on a database built without it");
    ok(!mirrored, "it is left without");
    OKX(fl_xdb_positions_mirrored(w, &reads), "reads");
    ok(!reads, "reads use Xapian's table");
    OKX(fl_xdb_add_document(w, a, NULL), "add another");
    OKX(fl_xdb_commit(w), "commit");
    ok(mirror_entries(w) == 0, "no entries are written (%zu)", mirror_entries(w));
    char *s = positions(w, 2, "alpha", true);
    ok(strcmp(s, "1,3") == 0, "positions still read: '%s'", s);
    free(s);
    fl_xdb *ro = NULL;
    OKX(fl_xdb_open(path, &ro), "open read-only");
    ok(fl_xdb_mirror_positions(ro, &mirrored) != FL_XOK && !mirrored,
       "a read-only handle cannot keep a mirror");
    fl_xdb_free(ro);
    fl_xdoc_free(a);
    fl_xdb_free(w);
    free(path);
}

/* Compaction keeps docids (a gap included), so the mirror stays true; two
 * mirrored shards read as one; a shard without it turns the mirror off. */
static void test_compact_and_shards(void)
{
    char *p1 = fl_xasprintf("%s/s1", tmpdir), *p2 = fl_xasprintf("%s/s2", tmpdir),
         *p3 = fl_xasprintf("%s/s3", tmpdir), *pc = fl_xasprintf("%s/compact", tmpdir);
    fl_xdb *w1 = NULL, *w2 = NULL, *w3 = NULL;
    OKX(fl_xdb_open_writable(p1, FL_XDB_CREATE_OR_OVERWRITE, 0, &w1), "create s1");
    OKX(fl_xdb_open_writable(p2, FL_XDB_CREATE_OR_OVERWRITE, 0, &w2), "create s2");
    OKX(fl_xdb_open_writable(p3, FL_XDB_CREATE_OR_OVERWRITE, 0, &w3), "create s3");
    OKX(fl_xdb_mirror_positions(w1, NULL), "mirror s1");
    OKX(fl_xdb_mirror_positions(w2, NULL), "mirror s2");
    for (int i = 0; i < 6; i++) {
        char id[16], spec[64];
        snprintf(id, sizeof id, "d%d", i);
        snprintf(spec, sizeof spec, "word@%d,%d only%d@1", i + 1, i + 10, i);
        fl_xdoc *d = make_doc(id, spec);
        OKX(fl_xdb_add_document(i % 2 ? w2 : w1, d, NULL), "add %d", i);
        OKX(fl_xdb_add_document(w3, d, NULL), "add %d to the plain shard", i);
        fl_xdoc_free(d);
    }
    OKX(fl_xdb_delete_document(w1, 1), "a gap at docid 1");
    OKX(fl_xdb_commit(w1), "commit s1");
    OKX(fl_xdb_commit(w2), "commit s2");
    OKX(fl_xdb_commit(w3), "commit s3");

    /* A document read from s1 and stored under the same docid into s3's
     * copy, terms untouched: the other database gets its entries. */
    char *p4 = fl_xasprintf("%s/s4", tmpdir);
    fl_xdb *w4 = NULL;
    fl_xdoc *moved = NULL;
    OKX(fl_xdb_open_writable(p4, FL_XDB_CREATE_OR_OVERWRITE, 0, &w4), "create s4");
    OKX(fl_xdb_mirror_positions(w4, NULL), "mirror s4");
    OKX(fl_xdb_get_document(w1, 2, &moved), "read docid 2 of s1");
    OKX(fl_xdb_replace_document(w4, 2, moved), "store it as docid 2 of s4");
    OKX(fl_xdb_commit(w4), "commit s4");
    ok(mirror_entries(w4) == 2, "its two terms are mirrored in s4 (%zu)", mirror_entries(w4));
    check_all(w4, "a document from another database");
    fl_xdoc_free(moved);
    fl_xdb_free(w4);
    free(p4);

    fl_xdb *r1 = NULL, *rc = NULL;
    OKX(fl_xdb_open(p1, &r1), "open s1");
    OKX(fl_xdb_compact(r1, pc, false), "compact s1");
    OKX(fl_xdb_open(pc, &rc), "open the copy");
    fl_xdocid d = 0;
    OKX(fl_xdb_find_document(rc, "Qd2", 3, &d), "find d2");
    ok(d == 2, "docids are kept (d2 is %u)", d);
    check_all(rc, "a compacted copy");

    /* Two mirrored databases with disjoint docid ranges (s1 ends with a
     * gap: its docid 5 deleted) merge with their docids kept; overlapping
     * ones cannot be merged. */
    fl_xdb *m1 = NULL, *m2 = NULL, *mall = NULL, *mc = NULL;
    char *pm1 = fl_xasprintf("%s/m1", tmpdir), *pm2 = fl_xasprintf("%s/m2", tmpdir),
         *pmc = fl_xasprintf("%s/merged", tmpdir), *pmx = fl_xasprintf("%s/overlap", tmpdir);
    OKX(fl_xdb_open_writable(pm1, FL_XDB_CREATE_OR_OVERWRITE, 0, &m1), "create m1");
    OKX(fl_xdb_open_writable(pm2, FL_XDB_CREATE_OR_OVERWRITE, 0, &m2), "create m2");
    OKX(fl_xdb_mirror_positions(m1, NULL), "mirror m1");
    OKX(fl_xdb_mirror_positions(m2, NULL), "mirror m2");
    for (fl_xdocid k = 1; k <= 8; k++) {
        char id[16], spec[64];
        snprintf(id, sizeof id, "k%u", k);
        snprintf(spec, sizeof spec, "lane@%u,%u own%u@2", k, k + 20, k);
        fl_xdoc *d = make_doc(id, spec);
        OKX(fl_xdb_replace_document(k <= 5 ? m1 : m2, k, d), "docid %u", k);
        fl_xdoc_free(d);
    }
    OKX(fl_xdb_delete_document(m1, 5), "a gap at the end of m1");
    OKX(fl_xdb_commit(m1), "commit m1");
    OKX(fl_xdb_commit(m2), "commit m2");
    fl_xdb_free(m1);
    fl_xdb_free(m2);
    m1 = m2 = NULL;
    OKX(fl_xdb_new_empty(&mall), "combined");
    OKX(fl_xdb_open(pm1, &m1), "open m1");
    OKX(fl_xdb_open(pm2, &m2), "open m2");
    OKX(fl_xdb_add(mall, m1), "add m1");
    OKX(fl_xdb_add(mall, m2), "add m2");
    OKX(fl_xdb_compact(mall, pmc, false), "merge them");
    OKX(fl_xdb_open(pmc, &mc), "open the merge");
    d = 0;
    OKX(fl_xdb_find_document(mc, "Qk6", 3, &d), "find k6");
    ok(d == 6, "the docids after the gap are kept (k6 is %u)", d);
    check_all(mc, "a merge of two mirrored databases");
    fl_xdb_free(mall);
    mall = NULL;
    OKX(fl_xdb_new_empty(&mall), "combined again");
    OKX(fl_xdb_add(mall, m1), "add m1");
    OKX(fl_xdb_add(mall, m1), "add m1 once more: the same range");
    fl_xstatus overlap = fl_xdb_compact(mall, pmx, false);
    ok(overlap == FL_XERR_INVALID_ARGUMENT, "overlapping docid ranges are refused: %s",
       fl_xlast_error());
    fl_xdb_free(mall);
    fl_xdb_free(mc);
    fl_xdb_free(m1);
    fl_xdb_free(m2);
    free(pm1);
    free(pm2);
    free(pmc);
    free(pmx);

    fl_xdb *all = NULL, *r2 = NULL, *r3 = NULL;
    bool reads = false;
    OKX(fl_xdb_new_empty(&all), "combined");
    OKX(fl_xdb_open(p2, &r2), "open s2");
    OKX(fl_xdb_add(all, rc), "add s1");
    OKX(fl_xdb_add(all, r2), "add s2");
    OKX(fl_xdb_positions_mirrored(all, &reads), "reads");
    ok(reads, "two mirrored shards read through the mirror");
    /* docids are round-robin over the shards: compare over the whole range */
    pairs p = {all, 0, 0, 0};
    fl_xdocid last = 0;
    fl_xdb_lastdocid(all, &last);
    for (fl_xdocid k = 1; k <= last; k++) {
        p.did = k;
        fl_xdb_termlist(all, k, check_term, &p);
    }
    ok(p.mismatches == 0 && p.positioned == 10, "shards: mirror and Xapian agree (%zu pairs)",
       p.positioned);
    fl_xtermpos *pos[8] = {0};
    size_t npos[8] = {0};
    fl_xdocid ids[] = {1, 2, 3, 4, 5, 6};
    OKX(fl_xdb_term_positions(all, "word", 4, ids, 6, pos, npos), "term positions over shards");
    fl_buf b = FL_BUF_INIT;
    for (size_t i = 0; i < 6; i++) {
        fl_buf_printf(&b, "%s%zu", i ? " " : "", npos[i]);
        free(pos[i]);
    }
    fl_buf_putc(&b, '\0');
    ok(strcmp(b.data, "0 2 2 2 2 2") == 0, "one document gone, five with two positions: '%s'",
       b.data);
    fl_buf_free(&b);
    OKX(fl_xdb_open(p3, &r3), "open the plain shard");
    OKX(fl_xdb_add(all, r3), "add it");
    OKX(fl_xdb_positions_mirrored(all, &reads), "reads");
    ok(!reads, "a shard without the mirror turns it off for all");

    fl_xdb_free(all);
    fl_xdb_free(r1);
    fl_xdb_free(r2);
    fl_xdb_free(r3);
    fl_xdb_free(rc);
    fl_xdb_free(w1);
    fl_xdb_free(w2);
    fl_xdb_free(w3);
    free(p1);
    free(p2);
    free(p3);
    free(pc);
}

int main(void)
{
    if (scratch_make(tmpdir) != 0)
        return 1;
    test_maintenance();
    test_without_mirror();
    test_compact_and_shards();
    scratch_remove(tmpdir);
    return tap_done();
}
