/* params.c — strict parsing of the server's query strings (see fl_params.h). */
#include "fl_params.h"

#include "fl_err.h"
#include "fl_utf8.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const fl_param_facet_names[FL_PARAM_NFACETS] = {"category", "author", "tag", "year"};

void fl_search_params_init(fl_search_params *p)
{
    memset(p, 0, sizeof *p);
    p->sort = FL_SORT_RELEVANCE;
    p->limit = FL_PARAMS_DEFAULT_LIMIT;
}

void fl_search_params_free(fl_search_params *p)
{
    free(p->q);
    free(p->since);
    free(p->until);
    for (int i = 0; i < FL_PARAM_NFACETS; i++)
        fl_strlist_free(&p->facets[i]);
    fl_search_params_init(p);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int fl_params_decode(const char *s, size_t len, fl_buf *out)
{
    size_t start = out->len;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '+') {
            fl_buf_putc(out, ' ');
        } else if (c == '%') {
            int hi = i + 1 < len ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < len ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            fl_buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            fl_buf_putc(out, c);
        }
    }
    const char *d = out->data ? out->data + start : "";
    size_t dlen = out->len - start;
    if (memchr(d, '\0', dlen) || !fl_utf8_is_valid(d, dlen))
        return -1;
    return 0;
}

int fl_params_valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[m - 1] + (m == 2 && leap);
    return d <= max;
}

/* Number of code points of valid UTF-8. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Parses a non-negative decimal integer of at most 9 digits. */
static int parse_uint(const char *s, uint32_t *out)
{
    size_t n = strlen(s);
    if (n == 0 || n > 9)
        return -1;
    uint32_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (uint32_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

static int fail(char **param, char **err, const char *name, const char *fmt, const char *arg)
{
    if (param && !*param)
        *param = fl_xstrdup(name);
    if (err && !*err)
        *err = fl_xasprintf(fmt, name, arg ? arg : "");
    return -1;
}

static int only_space(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

typedef enum { MODE_SEARCH, MODE_SUGGEST } parse_mode;

/* Handles one decoded name=value pair. */
static int handle(fl_search_params *p, parse_mode mode, const char *name, const char *val,
                  unsigned *seen, size_t *nvalues, char **param, char **err)
{
    enum { SEEN_Q = 1, SEEN_SINCE = 2, SEEN_UNTIL = 4, SEEN_SORT = 8, SEEN_OFFSET = 16,
           SEEN_LIMIT = 32, SEEN_EXCERPT = 64 };
#define ONCE(bit)                                                                          \
    do {                                                                                   \
        if (*seen & (bit))                                                                 \
            return fail(param, err, name, "parameter '%s' must not be given more than once%s", \
                        NULL);                                                             \
        *seen |= (bit);                                                                    \
    } while (0)

    if (strcmp(name, "q") == 0) {
        ONCE(SEEN_Q);
        if (utf8_chars(val) > FL_PARAMS_MAX_QUERY_CHARS)
            return fail(param, err, name,
                        "parameter '%s' is too long (at most 512 characters)%s", NULL);
        p->q = fl_xstrdup(val);
        return 0;
    }
    if (strcmp(name, "limit") == 0) {
        ONCE(SEEN_LIMIT);
        uint32_t v;
        uint32_t max = mode == MODE_SEARCH ? FL_PARAMS_MAX_LIMIT : FL_PARAMS_SUGGEST_MAX_LIMIT;
        if (parse_uint(val, &v) != 0 || v < 1 || v > max)
            return fail(param, err, name,
                        mode == MODE_SEARCH
                            ? "parameter '%s' must be a whole number from 1 to 100, not '%s'"
                            : "parameter '%s' must be a whole number from 1 to 20, not '%s'",
                        val);
        p->limit = v;
        return 0;
    }
    if (mode == MODE_SUGGEST)
        return 0;
    for (int i = 0; i < FL_PARAM_NFACETS; i++) {
        if (strcmp(name, fl_param_facet_names[i]) != 0)
            continue;
        if (*val == '\0')
            return 0; /* an empty filter (e.g. an unselected <select>) means none */
        if (utf8_chars(val) > FL_PARAMS_MAX_VALUE_CHARS)
            return fail(param, err, name,
                        "parameter '%s' is too long (at most 200 characters)%s", NULL);
        if (++*nvalues > FL_PARAMS_MAX_FILTER_VALUES)
            return fail(param, err, name, "parameter '%s': too many filter values (at most 50 in all)%s",
                        NULL);
        if (i == FL_PARAM_YEAR) {
            uint32_t y;
            if (strlen(val) != 4 || parse_uint(val, &y) != 0)
                return fail(param, err, name,
                            "parameter '%s' must be a four-digit year, not '%s'", val);
        }
        if (!fl_strlist_contains(&p->facets[i], val))
            fl_strlist_push(&p->facets[i], val);
        return 0;
    }
    if (strcmp(name, "since") == 0 || strcmp(name, "until") == 0) {
        int since = name[0] == 's';
        ONCE(since ? SEEN_SINCE : SEEN_UNTIL);
        if (*val == '\0')
            return 0;
        if (!fl_params_valid_date(val))
            return fail(param, err, name,
                        "parameter '%s' must be a date written YYYY-MM-DD, not '%s'", val);
        if (since)
            p->since = fl_xstrdup(val);
        else
            p->until = fl_xstrdup(val);
        return 0;
    }
    if (strcmp(name, "sort") == 0) {
        ONCE(SEEN_SORT);
        if (strcmp(val, "relevance") == 0 || *val == '\0')
            p->sort = FL_SORT_RELEVANCE;
        else if (strcmp(val, "date") == 0)
            p->sort = FL_SORT_DATE_DESC;
        else if (strcmp(val, "-date") == 0)
            p->sort = FL_SORT_DATE_ASC;
        else
            return fail(param, err, name,
                        "parameter '%s' must be relevance, date or -date, not '%s'", val);
        return 0;
    }
    if (strcmp(name, "offset") == 0) {
        ONCE(SEEN_OFFSET);
        uint32_t v;
        if (parse_uint(val, &v) != 0 || v > FL_PARAMS_MAX_OFFSET)
            return fail(param, err, name,
                        "parameter '%s' must be a whole number from 0 to 10000, not '%s'", val);
        p->offset = v;
        return 0;
    }
    if (strcmp(name, "excerpt_length") == 0) {
        ONCE(SEEN_EXCERPT);
        uint32_t v;
        if (parse_uint(val, &v) != 0 || v < 20 || v > 2000)
            return fail(param, err, name,
                        "parameter '%s' must be a whole number from 20 to 2000, not '%s'", val);
        p->excerpt_length = v;
        return 0;
    }
    return 0; /* unknown: ignored */
#undef ONCE
}

static int parse(const char *qs, fl_search_params *p, parse_mode mode, char **param, char **err)
{
    unsigned seen = 0;
    size_t nvalues = 0;
    fl_buf name = FL_BUF_INIT, val = FL_BUF_INIT;
    int rc = 0;
    if (mode == MODE_SUGGEST)
        p->limit = FL_PARAMS_SUGGEST_DEFAULT_LIMIT;
    const char *s = qs ? qs : "";
    while (*s && rc == 0) {
        const char *end = strchr(s, '&');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        if (n > 0) {
            const char *eq = memchr(s, '=', n);
            size_t nlen = eq ? (size_t)(eq - s) : n;
            fl_buf_reset(&name);
            fl_buf_reset(&val);
            if (fl_params_decode(s, nlen, &name) != 0) {
                rc = fail(param, err, "",
                          "a parameter name is not valid percent-encoded UTF-8%s%s", NULL);
            } else if (eq && fl_params_decode(eq + 1, n - nlen - 1, &val) != 0) {
                rc = fail(param, err, fl_buf_cstr(&name),
                          "parameter '%s' is not valid percent-encoded UTF-8%s", NULL);
            } else {
                rc = handle(p, mode, fl_buf_cstr(&name), fl_buf_cstr(&val), &seen, &nvalues,
                            param, err);
            }
        }
        s += n;
        if (*s == '&')
            s++;
    }
    fl_buf_free(&name);
    fl_buf_free(&val);
    if (rc != 0)
        return rc;
    if (!p->q || only_space(p->q))
        return fail(param, err, "q", "parameter '%s' is required and must not be empty%s", NULL);
    if (p->since && p->until && strcmp(p->since, p->until) > 0)
        return fail(param, err, "since", "parameter '%s' (%s) is after 'until'", p->since);
    return 0;
}

int fl_params_parse_search(const char *qs, fl_search_params *p, char **param, char **err)
{
    return parse(qs, p, MODE_SEARCH, param, err);
}

int fl_params_parse_suggest(const char *qs, fl_search_params *p, char **param, char **err)
{
    return parse(qs, p, MODE_SUGGEST, param, err);
}

void fl_search_params_request(fl_search_params *p, fl_search_request *req)
{
    memset(req, 0, sizeof *req);
    size_t nf = 0;
    for (int i = 0; i < FL_PARAM_NFACETS; i++) {
        if (p->facets[i].n == 0)
            continue;
        p->filters[nf].facet = fl_param_facet_names[i];
        p->filters[nf].values = (const char *const *)p->facets[i].items;
        p->filters[nf].nvalues = p->facets[i].n;
        nf++;
    }
    req->query = p->q;
    req->filters = nf ? p->filters : NULL;
    req->nfilters = nf;
    req->since = p->since;
    req->until = p->until;
    req->sort = p->sort;
    req->offset = p->offset;
    req->limit = p->limit;
    req->excerpt_length = p->excerpt_length;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Each field is written with its length so that no value can imitate a
 * separator. */
static void put_field(fl_buf *out, const char *name, const char *v)
{
    fl_buf_printf(out, "%s:%zu:%s;", name, v ? strlen(v) : (size_t)0, v ? v : "");
}

void fl_search_params_canonical(const fl_search_params *p, fl_buf *out)
{
    put_field(out, "q", p->q);
    for (int i = 0; i < FL_PARAM_NFACETS; i++) {
        size_t n = p->facets[i].n;
        if (n == 0)
            continue;
        char **sorted = fl_xmalloc(n * sizeof *sorted);
        memcpy(sorted, p->facets[i].items, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_str);
        for (size_t k = 0; k < n; k++)
            put_field(out, fl_param_facet_names[i], sorted[k]);
        free(sorted);
    }
    put_field(out, "since", p->since);
    put_field(out, "until", p->until);
    fl_buf_printf(out, "sort:%d;offset:%u;limit:%u;excerpt:%zu;", (int)p->sort, p->offset,
                  p->limit, p->excerpt_length);
}
