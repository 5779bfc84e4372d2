/* Tests for indexer/markdown.c: Liquid/kramdown/HTML stripping, sections,
 * anchors (cases verified with jekyll 4.3 / kramdown 2.4 GFM). */
#include "fl_markdown.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *body_of(const char *md)
{
    fl_page p;
    fl_page_init(&p);
    char *err = NULL;
    fl_markdown_extract(md, strlen(md), false, &p, &err);
    char *b = strdup(p.body ? p.body : "");
    fl_page_free(&p);
    return b;
}

static void anchor_is(const char *title, const char *want)
{
    char *a = fl_markdown_anchor(title, NULL);
    is_str(a, want, "anchor of '%s'", title);
    free(a);
}

int main(void)
{
    /* Anchors observed with Debian's jekyll. */
    anchor_is("Pizza, Mocktails & Vernetzung", "pizza-mocktails--vernetzung");
    anchor_is("Über uns & ß Straße", "über-uns--ß-straße");
    anchor_is("C++ / C# — 100% Test_x (neu)", "c--c--100-test_x-neu");
    anchor_is("Zwei  Leer  zeichen", "zwei--leer--zeichen");
    anchor_is("Ellipsis... and -- dashes --- ok", "ellipsis-and--dashes--ok");
    anchor_is("2025: Jahr der KI", "2025-jahr-der-ki");
    anchor_is("Straße ẞ GROSS", "straße-ß-gross");
    anchor_is("🎉 Party", "-party");
    anchor_is("Tab\there", "tab-here");
    anchor_is("a_b-c", "a_b-c");
    fl_strlist seen = {0};
    char *a1 = fl_markdown_anchor("Foo", &seen), *a2 = fl_markdown_anchor("Foo 1", &seen),
         *a3 = fl_markdown_anchor("Foo", &seen), *a4 = fl_markdown_anchor("Foo", &seen);
    is_str(a1, "foo", "first Foo");
    is_str(a2, "foo-1", "Foo 1");
    is_str(a3, "foo-1", "second Foo collides like kramdown's per-base counter");
    is_str(a4, "foo-2", "third Foo");
    free(a1), free(a2), free(a3), free(a4);
    fl_strlist_free(&seen);

    /* The fixtures generated with jekyll: heading sources, in one document. */
    FILE *f = fopen("tests/data/anchor-cases.tsv", "r");
    if (f) {
        char line[1024];
        fl_buf doc = FL_BUF_INIT;
        fl_strlist want = {0}, src = {0};
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\n")] = 0;
            char *tab = strchr(line, '\t');
            if (!tab || !strcmp(line, "heading\tid"))
                continue;
            *tab = 0;
            fl_buf_printf(&doc, "## %s\n\nText.\n\n", line);
            fl_strlist_push(&want, tab + 1);
            fl_strlist_push(&src, line);
        }
        fclose(f);
        fl_page pg;
        fl_page_init(&pg);
        char *e = NULL;
        fl_markdown_extract(fl_buf_cstr(&doc), doc.len, false, &pg, &e);
        size_t good = 0;
        for (size_t i = 0; i < want.n && i < pg.nsections; i++) {
            if (!strcmp(pg.sections[i].anchor, want.items[i]))
                good++;
            else
                diag("anchor of '%s': got '%s', jekyll '%s'", src.items[i],
                     pg.sections[i].anchor, want.items[i]);
        }
        ok(want.n > 0 && pg.nsections == want.n && good == want.n,
           "anchor-cases.tsv: %zu/%zu as jekyll", good, want.n);
        fl_page_free(&pg);
        fl_strlist_free(&want);
        fl_strlist_free(&src);
        fl_buf_free(&doc);
    } else {
        skip("tests/data/anchor-cases.tsv absent");
    }

    /* Liquid. */
    char *b = body_of("Vorher {% include cta-button.html text=\"Zum Newsletter anmelden\" "
                      "url=\"/newsletter/\" %} nachher {{ site.title }} ende.\n");
    ok(strstr(b, "Zum Newsletter anmelden") != NULL, "include text= kept");
    ok(!strstr(b, "newsletter/") && !strstr(b, "cta-button") && !strstr(b, "site.title"),
       "file names, urls and outputs dropped: %s", b);
    free(b);
    b = body_of("{% raw %}{{ wörtlich }}{% endraw %} und {% comment %}geheim{% endcomment %}x\n"
                "{% include gallery.html folder=\"/assets/img/x/\" %}\n");
    ok(strstr(b, "{{ wörtlich }}") != NULL, "raw kept literally: %s", b);
    ok(!strstr(b, "geheim") && !strstr(b, "assets"), "comment and folder dropped");
    free(b);

    /* kramdown, HTML, links, images, code. */
    b = body_of("Absatz\n{: .lead}\n\n* TOC\n{:toc}\n\n<div class=\"box\"><p>Fett &amp; "
                "f&uuml;r &#228;lle</p><script>var x=1;</script></div>\n\n"
                "[Linktext](https://example.org/geheim) ![Bildbeschreibung](/img/x.png) "
                "`code_x` https://auto.example.com\n");
    ok(!strstr(b, "{:") && !strstr(b, ".lead"), "kramdown IAL removed");
    ok(strstr(b, "Fett & für älle") != NULL, "HTML text with entities: %s", b);
    ok(!strstr(b, "var x"), "script content dropped");
    ok(strstr(b, "Linktext") && !strstr(b, "example.org/geheim"), "link text, not url");
    ok(strstr(b, "Bildbeschreibung") != NULL, "image alt kept");
    ok(strstr(b, "code_x") != NULL, "code kept");
    ok(!strstr(b, "auto.example.com"), "autolink url dropped");
    free(b);

    /* Sections. */
    fl_page p;
    fl_page_init(&p);
    char *err = NULL;
    const char *md = "Einleitung.\n\n# Titel\n\nText eins.\n\n## Pizza, Mocktails & Vernetzung\n\n"
                     "Text zwei.\n\n## Explizit {#eigene-id}\n\nDrei.\n";
    is_int(fl_markdown_extract(md, strlen(md), false, &p, &err), 0, "extract");
    is_int(p.nsections, 4, "section 0 + 3 headings");
    if (p.nsections == 4) {
        is_str(p.sections[0].anchor, "", "section 0 has no anchor");
        is_str(p.sections[0].text, "Einleitung.", "section 0 text");
        is_str(p.sections[1].title, "Titel", "heading title");
        is_int(p.sections[1].level, 1, "level");
        is_str(p.sections[2].anchor, "pizza-mocktails--vernetzung", "anchor");
        is_str(p.sections[2].text, "Text zwei.", "section text excludes heading");
        is_str(p.sections[3].anchor, "eigene-id", "explicit kramdown id");
        is_str(p.sections[3].title, "Explizit", "explicit id removed from title");
    }
    ok(p.body && strstr(p.body, "Titel\n\nText eins.") != NULL, "body has headings, blank-line paragraphs");
    fl_page_free(&p);

    fl_buf h = FL_BUF_INIT;
    fl_html_text("<p>a&lt;b &#x201E;x&#x201C; &unknown; <!-- c --></p>", 48, &h);
    ok(strstr(fl_buf_cstr(&h), "a<b „x“ &unknown;") != NULL, "html text: %s", fl_buf_cstr(&h));
    fl_buf_free(&h);
    return tap_done();
}
