/* strlist.c — a growable list of owned strings (see fl_page.h). */
#include "fl_page.h"

#include <stdlib.h>
#include <string.h>

void fl_strlist_push_n(fl_strlist *l, const char *s, size_t len)
{
    l->items = fl_xrealloc(l->items, (l->n + 1) * sizeof *l->items);
    l->items[l->n++] = fl_xstrndup(s, len);
}

void fl_strlist_push(fl_strlist *l, const char *s)
{
    fl_strlist_push_n(l, s, strlen(s));
}

bool fl_strlist_contains(const fl_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

void fl_strlist_free(fl_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = 0;
}
