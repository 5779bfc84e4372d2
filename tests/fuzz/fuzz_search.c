/* fuzz_search.c — a whole search as the server runs it: HTTP query string
 * → fl_params_parse_search → fl_search_run (query parser, analysis chain,
 * Xapian query, excerpts, sections, facets) → fl_search_result_json.
 *
 * At start-up the example site (examples/site, found via $FINDLING_TOP or
 * the current folder) is indexed into a scratch folder.  Properties: a valid
 * request either finds results or fails as a bad query with a message; the
 * JSON answer parses strictly (tests/lib/json_check.h); no more hits than
 * asked for; excerpts are HTML-escaped with <mark> as their only markup. */
#include "fuzz_util.h"

#include "fl_analyzer.h"
#include "fl_indexer.h"
#include "fl_params.h"
#include "fl_search.h"
#include "json_check.h"

#include <stdint.h>
#include <stdlib.h>

static fl_searcher *searcher;

static void check_excerpt(const char *what, const char *s)
{
    if (!s)
        return;
    fuzz_check_utf8_str(what, s);
    for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<'))
        FUZZ_CHECK(strncmp(p, "<mark>", 6) == 0 || strncmp(p, "</mark>", 7) == 0,
                   "%s has markup other than <mark>: '%.40s'", what, p);
    FUZZ_CHECK(!strchr(s, '>') || strstr(s, "mark>"), "%s has a bare '>'", what);
}

static void setup(void)
{
    const char *top = getenv("FINDLING_TOP");
    char *site = fl_xasprintf("%s/examples/site", top && *top ? top : ".");
    char *db = fl_xasprintf("%s/db", fuzz_tmpdir());
    char *err = NULL;
    fl_index_options opt;
    memset(&opt, 0, sizeof opt);
    opt.site_dir = site;
    opt.db_dir = db;
    opt.full = true;
    opt.threads = 1;
    opt.now = (time_t)1748736000; /* 2025-06-01 */
    fl_index_summary sum;
    int rc = fl_index_run(&opt, &sum, &err);
    FUZZ_CHECK(rc == FL_INDEX_OK || rc == FL_INDEX_PARTIAL, "indexing %s failed: %s", site,
               err ? err : "?");
    FUZZ_CHECK(sum.documents > 10, "only %u documents indexed", (unsigned)sum.documents);
    fl_analyzer *an = fl_analyzer_new(NULL, &err); /* lives as long as the process */
    FUZZ_CHECK(an, "analyzer: %s", err);
    searcher = fl_searcher_open(db, an, &err);
    FUZZ_CHECK(searcher, "open %s: %s", db, err);
    free(site);
    free(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!searcher)
        setup();
    char *qs = fl_xstrndup((const char *)data, size);
    fl_search_params p;
    fl_search_params_init(&p);
    char *param = NULL, *err = NULL;
    if (fl_params_parse_search(qs, &p, &param, &err) != 0) {
        free(param);
        free(err);
        fl_search_params_free(&p);
        free(qs);
        return 0;
    }
    fl_search_request req;
    memset(&req, 0, sizeof req);
    fl_search_params_request(&p, &req);
    req.explain = size & 1; /* also exercise --explain */
    fl_search_result res;
    memset(&res, 0, sizeof res);
    int rc = fl_search_run(searcher, &req, &res, &err);
    if (rc != 0) {
        FUZZ_CHECK(rc == FL_SEARCH_EBADQUERY, "search failed with %d: %s", rc, err ? err : "?");
        FUZZ_CHECK(err && *err, "bad query without a message");
        fuzz_check_utf8_str("error", err);
        free(err);
    } else {
        FUZZ_CHECK(res.nhits <= req.limit, "%zu hits for limit %u", res.nhits,
                   (unsigned)req.limit);
        for (size_t i = 0; i < res.nhits; i++) {
            check_excerpt("excerpt", res.hits[i].excerpt);
            for (size_t k = 0; k < res.hits[i].nsections; k++)
                check_excerpt("section excerpt", res.hits[i].sections[k].excerpt);
        }
        fl_buf json = FL_BUF_INIT;
        fl_search_result_json(&res, &json);
        const char *why = NULL;
        size_t at = 0;
        jc_value *v = jc_parse(fl_buf_cstr(&json), json.len, &why, &at);
        if (!v) {
            fuzz_dump("json", fl_buf_cstr(&json) + (at > 60 ? at - 60 : 0), 120);
            FUZZ_CHECK(v, "search JSON invalid: %s at %zu", why, at);
        }
        FUZZ_CHECK(v->kind == JC_OBJECT, "search JSON is not an object");
        jc_free(v);
        fl_buf_free(&json);
    }
    fl_search_result_free(&res);
    fl_search_params_free(&p);
    free(qs);
    return 0;
}
