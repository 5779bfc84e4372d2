/* test_xapian.c — the C wrapper over Xapian (include/fl_xapian.h).
 *
 * Every function of the header is exercised at least once, happy and unhappy
 * paths: missing, locked and corrupt databases, read-only handles asked to
 * write, bad arguments, indexes past the end of an MSet.  Databases live in a
 * mktemp -d directory under /tmp that is removed at the end.
 */
#include "fl_buf.h"
#include "fl_xapian.h"
#include "tap.h"
#include "xcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------------------ helpers */

static char tmpdir[] = "/tmp/fl_xapian_test_XXXXXX";

static char *path_in(const char *name)
{
    return fl_xasprintf("%s/%s", tmpdir, name);
}

/* Asserts a given failure status and that the last error agrees with it. */
#define FAILX(call, want, ...)                                                           \
    do {                                                                                 \
        fl_xstatus st_ = (call);                                                         \
        if (!ok(st_ == (want) && fl_xlast_status() == (want) && *fl_xlast_error(),      \
                __VA_ARGS__))                                                            \
            diag("got '%s' (last: '%s' %s), want '%s'", fl_xstatus_name(st_),           \
                 fl_xstatus_name(fl_xlast_status()), fl_xlast_error(),                   \
                 fl_xstatus_name(want));                                                 \
    } while (0)

/* Callbacks collecting into an fl_buf as "item:n|item:n". */
static int collect_terms(void *ud, const char *t, size_t len, uint32_t n)
{
    fl_buf *b = ud;
    if (b->len)
        fl_buf_putc(b, '|');
    fl_buf_append(b, t, len);
    fl_buf_printf(b, ":%u", n);
    return 0;
}

static int collect_strings(void *ud, const char *s, size_t len)
{
    fl_buf *b = ud;
    if (b->len)
        fl_buf_putc(b, '|');
    fl_buf_append(b, s, len);
    return 0;
}

static int collect_docids(void *ud, fl_xdocid id, uint32_t wdf)
{
    fl_buf *b = ud;
    if (b->len)
        fl_buf_putc(b, '|');
    fl_buf_printf(b, "%u:%u", id, wdf);
    return 0;
}

/* Terms only (no counts). */
static int collect_names(void *ud, const char *t, size_t len, uint32_t n)
{
    (void)n;
    return collect_strings(ud, t, len);
}

static int count_calls(void *ud, const char *t, size_t len, uint32_t n)
{
    (void)t, (void)len, (void)n;
    ++*(int *)ud;
    return 1; /* stop after the first */
}

static int count_strings_stop(void *ud, const char *s, size_t len)
{
    (void)s, (void)len;
    ++*(int *)ud;
    return 1;
}

static int count_docids_stop(void *ud, fl_xdocid id, uint32_t wdf)
{
    (void)id, (void)wdf;
    ++*(int *)ud;
    return 1;
}

/* The buffer's text, then reset (for "is_str(take(&b), ...)"). */
static const char *take(fl_buf *b, char **keep)
{
    free(*keep);
    *keep = fl_buf_detach(b);
    if (!*keep)
        *keep = fl_xstrdup("");
    return *keep;
}

/* A toy stemmer: strips a trailing "en" from words longer than 3 bytes,
 * otherwise keeps the word (returns NULL).  Counts its calls. */
static char *toy_stem(void *ud, const char *word, size_t len)
{
    ++*(int *)ud;
    if (len > 3 && memcmp(word + len - 2, "en", 2) == 0)
        return fl_xstrndup(word, len - 2);
    return NULL;
}

static fl_xquery *parse(fl_xqp *qp, const char *text, unsigned flags)
{
    fl_xquery *q = NULL;
    fl_xstatus st = fl_xqp_parse(qp, text, flags, NULL, &q);
    if (st != FL_XOK)
        diag("parse '%s': %s", text, fl_xlast_error());
    return q;
}

static char *describe(const fl_xquery *q)
{
    char *d = NULL;
    if (!q || fl_xquery_describe(q, &d) != FL_XOK)
        return fl_xstrdup("(error)");
    return d;
}

/* The docids of an MSet as "1,2,3". */
static char *mset_ids(const fl_xmset *m)
{
    fl_buf b = FL_BUF_INIT;
    for (uint32_t i = 0; i < fl_xmset_size(m); i++) {
        fl_xdocid id = 0;
        fl_xmset_docid(m, i, &id);
        fl_buf_printf(&b, "%s%u", i ? "," : "", id);
    }
    char *s = fl_buf_detach(&b);
    return s ? s : fl_xstrdup("");
}

/* Runs q over db and returns the matching docids in ascending order, "1,2,3". */
static char *search_ids(fl_xdb *db, const fl_xquery *q)
{
    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    char *s;
    /* Boolean weighting: results in docid order, independent of BM25. */
    if (fl_xenquire_new(db, &e) != FL_XOK || fl_xenquire_set_query(e, q, 0) != FL_XOK ||
        fl_xenquire_set_weighting_bool(e) != FL_XOK ||
        fl_xenquire_get_mset(e, 0, 100, 0, &m) != FL_XOK) {
        diag("search: %s", fl_xlast_error());
        s = fl_xstrdup("(error)");
    } else {
        s = mset_ids(m);
    }
    fl_xmset_free(m);
    fl_xenquire_free(e);
    return s;
}

static void write_file(const char *path, const char *content, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        diag("cannot write %s: %s", path, strerror(errno));
        return;
    }
    fwrite(content, 1, len, f);
    fclose(f);
}

/* ------------------------------------------------------------------ errors */

static void test_errors_and_names(void)
{
    is_int(strncmp(fl_xapian_version(), "1.4", 3), 0, "Xapian version is 1.4.x (%s)",
           fl_xapian_version());
    is_str(fl_xstatus_name(FL_XOK), "ok", "status name ok");
    is_str(fl_xstatus_name(FL_XERR_LOCKED), "locked", "status name locked");
    is_str(fl_xstatus_name(FL_XERR_CORRUPT), "corrupt", "status name corrupt");
    int distinct = 1;
    for (int a = FL_XOK; a <= FL_XERR_OTHER; a++)
        for (int b = a + 1; b <= FL_XERR_OTHER; b++)
            if (strcmp(fl_xstatus_name(a), fl_xstatus_name(b)) == 0)
                distinct = 0;
    ok(distinct, "every status has its own name");
    ok(*fl_xstatus_name((fl_xstatus)99) != '\0', "unknown status still has a name");

    fl_xdb *db = NULL;
    FAILX(fl_xdb_open(NULL, &db), FL_XERR_INVALID_ARGUMENT, "NULL path is an invalid argument");
    ok(db == NULL, "output untouched on failure");
    is_str(fl_xlast_error_class(), "InvalidArgumentError", "class of a bad C argument");
    ok(strstr(fl_xlast_error_message(), "fl_xdb_open") != NULL,
       "message names the function: %s", fl_xlast_error_message());
    char *want = fl_xasprintf("%s: %s", fl_xlast_error_class(), fl_xlast_error_message());
    is_str(fl_xlast_error(), want, "combined error is 'Class: message'");
    free(want);

    /* The last error stays until the next failure, not cleared by success. */
    fl_xdoc *d = NULL;
    OKX(fl_xdoc_new(&d), "doc new");
    is_int(fl_xlast_status(), FL_XERR_INVALID_ARGUMENT, "success leaves the last error alone");
    fl_xdoc_free(d);
}

/* ------------------------------------------------------------------ opening */

static void test_open_errors(void)
{
    fl_xdb *db = NULL, *w1 = NULL, *w2 = NULL;
    char *missing = path_in("missing");

    FAILX(fl_xdb_open(missing, &db), FL_XERR_NOT_FOUND, "read-only open of a missing db");
    is_str(fl_xlast_error_class(), "DatabaseNotFoundError", "missing db class");
    ok(strstr(fl_xlast_error_message(), "missing") != NULL, "message names the path: %s",
       fl_xlast_error_message());
    FAILX(fl_xdb_open_writable(missing, FL_XDB_OPEN, 0, &db), FL_XERR_NOT_FOUND,
          "FL_XDB_OPEN of a missing db");
    ok(db == NULL, "no handle after failures");
    free(missing);

    /* A plain file is taken for a stub database file and rejected. */
    char *plain = path_in("plain.txt");
    write_file(plain, "not a database\n", 15);
    FAILX(fl_xdb_open(plain, &db), FL_XERR_OPENING, "a plain file is not a database");
    free(plain);

    char *p = path_in("locked");
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w1), "create a writable db");
    ok(fl_xdb_is_writable(w1), "is writable");
    FAILX(fl_xdb_open_writable(p, FL_XDB_CREATE_OR_OPEN, 0, &w2), FL_XERR_LOCKED,
          "second writer gets FL_XERR_LOCKED");
    is_str(fl_xlast_error_class(), "DatabaseLockError", "lock error class");
    ok(w2 == NULL, "no second handle");
    /* Readers are fine while a writer holds the lock. */
    OKX(fl_xdb_commit(w1), "commit the empty db");
    OKX(fl_xdb_open(p, &db), "reader alongside a writer");
    ok(!fl_xdb_is_writable(db), "reader is not writable");
    ok(!fl_xdb_is_writable(NULL), "NULL is not writable");
    fl_xdb_free(db);
    db = NULL;
    fl_xdb_free(w1);
    FAILX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w2), FL_XERR_OPENING,
          "FL_XDB_CREATE of an existing db");
    is_str(fl_xlast_error_class(), "DatabaseCreateError", "create error class");
    OKX(fl_xdb_open_writable(p, FL_XDB_OPEN, 0, &w2), "the lock is gone after free");
    fl_xdb_free(w2);
    w2 = NULL;
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE_OR_OVERWRITE, 0, &w2), "overwrite");
    fl_xdb_free(w2);
    FAILX(fl_xdb_open_writable(p, (fl_xdb_mode)42, 0, &w2), FL_XERR_INVALID_ARGUMENT,
          "unknown mode");
    free(p);
    fl_xdb_free(NULL); /* must be harmless */
}

/* Builds a small committed db, then damages postlist.glass. */
static void test_corrupt(void)
{
    char *p = path_in("corrupt");
    fl_xdb *w = NULL, *db = NULL;
    fl_xdoc *doc = NULL;
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "create db to corrupt");
    OKX(fl_xdoc_new(&doc), "doc");
    for (int i = 0; i < 300; i++) {
        char t[32];
        snprintf(t, sizeof t, "term%d", i);
        fl_xdoc_add_term(doc, t, strlen(t), 1);
    }
    OKX(fl_xdb_add_document(w, doc, NULL), "add doc");
    OKX(fl_xdb_commit(w), "commit");
    fl_xdoc_free(doc);
    fl_xdb_free(w);

    char *table = fl_xasprintf("%s/postlist.glass", p);
    struct stat sb;
    ok(stat(table, &sb) == 0 && sb.st_size > 0, "postlist.glass exists");
    /* Overwrite the blocks with garbage (same size). */
    int fd = open(table, O_WRONLY);
    if (fd >= 0) {
        char junk[4096];
        memset(junk, 'x', sizeof junk);
        for (off_t off = 0; off < sb.st_size; off += (off_t)sizeof junk)
            if (write(fd, junk, sizeof junk) < 0)
                break;
        close(fd);
    }
    fl_xstatus st = fl_xdb_open(p, &db);
    uint32_t freq = 0;
    if (st == FL_XOK)
        st = fl_xdb_termfreq(db, "term1", 5, &freq);
    ok(st == FL_XERR_CORRUPT, "garbage table: corrupt (%s: %s)", fl_xstatus_name(st),
       fl_xlast_error());
    is_str(fl_xlast_error_class(), "DatabaseCorruptError", "garbage table class");
    ok(strlen(fl_xlast_error_message()) > 0, "with a message");
    fl_xdb_free(db);
    db = NULL;

    /* Truncated to nothing: Xapian reports a short read (DatabaseError). */
    if (truncate(table, 0) != 0)
        diag("truncate: %s", strerror(errno));
    st = fl_xdb_open(p, &db);
    if (st == FL_XOK)
        st = fl_xdb_termfreq(db, "term1", 5, &freq);
    ok(st == FL_XERR_CORRUPT || st == FL_XERR_OPENING, "truncated table: %s (%s)",
       fl_xstatus_name(st), fl_xlast_error());
    ok(strlen(fl_xlast_error_message()) > 0, "with a message");
    fl_xdb_free(db);
    free(table);
    free(p);
}

/* ------------------------------------------------------------------ documents */

static void test_document_handle(void)
{
    fl_xdoc *doc = NULL;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL, *val = NULL;
    size_t len = 99;
    uint32_t n = 0;

    OKX(fl_xdoc_new(&doc), "new doc");
    is_int(fl_xdoc_docid(doc), 0, "a new doc has docid 0");
    is_int(fl_xdoc_docid(NULL), 0, "docid of NULL is 0");
    OKX(fl_xdoc_add_term(doc, "alpha", 5, 2), "add_term");
    OKX(fl_xdoc_add_term(doc, "alpha", 5, 1), "add_term again adds wdf");
    OKX(fl_xdoc_add_posting(doc, "beta", 4, 7, 1), "add_posting");
    OKX(fl_xdoc_add_boolean_term(doc, "Qid", 3), "add_boolean_term");
    OKX(fl_xdoc_add_term(doc, "nul\0byte", 8, 1), "binary term with a NUL");
    FAILX(fl_xdoc_add_term(doc, NULL, 3, 1), FL_XERR_INVALID_ARGUMENT, "NULL term with a length");
    OKX(fl_xdoc_termlist(doc, collect_terms, &b), "doc termlist");
    fl_buf_append(&b, "", 0);
    /* Compare with the NUL turned visible. */
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] == '\0')
            b.data[i] = '0';
    is_str(take(&b, &keep), "Qid:0|alpha:3|beta:1|nul0byte:1", "terms sorted, with wdf");
    OKX(fl_xdoc_termcount(doc, &n), "termcount");
    is_int(n, 4, "four terms");
    OKX(fl_xdoc_remove_term(doc, "beta", 4), "remove_term");
    FAILX(fl_xdoc_remove_term(doc, "beta", 4), FL_XERR_NOT_FOUND, "removing a missing term");
    fl_xdoc_termcount(doc, &n);
    is_int(n, 3, "three terms left");

    OKX(fl_xdoc_get_value(doc, 5, &val, &len), "get a missing value");
    ok(val == NULL && len == 0, "missing value is NULL, 0");
    OKX(fl_xdoc_set_value(doc, 5, "a\0b", 3), "set a binary value");
    OKX(fl_xdoc_get_value(doc, 5, &val, &len), "get it back");
    ok(val && len == 3 && memcmp(val, "a\0b", 3) == 0, "binary value round trip");
    free(val);

    OKX(fl_xdoc_get_data(doc, &val, &len), "get empty data");
    ok(val && len == 0 && *val == '\0', "empty data is an empty string");
    free(val);
    OKX(fl_xdoc_set_data(doc, "x\0y\xff", 4), "set binary data");
    OKX(fl_xdoc_get_data(doc, &val, &len), "get data");
    ok(val && len == 4 && memcmp(val, "x\0y\xff", 4) == 0, "binary data round trip");
    free(val);
    FAILX(fl_xdoc_get_data(NULL, &val, &len), FL_XERR_INVALID_ARGUMENT, "NULL doc");

    /* Early stop in callbacks. */
    int calls = 0;
    OKX(fl_xdoc_termlist(doc, count_calls, &calls), "termlist with early stop");
    is_int(calls, 1, "callback returning non-zero stops the iteration");

    fl_xdoc_free(doc);
    fl_xdoc_free(NULL);
    fl_buf_free(&b);
    free(keep);
}

static fl_xdoc *make_doc(const char *id, const char *text_terms, const char *date,
                         const char *facets, const char *data)
{
    fl_xdoc *doc = NULL;
    if (fl_xdoc_new(&doc) != FL_XOK)
        return NULL;
    char *q = fl_xasprintf("Q%s", id);
    fl_xdoc_add_boolean_term(doc, q, strlen(q));
    free(q);
    /* space-separated terms, positional */
    fl_xtermpos pos = 1;
    const char *s = text_terms;
    while (*s) {
        const char *e = strchr(s, ' ');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        fl_xdoc_add_posting(doc, s, l, pos++, 1);
        s += l;
        while (*s == ' ')
            s++;
    }
    if (date)
        fl_xdoc_set_value(doc, 0, date, strlen(date));
    if (facets)
        fl_xdoc_set_value(doc, 10, facets, strlen(facets));
    if (data)
        fl_xdoc_set_data(doc, data, strlen(data));
    return doc;
}

static void test_database_documents(void)
{
    char *p = path_in("docs");
    fl_xdb *w = NULL, *r = NULL;
    fl_xdocid id = 0, id2 = 0;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL;
    uint32_t n = 0;

    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE_OR_OPEN, 0, &w), "open writable");
    uint64_t rev0 = 99;
    OKX(fl_xdb_revision(w, &rev0), "revision");
    is_int(rev0, 0, "fresh db at revision 0");
    char *uuid = NULL;
    OKX(fl_xdb_uuid(w, &uuid), "uuid");
    ok(uuid && strlen(uuid) == 36, "uuid looks like one: %s", uuid ? uuid : "(null)");
    free(uuid);

    fl_xdoc *d1 = make_doc("a", "katze hund katze", "20200101", NULL, "one");
    fl_xdoc *d2 = make_doc("b", "hund maus", "20210101", NULL, "two");
    OKX(fl_xdb_add_document(w, d1, &id), "add doc 1");
    is_int(id, 1, "docid 1");
    OKX(fl_xdb_add_document(w, d2, &id2), "add doc 2");
    is_int(id2, 2, "docid 2");
    OKX(fl_xdb_commit(w), "commit");
    uint64_t rev1 = 0;
    fl_xdb_revision(w, &rev1);
    ok(rev1 > rev0, "revision grows with a commit (%llu)", (unsigned long long)rev1);

    OKX(fl_xdb_open(p, &r), "reader");
    OKX(fl_xdb_doccount(r, &n), "doccount");
    is_int(n, 2, "2 docs");
    fl_xdocid last = 0;
    OKX(fl_xdb_lastdocid(r, &last), "lastdocid");
    is_int(last, 2, "last docid 2");
    double avlen = 0;
    OKX(fl_xdb_avlength(r, &avlen), "avlength");
    ok(avlen > 2.49 && avlen < 2.51, "average length 2.5 (%g)", avlen);
    OKX(fl_xdb_termfreq(r, "hund", 4, &n), "termfreq");
    is_int(n, 2, "hund in 2 docs");
    OKX(fl_xdb_termfreq(r, "nix", 3, &n), "termfreq of a missing term");
    is_int(n, 0, "0 docs");
    OKX(fl_xdb_collection_freq(r, "katze", 5, &n), "collection_freq");
    is_int(n, 2, "katze twice in total");
    bool ex = false;
    OKX(fl_xdb_term_exists(r, "maus", 4, &ex), "term_exists");
    ok(ex, "maus exists");
    fl_xdb_term_exists(r, "elefant", 7, &ex);
    ok(!ex, "elefant does not");

    OKX(fl_xdb_allterms(r, "", collect_terms, &b), "allterms");
    is_str(take(&b, &keep), "Qa:1|Qb:1|hund:2|katze:1|maus:1", "all terms with termfreq");
    OKX(fl_xdb_allterms(r, "Q", collect_terms, &b), "allterms with prefix");
    is_str(take(&b, &keep), "Qa:1|Qb:1", "prefix Q");
    OKX(fl_xdb_allterms(r, NULL, collect_terms, &b), "allterms with NULL prefix");
    is_str(take(&b, &keep), "Qa:1|Qb:1|hund:2|katze:1|maus:1", "NULL prefix = all");
    int calls = 0;
    OKX(fl_xdb_allterms(r, "", count_calls, &calls), "allterms early stop");
    is_int(calls, 1, "stopped after one");
    OKX(fl_xdb_postlist(r, "katze", 5, collect_docids, &b), "postlist");
    is_str(take(&b, &keep), "1:2", "katze in doc 1 with wdf 2");
    OKX(fl_xdb_postlist(r, "hund", 4, collect_docids, &b), "postlist hund");
    is_str(take(&b, &keep), "1:1|2:1", "hund in docs 1 and 2");
    calls = 0;
    OKX(fl_xdb_postlist(r, "hund", 4, count_docids_stop, &calls), "postlist early stop");
    is_int(calls, 1, "stopped after one");
    OKX(fl_xdb_termlist(r, 1, collect_terms, &b), "db termlist");
    is_str(take(&b, &keep), "Qa:0|hund:1|katze:2", "doc 1 terms with wdf");
    FAILX(fl_xdb_termlist(r, 99, collect_terms, &b), FL_XERR_NOT_FOUND, "termlist of no doc");

    fl_xtermpos *pos = NULL;
    size_t npos = 0;
    OKX(fl_xdb_positions(r, 1, "katze", 5, &pos, &npos), "positions");
    ok(npos == 2 && pos && pos[0] == 1 && pos[1] == 3, "katze at 1 and 3");
    free(pos);
    pos = NULL;
    OKX(fl_xdb_positions(r, 1, "elefant", 7, &pos, &npos), "positions of a missing term");
    ok(npos == 0 && pos == NULL, "none");

    /* One term in several documents at once: what one call per document
     * gives, NULL where a document lacks the term. */
    fl_xdocid docs3[] = {1, 2, 7};
    fl_xtermpos *many[3] = {NULL, NULL, NULL};
    size_t nmany[3] = {9, 9, 9};
    OKX(fl_xdb_term_positions(r, "katze", 5, docs3, 3, many, nmany), "term positions in 3 documents");
    ok(nmany[0] == 2 && many[0] && many[0][0] == 1 && many[0][1] == 3, "doc 1: katze at 1 and 3");
    ok(nmany[1] == 0 && !many[1] && nmany[2] == 0 && !many[2], "doc 2 and a missing doc: none");
    free(many[0]);
    OKX(fl_xdb_term_positions(r, "hund", 4, docs3, 2, many, nmany), "hund in docs 1 and 2");
    bool same = true;
    for (size_t i = 0; i < 2; i++) {
        fl_xtermpos *one = NULL;
        size_t none = 0;
        fl_xdb_positions(r, docs3[i], "hund", 4, &one, &none);
        same &= none == nmany[i] && none > 0 && memcmp(one, many[i], none * sizeof *one) == 0;
        free(one);
        free(many[i]);
        many[i] = NULL;
    }
    ok(same, "the same positions as one document at a time");
    OKX(fl_xdb_term_positions(r, "elefant", 7, docs3, 3, many, nmany), "a term no document has");
    ok(!many[0] && !many[1] && !many[2] && !nmany[0] && !nmany[1] && !nmany[2], "none anywhere");
    fl_xdocid down[] = {2, 1};
    FAILX(fl_xdb_term_positions(r, "hund", 4, down, 2, many, nmany), FL_XERR_INVALID_ARGUMENT,
          "document ids that do not ascend are refused");
    ok(!many[0] && !many[1], "nothing returned");
    OKX(fl_xdb_term_positions(r, "hund", 4, NULL, 0, NULL, NULL), "no documents: nothing to do");

    fl_xdoc *got = NULL;
    OKX(fl_xdb_get_document(r, 2, &got), "get_document");
    is_int(fl_xdoc_docid(got), 2, "its docid");
    char *data = NULL;
    size_t len = 0;
    fl_xdoc_get_data(got, &data, &len);
    is_str(data, "two", "its data");
    free(data);
    fl_xdoc_get_value(got, 0, &data, &len);
    is_str(data, "20210101", "its value");
    free(data);
    fl_xdoc_free(got);
    got = NULL;
    FAILX(fl_xdb_get_document(r, 99, &got), FL_XERR_NOT_FOUND, "get_document of no doc");
    is_str(fl_xlast_error_class(), "DocNotFoundError", "class");
    ok(got == NULL, "no handle");

    OKX(fl_xdb_find_document(r, "Qb", 2, &id), "find_document");
    is_int(id, 2, "Qb is doc 2");
    FAILX(fl_xdb_find_document(r, "Qzz", 3, &id), FL_XERR_NOT_FOUND, "find_document of none");

    /* Writes through a read-only handle fail cleanly. */
    FAILX(fl_xdb_add_document(r, d1, NULL), FL_XERR_INVALID_ARGUMENT, "add to a read-only db");
    FAILX(fl_xdb_commit(r), FL_XERR_INVALID_ARGUMENT, "commit a read-only db");
    FAILX(fl_xdb_delete_document(r, 1), FL_XERR_INVALID_ARGUMENT, "delete in a read-only db");

    /* Replacing and deleting. */
    fl_xdoc *d3 = make_doc("a", "vogel", NULL, NULL, "one v2");
    OKX(fl_xdb_replace_document_by_term(w, "Qa", d3, &id), "replace_document_by_term");
    is_int(id, 1, "replaced doc 1 in place");
    fl_xdoc *d4 = make_doc("c", "fisch", NULL, NULL, "three");
    OKX(fl_xdb_replace_document_by_term(w, "Qc", d4, &id), "replace by a new term adds");
    is_int(id, 3, "new doc 3");
    OKX(fl_xdb_replace_document(w, 2, d4), "replace_document by docid");
    OKX(fl_xdb_termfreq(w, "fisch", 5, &n), "writer sees its uncommitted changes");
    is_int(n, 2, "fisch in docs 2 and 3");
    OKX(fl_xdb_delete_document(w, 3), "delete_document");
    FAILX(fl_xdb_delete_document(w, 3), FL_XERR_NOT_FOUND, "delete it again");
    OKX(fl_xdb_delete_document_by_term(w, "Qa"), "delete_document_by_term");
    OKX(fl_xdb_delete_document_by_term(w, "Qnone"), "deleting by an unused term is fine");
    OKX(fl_xdb_commit(w), "commit");
    OKX(fl_xdb_doccount(w, &n), "doccount");
    is_int(n, 1, "one doc left");
    /* A doc fetched from the db remembers its id. */
    OKX(fl_xdb_get_document(w, 2, &got), "get doc 2");
    is_int(fl_xdoc_docid(got), 2, "docid 2");
    fl_xdoc_free(got);

    fl_xdoc_free(d1);
    fl_xdoc_free(d2);
    fl_xdoc_free(d3);
    fl_xdoc_free(d4);
    fl_xdb_free(r);
    fl_xdb_free(w);
    fl_buf_free(&b);
    free(keep);
    free(p);
}

/* ------------------------------------------------------------------ metadata */

static void test_metadata(void)
{
    char *p = path_in("meta");
    fl_xdb *w = NULL, *r = NULL;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL, *val = (char *)"x";
    size_t len = 7;

    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "open");
    OKX(fl_xdb_get_metadata(w, "nokey", 5, &val, &len), "missing key is OK");
    ok(val == NULL && len == 0, "missing key gives NULL, 0");
    OKX(fl_xdb_set_metadata(w, "findling:format", 15, "1", 1), "set");
    OKX(fl_xdb_set_metadata(w, "findling:sec:a\x1f" "1", 16, "bin\0ary", 7), "set binary");
    OKX(fl_xdb_set_metadata(w, "other", 5, "o", 1), "set another");
    OKX(fl_xdb_commit(w), "commit");
    OKX(fl_xdb_open(p, &r), "reader");
    OKX(fl_xdb_get_metadata(r, "findling:format", 15, &val, &len), "get");
    ok(val && len == 1 && strcmp(val, "1") == 0, "value back");
    free(val);
    OKX(fl_xdb_get_metadata(r, "findling:sec:a\x1f" "1", 16, &val, &len), "get binary");
    ok(val && len == 7 && memcmp(val, "bin\0ary", 7) == 0, "binary value back");
    free(val);
    /* Into a holder read into again: each read replaces the value. */
    fl_xvalue *hv = NULL;
    OKX(fl_xvalue_new(&hv), "value holder");
    const char *hd = fl_xvalue_data(hv, &len);
    ok(hd == NULL && len == 0, "a new holder holds no value");
    OKX(fl_xdb_get_metadata_into(r, "findling:sec:a\x1f" "1", 16, hv), "get into the holder");
    hd = fl_xvalue_data(hv, &len);
    ok(hd && len == 7 && memcmp(hd, "bin\0ary", 7) == 0, "binary value in the holder");
    OKX(fl_xdb_get_metadata_into(r, "findling:format", 15, hv), "get into it again");
    hd = fl_xvalue_data(hv, &len);
    ok(hd && len == 1 && hd[0] == '1', "the second value replaced the first");
    OKX(fl_xdb_shard_metadata_into(r, 0, "other", 5, hv), "shard 0 of one database");
    hd = fl_xvalue_data(hv, &len);
    ok(hd && len == 1 && hd[0] == 'o', "its value");
    FAILX(fl_xdb_shard_metadata_into(r, 1, "other", 5, hv), FL_XERR_RANGE, "no shard 1");
    hd = fl_xvalue_data(hv, &len);
    ok(hd == NULL && len == 0, "after an error the holder holds no value");
    OKX(fl_xdb_get_metadata_into(r, "nokey", 5, hv), "missing key into the holder");
    hd = fl_xvalue_data(hv, &len);
    ok(hd == NULL && len == 0, "missing: no value");
    FAILX(fl_xdb_get_metadata_into(r, "k", 1, NULL), FL_XERR_INVALID_ARGUMENT, "no holder");
    fl_xvalue_free(hv);
    fl_xvalue_free(NULL);
    OKX(fl_xdb_metadata_keys(r, "findling:", collect_strings, &b), "keys by prefix");
    is_str(take(&b, &keep), "findling:format|findling:sec:a\x1f" "1", "two findling keys");
    OKX(fl_xdb_metadata_keys(r, NULL, collect_strings, &b), "all keys");
    is_str(take(&b, &keep), "findling:format|findling:sec:a\x1f" "1|other", "all three");
    int calls = 0;
    OKX(fl_xdb_metadata_keys(r, "", count_strings_stop, &calls), "keys, early stop");
    is_int(calls, 1, "stopped");
    FAILX(fl_xdb_set_metadata(r, "k", 1, "v", 1), FL_XERR_INVALID_ARGUMENT,
          "set metadata on a read-only db");

    OKX(fl_xdb_set_metadata(w, "other", 5, "", 0), "empty value deletes");
    OKX(fl_xdb_commit(w), "commit");
    bool changed = false;
    OKX(fl_xdb_reopen(r, &changed), "reopen");
    ok(changed, "reopen saw the change");
    OKX(fl_xdb_get_metadata(r, "other", 5, &val, &len), "get deleted key");
    ok(val == NULL && len == 0, "deleted");

    fl_xdb_free(r);
    fl_xdb_free(w);
    fl_buf_free(&b);
    free(keep);
    free(p);
}

/* ------------------------------------------------------------------ spelling, synonyms */

static void test_spelling_synonyms(void)
{
    char *p = path_in("spell");
    fl_xdb *w = NULL, *r = NULL;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL, *s = NULL;

    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "open");
    OKX(fl_xdb_add_spelling(w, "katze", 3), "add_spelling");
    OKX(fl_xdb_add_spelling(w, "kartei", 1), "add_spelling 2");
    OKX(fl_xdb_add_spelling(w, "hund", 2), "add_spelling 3");
    OKX(fl_xdb_remove_spelling(w, "hund", 2), "remove_spelling");
    OKX(fl_xdb_add_synonym(w, "auto", "wagen"), "add_synonym");
    OKX(fl_xdb_add_synonym(w, "auto", "kfz"), "add_synonym 2");
    OKX(fl_xdb_add_synonym(w, "rad", "fahrrad"), "add_synonym 3");
    OKX(fl_xdb_add_synonym(w, "sehr gut", "prima"), "multi-word synonym key");
    /* a document so that the parsed query has something to match */
    fl_xdoc *d = make_doc("x", "katze wagen", NULL, NULL, NULL);
    fl_xdb_add_document(w, d, NULL);
    fl_xdoc_free(d);
    OKX(fl_xdb_commit(w), "commit");

    OKX(fl_xdb_open(p, &r), "reader");
    OKX(fl_xdb_spellings(r, collect_terms, &b), "spellings");
    is_str(take(&b, &keep), "kartei:1|katze:3", "spellings with freqs; hund removed");
    {
        /* The spelling words as a cursor (the trie walk of query/spell.c). */
        fl_xtermit *it = NULL;
        size_t tl = 0;
        uint32_t tf = 0;
        OKX(fl_xdb_spellings_open(r, &it), "spellings cursor");
        const char *t = fl_xtermit_term(it, &tl, &tf);
        ok(t && tl == 6 && memcmp(t, "kartei", 6) == 0 && tf == 1, "first spelling word kartei:1");
        OKX(fl_xtermit_skip_to(it, "kat", 3), "skip_to kat");
        t = fl_xtermit_term(it, &tl, &tf);
        ok(t && tl == 5 && memcmp(t, "katze", 5) == 0 && tf == 3, "skip_to lands on katze:3");
        OKX(fl_xtermit_skip_to(it, "katze\xff", 6), "skip past katze");
        ok(fl_xtermit_at_end(it), "at the end after the last word");
        fl_xtermit_free(it);
        FAILX(fl_xdb_spellings_open(r, NULL), FL_XERR_INVALID_ARGUMENT, "NULL out rejected");
    }
    OKX(fl_xdb_spelling_suggestion(r, "katse", 2, &s), "suggestion");
    is_str(s, "katze", "katse → katze");
    free(s);
    s = (char *)"x";
    OKX(fl_xdb_spelling_suggestion(r, "xyzzyq", 2, &s), "no suggestion is OK");
    ok(s == NULL, "no suggestion gives NULL");
    OKX(fl_xdb_synonyms(r, "auto", collect_strings, &b), "synonyms");
    is_str(take(&b, &keep), "kfz|wagen", "synonyms of auto");
    OKX(fl_xdb_synonym_keys(r, collect_strings, &b), "synonym keys");
    is_str(take(&b, &keep), "auto|rad|sehr gut", "keys");
    int calls = 0;
    OKX(fl_xdb_synonym_keys(r, count_strings_stop, &calls), "keys, early stop");
    is_int(calls, 1, "stopped");
    FAILX(fl_xdb_add_synonym(r, "a", "b"), FL_XERR_INVALID_ARGUMENT, "read-only synonyms");
    FAILX(fl_xdb_add_spelling(r, "a", 1), FL_XERR_INVALID_ARGUMENT, "read-only spelling");

    /* The query parser uses both. */
    fl_xqp *qp = NULL;
    OKX(fl_xqp_new(&qp), "qp");
    OKX(fl_xqp_set_database(qp, r), "qp database");
    fl_xquery *q = parse(qp, "katse", FL_XQP_DEFAULT | FL_XQP_SPELLING_CORRECTION);
    OKX(fl_xqp_corrected_query(qp, &s), "corrected query");
    is_str(s, "katze", "spelling-corrected query");
    free(s);
    fl_xquery_free(q);
    q = parse(qp, "katze", FL_XQP_DEFAULT | FL_XQP_SPELLING_CORRECTION);
    s = (char *)"x";
    OKX(fl_xqp_corrected_query(qp, &s), "corrected query when none needed");
    ok(s == NULL, "NULL when nothing corrected");
    fl_xquery_free(q);
    q = parse(qp, "~auto", FL_XQP_DEFAULT | FL_XQP_SYNONYM);
    char *desc = describe(q);
    ok(strstr(desc, "SYNONYM") && strstr(desc, "wagen") && strstr(desc, "kfz"),
       "~auto expands to synonyms: %s", desc);
    free(desc);
    char *ids = search_ids(r, q);
    is_str(ids, "1", "the synonym finds the doc with 'wagen'");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "auto", FL_XQP_DEFAULT | FL_XQP_AUTO_SYNONYMS);
    desc = describe(q);
    ok(strstr(desc, "wagen") != NULL, "auto synonyms: %s", desc);
    free(desc);
    fl_xquery_free(q);
    q = parse(qp, "sehr gut", FL_XQP_DEFAULT | FL_XQP_AUTO_MULTIWORD_SYNONYMS);
    desc = describe(q);
    ok(strstr(desc, "prima") != NULL, "multi-word synonyms: %s", desc);
    free(desc);
    fl_xquery_free(q);
    fl_xqp_free(qp);

    OKX(fl_xdb_clear_synonyms(w, "auto"), "clear_synonyms");
    OKX(fl_xdb_commit(w), "commit");
    OKX(fl_xdb_reopen(r, NULL), "reopen with NULL changed");
    OKX(fl_xdb_synonyms(r, "auto", collect_strings, &b), "synonyms after clear");
    is_str(take(&b, &keep), "", "none left");

    fl_xdb_free(r);
    fl_xdb_free(w);
    fl_buf_free(&b);
    free(keep);
    free(p);
}

/* ------------------------------------------------------------------ stemmers, term generator */

static void test_stemmers_termgen(void)
{
    fl_xstem *german = NULL, *toy = NULL, *bad = NULL;
    fl_xstopper *stop = NULL;
    fl_xtermgen *tg = NULL;
    fl_xdoc *doc = NULL;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL, *s = NULL;
    int toy_calls = 0;

    OKX(fl_xstem_new("german", &german), "german stemmer");
    OKX(fl_xstem_apply(german, "katzen", 6, &s), "apply");
    is_str(s, "katz", "german: katzen → katz");
    free(s);
    FAILX(fl_xstem_new("klingon", &bad), FL_XERR_INVALID_ARGUMENT, "unknown language");
    ok(bad == NULL, "no handle");

    OKX(fl_xstem_new_custom(toy_stem, &toy_calls, "toy-en", &toy), "custom stemmer");
    OKX(fl_xstem_apply(toy, "laufen", 6, &s), "apply custom");
    is_str(s, "lauf", "toy: laufen → lauf");
    free(s);
    OKX(fl_xstem_apply(toy, "maus", 4, &s), "apply custom, NULL from callback");
    is_str(s, "maus", "NULL keeps the word");
    free(s);
    is_int(toy_calls, 2, "callback called twice with our ud");
    FAILX(fl_xstem_new_custom(NULL, NULL, "x", &bad), FL_XERR_INVALID_ARGUMENT, "NULL fn");

    const char *words[] = {"die", NULL, "und"};
    OKX(fl_xstopper_new(words, 3, &stop), "stopper (NULL entries skipped)");
    FAILX(fl_xstopper_new(NULL, 2, &stop), FL_XERR_INVALID_ARGUMENT, "NULL words with n");

    OKX(fl_xtermgen_new(&tg), "termgen");
    OKX(fl_xdoc_new(&doc), "doc");
    OKX(fl_xtermgen_set_stemmer(tg, toy), "set custom stemmer");
    OKX(fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_SOME), "STEM_SOME");
    OKX(fl_xtermgen_set_stopper(tg, stop), "set stopper");
    /* The stopper and stemmer handles may go right away: the generator keeps copies. */
    fl_xstopper_free(stop);
    OKX(fl_xtermgen_set_document(tg, doc), "set document");
    is_int(fl_xtermgen_get_termpos(tg), 0, "termpos starts at 0");
    OKX(fl_xtermgen_index_text(tg, "Die Katzen laufen", 17, 1, NULL), "index_text");
    is_int(fl_xtermgen_get_termpos(tg), 3, "termpos 3 after three words");
    OKX(fl_xdoc_termlist(doc, collect_names, &b), "terms");
    /* STEM_SOME: Z-prefixed stems (none for the stop word "die") + unstemmed words. */
    is_str(take(&b, &keep), "Zkatz|Zlauf|die|katzen|laufen", "toy stems as Z terms");
    OKX(fl_xtermgen_increase_termpos(tg, 100), "increase_termpos");
    is_int(fl_xtermgen_get_termpos(tg), 103, "termpos 103");
    OKX(fl_xtermgen_set_termpos(tg, 200), "set_termpos");
    is_int(fl_xtermgen_get_termpos(tg), 200, "termpos 200");
    is_int(fl_xtermgen_get_termpos(NULL), 0, "termpos of NULL is 0");
    OKX(fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_NONE), "STEM_NONE");
    OKX(fl_xtermgen_index_text(tg, "Hunden", 6, 6, "S"), "index_text with prefix and wdf");
    OKX(fl_xtermgen_index_text_without_positions(tg, "Mäusen", strlen("Mäusen"), 2, "XT"),
        "index_text_without_positions");
    OKX(fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_ALL), "STEM_ALL");
    OKX(fl_xtermgen_index_text(tg, "Vogelen", 7, 1, "E"), "STEM_ALL with prefix");
    OKX(fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_ALL_Z), "STEM_ALL_Z");
    OKX(fl_xtermgen_index_text(tg, "Fischen", 7, 1, NULL), "STEM_ALL_Z");
    OKX(fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_SOME_FULL_POS), "STEM_SOME_FULL_POS");
    FAILX(fl_xtermgen_set_stemming_strategy(tg, (fl_xstem_strategy)77),
          FL_XERR_INVALID_ARGUMENT, "unknown strategy");
    OKX(fl_xdoc_termlist(doc, collect_terms, &b), "terms after more text");
    is_str(take(&b, &keep),
           "Evogel:1|Shunden:6|XTmäusen:2|Zfisch:1|Zkatz:1|Zlauf:1|die:1|katzen:1|laufen:1",
           "prefixes, wdf and strategies");
    OKX(fl_xtermgen_set_stopper(tg, NULL), "remove the stopper");
    OKX(fl_xtermgen_set_stemmer(tg, german), "switch to the german stemmer");
    fl_xtermgen_free(tg);
    fl_xtermgen_free(NULL);

    /* Positions and spelling data through a database. */
    char *p = path_in("termgen");
    fl_xdb *w = NULL, *r = NULL;
    fl_xdoc *d2 = NULL;
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "open");
    OKX(fl_xtermgen_new(&tg), "termgen");
    OKX(fl_xdoc_new(&d2), "doc");
    OKX(fl_xtermgen_set_document(tg, d2), "set doc");
    OKX(fl_xtermgen_set_database(tg, w), "set database");
    OKX(fl_xtermgen_enable_spelling(tg, true), "enable spelling");
    OKX(fl_xtermgen_index_text(tg, "eins zwei eins", 14, 1, NULL), "index");
    OKX(fl_xtermgen_enable_spelling(tg, false), "disable spelling");
    OKX(fl_xtermgen_index_text(tg, "drei", 4, 1, NULL), "index without spelling");
    fl_xdocid id = 0;
    OKX(fl_xdb_add_document(w, d2, &id), "add");
    OKX(fl_xdb_commit(w), "commit");
    fl_xtermpos *pos = NULL;
    size_t n = 0;
    OKX(fl_xdb_positions(w, id, "eins", 4, &pos, &n), "positions");
    ok(n == 2 && pos[0] == 1 && pos[1] == 3, "eins at 1 and 3");
    free(pos);
    OKX(fl_xdb_spellings(w, collect_terms, &b), "spellings");
    is_str(take(&b, &keep), "eins:2|zwei:1", "spelling data only while enabled");
    OKX(fl_xdb_open(p, &r), "reader");
    FAILX(fl_xtermgen_set_database(tg, r), FL_XERR_INVALID_ARGUMENT,
          "termgen needs a writable database");
    fl_xtermgen_free(tg);
    fl_xdoc_free(d2);
    fl_xdb_free(r);
    fl_xdb_free(w);
    free(p);

    fl_xdoc_free(doc);
    fl_xstem_free(german);
    fl_xstem_free(toy);
    fl_xstem_free(NULL);
    fl_xstopper_free(NULL);
    fl_buf_free(&b);
    free(keep);
}

/* ------------------------------------------------------------------ queries */

static void test_queries(void)
{
    fl_xquery *a = NULL, *b = NULL, *c = NULL, *q = NULL;
    fl_buf buf = FL_BUF_INIT;
    char *keep = NULL, *d;

    OKX(fl_xquery_term("katze", 5, 1, 0, &a), "term");
    OKX(fl_xquery_term("hund", 4, 2, 3, &b), "term with wqf and pos");
    d = describe(b);
    is_str(d, "Query(hund#2@3)", "wqf and position");
    free(d);
    fl_xquery *subs[] = {a, NULL, b};
    fl_xquery *e2 = NULL;
    OKX(fl_xquery_combine(FL_XOP_ELITE_SET, subs, 3, 1, &e2), "ELITE_SET with a set size");
    d = describe(e2);
    ok(strstr(d, "ELITE_SET 1") != NULL, "set size 1: %s", d);
    free(d);
    fl_xquery_free(e2);
    OKX(fl_xquery_combine(FL_XOP_AND, subs, 3, 0, &q), "AND (NULL skipped)");
    d = describe(q);
    is_str(d, "Query((katze AND hund#2@3))", "AND description");
    free(d);
    fl_xquery_free(q);
    static const struct {
        fl_xop op;
        const char *name;
    } ops[] = {{FL_XOP_OR, "OR"},         {FL_XOP_AND_NOT, "AND_NOT"},
               {FL_XOP_XOR, "XOR"},       {FL_XOP_AND_MAYBE, "AND_MAYBE"},
               {FL_XOP_FILTER, "FILTER"}, {FL_XOP_NEAR, "NEAR 2"},
               {FL_XOP_PHRASE, "PHRASE 2"}, {FL_XOP_ELITE_SET, "ELITE_SET 10"},
               {FL_XOP_SYNONYM, "SYNONYM"}, {FL_XOP_MAX, "MAX"}};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        q = NULL;
        OKX(fl_xquery_combine(ops[i].op, subs, 3, 0, &q), "combine %s", ops[i].name);
        d = describe(q);
        ok(strstr(d, ops[i].name) != NULL, "%s in '%s'", ops[i].name, d);
        free(d);
        fl_xquery_free(q);
    }
    OKX(fl_xquery_combine(FL_XOP_NEAR, subs, 3, 5, &q), "NEAR with a window");
    d = describe(q);
    ok(strstr(d, "NEAR 5") != NULL, "window 5: %s", d);
    free(d);
    fl_xquery_free(q);
    FAILX(fl_xquery_combine((fl_xop)99, subs, 3, 0, &q), FL_XERR_INVALID_ARGUMENT, "unknown op");
    OKX(fl_xquery_combine(FL_XOP_OR, NULL, 0, 0, &q), "combine nothing");
    ok(fl_xquery_is_empty(q), "... is empty");
    fl_xquery_free(q);

    OKX(fl_xquery_scale(a, 2.5, &q), "scale");
    d = describe(q);
    ok(strstr(d, "2.5 * katze") != NULL, "scaled: %s", d);
    free(d);
    fl_xquery_free(q);
    FAILX(fl_xquery_scale(a, -1, &q), FL_XERR_INVALID_ARGUMENT, "negative scale factor");
    ok(strstr(fl_xlast_error_message(), "factor") != NULL, "Xapian's message: %s",
       fl_xlast_error_message());

    OKX(fl_xquery_value_range(0, "2020", "2021", &q), "value range");
    d = describe(q);
    is_str(d, "Query(VALUE_RANGE 0 2020 2021)", "range");
    free(d);
    fl_xquery_free(q);
    OKX(fl_xquery_value_range(0, NULL, "2021", &q), "value range without lower bound");
    d = describe(q);
    is_str(d, "Query(VALUE_LE 0 2021)", "<=");
    free(d);
    fl_xquery_free(q);
    OKX(fl_xquery_value_range(0, "2020", NULL, &q), "value range without upper bound");
    d = describe(q);
    is_str(d, "Query(VALUE_GE 0 2020)", ">=");
    free(d);
    fl_xquery_free(q);

    OKX(fl_xquery_match_all(&q), "match all");
    ok(!fl_xquery_is_empty(q), "match all is not empty");
    OKX(fl_xquery_copy(q, &c), "copy");
    fl_xquery_free(q);
    d = describe(c);
    is_str(d, "Query(<alldocuments>)", "the copy survives the original");
    free(d);
    fl_xquery_free(c);
    OKX(fl_xquery_match_nothing(&q), "match nothing");
    ok(fl_xquery_is_empty(q), "match nothing is empty");
    ok(fl_xquery_is_empty(NULL), "NULL is empty");
    fl_xquery_free(q);

    /* Distinct terms in query order, with their count. */
    fl_xquery *t1 = NULL, *t2 = NULL, *t3 = NULL;
    fl_xquery_term("zebra", 5, 1, 1, &t1);
    fl_xquery_term("affe", 4, 1, 2, &t2);
    fl_xquery_term("zebra", 5, 1, 3, &t3);
    fl_xquery *s3[] = {t1, t2, t3};
    fl_xquery_combine(FL_XOP_OR, s3, 3, 0, &q);
    OKX(fl_xquery_terms(q, collect_terms, &buf), "query terms");
    is_str(take(&buf, &keep), "zebra:2|affe:1", "distinct, in query order");
    int calls = 0;
    OKX(fl_xquery_terms(q, count_calls, &calls), "query terms, early stop");
    is_int(calls, 1, "stopped");
    fl_xquery_free(q);
    fl_xquery_free(t1);
    fl_xquery_free(t2);
    fl_xquery_free(t3);
    fl_xquery_free(a);
    fl_xquery_free(b);
    fl_xquery_free(NULL);
    fl_buf_free(&buf);
    free(keep);
}

/* ------------------------------------------------------------------ search */

/* A small corpus for searching: docs 1..5. */
static fl_xdb *make_search_db(const char *name)
{
    char *p = path_in(name);
    fl_xdb *w = NULL;
    if (fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w) != FL_XOK) {
        diag("open %s: %s", p, fl_xlast_error());
        free(p);
        return NULL;
    }
    free(p);
    static const struct {
        const char *id, *text, *date, *facets, *collapse, *name;
    } docs[] = {
        {"1", "katzen laufen schnell katzen", "20200315", "Tiere\x1fHaus\x1fTiere", "k1", "berta"},
        {"2", "hunde laufen langsam", "20201201", "Tiere", "k1", "anton"},
        {"3", "laufen katzen", "20210101", "Garten\x1fTiere", "k2", "zora"},
        {"4", "katalog der pflanzen", "20190505", NULL, "k3", "mia"},
        {"5", "kater schlafen", NULL, "Haus", "k3", "emil"},
    };
    fl_xtermgen *tg = NULL;
    fl_xtermgen_new(&tg);
    fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_NONE);
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        fl_xdoc *d = make_doc(docs[i].id, "", docs[i].date, docs[i].facets, docs[i].text);
        fl_xtermgen_set_document(tg, d);
        fl_xtermgen_set_termpos(tg, 0);
        fl_xtermgen_index_text(tg, docs[i].text, strlen(docs[i].text), 1, NULL);
        fl_xdoc_set_value(d, 3, docs[i].collapse, strlen(docs[i].collapse));
        fl_xdoc_set_value(d, 4, docs[i].name, strlen(docs[i].name));
        fl_xdoc_add_boolean_term(d, i % 2 ? "XKpage" : "XKpost", 6);
        fl_xdb_add_document(w, d, NULL);
        fl_xdoc_free(d);
    }
    fl_xtermgen_free(tg);
    fl_xdb_commit(w);
    return w;
}

/* Whether every hit's sort key is its document's value in slot (non-empty). */
static bool keys_are_values(const fl_xmset *m, fl_xvalueno slot)
{
    bool all = true;
    for (uint32_t i = 0; i < fl_xmset_size(m); i++) {
        char *key = NULL, *val = NULL;
        size_t klen = 0, vlen = 0;
        fl_xdoc *d = NULL;
        all &= fl_xmset_sort_key(m, i, &key, &klen) == FL_XOK &&
               fl_xmset_document(m, i, &d) == FL_XOK &&
               fl_xdoc_get_value(d, slot, &val, &vlen) == FL_XOK && klen == vlen && klen > 0 &&
               memcmp(key, val, klen) == 0;
        free(key);
        free(val);
        fl_xdoc_free(d);
    }
    return all;
}

static void test_search(void)
{
    fl_xdb *db = make_search_db("search");
    fl_xqp *qp = NULL;
    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL, *ids;
    fl_xquery *q;

    OKX(fl_xqp_new(&qp), "qp");
    OKX(fl_xqp_set_database(qp, db), "qp database");
    OKX(fl_xqp_set_default_op(qp, FL_XOP_AND), "default AND");
    FAILX(fl_xqp_set_default_op(qp, (fl_xop)99), FL_XERR_INVALID_ARGUMENT, "bad default op");

    q = parse(qp, "katzen laufen", FL_XQP_DEFAULT);
    OKX(fl_xenquire_new(db, &e), "enquire");
    OKX(fl_xenquire_set_query(e, q, 2), "set query");
    OKX(fl_xenquire_get_mset(e, 0, 10, 0, &m), "get mset");
    is_int(fl_xmset_size(m), 2, "two docs with both words");
    is_int(fl_xmset_matches_estimated(m), 2, "estimated");
    is_int(fl_xmset_matches_lower_bound(m), 2, "lower bound");
    is_int(fl_xmset_matches_upper_bound(m), 2, "upper bound");
    ok(fl_xmset_max_possible(m) >= fl_xmset_max_attained(m) && fl_xmset_max_attained(m) > 0,
       "max possible >= max attained > 0");
    fl_xdocid id = 0;
    OKX(fl_xmset_docid(m, 0, &id), "docid 0");
    is_int(id, 1, "doc 1 (katzen twice) first");
    double wt = 0;
    OKX(fl_xmset_weight(m, 0, &wt), "weight");
    ok(wt > 0, "positive weight %g", wt);
    int pct = 0;
    OKX(fl_xmset_percent(m, 0, &pct), "percent");
    is_int(pct, 100, "top hit 100%%");
    fl_xdoc *doc = NULL;
    OKX(fl_xmset_document(m, 1, &doc), "document");
    is_int(fl_xdoc_docid(doc), 3, "second hit doc 3");
    fl_xdoc_free(doc);
    doc = NULL;
    FAILX(fl_xmset_docid(m, 2, &id), FL_XERR_RANGE, "index past the end");
    is_str(fl_xlast_error_class(), "RangeError", "range class");
    FAILX(fl_xmset_weight(m, 5, &wt), FL_XERR_RANGE, "weight past the end");
    FAILX(fl_xmset_percent(m, 5, &pct), FL_XERR_RANGE, "percent past the end");
    FAILX(fl_xmset_document(m, 5, &doc), FL_XERR_RANGE, "document past the end");
    ok(doc == NULL, "no document");
    uint32_t tf = 0;
    OKX(fl_xmset_termfreq(m, "katzen", 6, &tf), "mset termfreq");
    is_int(tf, 2, "katzen in 2 docs");
    double tw = 0;
    OKX(fl_xmset_termweight(m, "katzen", 6, &tw), "mset termweight");
    ok(tw > 0, "katzen has weight %g", tw);
    OKX(fl_xenquire_matching_terms(e, 1, collect_terms, &b), "matching terms");
    is_str(take(&b, &keep), "katzen:1|laufen:1", "both terms match doc 1");
    fl_xmset_free(m);
    fl_xmset_free(NULL);
    fl_xquery_free(q);

    /* Percent / weight cutoff. */
    q = parse(qp, "katzen OR laufen", FL_XQP_DEFAULT);
    fl_xenquire_set_query(e, q, 0);
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    uint32_t uncut = fl_xmset_size(m);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_cutoff(e, 100, 0), "cutoff 100%%");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    int all100 = fl_xmset_size(m) > 0;
    for (uint32_t i = 0; i < fl_xmset_size(m); i++)
        if (fl_xmset_percent(m, i, &pct) != FL_XOK || pct != 100)
            all100 = 0;
    ok(all100 && fl_xmset_size(m) < uncut, "only 100%% hits kept (%u of %u)", fl_xmset_size(m),
       uncut);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_cutoff(e, 0, 1e9), "weight cutoff above every weight");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    is_int(fl_xmset_size(m), 0, "nothing left");
    fl_xmset_free(m);
    FAILX(fl_xenquire_set_cutoff(e, 101, 0), FL_XERR_INVALID_ARGUMENT, "cutoff > 100");
    OKX(fl_xenquire_set_cutoff(e, 0, 0), "no cutoff");
    fl_xquery_free(q);

    /* Sorting by value (slot 4 holds names). */
    q = NULL;
    fl_xquery_match_all(&q);
    fl_xenquire_set_query(e, q, 0);
    OKX(fl_xenquire_set_sort_by_value(e, 4, false), "sort by value");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "2,1,5,4,3", "anton berta emil mia zora");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_sort_by_value(e, 4, true), "sort by value, reversed");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "3,4,5,1,2", "reversed");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_sort_by_value_then_relevance(e, 3, false), "value then relevance");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "1,2,3,4,5", "by collapse key, ties by docid");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_docid_order_descending(e, true), "docid descending");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "2,1,3,5,4", "ties by docid descending");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_docid_order_descending(e, false), "docid ascending");
    OKX(fl_xenquire_set_sort_by_relevance_then_value(e, 4, false), "relevance then value");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "2,1,5,4,3", "equal relevance: by name");
    free(ids);
    ok(fl_xmset_size(m) == 5 && keys_are_values(m, 4),
       "each hit's sort key is its value in the sort slot");
    fl_xmset_free(m);
    OKX(fl_xenquire_set_sort_by_relevance(e), "back to relevance");
    fl_xenquire_get_mset(e, 1, 2, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "2,3", "first=1, maxitems=2 (docid order among equal weights)");
    free(ids);
    char *nokey = NULL;
    size_t nokeylen = 9;
    OKX(fl_xmset_sort_key(m, 0, &nokey, &nokeylen), "sort key when sorted by relevance");
    ok(!nokey && nokeylen == 0, "none");
    FAILX(fl_xmset_sort_key(m, 7, &nokey, &nokeylen), FL_XERR_RANGE, "sort key past the end");
    fl_xmset_free(m);

    /* Collapse. */
    OKX(fl_xenquire_set_collapse_key(e, 3, 1), "collapse on slot 3");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    ids = mset_ids(m);
    is_str(ids, "1,3,4", "one doc per collapse key");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_collapse_key(e, 3, 2), "collapse, 2 per key");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    is_int(fl_xmset_size(m), 5, "all five (at most two per key)");
    fl_xmset_free(m);
    fl_xenquire_set_collapse_key(e, 0xffffffffu, 0); /* Xapian::BAD_VALUENO: off */

    /* Match spies: plain values and multi-valued facets. */
    fl_xspy *dates = NULL, *facets = NULL, *kinds = NULL;
    OKX(fl_xspy_new_values(3, &dates), "values spy");
    OKX(fl_xspy_new_multivalue(10, '\x1f', &facets), "multivalue spy");
    OKX(fl_xenquire_add_matchspy(e, dates), "add spy");
    OKX(fl_xenquire_add_matchspy(e, facets), "add multi spy");
    OKX(fl_xenquire_get_mset(e, 0, 1, 5, &m), "mset of 1, checking at least 5");
    is_int(fl_xmset_size(m), 1, "one item");
    fl_xmset_free(m);
    uint32_t total = 0;
    OKX(fl_xspy_total(dates, &total), "spy total");
    is_int(total, 5, "spy saw all five");
    OKX(fl_xspy_total(facets, &total), "multi spy total");
    is_int(total, 5, "multi spy saw all five");
    OKX(fl_xspy_results(dates, collect_terms, &b), "spy results");
    is_str(take(&b, &keep), "k1:2|k3:2|k2:1", "most frequent first, ties by value");
    OKX(fl_xspy_results(facets, collect_terms, &b), "multi spy results");
    is_str(take(&b, &keep), "Tiere:3|Haus:2|Garten:1", "each item once per document");
    int calls = 0;
    OKX(fl_xspy_results(facets, count_calls, &calls), "spy results, early stop");
    is_int(calls, 1, "stopped");
    OKX(fl_xenquire_clear_matchspies(e), "clear spies");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    fl_xmset_free(m);
    fl_xspy_total(dates, &total);
    is_int(total, 5, "a cleared spy sees no more documents");
    /* A spy on a narrower query. */
    OKX(fl_xspy_new_multivalue(10, '\x1f', &kinds), "another multi spy");
    fl_xquery_free(q);
    q = parse(qp, "katzen", FL_XQP_DEFAULT);
    fl_xenquire_set_query(e, q, 0);
    fl_xenquire_add_matchspy(e, kinds);
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    fl_xmset_free(m);
    fl_xspy_results(kinds, collect_terms, &b);
    is_str(take(&b, &keep), "Tiere:2|Garten:1|Haus:1", "facets of the katzen docs");
    fl_xenquire_clear_matchspies(e);
    fl_xspy_free(dates);
    fl_xspy_free(facets);
    fl_xspy_free(kinds);
    fl_xspy_free(NULL);
    fl_xquery_free(q);

    /* Weighting schemes. */
    q = parse(qp, "katzen", FL_XQP_DEFAULT);
    fl_xenquire_set_query(e, q, 0);
    OKX(fl_xenquire_set_weighting_bool(e), "bool weighting");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    fl_xmset_weight(m, 0, &wt);
    ok(wt == 0, "bool weights are 0");
    ids = mset_ids(m);
    is_str(ids, "1,3", "docid order");
    free(ids);
    fl_xmset_free(m);
    OKX(fl_xenquire_set_weighting_bm25(e, 1.2, 0, 1, 0.5, 0.5), "bm25");
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    fl_xmset_weight(m, 0, &wt);
    ok(wt > 0, "bm25 weight %g", wt);
    fl_xmset_free(m);
    fl_xquery_free(q);

    /* Phrases. */
    q = parse(qp, "\"katzen laufen\"", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "1", "phrase only where adjacent in order");
    free(ids);
    fl_xquery_free(q);
    fl_xquery *t1 = NULL, *t2 = NULL, *ph = NULL;
    fl_xquery_term("laufen", 6, 1, 0, &t1);
    fl_xquery_term("katzen", 6, 1, 0, &t2);
    fl_xquery *s2[] = {t1, t2};
    OKX(fl_xquery_combine(FL_XOP_PHRASE, s2, 2, 0, &ph), "phrase query");
    ids = search_ids(db, ph);
    is_str(ids, "3", "'laufen katzen' only in doc 3");
    free(ids);
    fl_xquery_free(ph);
    fl_xquery_free(t1);
    fl_xquery_free(t2);

    /* Wildcards (through the query parser; the searcher expands its own,
     * query/build.c). */
    q = parse(qp, "kat*", FL_XQP_DEFAULT | FL_XQP_WILDCARD);
    ids = search_ids(db, q);
    is_str(ids, "1,3,4,5", "parsed wildcard");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "schlafen kat", FL_XQP_DEFAULT | FL_XQP_PARTIAL);
    ids = search_ids(db, q);
    is_str(ids, "5", "partial: the last word is a prefix");
    free(ids);
    fl_xquery_free(q);

    /* Boolean prefixes, free-text prefixes, love/hate, pure NOT. */
    OKX(fl_xqp_add_boolean_prefix(qp, "art", "XK", true), "boolean prefix (exclusive)");
    OKX(fl_xqp_add_boolean_prefix(qp, "typ", "XK", false), "boolean prefix (non-exclusive)");
    q = parse(qp, "laufen art:post art:page", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "1,2,3", "exclusive: OR within the field");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "laufen typ:post typ:page", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "", "non-exclusive: AND within the field");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "laufen art:page", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "2", "page filter");
    free(ids);
    fl_xquery_free(q);
    OKX(fl_xqp_add_prefix(qp, "titel", "S"), "free-text prefix");
    q = parse(qp, "titel:katzen", FL_XQP_DEFAULT);
    {
        char *d = describe(q);
        is_str(d, "Query(Skatzen@1)", "titel: maps to S");
        free(d);
    }
    fl_xquery_free(q);
    q = parse(qp, "laufen -katzen", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "2", "love/hate");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "NOT katzen", FL_XQP_DEFAULT | FL_XQP_PURE_NOT);
    ids = search_ids(db, q);
    is_str(ids, "2,4,5", "pure NOT");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "laufen and hunde", FL_XQP_DEFAULT | FL_XQP_BOOLEAN_ANY_CASE);
    ids = search_ids(db, q);
    is_str(ids, "2", "lower-case 'and' as an operator");
    free(ids);
    fl_xquery_free(q);
    q = (fl_xquery *)1;
    FAILX(fl_xqp_parse(qp, "NOT katzen", FL_XQP_DEFAULT, NULL, &q), FL_XERR_QUERY,
          "pure NOT without the flag is a query error");
    is_str(fl_xlast_error_class(), "QueryParserError", "class");
    ok(q == (fl_xquery *)1, "output untouched");
    FAILX(fl_xqp_parse(qp, NULL, 0, NULL, &q), FL_XERR_INVALID_ARGUMENT, "NULL text");
    q = NULL;
    OKX(fl_xqp_parse(qp, "katzen", FL_XQP_DEFAULT, "S", &q), "parse with a default prefix");
    {
        char *d = describe(q);
        is_str(d, "Query(Skatzen@1)", "default prefix");
        free(d);
    }
    fl_xquery_free(q);

    /* Value ranges: dates and strings. */
    OKX(fl_xqp_add_range(qp, 0, "datum:", true), "date range");
    OKX(fl_xqp_add_range(qp, 4, "name:", false), "string range");
    q = parse(qp, "datum:2020-01-01..2020-12-31", FL_XQP_DEFAULT);
    {
        char *d = describe(q);
        is_str(d, "Query(VALUE_RANGE 0 20200101 20201231)", "dates become YYYYMMDD");
        free(d);
    }
    ids = search_ids(db, q);
    is_str(ids, "1,2", "docs of 2020");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "laufen datum:1.1.2021..datum:31.12.2021", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "3", "German d.m.y dates, prefix repeated, combined with a word");
    free(ids);
    fl_xquery_free(q);
    q = parse(qp, "name:b..m", FL_XQP_DEFAULT);
    ids = search_ids(db, q);
    is_str(ids, "1,5", "string range b..m: berta, emil (mia > m)");
    free(ids);
    fl_xquery_free(q);
    fl_xquery *vr = NULL;
    fl_xquery_value_range(0, "20200101", NULL, &vr);
    ids = search_ids(db, vr);
    is_str(ids, "1,2,3", "value >= 2020");
    free(ids);
    fl_xquery_free(vr);
    fl_xquery_value_range(0, NULL, "20200101", &vr);
    ids = search_ids(db, vr);
    is_str(ids, "4", "value <= 2020 (undated doc 5 excluded)");
    free(ids);
    fl_xquery_free(vr);
    fl_xquery_value_range(0, NULL, NULL, &vr);
    ids = search_ids(db, vr);
    is_str(ids, "1,2,3,4", "no bounds: every doc with a value");
    free(ids);
    fl_xquery_free(vr);

    /* Scale 0 makes a pure filter. */
    fl_xquery *kq = NULL, *sq = NULL;
    fl_xquery_term("katzen", 6, 1, 0, &kq);
    fl_xquery_scale(kq, 0, &sq);
    fl_xenquire_set_query(e, sq, 0);
    fl_xenquire_get_mset(e, 0, 10, 0, &m);
    fl_xmset_weight(m, 0, &wt);
    ok(fl_xmset_size(m) == 2 && wt == 0, "scale 0: matches with weight 0");
    fl_xmset_free(m);
    fl_xquery_free(kq);
    fl_xquery_free(sq);

    fl_xenquire_free(e);
    fl_xenquire_free(NULL);
    fl_xqp_free(qp);
    fl_xqp_free(NULL);
    fl_xdb_free(db);
    fl_buf_free(&b);
    free(keep);
}

/* Custom stemmer through QueryParser and TermGenerator, plus snippets. */
static void test_stemmed_search_and_snippet(void)
{
    int calls = 0;
    fl_xstem *toy = NULL;
    fl_xstopper *stop = NULL;
    fl_xqp *qp = NULL;
    char *keep = NULL;
    fl_buf b = FL_BUF_INIT;
    OKX(fl_xstem_new_custom(toy_stem, &calls, "toy-en", &toy), "toy stemmer");
    const char *sw[] = {"die"};
    fl_xstopper_new(sw, 1, &stop);

    char *p = path_in("stemmed");
    fl_xdb *w = NULL;
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "open");
    free(p);
    fl_xtermgen *tg = NULL;
    fl_xtermgen_new(&tg);
    fl_xtermgen_set_stemmer(tg, toy);
    fl_xtermgen_set_stemming_strategy(tg, FL_XSTEM_ALL_Z);
    const char *texts[] = {"Die Katzen laufen über die Wiese.",
                           "Eine Katze schläft. Sie ist müde und träumt von Mäusen und Hunden."};
    for (int i = 0; i < 2; i++) {
        fl_xdoc *d = NULL;
        fl_xdoc_new(&d);
        fl_xtermgen_set_document(tg, d);
        fl_xtermgen_index_text(tg, texts[i], strlen(texts[i]), 1, NULL);
        fl_xdoc_set_data(d, texts[i], strlen(texts[i]));
        fl_xdb_add_document(w, d, NULL);
        fl_xdoc_free(d);
    }
    fl_xtermgen_free(tg);
    fl_xdb_commit(w);
    fl_xdb_allterms(w, "Zkatz", collect_terms, &b);
    is_str(take(&b, &keep), "Zkatz:1|Zkatze:1", "ALL_Z: Katzen → Zkatz, Katze → Zkatze");

    OKX(fl_xqp_new(&qp), "qp");
    OKX(fl_xqp_set_stemmer(qp, toy), "qp custom stemmer");
    OKX(fl_xqp_set_stopper(qp, stop), "qp stopper");
    fl_xstopper_free(stop); /* the parser keeps its own copy */
    OKX(fl_xqp_set_stemming_strategy(qp, FL_XSTEM_SOME), "STEM_SOME");
    fl_xquery *q = parse(qp, "laufen Katzen", FL_XQP_DEFAULT);
    char *d = describe(q);
    is_str(d, "Query((Zlauf@1 OR katzen@2))", "STEM_SOME leaves the capitalised word alone");
    free(d);
    fl_xquery_free(q);
    OKX(fl_xqp_set_stemming_strategy(qp, FL_XSTEM_ALL_Z), "STEM_ALL_Z");
    q = parse(qp, "die Katzen laufen", FL_XQP_DEFAULT);
    d = describe(q);
    is_str(d, "Query((Zkatz@2 OR Zlauf@3))", "ALL_Z: stems via our stemmer, stop word gone");
    free(d);
    ok(calls > 0, "the C callback was used (%d calls)", calls);
    OKX(fl_xqp_set_stemming_strategy(qp, FL_XSTEM_ALL), "STEM_ALL");
    OKX(fl_xqp_set_stemming_strategy(qp, FL_XSTEM_NONE), "STEM_NONE");
    OKX(fl_xqp_set_stemming_strategy(qp, FL_XSTEM_SOME_FULL_POS), "STEM_SOME_FULL_POS");
    FAILX(fl_xqp_set_stemming_strategy(qp, (fl_xstem_strategy)9), FL_XERR_INVALID_ARGUMENT,
          "bad strategy");
    OKX(fl_xqp_set_stopper(qp, NULL), "no stopper");

    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    fl_xenquire_new(w, &e);
    fl_xenquire_set_query(e, q, 0);
    OKX(fl_xenquire_get_mset(e, 0, 10, 0, &m), "search");
    char *ids = mset_ids(m);
    is_str(ids, "1", "found through the stems");
    free(ids);
    char *snip = NULL;
    OKX(fl_xmset_snippet(m, texts[0], strlen(texts[0]), 200, toy, 0, "<b>", "</b>", "…", &snip),
        "snippet");
    is_str(snip, "Die <b>Katzen</b> <b>laufen</b> über die Wiese.", "highlights by stem");
    free(snip);
    OKX(fl_xmset_snippet(m, texts[1], strlen(texts[1]), 30, toy, 0, "[", "]", "…", &snip),
        "snippet of a text without a match");
    ok(snip && strlen(snip) > 0 && strlen(snip) <= 40 && !strchr(snip, '['),
       "an unhighlighted excerpt: %s", snip);
    free(snip);
    OKX(fl_xmset_snippet(m, texts[1], strlen(texts[1]), 30, toy,
                         FL_XSNIPPET_EMPTY_WITHOUT_MATCH, "[", "]", "…", &snip),
        "snippet, empty without match");
    is_str(snip, "", "empty");
    free(snip);
    OKX(fl_xmset_snippet(m, texts[0], strlen(texts[0]), 12, NULL,
                         FL_XSNIPPET_BACKGROUND_MODEL | FL_XSNIPPET_EXHAUSTIVE, "[", "]", "…",
                         &snip),
        "short snippet without a stemmer");
    ok(snip && strstr(snip, "…") != NULL, "cut point marked: %s", snip);
    free(snip);
    fl_xmset_free(m);
    fl_xquery_free(q);
    fl_xenquire_free(e);
    fl_xqp_free(qp);
    fl_xdb_free(w);
    fl_xstem_free(toy);
    fl_buf_free(&b);
    free(keep);
}

/* ------------------------------------------------------------------ lifecycle */

static uint32_t count_docs(fl_xdb *db)
{
    uint32_t n = 12345;
    if (fl_xdb_doccount(db, &n) != FL_XOK)
        diag("doccount: %s", fl_xlast_error());
    return n;
}

static void add_simple(fl_xdb *w, const char *id)
{
    fl_xdoc *d = make_doc(id, "wort", NULL, NULL, id);
    if (fl_xdb_add_document(w, d, NULL) != FL_XOK)
        diag("add: %s", fl_xlast_error());
    fl_xdoc_free(d);
}

static void test_reopen_transactions_compact(void)
{
    char *p = path_in("life");
    fl_xdb *w = NULL, *r = NULL, *c = NULL;
    bool changed = true;

    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w), "open");
    add_simple(w, "1");
    OKX(fl_xdb_commit(w), "commit");
    OKX(fl_xdb_open(p, &r), "reader");
    is_int(count_docs(r), 1, "reader sees 1");
    OKX(fl_xdb_reopen(r, &changed), "reopen without change");
    ok(!changed, "nothing changed");
    add_simple(w, "2");
    is_int(count_docs(r), 1, "uncommitted doc invisible to the reader");
    OKX(fl_xdb_commit(w), "commit");
    is_int(count_docs(r), 1, "reader still at its revision");
    OKX(fl_xdb_reopen(r, &changed), "reopen after commit");
    ok(changed, "changed");
    is_int(count_docs(r), 2, "reader sees 2");

    /* Transactions: cancel leaves nothing. */
    OKX(fl_xdb_begin_transaction(w, false), "begin unflushed transaction");
    add_simple(w, "3");
    is_int(count_docs(w), 3, "writer sees its transaction");
    FAILX(fl_xdb_begin_transaction(w, true), FL_XERR_INVALID_ARGUMENT, "nested transaction");
    OKX(fl_xdb_cancel_transaction(w), "cancel");
    is_int(count_docs(w), 2, "cancelled: back to 2");
    OKX(fl_xdb_commit(w), "commit after cancel");
    fl_xdb_reopen(r, NULL);
    is_int(count_docs(r), 2, "reader: nothing from the cancelled transaction");
    FAILX(fl_xdb_cancel_transaction(w), FL_XERR_INVALID_ARGUMENT, "cancel without a transaction");
    FAILX(fl_xdb_commit_transaction(w), FL_XERR_INVALID_ARGUMENT, "commit without a transaction");
    OKX(fl_xdb_begin_transaction(w, true), "begin flushed transaction");
    add_simple(w, "4");
    OKX(fl_xdb_commit_transaction(w), "commit transaction");
    fl_xdb_reopen(r, NULL);
    is_int(count_docs(r), 3, "flushed transaction is on disk");
    FAILX(fl_xdb_begin_transaction(r, true), FL_XERR_INVALID_ARGUMENT, "read-only transaction");
    /* free() inside a transaction cancels it. */
    OKX(fl_xdb_begin_transaction(w, false), "begin, then free");
    add_simple(w, "5");
    fl_xdb_free(w);
    w = NULL;
    fl_xdb_reopen(r, NULL);
    is_int(count_docs(r), 3, "freeing inside a transaction discards it");

    /* Compact: a directory and a single file. */
    char *dst = path_in("life-compact");
    char *dst1 = path_in("life-single");
    OKX(fl_xdb_compact(r, dst, false), "compact");
    OKX(fl_xdb_open(dst, &c), "open the compacted copy");
    is_int(count_docs(c), 3, "same documents");
    fl_xdb_free(c);
    c = NULL;
    OKX(fl_xdb_compact(r, dst1, true), "compact to a single file");
    struct stat sb;
    ok(stat(dst1, &sb) == 0 && S_ISREG(sb.st_mode), "it is a file");
    OKX(fl_xdb_open(dst1, &c), "open the single-file db");
    is_int(count_docs(c), 3, "same documents");
    fl_xdb_free(c);
    c = NULL;
    char *bad = path_in("plain.txt/sub");
    fl_xstatus cst = fl_xdb_compact(r, bad, false);
    ok(cst != FL_XOK, "compact into an impossible path fails: %s", fl_xlast_error());
    free(bad);

    /* Combined databases. */
    fl_xdb *all = NULL, *one = NULL;
    OKX(fl_xdb_new_empty(&all), "empty db");
    is_int(count_docs(all), 0, "no documents");
    OKX(fl_xdb_add(all, r), "add shard");
    OKX(fl_xdb_open(dst, &one), "open compacted");
    OKX(fl_xdb_add(all, one), "add second shard");
    fl_xdb_free(one); /* the combined db keeps its own reference */
    is_int(count_docs(all), 6, "3 + 3");
    fl_xquery *q = NULL;
    fl_xquery_term("wort", 4, 1, 0, &q);
    fl_xspy *spy = NULL;
    fl_xspy_new_multivalue(10, '\x1f', &spy);
    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    fl_xenquire_new(all, &e);
    fl_xenquire_set_query(e, q, 0);
    fl_xenquire_add_matchspy(e, spy);
    OKX(fl_xenquire_get_mset(e, 0, 10, 0, &m), "search the combined db");
    is_int(fl_xmset_size(m), 6, "six hits");
    uint32_t total = 0;
    fl_xspy_total(spy, &total);
    is_int(total, 6, "the custom spy saw the documents of both shards");
    fl_xmset_free(m);
    fl_xenquire_free(e);
    fl_xspy_free(spy);
    fl_xquery_free(q);
    fl_xdb *w2 = NULL;
    char *p2 = path_in("life2");
    fl_xdb_open_writable(p2, FL_XDB_CREATE, 0, &w2);
    FAILX(fl_xdb_add(w2, r), FL_XERR_INVALID_ARGUMENT, "no shards on a writable db");
    fl_xdb_free(w2);
    free(p2);
    fl_xdb_free(all);

    fl_xdb_free(r);
    free(dst);
    free(dst1);
    free(p);
}

/* Shards built in parallel and merged by compacting a combined database
 * (what a sharded full build does): documents renumbered shard after shard,
 * spelling frequencies summed, synonyms united, a metadata key present in
 * several shards keeps the FIRST shard's value (so the indexer writes its
 * run-wide metadata into one shard only). */
static void test_compact_shards(void)
{
    char *pa = path_in("shard-a"), *pb = path_in("shard-b"), *dst = path_in("shard-merged");
    fl_xdb *a = NULL, *b = NULL;
    OKX(fl_xdb_open_writable(pa, FL_XDB_CREATE, 0, &a), "shard a");
    OKX(fl_xdb_open_writable(pb, FL_XDB_CREATE, 0, &b), "shard b");
    add_simple(a, "a1");
    add_simple(a, "a2");
    add_simple(b, "b1");
    fl_xdb_add_spelling(a, "gesetz", 2);
    fl_xdb_add_spelling(b, "gesetz", 3);
    fl_xdb_add_spelling(b, "recht", 1);
    fl_xdb_add_synonym(a, "kfz", "auto");
    fl_xdb_add_synonym(b, "kfz", "pkw");
    fl_xdb_set_metadata(a, "k:shared", 8, "from a", 6);
    fl_xdb_set_metadata(b, "k:shared", 8, "from b", 6);
    fl_xdb_set_metadata(b, "k:only-b", 8, "b", 1);
    OKX(fl_xdb_commit(a), "commit a");
    OKX(fl_xdb_commit(b), "commit b");
    fl_xdb_free(a);
    fl_xdb_free(b);

    fl_xdb *all = NULL, *ra = NULL, *rb = NULL, *m = NULL;
    OKX(fl_xdb_new_empty(&all), "combined");
    OKX(fl_xdb_open(pa, &ra), "open a");
    OKX(fl_xdb_open(pb, &rb), "open b");
    OKX(fl_xdb_add(all, ra), "add a");
    OKX(fl_xdb_add(all, rb), "add b");
    fl_xdb_free(ra);
    fl_xdb_free(rb);
    OKX(fl_xdb_compact(all, dst, false), "compact the shards into one");
    fl_xdb_free(all);
    OKX(fl_xdb_open(dst, &m), "open the merged db");
    is_int(count_docs(m), 3, "2 + 1 documents");
    fl_xdocid id = 0;
    OKX(fl_xdb_find_document(m, "Qb1", 3, &id), "b's document is there");
    is_int(id, 3, "renumbered after a's documents");
    OKX(fl_xdb_find_document(m, "Qa2", 3, &id), "a's document is there");
    is_int(id, 2, "a's documents first, in order");
    fl_buf got = FL_BUF_INIT;
    OKX(fl_xdb_spellings(m, collect_terms, &got), "spellings");
    is_str(fl_buf_cstr(&got), "gesetz:5|recht:1", "spelling frequencies are summed");
    fl_buf_reset(&got);
    OKX(fl_xdb_synonyms(m, "kfz", collect_strings, &got), "synonyms");
    is_str(fl_buf_cstr(&got), "auto|pkw", "synonyms of both shards");
    char *v = NULL;
    size_t vl = 0;
    OKX(fl_xdb_get_metadata(m, "k:shared", 8, &v, &vl), "metadata");
    is_str(v ? v : "(none)", "from a", "a key in both shards: the first shard's value");
    free(v);
    v = NULL;
    OKX(fl_xdb_get_metadata(m, "k:only-b", 8, &v, &vl), "metadata of b");
    is_str(v ? v : "(none)", "b", "a key of the second shard only is kept");
    free(v);
    fl_buf_free(&got);
    fl_xdb_free(m);
    free(pa);
    free(pb);
    free(dst);
}

static void test_flush_threshold(void)
{
    char *p = path_in("flush");
    fl_xdb *w = NULL, *r = NULL;
    /* The wrapper sets XAPIAN_FLUSH_THRESHOLD only around the open. */
    unsetenv("XAPIAN_FLUSH_THRESHOLD");
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE, 3, &w), "open with flush threshold 3");
    ok(getenv("XAPIAN_FLUSH_THRESHOLD") == NULL, "environment restored");
    for (int i = 0; i < 4; i++) {
        char id[16];
        snprintf(id, sizeof id, "%d", i);
        add_simple(w, id);
    }
    OKX(fl_xdb_open(p, &r), "reader");
    is_int(count_docs(r), 3, "Xapian flushed after 3 changes without a commit");
    fl_xdb_free(r);
    fl_xdb_free(w);

    setenv("XAPIAN_FLUSH_THRESHOLD", "7777", 1);
    OKX(fl_xdb_open_writable(p, FL_XDB_CREATE_OR_OVERWRITE, 0, &w), "default threshold");
    is_str(getenv("XAPIAN_FLUSH_THRESHOLD"), "7777", "a caller's setting is left alone");
    for (int i = 0; i < 4; i++)
        add_simple(w, "x");
    OKX(fl_xdb_open(p, &r), "reader");
    is_int(count_docs(r), 0, "nothing flushed below the default threshold");
    fl_xdb_free(r);
    fl_xdb_free(w);
    OKX(fl_xdb_open_writable(p, FL_XDB_OPEN, 2, &w), "threshold 2 over a caller's setting");
    is_str(getenv("XAPIAN_FLUSH_THRESHOLD"), "7777", "the caller's value is restored");
    unsetenv("XAPIAN_FLUSH_THRESHOLD");
    fl_xdb_free(w);
    free(p);
}

/* ------------------------------------------------------------------ remote */

static void test_remote(void)
{
    fl_xdb *db = NULL;
    /* Port 1 on localhost: nobody listens there. */
    FAILX(fl_xdb_open_remote("127.0.0.1", 1, 500, 500, &db), FL_XERR_NETWORK,
          "connection refused is a network error");
    is_str(fl_xlast_error_class(), "NetworkError", "class");
    FAILX(fl_xdb_open_remote("127.0.0.1", 0, 0, 0, &db), FL_XERR_INVALID_ARGUMENT, "port 0");
    FAILX(fl_xdb_open_remote(NULL, 80, 0, 0, &db), FL_XERR_INVALID_ARGUMENT, "NULL host");

    /* A real server, when xapian-tcpsrv is installed. */
    const char *srv = "/usr/bin/xapian-tcpsrv";
    if (access(srv, X_OK) != 0) {
        for (int i = 0; i < 11; i++)
            skip("xapian-tcpsrv not installed");
        return;
    }
    fl_xdb *w = make_search_db("remote");
    fl_xdb_free(w);
    char *p = path_in("remote");
    unsigned port = 20000 + (unsigned)(getpid() % 20000);
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%u", port);
    pid_t pid = fork();
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, 1);
            dup2(devnull, 2);
        }
        execl(srv, srv, "--interface", "127.0.0.1", "--port", portstr, "--one-shot", p,
              (char *)NULL);
        _exit(127);
    }
    fl_xstatus st = FL_XERR_NETWORK;
    for (int i = 0; i < 50 && st == FL_XERR_NETWORK && pid > 0; i++) {
        usleep(100000);
        st = fl_xdb_open_remote("127.0.0.1", port, 0, 0, &db);
    }
    if (st != FL_XOK) {
        diag("remote: %s", fl_xlast_error());
        for (int i = 0; i < 11; i++)
            skip("could not reach xapian-tcpsrv");
    } else {
        ok(1, "opened a remote database");
        is_int(count_docs(db), 5, "remote doccount");
        ok(fl_xdb_has_remote(db), "a remote database says so");
        /* Term and spelling lists of a remote database are fetched once and
         * kept: asking again needs no server (it used to fetch the whole
         * list on every ask -- seconds per typo search on the laws). */
        fl_xtermit *it = NULL;
        OKX(fl_xdb_allterms_open(db, "k", 1, &it), "remote term list");
        ok(it && !fl_xtermit_at_end(it), "…with terms");
        fl_xtermit_free(it);
        OKX(fl_xdb_spellings_open(db, &it), "remote spelling list");
        fl_xtermit_free(it);
        /* A spy over a remote database counts each match once, and again
         * in the enquire's next match (it is put back after the match that
         * runs without it). */
        fl_xquery *all = NULL;
        fl_xenquire *e = NULL;
        fl_xspy *spy = NULL;
        fl_xmset *m = NULL;
        uint32_t seen1 = 0, seen2 = 0;
        fl_xquery_match_all(&all);
        fl_xenquire_new(db, &e);
        fl_xenquire_set_query(e, all, 1);
        fl_xspy_new_values(0, &spy);
        fl_xenquire_add_matchspy(e, spy);
        OKX(fl_xenquire_get_mset(e, 0, 3, 100, &m), "remote match with a spy");
        fl_xmset_free(m);
        fl_xspy_total(spy, &seen1);
        m = NULL;
        fl_xenquire_get_mset(e, 0, 3, 100, &m);
        fl_xmset_free(m);
        fl_xspy_total(spy, &seen2);
        ok(seen1 == 5 && seen2 == 10, "the spy saw 5 documents, then 10 (%u, %u)", seen1, seen2);
        fl_xenquire_free(e);
        fl_xspy_free(spy);
        fl_xquery_free(all);
        if (pid > 0) {
            kill(pid, SIGTERM);
            waitpid(pid, NULL, 0);
            pid = 0;
        }
        it = NULL;
        OKX(fl_xdb_allterms_open(db, "k", 1, &it), "the term list again, server gone: kept");
        ok(it && !fl_xtermit_at_end(it), "…with its terms");
        fl_xtermit_free(it);
        it = NULL;
        OKX(fl_xdb_spellings_open(db, &it), "the spelling list again, server gone: kept");
        fl_xtermit_free(it);
        fl_xdb_free(db);
    }
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
    free(p);
}

/* Hits first .. first + n of e's match, looking at every match, are want. */
static void page_is(fl_xenquire *e, uint32_t first, uint32_t n, const char *want,
                    const char *name)
{
    fl_xmset *m = NULL;
    fl_xenquire_get_mset(e, first, n, 100, &m);
    char *ids = mset_ids(m);
    is_str(ids, want, "%s", name);
    free(ids);
    fl_xmset_free(m);
}

/* Relevance then value over every match (check_at_least >= the documents):
 * the wrapper matches by relevance alone and orders ties itself, or runs
 * Xapian's sort when a weight ties across the page's edge.  Six documents
 * with the term "a" 5, 3, 3, 2, 2 and 1 times (all of the same length), slot
 * 4 holding a name: by relevance then name the order is 4, 3, 2, 6, 5, 1. */
static void test_relevance_then_value_pages(void)
{
    char *p = path_in("relval");
    fl_xdb *db = NULL;
    if (fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &db) != FL_XOK) {
        free(p);
        ok(0, "open relval: %s", fl_xlast_error());
        return;
    }
    free(p);
    static const struct {
        unsigned wdf;
        const char *name, *kind;
    } docs[] = {{1, "k", "x"}, {3, "z", "y"}, {3, "b", "x"}, {5, "m", "y"}, {2, "c", "x"},
                {2, "a", "x"}};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        fl_xdoc *d = NULL;
        fl_xdoc_new(&d);
        fl_xdoc_add_term(d, "a", 1, docs[i].wdf);
        fl_xdoc_add_term(d, "filler", 6, 6 - docs[i].wdf); /* same length for all */
        fl_xdoc_set_value(d, 4, docs[i].name, strlen(docs[i].name));
        fl_xdoc_set_value(d, 5, docs[i].kind, 1);
        char group = (char)('1' + (i < 5 ? i : 4)); /* docs 5 and 6 share one */
        fl_xdoc_set_value(d, 6, &group, 1);
        fl_xdb_add_document(db, d, NULL);
        fl_xdoc_free(d);
    }
    fl_xdb_commit(db);
    fl_xquery *q = NULL;
    fl_xquery_term("a", 1, 1, 0, &q);
    fl_xenquire *e = NULL;
    fl_xenquire_new(db, &e);
    fl_xenquire_set_query(e, q, 0);
    OKX(fl_xenquire_set_sort_by_relevance_then_value(e, 4, false), "relevance then value");
    static const struct {
        uint32_t first, n;
        const char *want, *what;
    } pages[] = {
        {0, 10, "4,3,2,6,5,1", "whole list: ties ordered by value"},
        {0, 1, "4", "page ending before a tie"},
        {0, 2, "4,3", "page ending inside a tie (3 and 2 weigh the same)"},
        {1, 2, "3,2", "page holding a whole tie"},
        {2, 2, "2,6", "page starting inside a tie"},
        {3, 3, "6,5,1", "page starting at a tie"},
        {5, 4, "1", "last page"},
        {6, 4, "", "past the end"},
    };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        fl_xmset *m = NULL;
        OKX(fl_xenquire_get_mset(e, pages[i].first, pages[i].n, 100, &m), "mset %u+%u",
            pages[i].first, pages[i].n);
        char *ids = mset_ids(m);
        is_str(ids, pages[i].want, "%s", pages[i].what);
        free(ids);
        ok(keys_are_values(m, 4), "... each hit's sort key is its value");
        fl_xmset_free(m);
    }
    /* Values descending: the ties the other way round. */
    OKX(fl_xenquire_set_sort_by_relevance_then_value(e, 4, true), "relevance then value, reversed");
    page_is(e, 0, 10, "4,2,3,5,6,1", "reversed: ties by value descending");
    page_is(e, 1, 1, "2", "reversed: a page ending inside a tie");
    /* Collapsing on slot 6, where only the tied 5 and 6 share a group: the
     * one kept is the first by relevance then value (6, "a"), not by docid. */
    OKX(fl_xenquire_set_sort_by_relevance_then_value(e, 4, false), "relevance then value again");
    fl_xenquire_set_collapse_key(e, 6, 1);
    page_is(e, 0, 10, "4,3,2,6,1", "collapsed: of a tied group the first by value is kept");
    fl_xenquire_set_collapse_key(e, 0xffffffffu, 0);
    /* A spy counts each match once, also when the page runs twice. */
    fl_xspy *kinds = NULL;
    fl_xspy_new_values(5, &kinds);
    fl_xenquire_add_matchspy(e, kinds);
    page_is(e, 0, 2, "4,3", "with a spy: the page ending inside a tie");
    fl_buf b = FL_BUF_INIT;
    char *keep = NULL;
    fl_xspy_results(kinds, collect_terms, &b);
    is_str(take(&b, &keep), "x:4|y:2", "the spy counted every match once");
    free(keep);
    keep = NULL;
    /* ... and is back in the enquire for the next match, which counts too. */
    page_is(e, 2, 2, "2,6", "with a spy: a page starting inside a tie");
    fl_xspy_results(kinds, collect_terms, &b);
    is_str(take(&b, &keep), "x:8|y:4", "the spy counted the next match's matches as well");
    free(keep);
    fl_buf_free(&b);
    fl_xenquire_free(e);
    fl_xspy_free(kinds);
    fl_xquery_free(q);
    fl_xdb_free(db);
}

/* BM25 on a single local database reads each document's length from an
 * array (KnownLengthBM25 in fl_xapian.cc); a combined database of one shard
 * gets Xapian's own BM25Weight.  Both must give the same hits with the same
 * weights to the last bit, for every kind of query the searcher builds, and
 * again after a commit that changes the lengths (the array is rebuilt). */
static void add_bm25_doc(fl_xdb *w, unsigned i, unsigned pad)
{
    fl_xdoc *d = NULL;
    fl_xdoc_new(&d);
    if (i % 5 != 4)
        fl_xdoc_add_term(d, "alpha", 5, i % 4 + 1);
    else
        fl_xdoc_add_boolean_term(d, "alpha", 5); /* wdf 0 */
    if (i % 3 == 0)
        fl_xdoc_add_term(d, "beta", 4, i % 7 + 1);
    if (i % 4 == 1)
        fl_xdoc_add_term(d, "gamma", 5, 1);
    /* "red car" as a phrase in some, apart in others. */
    if (i % 2 == 0) {
        fl_xdoc_add_posting(d, "red", 3, 1, 1);
        fl_xdoc_add_posting(d, "car", 3, i % 4 == 0 ? 2 : 9, 1);
    }
    if (pad)
        fl_xdoc_add_term(d, "pad", 3, pad);
    char date[9];
    snprintf(date, sizeof date, "2024%02u15", i % 12 + 1);
    fl_xdoc_set_value(d, 1, date, 8);
    fl_xdb_add_document(w, d, NULL);
    fl_xdoc_free(d);
}

/* fl_xdb_doclength of docids 1..n in a and b alike (status and length). */
static void same_lengths(fl_xdb *a, fl_xdb *b, fl_xdocid n, const char *what)
{
    int bad = 0;
    for (fl_xdocid d = 1; d <= n; d++) {
        uint32_t la = 0, lb = 0;
        fl_xstatus sa = fl_xdb_doclength(a, d, &la), sb = fl_xdb_doclength(b, d, &lb);
        if (sa != sb || (sa == FL_XOK && la != lb)) {
            diag("%s: document %u: %s %u here, %s %u in Xapian's", what, d, fl_xstatus_name(sa),
                 la, fl_xstatus_name(sb), lb);
            bad++;
        }
    }
    ok(!bad, "%s: the lengths of documents 1..%u as Xapian's", what, n);
}

static const char *weighting_name(fl_xweighting w)
{
    return w == FL_XWEIGHT_KNOWN_LENGTHS ? "the lengths array"
           : w == FL_XWEIGHT_AGAIN      ? "the array, then again Xapian's"
                                        : "Xapian's";
}

/* Hits and weights of q in a and b alike (the first maxitems, Xapian looking
 * at check_at_least matches at least, hits under weight_cutoff left out,
 * by relevance then value slot 1 when rel_val), a weighing the way `want`
 * says and b with Xapian's BM25; returns how many differ. */
static int same_bm25_top(fl_xdb *a, fl_xdb *b, const fl_xquery *q, uint32_t maxitems,
                         uint32_t check_at_least, double weight_cutoff, bool rel_val,
                         fl_xweighting want, const char *what)
{
    fl_xmset *m[2] = {NULL, NULL};
    fl_xdb *dbs[2] = {a, b};
    fl_xweighting how[2] = {FL_XWEIGHT_XAPIAN, FL_XWEIGHT_XAPIAN};
    for (int k = 0; k < 2; k++) {
        fl_xenquire *e = NULL;
        fl_xenquire_new(dbs[k], &e);
        fl_xenquire_set_weighting_bm25(e, 1.2, 0, 1, 0.75, 0.5);
        fl_xenquire_set_query(e, q, 2);
        if (weight_cutoff > 0)
            fl_xenquire_set_cutoff(e, 0, weight_cutoff);
        if (rel_val)
            fl_xenquire_set_sort_by_relevance_then_value(e, 1, false);
        if (fl_xenquire_get_mset(e, 0, maxitems, check_at_least, &m[k]) != FL_XOK)
            diag("%s: %s", what, fl_xlast_error());
        how[k] = fl_xenquire_last_weighting(e);
        fl_xenquire_free(e);
    }
    if (!ok(how[0] == want && how[1] == FL_XWEIGHT_XAPIAN, "%s: weighed with %s", what,
            weighting_name(want)))
        diag("got %s, and %s for Xapian's", weighting_name(how[0]), weighting_name(how[1]));
    int bad = 0;
    uint32_t n = fl_xmset_size(m[0]);
    if (n == 0 || n != fl_xmset_size(m[1]))
        bad++;
    for (uint32_t i = 0; i < n && !bad; i++) {
        fl_xdocid d0 = 0, d1 = 0;
        double w0 = 0, w1 = 1;
        int p0 = 0, p1 = 1;
        fl_xmset_docid(m[0], i, &d0);
        fl_xmset_docid(m[1], i, &d1);
        fl_xmset_weight(m[0], i, &w0);
        fl_xmset_weight(m[1], i, &w1);
        fl_xmset_percent(m[0], i, &p0);
        fl_xmset_percent(m[1], i, &p1);
        if (d0 != d1 || w0 != w1 || p0 != p1) {
            diag("%s: hit %u: doc %u weight %.17g %d%% here, doc %u weight %.17g %d%% in Xapian's",
                 what, i, d0, w0, p0, d1, w1, p1);
            bad++;
        }
    }
    ok(!bad, "%s: %u hits, the same weights as Xapian's BM25", what, n);
    fl_xmset_free(m[0]);
    fl_xmset_free(m[1]);
    return bad;
}

static int same_bm25(fl_xdb *a, fl_xdb *b, const fl_xquery *q, const char *what)
{
    return same_bm25_top(a, b, q, 100, 100, 0, false, FL_XWEIGHT_KNOWN_LENGTHS, what);
}

static fl_xquery *tq(const char *t, fl_xtermpos pos)
{
    fl_xquery *q = NULL;
    fl_xquery_term(t, strlen(t), 1, pos, &q);
    return q;
}

static fl_xquery *op2(fl_xop op, fl_xquery *a, fl_xquery *b)
{
    fl_xquery *subs[2] = {a, b}, *q = NULL;
    fl_xquery_combine(op, subs, 2, 0, &q);
    fl_xquery_free(a);
    fl_xquery_free(b);
    return q;
}

static double weight_of(fl_xdb *db, const fl_xquery *q, fl_xdocid want)
{
    fl_xenquire *e = NULL;
    fl_xmset *m = NULL;
    double w = -1;
    fl_xenquire_new(db, &e);
    fl_xenquire_set_weighting_bm25(e, 1.2, 0, 1, 0.75, 0.5);
    fl_xenquire_set_query(e, q, 1);
    fl_xenquire_get_mset(e, 0, 100, 100, &m);
    for (uint32_t i = 0; i < fl_xmset_size(m); i++) {
        fl_xdocid d = 0;
        fl_xmset_docid(m, i, &d);
        if (d == want)
            fl_xmset_weight(m, i, &w);
    }
    fl_xmset_free(m);
    fl_xenquire_free(e);
    return w;
}

static void test_known_length_bm25(void)
{
    char *p = path_in("bm25");
    fl_xdb *w = NULL, *fast = NULL, *shard = NULL, *slow = NULL;
    if (fl_xdb_open_writable(p, FL_XDB_CREATE, 0, &w) != FL_XOK) {
        ok(0, "open bm25: %s", fl_xlast_error());
        free(p);
        return;
    }
    for (unsigned i = 0; i < 40; i++)
        add_bm25_doc(w, i, (i * 37) % 400);
    fl_xdb_delete_document(w, 7); /* docids with gaps */
    fl_xdb_delete_document(w, 8);
    fl_xdoc *empty = NULL; /* docid 41: alpha with wdf 0 and nothing else, length 0 */
    fl_xdoc_new(&empty);
    fl_xdoc_add_boolean_term(empty, "alpha", 5);
    fl_xdb_add_document(w, empty, NULL);
    fl_xdoc_free(empty);
    fl_xdb_commit(w);
    OKX(fl_xdb_open(p, &fast), "open the single database");
    OKX(fl_xdb_open(p, &shard), "open it again, as a shard");
    OKX(fl_xdb_new_empty(&slow), "an empty combined database");
    OKX(fl_xdb_add(slow, shard), "with the database as its one shard");

    fl_xquery *bonus = NULL, *range = NULL, *phrase = NULL;
    fl_xquery_term_bonus("gamma", 5, 0.8, false, &bonus);
    fl_xquery_value_range(1, "20240301", "20240630", &range);
    fl_xquery *words[2] = {tq("red", 1), tq("car", 2)};
    fl_xquery_combine(FL_XOP_PHRASE, words, 2, 2, &phrase);
    fl_xquery_free(words[0]);
    fl_xquery_free(words[1]);
    fl_xquery *beta = tq("beta", 2), *beta06 = NULL, *any3[3], *any = NULL, *all = NULL;
    fl_xquery_scale(beta, 0.6, &beta06);
    fl_xquery_free(beta);
    any3[0] = tq("alpha", 1);
    any3[1] = beta06;
    any3[2] = bonus;
    fl_xquery_combine(FL_XOP_OR, any3, 3, 0, &any);
    for (int i = 0; i < 3; i++)
        fl_xquery_free(any3[i]);
    all = op2(FL_XOP_AND, tq("alpha", 1), tq("beta", 2));
    fl_xquery *cases[] = {
        tq("alpha", 1),
        tq("pad", 1),
        NULL, /* any: filled below (kept for the reopen) */
        NULL, /* any AND_MAYBE all */
        NULL, /* phrase */
        NULL, /* filtered by a date range */
        NULL, /* AND_NOT */
    };
    fl_xquery_copy(any, &cases[2]);
    fl_xquery *any_copy = NULL;
    fl_xquery_copy(any, &any_copy);
    cases[3] = op2(FL_XOP_AND_MAYBE, any_copy, all);
    fl_xquery_copy(phrase, &cases[4]);
    fl_xquery *alpha_q = tq("alpha", 1), *range_copy = NULL;
    fl_xquery_copy(range, &range_copy);
    cases[5] = op2(FL_XOP_FILTER, alpha_q, range_copy);
    cases[6] = op2(FL_XOP_AND_NOT, op2(FL_XOP_OR, tq("alpha", 1), tq("beta", 2)), tq("gamma", 3));
    static const char *names[] = {
        "one term",
        "a term in every document",
        "OR with a scaled term and a posting source",
        "OR, AND_MAYBE the AND (all words)",
        "a phrase",
        "a term filtered by a date range",
        "AND_NOT",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        same_bm25(fast, slow, cases[i], names[i]);
    /* The best 2, Xapian told to look at 1 match at least: it raises its
     * minimum weight as it goes, and a phrase's posting list then weighs
     * each document while stepping to it. */
    same_bm25_top(fast, slow, cases[4], 2, 1, 0, false, FL_XWEIGHT_XAPIAN,
                  "a phrase, the best 2, may stop early");
    same_bm25_top(fast, slow, cases[3], 2, 1, 0, false, FL_XWEIGHT_XAPIAN,
                  "all words, the best 2, may stop early");
    /* A weight cutoff is a minimum weight from the start. */
    same_bm25_top(fast, slow, cases[4], 100, 100, 1e-9, false, FL_XWEIGHT_XAPIAN,
                  "a phrase with a weight cutoff");
    /* A phrase beside another weighed part is handed a minimum below 0 and
     * weighs while stepping: Xapian's BM25; a phrase alone, or filtered,
     * gets exactly 0 (cases[4] above). */
    fl_xquery *phrase_copy = NULL, *phrase_or = NULL;
    fl_xquery_copy(phrase, &phrase_copy);
    phrase_or = op2(FL_XOP_OR, phrase_copy, tq("beta", 3));
    same_bm25_top(fast, slow, phrase_or, 100, 100, 0, false, FL_XWEIGHT_XAPIAN,
                  "a phrase OR a word");
    fl_xquery *phrase_f = NULL, *range_c2 = NULL;
    fl_xquery_copy(phrase, &phrase_copy);
    fl_xquery_copy(range, &range_c2);
    phrase_f = op2(FL_XOP_FILTER, phrase_copy, range_c2);
    same_bm25(fast, slow, phrase_f, "a phrase filtered by a date range");
    /* The searcher's order: relevance, then a value. */
    same_bm25_top(fast, slow, cases[3], 100, 100, 0, true, FL_XWEIGHT_KNOWN_LENGTHS,
                  "all words, by relevance then value");
    fl_xquery_free(phrase_or);
    fl_xquery_free(phrase_f);
    /* fl_xdb_doclength reads the same array once it is built; deleted
     * documents (7, 8) and those past the end stay errors. */
    same_lengths(fast, slow, 45, "lengths");

    /* An enquire that matched before a commit and matches again after the
     * reopen weighs with the new lengths. */
    fl_xenquire *early = NULL;
    fl_xmset *m0 = NULL;
    fl_xenquire_new(fast, &early);
    fl_xenquire_set_weighting_bm25(early, 1.2, 0, 1, 0.75, 0.5);
    fl_xenquire_set_query(early, cases[0], 2);
    fl_xenquire_get_mset(early, 0, 100, 100, &m0);
    fl_xmset_free(m0);

    /* A commit that makes document 3 (the third added: alpha 3 times, pad
     * 74) some 40 times longer, alpha as often: its weight falls, in the
     * array as in Xapian. */
    fl_xquery *alpha = tq("alpha", 1);
    double before = weight_of(fast, alpha, 3);
    fl_xdoc *d = NULL;
    fl_xdoc_new(&d);
    fl_xdoc_add_term(d, "alpha", 5, 2 % 4 + 1);
    fl_xdoc_add_term(d, "pad", 3, 3000);
    fl_xdb_replace_document(w, 3, d);
    fl_xdoc_free(d);
    add_bm25_doc(w, 40, 5);
    fl_xdb_commit(w);
    bool changed = false;
    OKX(fl_xdb_reopen(fast, &changed), "reopen after the commit");
    fl_xdb_reopen(slow, NULL);
    /* Before any search has rebuilt the array: not the old lengths. */
    same_lengths(fast, slow, 45, "lengths after the commit");
    {
        fl_xmset *m1 = NULL, *m2 = NULL;
        fl_xenquire *e2 = NULL;
        fl_xenquire_new(slow, &e2);
        fl_xenquire_set_weighting_bm25(e2, 1.2, 0, 1, 0.75, 0.5);
        fl_xenquire_set_query(e2, cases[0], 2);
        fl_xenquire_get_mset(early, 0, 100, 100, &m1);
        fl_xenquire_get_mset(e2, 0, 100, 100, &m2);
        bool same = fl_xmset_size(m1) == fl_xmset_size(m2) && fl_xmset_size(m1) > 0;
        for (uint32_t i = 0; same && i < fl_xmset_size(m1); i++) {
            fl_xdocid d1 = 0, d2 = 0;
            double w1 = 0, w2 = 1;
            fl_xmset_docid(m1, i, &d1);
            fl_xmset_docid(m2, i, &d2);
            fl_xmset_weight(m1, i, &w1);
            fl_xmset_weight(m2, i, &w2);
            same = d1 == d2 && w1 == w2;
        }
        ok(same && fl_xenquire_last_weighting(early) == FL_XWEIGHT_KNOWN_LENGTHS,
           "an enquire that matched before the commit weighs with the new lengths");
        fl_xmset_free(m1);
        fl_xmset_free(m2);
        fl_xenquire_free(e2);
        fl_xenquire_free(early);
    }
    double after = weight_of(fast, alpha, 3);
    ok(changed && after > 0 && after < before, "the longer document weighs less (%g < %g)", after,
       before);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *what = fl_xasprintf("after the commit: %s", names[i]);
        same_bm25(fast, slow, cases[i], what);
        free(what);
    }

    /* A handle that had its array and then becomes a combined database
     * (fl_xdb_add) still answers lengths. */
    fl_xdb *grown = NULL, *other = NULL;
    fl_xdb_open(p, &grown);
    fl_xdb_open(p, &other);
    weight_of(grown, alpha, 3);
    uint32_t len3 = 0;
    OKX(fl_xdb_add(grown, other), "a second shard added after a search");
    OKX(fl_xdb_doclength(grown, 5, &len3), "... and a document's length still read");
    fl_xdb_free(other);
    fl_xdb_free(grown);

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        fl_xquery_free(cases[i]);
    fl_xquery_free(alpha);
    fl_xquery_free(any);
    fl_xquery_free(phrase);
    fl_xquery_free(range);
    fl_xdb_free(slow);
    fl_xdb_free(shard);
    fl_xdb_free(fast);
    fl_xdb_free(w);
    free(p);
}

int main(void)
{
    if (scratch_make(tmpdir) != 0)
        return 1;
    test_errors_and_names();
    test_open_errors();
    test_corrupt();
    test_document_handle();
    test_database_documents();
    test_metadata();
    test_spelling_synonyms();
    test_stemmers_termgen();
    test_queries();
    test_search();
    test_relevance_then_value_pages();
    test_known_length_bm25();
    test_stemmed_search_and_snippet();
    test_reopen_transactions_compact();
    test_compact_shards();
    test_flush_threshold();
    test_remote();

    scratch_remove(tmpdir);
    return tap_done();
}
