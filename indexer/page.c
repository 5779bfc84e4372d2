/* page.c — lifetime of an fl_page (see fl_page.h). */
#include "fl_page.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void fl_page_init(fl_page *p)
{
    memset(p, 0, sizeof *p);
}

void fl_page_free(fl_page *p)
{
    free(p->id);
    free(p->url);
    free(p->collection);
    free(p->title);
    free(p->teaser);
    free(p->date);
    free(p->datetime);
    free(p->image);
    free(p->lang);
    fl_strlist_free(&p->authors);
    fl_strlist_free(&p->categories);
    fl_strlist_free(&p->tags);
    fl_strlist_free(&p->keywords);
    for (size_t i = 0; i < p->nfacets; i++) {
        free(p->facets[i].name);
        fl_strlist_free(&p->facets[i].values);
    }
    free(p->facets);
    for (size_t i = 0; i < p->nsections; i++) {
        free(p->sections[i].title);
        free(p->sections[i].anchor);
        free(p->sections[i].text);
    }
    free(p->sections);
    free(p->body);
    free(p->content_hash);
    for (size_t i = 0; i < p->nwarnings; i++)
        free(p->warnings[i].message);
    free(p->warnings);
    fl_page_init(p);
}

void fl_page_warn(fl_page *p, int line, const char *fmt, ...)
{
    fl_buf b = FL_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    fl_buf_vprintf(&b, fmt, ap);
    va_end(ap);
    p->warnings = fl_xrealloc(p->warnings, (p->nwarnings + 1) * sizeof *p->warnings);
    p->warnings[p->nwarnings].line = line;
    p->warnings[p->nwarnings].message = fl_buf_detach(&b);
    p->nwarnings++;
}
