/* fl_markdown.h — the searchable text of a Jekyll Markdown (or HTML) body.
 *
 * Steps: Liquid is removed (tags {% %} and outputs {{ }}; {% raw %} content
 * kept literally, {% comment %} dropped, the human-readable string arguments
 * of tags kept: `{% include x.html text="Jetzt anmelden" %}` → "Jetzt
 * anmelden" — values of text/title/label/alt/caption/description/... but not
 * of url/link/href/src/file/image/class/id-like arguments); kramdown
 * attribute lists and extensions ({: .class}, {:toc}, {::options ...}) are
 * removed; the rest goes through md4c (CommonMark + tables, strikethrough,
 * permissive autolinks) and comes out as plain text: HTML reduced to its
 * text (tags stripped, <script>/<style> content dropped, entities decoded),
 * link texts and image alt texts kept, URLs dropped, code kept.
 * Blocks are separated by blank lines.
 *
 * Sections: every heading (ATX or Setext, also HTML <h1>–<h6> is NOT a
 * section) starts a new section whose anchor is the id kramdown (GFM input)
 * gives the heading: see fl_markdown_anchor.
 */
#ifndef FL_MARKDOWN_H
#define FL_MARKDOWN_H

#include "fl_buf.h"
#include "fl_page.h"

#include <stdbool.h>
#include <stddef.h>

/* Fills p->body/body_len and p->sections/nsections from the Markdown text
 * (valid UTF-8).  `is_html`: the text is an HTML page body (no Markdown).
 * Returns 0, or -1 with *err when md4c fails (it only does on OOM). */
int fl_markdown_extract(const char *text, size_t len, bool is_html, fl_page *p, char **err);

/* Appends text with all Liquid removed (see above) to out. */
void fl_liquid_strip(const char *text, size_t len, fl_buf *out);

/* Appends the text of an HTML fragment: tags removed, script/style content
 * dropped, entities decoded. */
void fl_html_text(const char *html, size_t len, fl_buf *out);

/* Decodes one HTML entity at s ("&amp;", "&#228;", "&#xE4;", "&uuml;" ...):
 * appends its UTF-8 to out and returns the bytes consumed, or 0 when s does
 * not start a known entity. */
size_t fl_html_entity(const char *s, size_t len, fl_buf *out);

/* The anchor id of a heading with plain text `title`, kramdown/GFM style:
 * lower-cased, characters other than letters, digits, marks, '-', '_' and
 * ' ' dropped, each space turned into '-'.  `seen` holds the ids given so
 * far in the document: a repeated id gets "-1", "-2", ... appended; the
 * result is added to `seen`.  Returns a malloc'd string. */
char *fl_markdown_anchor(const char *title, fl_strlist *seen);

#endif
