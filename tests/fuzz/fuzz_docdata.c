/* fuzz_docdata.c — stored document data (fl_docdata.h), both directions.
 *
 * First byte even: the rest is document data as read from an index (it may
 * be damaged): decoding must not crash, and whatever decodes must re-encode
 * to a fixed point (encode(decode(encode(decode(x)))) == encode(decode(x))).
 * First byte odd: the rest becomes the fields of a page (split at NUL
 * bytes: id, url, ..., lists, sections with level and positions); encoding
 * then decoding must give back every field exactly, and the section table as
 * the encoder documents it (levels clamped to 0..64, a start before the
 * previous end moved up to it, titles and anchors left to the entries).
 * Either way the rest is also read as a section entry (fl_secentry): it must
 * not read outside the input, and what decodes must re-encode to itself. */
#include "fuzz_util.h"

#include "fl_docdata.h"
#include "fl_page.h"

#include <stdint.h>
#include <stdlib.h>

static bool same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_list(const char *what, const fl_strlist *a, const fl_strlist *b)
{
    FUZZ_CHECK(a->n == b->n, "%s: %zu values encoded, %zu decoded", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->items[i], b->items[i]) != 0) {
            fuzz_dump("encoded", a->items[i], strlen(a->items[i]));
            fuzz_dump("decoded", b->items[i], strlen(b->items[i]));
            FUZZ_CHECK(0, "%s[%zu] changed", what, i);
        }
}

#define CHECK_FIELD(f)                                                              \
    do {                                                                            \
        if (!same(a->f, b->f)) {                                                    \
            fuzz_dump("encoded", a->f ? a->f : "(null)", a->f ? strlen(a->f) : 6);  \
            fuzz_dump("decoded", b->f ? b->f : "(null)", b->f ? strlen(b->f) : 6);  \
            FUZZ_CHECK(0, "field " #f " changed");                                  \
        }                                                                           \
    } while (0)

static void check_pages(const fl_page *a, const fl_page *b)
{
    CHECK_FIELD(id);
    CHECK_FIELD(url);
    CHECK_FIELD(collection);
    CHECK_FIELD(title);
    CHECK_FIELD(teaser);
    CHECK_FIELD(date);
    CHECK_FIELD(datetime);
    CHECK_FIELD(image);
    CHECK_FIELD(lang);
    check_list("authors", &a->authors, &b->authors);
    check_list("categories", &a->categories, &b->categories);
    check_list("tags", &a->tags, &b->tags);
    FUZZ_CHECK(a->nsections == b->nsections, "%zu sections encoded, %zu decoded", a->nsections,
               b->nsections);
    for (size_t i = 0; i < a->nsections; i++) {
        const fl_section *x = &a->sections[i], *y = &b->sections[i];
        FUZZ_CHECK(x->level == y->level && x->pos_start == y->pos_start &&
                       x->pos_end == y->pos_end && x->title_tokens == y->title_tokens &&
                       x->has_anchor == y->has_anchor,
                   "section %zu: level/positions/title tokens/anchor %d %u %u %u %d became "
                   "%d %u %u %u %d",
                   i, x->level, (unsigned)x->pos_start, (unsigned)x->pos_end,
                   (unsigned)x->title_tokens, x->has_anchor, y->level, (unsigned)y->pos_start,
                   (unsigned)y->pos_end, (unsigned)y->title_tokens, y->has_anchor);
        FUZZ_CHECK(!y->title && !y->anchor && !y->text, "section %zu: title or anchor decoded", i);
    }
}

/* What the section table keeps of a's sections (fl_docdata.h): a's sections
 * rewritten to it, titles and anchors dropped. */
static void as_stored(fl_page *a)
{
    uint32_t prev_end = 0;
    for (size_t i = 0; i < a->nsections; i++) {
        fl_section *x = &a->sections[i];
        x->has_anchor = x->anchor && *x->anchor;
        x->level = x->level < 0 ? 0 : x->level > 64 ? 64 : x->level;
        uint32_t start = x->pos_start > prev_end ? x->pos_start : prev_end;
        uint32_t span = x->pos_end > start ? x->pos_end - start : 0;
        x->pos_start = start;
        x->pos_end = start + span;
        prev_end = x->pos_end;
        free(x->title);
        free(x->anchor);
        x->title = x->anchor = NULL;
    }
}

/* The rest of the input as a section entry. */
static void as_entry(const char *data, size_t size)
{
    fl_secentry e;
    if (fl_secentry_decode(data, size, &e) != 0)
        return;
    const char *end = data + size;
    FUZZ_CHECK(e.anchor >= data && e.anchor + e.anchor_len <= end && e.title >= data &&
                   e.title + e.title_len <= end && e.text >= data && e.text + e.text_len == end,
               "entry slices outside the input");
    if (e.nchecks > 256)
        return; /* the round trip below is quadratic */
    size_t *checks = fl_xcalloc(e.nchecks + 1, sizeof *checks);
    for (size_t j = 0; j < e.nchecks; j++) {
        checks[j] = fl_secentry_checkpoint(&e, j + 1);
        FUZZ_CHECK(checks[j] <= e.text_len && (j == 0 || checks[j] >= checks[j - 1]),
                   "checkpoint %zu (%zu) outside the text (%zu bytes)", j + 1, checks[j],
                   e.text_len);
        size_t k = 0;
        FUZZ_CHECK(fl_secentry_checkpoint_before(&e, checks[j], &k) == checks[j] && k >= j + 1,
                   "checkpoint_before(%zu) missed checkpoint %zu", checks[j], j + 1);
    }
    char *anchor = fl_xstrndup(e.anchor, e.anchor_len), *title = fl_xstrndup(e.title, e.title_len);
    /* An entry holding NUL bytes in its anchor or title has no C-string
     * twin; every other one must come back byte for byte (varints written
     * the shortest way, as the encoder writes them). */
    if (strlen(anchor) == e.anchor_len && strlen(title) == e.title_len) {
        fl_buf b = FL_BUF_INIT;
        fl_secentry_encode(anchor, title, checks, e.nchecks, e.text, e.text_len, &b);
        fl_secentry e2;
        FUZZ_CHECK(fl_secentry_decode(b.data, b.len, &e2) == 0 && e2.text_len == e.text_len &&
                       e2.nchecks == e.nchecks && e2.anchor_len == e.anchor_len &&
                       e2.title_len == e.title_len,
                   "a re-encoded entry reads differently");
        fl_buf_free(&b);
    }
    free(anchor);
    free(title);
    free(checks);
}

/* Next NUL-terminated piece of the input, or NULL at the end. */
static char *piece(const char **p, const char *end)
{
    if (*p >= end)
        return NULL;
    const char *z = memchr(*p, '\0', (size_t)(end - *p));
    size_t n = z ? (size_t)(z - *p) : (size_t)(end - *p);
    char *s = fl_xstrndup(*p, n);
    *p += n + (z ? 1 : 0);
    return s;
}

static void from_fields(const char *data, size_t size)
{
    const char *p = data, *end = data + size;
    fl_page a;
    fl_page_init(&a);
    char **fields[] = {&a.id, &a.url, &a.collection, &a.title, &a.teaser,
                       &a.date, &a.datetime, &a.image, &a.lang};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        char *s = piece(&p, end);
        if (s && s[0] == '-') { /* "-": leave the field unset */
            free(s);
            s = NULL;
        }
        *fields[i] = s;
    }
    /* Then repeating: kind byte + value; 's' starts a section (level and
     * positions from the next 9 bytes, then anchor and title). */
    char *s;
    while ((s = piece(&p, end))) {
        char kind = s[0];
        const char *v = s[0] ? s + 1 : s;
        if (kind == 's' && end - p >= 9) {
            a.sections = fl_xrealloc(a.sections, (a.nsections + 1) * sizeof *a.sections);
            fl_section *sec = &a.sections[a.nsections++];
            memset(sec, 0, sizeof *sec);
            const uint8_t *u = (const uint8_t *)p;
            sec->level = (int)(int8_t)u[0];
            sec->pos_start = (uint32_t)u[1] << 24 | (uint32_t)u[2] << 16 | (uint32_t)u[3] << 8 | u[4];
            sec->pos_end = (uint32_t)u[5] << 24 | (uint32_t)u[6] << 16 | (uint32_t)u[7] << 8 | u[8];
            p += 9;
            sec->anchor = fl_xstrdup(v);
            sec->title = piece(&p, end);
            if (!sec->title)
                sec->title = fl_xstrdup("");
            sec->title_tokens = (uint32_t)strlen(sec->title) * 977u;
        } else {
            fl_strlist *l = kind == 'a' ? &a.authors : kind == 'c' ? &a.categories : &a.tags;
            fl_strlist_push(l, v);
        }
        free(s);
    }
    fl_buf enc = FL_BUF_INIT;
    fl_docdata_encode(&a, &enc);
    fl_page b;
    fl_page_init(&b);
    char *err = NULL;
    int rc = fl_docdata_decode(fl_buf_cstr(&enc), enc.len, &b, &err);
    if (rc) {
        fuzz_dump("data", enc.data, enc.len);
        FUZZ_CHECK(rc == 0, "own encoding does not decode: %s", err);
    }
    as_stored(&a);
    check_pages(&a, &b);
    fl_page_free(&a);
    fl_page_free(&b);
    fl_buf_free(&enc);
}

static void from_data(const char *data, size_t size)
{
    fl_page a;
    fl_page_init(&a);
    char *err = NULL;
    if (fl_docdata_decode(data, size, &a, &err) != 0) {
        FUZZ_CHECK(err && *err, "decode failed without a message");
        free(err);
        fl_page_free(&a);
        return;
    }
    fl_buf e1 = FL_BUF_INIT, e2 = FL_BUF_INIT;
    fl_docdata_encode(&a, &e1);
    fl_page b;
    fl_page_init(&b);
    FUZZ_CHECK(fl_docdata_decode(fl_buf_cstr(&e1), e1.len, &b, &err) == 0,
               "re-encoded data does not decode: %s", err);
    check_pages(&a, &b);
    fl_docdata_encode(&b, &e2);
    FUZZ_CHECK(e1.len == e2.len && memcmp(e1.data, e2.data, e1.len) == 0,
               "encoding is not a fixed point");
    fl_page_free(&a);
    fl_page_free(&b);
    fl_buf_free(&e1);
    fl_buf_free(&e2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if (data[0] & 1)
        from_fields((const char *)data + 1, size - 1);
    else
        from_data((const char *)data + 1, size - 1);
    as_entry((const char *)data + 1, size - 1);
    return 0;
}
