/* fuzz_markdown.c — Markdown/Liquid/HTML text extraction (fl_markdown.h).
 *
 * The input (repaired to valid UTF-8 as the site reader does) goes through
 * fl_markdown_extract as Markdown and as HTML, fl_liquid_strip,
 * fl_html_text, fl_html_entity at every '&' and fl_markdown_anchor on every
 * line.  Properties: no crash or sanitizer report, all output valid UTF-8,
 * section tables consistent (levels 0–6, only section 0 without a heading,
 * anchors free of spaces).  Anchors need not be unique: kramdown numbers
 * repeats per base id, so "Foo", "Foo 1", "Foo" give foo, foo-1, foo-1. */
#include "fuzz_util.h"

#include "fl_markdown.h"
#include "fl_page.h"
#include "fl_utf8.h"

#include <stdint.h>
#include <stdlib.h>

static void check_page(const fl_page *p)
{
    fuzz_check_utf8("body", p->body, p->body_len);
    for (size_t i = 0; i < p->nsections; i++) {
        const fl_section *s = &p->sections[i];
        FUZZ_CHECK(s->title && s->anchor, "section %zu lacks title or anchor", i);
        FUZZ_CHECK(s->level >= 0 && s->level <= 6, "section %zu level %d", i, s->level);
        FUZZ_CHECK(s->level != 0 || i == 0, "section %zu has level 0", i);
        fuzz_check_utf8_str("section title", s->title);
        fuzz_check_utf8_str("section anchor", s->anchor);
        fuzz_check_utf8("section text", s->text, s->text_len);
        if (s->level > 0) {
            FUZZ_CHECK(!strchr(s->anchor, ' '), "anchor '%s' has a space", s->anchor);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fl_buf text = FL_BUF_INIT;
    fl_utf8_repair(&text, (const char *)data, size, NULL);
    const char *t = fl_buf_cstr(&text);

    for (int html = 0; html <= 1; html++) {
        fl_page p;
        fl_page_init(&p);
        char *err = NULL;
        int rc = fl_markdown_extract(t, text.len, html, &p, &err);
        FUZZ_CHECK(rc == 0, "extract failed: %s", err ? err : "(no message)");
        check_page(&p);
        fl_page_free(&p);
    }

    fl_buf out = FL_BUF_INIT;
    fl_liquid_strip(t, text.len, &out);
    fuzz_check_utf8("liquid_strip", fl_buf_cstr(&out), out.len);
    /* Kept tag arguments and newlines may add a little, never a runaway. */
    FUZZ_CHECK(out.len <= 2 * text.len + 64, "Liquid stripping: %zu bytes from %zu", out.len,
               text.len);
    fl_buf_reset(&out);
    fl_html_text(t, text.len, &out);
    fuzz_check_utf8("html_text", fl_buf_cstr(&out), out.len);

    for (size_t i = 0; i < text.len; i++) {
        if (t[i] != '&')
            continue;
        fl_buf_reset(&out);
        size_t used = fl_html_entity(t + i, text.len - i, &out);
        FUZZ_CHECK(used <= text.len - i, "entity consumed %zu of %zu bytes", used, text.len - i);
        FUZZ_CHECK(used > 0 || out.len == 0, "no entity but output appended");
        fuzz_check_utf8("html_entity", fl_buf_cstr(&out), out.len);
    }

    fl_strlist seen = {0};
    for (size_t i = 0; i < text.len;) {
        const char *nl = memchr(t + i, '\n', text.len - i);
        size_t n = nl ? (size_t)(nl - (t + i)) : text.len - i;
        char *line = fl_xstrndup(t + i, n);
        char *a = fl_markdown_anchor(line, &seen);
        fuzz_check_utf8_str("anchor", a);
        FUZZ_CHECK(!strchr(a, ' '), "anchor has a space");
        free(a);
        free(line);
        i += n + 1;
    }
    fl_strlist_free(&seen);
    fl_buf_free(&out);
    fl_buf_free(&text);
    return 0;
}
