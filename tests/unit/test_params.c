/* test_params.c — strict parsing of the server's query strings (query/params.c). */
#include "fl_params.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Parses qs as a search; returns the rc and leaves the offending parameter
 * name in *param_out (malloc'd or NULL). */
static int parse(const char *qs, fl_search_params *p, char **param_out)
{
    char *param = NULL, *err = NULL;
    fl_search_params_init(p);
    int rc = fl_params_parse_search(qs, p, &param, &err);
    if (rc != 0 && !err)
        diag("error without message for %s", qs);
    free(err);
    *param_out = param;
    return rc;
}

static void expect_bad(const char *qs, const char *param)
{
    fl_search_params p;
    char *got = NULL;
    int rc = parse(qs, &p, &got);
    ok(rc != 0 && got && strcmp(got, param) == 0, "'%s' rejected naming '%s' (got '%s')", qs, param,
       got ? got : "(none)");
    free(got);
    fl_search_params_free(&p);
}

int main(void)
{
    fl_search_params p;
    char *param = NULL;

    ok(parse("q=B%C3%BCrger%2Ainnen&category=R%C3%BCckblick&category=Technik&year=2025"
             "&since=2024-02-29&until=2025-12-31&sort=-date&offset=20&limit=50&utm_source=x",
             &p, &param) == 0, "a full valid query string parses");
    is_str(p.q, "Bürger*innen", "q decoded");
    is_int((int)p.facets[FL_PARAM_CATEGORY].n, 2, "two category values");
    is_str(p.facets[FL_PARAM_CATEGORY].items[0], "Rückblick", "category decoded");
    is_str(p.facets[FL_PARAM_YEAR].items[0], "2025", "year kept");
    is_str(p.since, "2024-02-29", "since (leap day)");
    is_int(p.sort, FL_SORT_DATE_ASC, "-date = oldest first");
    is_int((int)p.offset, 20, "offset");
    is_int((int)p.limit, 50, "limit");

    fl_search_request req;
    fl_search_params_request(&p, &req);
    is_int((int)req.nfilters, 2, "request has two filters (category, year)");
    is_str(req.filters[0].facet, "category", "first filter is category");
    is_int((int)req.filters[0].nvalues, 2, "with both values");
    is_str(req.since, "2024-02-29", "request since");
    fl_search_params_free(&p);
    free(param);

    ok(parse("q=a+b", &p, &param) == 0, "'+' decodes");
    is_str(p.q, "a b", "'+' is a space");
    is_int((int)p.limit, FL_PARAMS_DEFAULT_LIMIT, "default limit");
    is_int(p.sort, FL_SORT_RELEVANCE, "default sort");
    fl_search_params_free(&p);

    ok(parse("q=x&sort=date&category=", &p, &param) == 0, "empty filter value is no filter");
    is_int(p.sort, FL_SORT_DATE_DESC, "date = newest first");
    is_int((int)p.facets[FL_PARAM_CATEGORY].n, 0, "no category filter");
    fl_search_params_free(&p);

    /* Canonical form: order of filter values and unknown params do not matter. */
    fl_search_params a, b;
    char *pa = NULL, *pb = NULL;
    parse("q=x&category=B&category=A&_=123", &a, &pa);
    parse("category=A&q=x&category=B", &b, &pb);
    fl_buf ca = FL_BUF_INIT, cb = FL_BUF_INIT;
    fl_search_params_canonical(&a, &ca);
    fl_search_params_canonical(&b, &cb);
    is_str(fl_buf_cstr(&ca), fl_buf_cstr(&cb), "canonical form ignores value order and unknown params");
    fl_buf_reset(&cb);
    fl_search_params_free(&b);
    parse("q=x&category=A", &b, &pb);
    fl_search_params_canonical(&b, &cb);
    ok(strcmp(fl_buf_cstr(&ca), fl_buf_cstr(&cb)) != 0, "different filters, different canonical form");
    fl_buf_reset(&cb);
    fl_search_params_free(&b);
    /* A value containing the separators cannot imitate two fields. */
    parse("q=x%3Bsort%3A1", &b, &pb);
    fl_search_params_canonical(&b, &cb);
    fl_buf_reset(&ca);
    fl_search_params_free(&a);
    parse("q=x&sort=date", &a, &pa);
    fl_search_params_canonical(&a, &ca);
    ok(strcmp(fl_buf_cstr(&ca), fl_buf_cstr(&cb)) != 0, "separators inside values cannot collide");
    fl_buf_free(&ca);
    fl_buf_free(&cb);
    fl_search_params_free(&a);
    fl_search_params_free(&b);
    free(pa);
    free(pb);

    expect_bad("", "q");
    expect_bad("q=", "q");
    expect_bad("q=%20%20", "q");
    expect_bad("limit=5", "q");
    expect_bad("q=a&q=b", "q");
    expect_bad("q=%ZZ", "q");
    expect_bad("q=%4", "q");
    expect_bad("q=%C3", "q");       /* truncated UTF-8 */
    expect_bad("q=%C0%AF", "q");    /* overlong */
    expect_bad("q=a%00b", "q");     /* NUL */
    expect_bad("q=a&limit=0", "limit");
    expect_bad("q=a&limit=101", "limit");
    expect_bad("q=a&limit=", "limit");
    expect_bad("q=a&limit=1e2", "limit");
    expect_bad("q=a&limit=9999999999", "limit");
    expect_bad("q=a&offset=-1", "offset");
    expect_bad("q=a&offset=10001", "offset");
    expect_bad("q=a&offset=+1", "offset");
    expect_bad("q=a&sort=score", "sort");
    expect_bad("q=a&since=2025-1-01", "since");
    expect_bad("q=a&since=2023-02-29", "since");
    expect_bad("q=a&until=2025-04-31", "until");
    expect_bad("q=a&until=2025-00-10", "until");
    expect_bad("q=a&since=2025-02-01&until=2025-01-01", "since");
    expect_bad("q=a&year=twenty", "year");
    expect_bad("q=a&year=20255", "year");
    expect_bad("q=a&excerpt_length=5", "excerpt_length");
    expect_bad("q=a&category=%FF", "category");

    /* Length limits count characters, not bytes. */
    fl_buf longq = FL_BUF_INIT;
    fl_buf_puts(&longq, "q=");
    for (int i = 0; i < 512; i++)
        fl_buf_puts(&longq, "%C3%BC"); /* ü: 2 bytes, 1 character */
    ok(parse(fl_buf_cstr(&longq), &p, &param) == 0, "512 characters (1024 bytes) accepted");
    fl_search_params_free(&p);
    fl_buf_puts(&longq, "u");
    expect_bad(fl_buf_cstr(&longq), "q");
    fl_buf_free(&longq);

    /* Suggest: q and limit only, limit up to 20. */
    char *err = NULL;
    fl_search_params_init(&p);
    ok(fl_params_parse_suggest("q=Buerg&sort=nonsense", &p, &param, &err) == 0,
       "suggest ignores search-only parameters");
    is_int((int)p.limit, FL_PARAMS_SUGGEST_DEFAULT_LIMIT, "suggest default limit");
    fl_search_params_free(&p);
    fl_search_params_init(&p);
    ok(fl_params_parse_suggest("q=ab&limit=21", &p, &param, &err) != 0 && strcmp(param, "limit") == 0,
       "suggest limit over 20 rejected");
    free(param);
    free(err);
    fl_search_params_free(&p);

    ok(fl_params_valid_date("2000-02-29") && !fl_params_valid_date("1900-02-29") &&
           !fl_params_valid_date("2025-12-32") && fl_params_valid_date("2025-12-31"),
       "calendar dates checked (leap years)");
    return tap_done();
}
