/* fuzz_params.c — HTTP query-string parsing of /api/search and /api/suggest
 * (fl_params.h), as the server receives it (a C string, still
 * percent-encoded).
 *
 * Properties: a request is either rejected with a message and the name of
 * the parameter, or accepted with every limit of fl_params.h holding: q
 * non-empty valid UTF-8 without NUL and at most FL_PARAMS_MAX_QUERY_CHARS
 * characters, filter values valid and bounded, real calendar dates,
 * offset/limit in range; the canonical form is stable (parsing twice gives
 * the same text) and the request borrows the params' strings.  Strict
 * decoding yields valid UTF-8 without NUL or fails. */
#include "fuzz_util.h"

#include "fl_params.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>

static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void check_search(const fl_search_params *p, bool suggest)
{
    FUZZ_CHECK(p->q && p->q[0], "accepted without q");
    fuzz_check_utf8_str("q", p->q);
    if (!suggest) {
        FUZZ_CHECK(chars(p->q) <= FL_PARAMS_MAX_QUERY_CHARS, "q of %zu characters", chars(p->q));
        FUZZ_CHECK(p->limit >= 1 && p->limit <= FL_PARAMS_MAX_LIMIT, "limit %u",
                   (unsigned)p->limit);
        FUZZ_CHECK(p->offset <= FL_PARAMS_MAX_OFFSET, "offset %u", (unsigned)p->offset);
        size_t total = 0;
        for (int f = 0; f < FL_PARAM_NFACETS; f++) {
            total += p->facets[f].n;
            for (size_t i = 0; i < p->facets[f].n; i++) {
                fuzz_check_utf8_str("filter value", p->facets[f].items[i]);
                FUZZ_CHECK(chars(p->facets[f].items[i]) <= FL_PARAMS_MAX_VALUE_CHARS,
                           "filter value too long");
            }
        }
        FUZZ_CHECK(total <= FL_PARAMS_MAX_FILTER_VALUES, "%zu filter values", total);
        FUZZ_CHECK(!p->since || fl_params_valid_date(p->since), "since '%s'", p->since);
        FUZZ_CHECK(!p->until || fl_params_valid_date(p->until), "until '%s'", p->until);
        FUZZ_CHECK(p->sort <= FL_SORT_DATE_ASC, "sort %d", (int)p->sort);
    } else {
        FUZZ_CHECK(p->limit >= 1 && p->limit <= FL_PARAMS_SUGGEST_MAX_LIMIT, "suggest limit %u",
                   (unsigned)p->limit);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *qs = fl_xstrndup((const char *)data, size); /* the server's C string */
    for (int suggest = 0; suggest <= 1; suggest++) {
        fl_search_params p;
        fl_search_params_init(&p);
        char *param = NULL, *err = NULL;
        int rc = suggest ? fl_params_parse_suggest(qs, &p, &param, &err)
                         : fl_params_parse_search(qs, &p, &param, &err);
        if (rc != 0) {
            FUZZ_CHECK(err && *err && param, "rejected without message or parameter name");
            fuzz_check_utf8_str("error", err);
        } else {
            FUZZ_CHECK(!err, "message '%s' on success", err);
            check_search(&p, suggest);
            if (!suggest) {
                fl_buf c1 = FL_BUF_INIT, c2 = FL_BUF_INIT;
                fl_search_params_canonical(&p, &c1);
                fl_search_params q2;
                fl_search_params_init(&q2);
                char *param2 = NULL, *err2 = NULL;
                FUZZ_CHECK(fl_params_parse_search(qs, &q2, &param2, &err2) == 0,
                           "second parse failed: %s", err2);
                fl_search_params_canonical(&q2, &c2);
                FUZZ_CHECK(c1.len == c2.len && memcmp(fl_buf_cstr(&c1), fl_buf_cstr(&c2), c1.len) == 0,
                           "canonical form not stable");
                fl_search_request req;
                memset(&req, 0, sizeof req);
                fl_search_params_request(&p, &req);
                FUZZ_CHECK(req.query == p.q, "request does not borrow q");
                FUZZ_CHECK(req.limit == p.limit && req.offset == p.offset, "request limits");
                fl_search_params_free(&q2);
                fl_buf_free(&c1);
                fl_buf_free(&c2);
            }
        }
        free(param);
        free(err);
        fl_search_params_free(&p);
    }

    fl_buf out = FL_BUF_INIT;
    if (fl_params_decode((const char *)data, size, &out) == 0) {
        fuzz_check_utf8("decoded", fl_buf_cstr(&out), out.len);
        FUZZ_CHECK(strlen(fl_buf_cstr(&out)) == out.len, "decoded value contains NUL");
    }
    fl_buf_free(&out);
    char d[11];
    memcpy(d, data, size < 10 ? size : 10);
    d[size < 10 ? size : 10] = '\0';
    fl_params_valid_date(d);
    free(qs);
    return 0;
}
