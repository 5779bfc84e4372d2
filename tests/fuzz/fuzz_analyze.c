/* fuzz_analyze.c — the German analysis chain (fl_analyzer.h, fl_tokenize.h):
 * tokenizer, normalisation, gender forms, compounds, stemming.
 *
 * The analyzer is built once with the system word list (as `findling index`
 * does).  The input, repaired to valid UTF-8 as every caller does, is
 * tokenized and analysed.  Properties: raw tokens lie inside the text, in
 * order, without overlap, and the tokenizer always advances; analysed tokens
 * point at their surface in the text, are numbered 0, 1, 2, ..., and their
 * exact form, stem, parts and gender base are non-empty valid UTF-8; stemming
 * and splitting a token's surface on its own does not crash either. */
#include "fuzz_util.h"

#include "fl_analyzer.h"
#include "fl_tokenize.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>

static fl_analyzer *an;

typedef struct {
    const char *text;
    size_t len;
    uint32_t next_index;
    size_t last_offset;
    int calls;
} ctx;

static int on_token(void *ud, const fl_token *t)
{
    ctx *c = ud;
    FUZZ_CHECK(t->offset <= c->len && t->surface_len <= c->len - t->offset,
               "token %u at %zu+%zu outside the text (%zu)", (unsigned)t->index, t->offset,
               t->surface_len, c->len);
    FUZZ_CHECK(t->surface == c->text + t->offset, "surface does not point at offset");
    FUZZ_CHECK(t->index == c->next_index, "token numbered %u, expected %u", (unsigned)t->index,
               (unsigned)c->next_index);
    FUZZ_CHECK(t->offset >= c->last_offset, "tokens out of order");
    FUZZ_CHECK(t->kind <= FL_TOKEN_URL, "token kind %d", (int)t->kind);
    c->next_index++;
    c->last_offset = t->offset;
    FUZZ_CHECK(t->exact && t->stem, "token without exact form or stem");
    fuzz_check_utf8_str("exact", t->exact);
    fuzz_check_utf8_str("stem", t->stem);
    fuzz_check_utf8_str("gender_base", t->gender_base);
    FUZZ_CHECK(t->nparts == 0 || t->parts, "parts missing");
    for (size_t i = 0; i < t->nparts; i++) {
        FUZZ_CHECK(t->parts[i] && t->parts[i][0], "empty compound part");
        fuzz_check_utf8_str("part", t->parts[i]);
    }
    fl_is_stopword(t->exact, strlen(t->exact));
    if (c->calls++ < 16) { /* a few per input: these are slow paths */
        fl_buf out = FL_BUF_INIT;
        fl_analyzer_stem_word(an, t->surface, t->surface_len, &out);
        fuzz_check_utf8("stem_word", fl_buf_cstr(&out), out.len);
        fl_buf_reset(&out);
        fl_analyzer_split(an, t->exact, strlen(t->exact), &out);
        fuzz_check_utf8("split", fl_buf_cstr(&out), out.len);
        fl_buf_free(&out);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!an) {
        char *err = NULL;
        an = fl_analyzer_new(NULL, &err);
        FUZZ_CHECK(an, "analyzer: %s", err);
    }
    fl_buf text = FL_BUF_INIT;
    fl_utf8_repair(&text, (const char *)data, size, NULL);
    const char *t = fl_buf_cstr(&text);

    size_t pos = 0, prev_end = 0;
    fl_rawtoken tok;
    while (fl_tokenize_next(t, text.len, &pos, &tok)) {
        FUZZ_CHECK(tok.start >= prev_end && tok.len > 0 && tok.start + tok.len <= text.len,
                   "raw token %zu+%zu after %zu in %zu bytes", tok.start, tok.len, prev_end,
                   text.len);
        FUZZ_CHECK(pos >= tok.start + tok.len && pos <= text.len, "position %zu after token",
                   pos);
        if (tok.flags & (FL_RAW_GENDER | FL_RAW_BINNEN_I))
            FUZZ_CHECK(tok.mark_start <= tok.mark_end && tok.mark_end <= tok.len,
                       "gender mark %zu..%zu in a %zu-byte token", tok.mark_start, tok.mark_end,
                       tok.len);
        prev_end = tok.start + tok.len;
    }

    ctx c = {t, text.len, 0, 0, 0};
    char *err = NULL;
    int rc = fl_analyze(an, t, text.len, on_token, &c, &err);
    FUZZ_CHECK(rc == 0, "fl_analyze failed: %s", err ? err : "(no message)");
    fl_buf_free(&text);
    return 0;
}
