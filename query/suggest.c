/* suggest.c — autocomplete (fl_suggest) over the XW<key>\t<surface> terms. */
#include "search_int.h"

#include "fl_err.h"
#include "fl_terms.h"

#include <stdlib.h>
#include <string.h>

typedef struct cand {
    char *surface;
    uint32_t freq;
} cand;

typedef struct cands {
    cand *c;
    size_t n;
    const char *lead;   /* words typed before the last one, prepended */
} cands;

static int cand_cb(void *ud, const char *term, size_t len, uint32_t freq)
{
    cands *cs = ud;
    const char *tab = memchr(term, '\t', len);
    if (!tab)
        return 0;
    const char *sf = tab + 1;
    size_t sl = len - (size_t)(sf - term);
    char *s = cs->lead ? fl_xasprintf("%s %.*s", cs->lead, (int)sl, sf) : fl_xstrndup(sf, sl);
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->c[i].surface, s) == 0) {
            cs->c[i].freq += freq;
            free(s);
            return 0;
        }
    cs->c = fl_xrealloc(cs->c, (cs->n + 1) * sizeof *cs->c);
    cs->c[cs->n++] = (cand){s, freq};
    return cs->n > 5000; /* enough to choose from */
}

static int cand_cmp(const void *a, const void *b)
{
    const cand *x = a, *y = b;
    if (x->freq != y->freq)
        return x->freq < y->freq ? 1 : -1;
    size_t lx = strlen(x->surface), ly = strlen(y->surface);
    if (lx != ly)
        return lx < ly ? -1 : 1;
    return strcmp(x->surface, y->surface);
}

static int scan(fl_searcher *s, const char *text, size_t len, cands *cs)
{
    fl_buf key = FL_BUF_INIT;
    fl_buf_puts(&key, "XW");
    size_t base = key.len;
    fl_suggest_key(text, len, &key);
    int rc = 0;
    if (key.len - base >= 1 && fl_xdb_allterms(s->db, key.data, cand_cb, cs) != FL_XOK)
        rc = -1;
    fl_buf_free(&key);
    return rc;
}

int fl_suggest(fl_searcher *s, const char *prefix, size_t limit, fl_strlist *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!prefix)
        return 0;
    size_t len = strlen(prefix);
    while (len && (prefix[len - 1] == ' ' || prefix[len - 1] == '\t'))
        len--;
    if (len == 0 || limit == 0)
        return 0;
    cands cs = {NULL, 0, NULL};
    /* The whole prefix (titles, "Open Inno" → "Open Innovation City")... */
    if (scan(s, prefix, len, &cs) != 0) {
        free(cs.c);
        return fl_err_set(err, "suggest: %s", fl_xlast_error());
    }
    /* ...then the last word, with the words before it kept. */
    const char *sp = NULL;
    for (size_t i = len; i > 0; i--)
        if (prefix[i - 1] == ' ') {
            sp = prefix + i - 1;
            break;
        }
    if (sp) {
        char *lead = fl_xstrndup(prefix, (size_t)(sp - prefix));
        cs.lead = lead;
        size_t before = cs.n;
        scan(s, sp + 1, len - (size_t)(sp + 1 - prefix), &cs);
        (void)before;
        cs.lead = NULL;
        free(lead);
    }
    if (cs.n)
        qsort(cs.c, cs.n, sizeof *cs.c, cand_cmp);
    for (size_t i = 0; i < cs.n; i++) {
        if (out->n < limit)
            fl_strlist_push(out, cs.c[i].surface);
        free(cs.c[i].surface);
    }
    free(cs.c);
    return 0;
}
