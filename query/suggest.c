/* suggest.c — autocomplete (fl_suggest) over the searcher's completion table
 * (complete.c), built from the XW<key>\t<surface> terms on first use and
 * again after the index changed. */
#include "search_int.h"

#include "fl_err.h"

#include <string.h>

fl_completions *fl_searcher_completions(fl_searcher *s) { return s->compl; }

void fl_searcher_set_completions(fl_searcher *s, fl_completions *c)
{
    fl_completions *old = s->compl;
    s->compl = fl_completions_ref(c);
    fl_completions_unref(old);
}

int fl_suggest(fl_searcher *s, const char *prefix, size_t limit, fl_strlist *out, char **err)
{
    memset(out, 0, sizeof *out);
    if (!fl_completions_current(s->compl, s)) {
        fl_completions *c = fl_completions_build(s, err);
        if (!c)
            return -1;
        fl_completions_unref(s->compl);
        s->compl = c;
    }
    return fl_completions_suggest(s->compl, prefix, limit, out);
}
