/* result_json.c — the search result JSON of design/interfaces.md. */
#include "fl_json.h"
#include "fl_search.h"

static void strlist(fl_json *j, const char *key, const fl_strlist *l)
{
    fl_json_key(j, key);
    fl_json_array_begin(j);
    for (size_t i = 0; i < l->n; i++)
        fl_json_string(j, l->items[i]);
    fl_json_array_end(j);
}

void fl_search_result_json(const fl_search_result *res, fl_buf *out)
{
    fl_json j;
    fl_json_init(&j, out);
    fl_json_object_begin(&j);
    fl_json_key(&j, "query");
    fl_json_string(&j, res->query ? res->query : "");
    fl_json_key(&j, "corrected_query");
    fl_json_string_or_null(&j, res->corrected_query);
    fl_json_key(&j, "total");
    fl_json_int(&j, res->total);
    fl_json_key(&j, "offset");
    fl_json_int(&j, res->offset);
    fl_json_key(&j, "limit");
    fl_json_int(&j, res->limit);
    fl_json_key(&j, "took_ms");
    fl_json_double(&j, res->took_ms, 3);
    fl_json_key(&j, "hits");
    fl_json_array_begin(&j);
    for (size_t i = 0; i < res->nhits; i++) {
        const fl_hit *h = &res->hits[i];
        fl_json_object_begin(&j);
        fl_json_key(&j, "id");
        fl_json_string(&j, h->id);
        fl_json_key(&j, "url");
        fl_json_string(&j, h->url);
        fl_json_key(&j, "title");
        fl_json_string(&j, h->title);
        fl_json_key(&j, "teaser");
        fl_json_string_or_null(&j, h->teaser);
        fl_json_key(&j, "date");
        fl_json_string_or_null(&j, h->date);
        strlist(&j, "categories", &h->categories);
        strlist(&j, "authors", &h->authors);
        strlist(&j, "tags", &h->tags);
        fl_json_key(&j, "image");
        fl_json_string_or_null(&j, h->image);
        fl_json_key(&j, "score");
        fl_json_double(&j, h->score, 3);
        fl_json_key(&j, "excerpt");
        fl_json_string(&j, h->excerpt ? h->excerpt : "");
        fl_json_key(&j, "sections");
        fl_json_array_begin(&j);
        for (size_t k = 0; k < h->nsections; k++) {
            const fl_hit_section *s = &h->sections[k];
            fl_json_object_begin(&j);
            fl_json_key(&j, "title");
            fl_json_string(&j, s->title);
            fl_json_key(&j, "anchor");
            fl_json_string(&j, s->anchor);
            fl_json_key(&j, "url");
            fl_json_string(&j, s->url);
            fl_json_key(&j, "excerpt");
            fl_json_string(&j, s->excerpt ? s->excerpt : "");
            fl_json_object_end(&j);
        }
        fl_json_array_end(&j);
        if (h->explain) {
            fl_json_key(&j, "explain");
            fl_json_string(&j, h->explain);
        }
        fl_json_object_end(&j);
    }
    fl_json_array_end(&j);
    fl_json_key(&j, "facets");
    fl_json_object_begin(&j);
    for (size_t i = 0; i < res->nfacets; i++) {
        const fl_facet_result *f = &res->facets[i];
        fl_json_key(&j, f->name);
        fl_json_array_begin(&j);
        for (size_t k = 0; k < f->ncounts; k++) {
            fl_json_object_begin(&j);
            fl_json_key(&j, "value");
            fl_json_string(&j, f->counts[k].value);
            fl_json_key(&j, "count");
            fl_json_int(&j, f->counts[k].count);
            fl_json_object_end(&j);
        }
        fl_json_array_end(&j);
    }
    fl_json_object_end(&j);
    fl_json_object_end(&j);
}
