/* cmd_stats.c — `findling stats`: what the index holds. */
#include "fl_cli.h"

#include "fl_buf.h"
#include "fl_docdata.h"
#include "fl_indexer.h"
#include "fl_json.h"
#include "fl_terms.h"
#include "fl_xapian.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A replica made by xapian-replicate has a stub of its own ("# comment"
 * lines, then "auto replica_0"): the database it names, "DIR/replica_0"
 * (malloc'd), or NULL when DIR/XAPIANDB is missing or names no single local
 * database. */
static char *replica_live_path(const char *dir)
{
    char *stub = fl_xasprintf("%s/XAPIANDB", dir);
    FILE *f = fopen(stub, "r");
    free(stub);
    if (!f)
        return NULL;
    char *line = NULL, *name = NULL;
    size_t cap = 0;
    ssize_t n;
    int entries = 0;
    while ((n = getline(&line, &cap, f)) != -1) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        entries++;
        if (strncmp(line, "auto ", 5) == 0 && line[5] && !strchr(line + 5, '/')) {
            free(name);
            name = fl_xstrdup(line + 5);
        }
    }
    free(line);
    fclose(f);
    char *res = entries == 1 && name ? fl_xasprintf("%s/%s", dir, name) : NULL;
    free(name);
    return res;
}

static const char help[] =
    "Usage: findling stats [--db DIR] [--json]\n"
    "\n"
    "Shows the number of documents, the revision, the size on disk, the last index\n"
    "run and the facet values with their document counts.\n"
    "\n"
    "Options:\n"
    "  --db DIR     index folder (else $FINDLING_DB, else ./findling.db)\n"
    "  --json       one JSON object\n"
    "  --dump-ids   list every document as ID<TAB>CONTENT-HASH<TAB>URL, sorted (for scripts)\n"
    "  --help       this text\n"
    "\n"
    "Example:\n"
    "  findling stats --db /var/lib/findling/site.db\n";

static uint64_t dir_bytes(const char *path)
{
    uint64_t total = 0;
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = fl_xasprintf("%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0)
            total += S_ISDIR(st.st_mode) ? dir_bytes(p) : (uint64_t)st.st_size;
        free(p);
    }
    closedir(d);
    return total;
}

typedef struct facet_val {
    char *facet, *key;
    uint32_t count;
} facet_val;

typedef struct facet_vals {
    facet_val *v;
    size_t n;
} facet_vals;

static int collect_facet(void *ud, const char *term, size_t len, uint32_t freq)
{
    facet_vals *fv = ud;
    const char *body = term + strlen(FL_PREFIX_FACET);
    size_t blen = len - strlen(FL_PREFIX_FACET);
    const char *colon = memchr(body, ':', blen);
    if (!colon)
        return 0;
    fv->v = fl_xrealloc(fv->v, (fv->n + 1) * sizeof *fv->v);
    facet_val *f = &fv->v[fv->n++];
    f->facet = fl_xstrndup(body, (size_t)(colon - body));
    f->key = fl_xstrndup(colon + 1, blen - (size_t)(colon - body) - 1);
    f->count = freq;
    return 0;
}

static int cmp_facet(const void *a, const void *b)
{
    const facet_val *x = a, *y = b;
    int c = strcmp(x->facet, y->facet);
    if (c)
        return c;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

static int collect_ids(void *ud, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    fl_strlist_push_n(ud, term, len);
    return 0;
}

static int first_docid(void *ud, fl_xdocid docid, uint32_t wdf)
{
    (void)wdf;
    *(fl_xdocid *)ud = docid;
    return 1;
}

static int dump_ids(fl_xdb *db)
{
    fl_strlist terms = {0};
    if (fl_xdb_allterms(db, FL_PREFIX_ID, collect_ids, &terms) != FL_XOK) {
        fprintf(stderr, "findling stats: %s\n", fl_xlast_error());
        return 3;
    }
    for (size_t i = 0; i < terms.n; i++) {
        fl_xdocid id = 0;
        fl_xdoc *doc = NULL;
        char *h = NULL, *data = NULL;
        size_t hl = 0, dl = 0;
        const char *t = terms.items[i];
        fl_page p;
        fl_page_init(&p);
        if (fl_xdb_postlist(db, t, strlen(t), first_docid, &id) == FL_XOK &&
            fl_xdb_get_document(db, id, &doc) == FL_XOK) {
            fl_xdoc_get_value(doc, FL_SLOT_HASH, &h, &hl);
            char *derr = NULL;
            if (fl_xdoc_get_data(doc, &data, &dl) == FL_XOK && data)
                fl_docdata_decode(data, dl, &p, &derr);
            free(derr);
        }
        printf("%s\t%s\t%s\n", t + strlen(FL_PREFIX_ID), h ? h : "", p.url ? p.url : "");
        fl_page_free(&p);
        free(data);
        free(h);
        fl_xdoc_free(doc);
    }
    fl_strlist_free(&terms);
    return 0;
}

int fl_cmd_stats(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'd'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"dump-ids", no_argument, NULL, 'i'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *db_arg = NULL;
    bool json = false, ids = false;
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
        switch (c) {
        case 'd': db_arg = optarg; break;
        case 'j': json = true; break;
        case 'i': ids = true; break;
        case 'h': fputs(help, stdout); return 0;
        default:
            fprintf(stderr, "findling stats: unknown or incomplete option '%s'\n", argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "findling stats: unexpected argument '%s'\n", argv[optind]);
        return 2;
    }
    char *dir = fl_cli_db_path(db_arg, NULL);
    char *live = fl_index_live_path(dir);
    if (!live)
        live = replica_live_path(dir);
    fl_xdb *db = NULL;
    if (!live || fl_xdb_open(dir, &db) != FL_XOK) {
        fprintf(stderr, "findling stats: %s: no index here (%s)\n", dir,
                live ? fl_xlast_error() : "no XAPIANDB stub; run findling index first");
        free(live);
        free(dir);
        return 3;
    }
    int rc = 0;
    if (ids) {
        rc = dump_ids(db);
        goto out;
    }
    uint32_t docs = 0;
    uint64_t rev = 0;
    fl_xdb_doccount(db, &docs);
    fl_xdb_revision(db, &rev);
    uint64_t bytes = dir_bytes(live);
    bool mirror = false; /* searches read positions from the mirror (fl_xapian.h) */
    fl_xdb_positions_mirrored(db, &mirror);
    char *last = NULL, *fmt = NULL;
    size_t ll = 0, fl = 0;
    fl_xdb_get_metadata(db, FL_META_LAST_RUN, strlen(FL_META_LAST_RUN), &last, &ll);
    fl_xdb_get_metadata(db, FL_META_FORMAT, strlen(FL_META_FORMAT), &fmt, &fl);
    facet_vals fv = {0};
    fl_xdb_allterms(db, FL_PREFIX_FACET, collect_facet, &fv);
    qsort(fv.v, fv.n, sizeof *fv.v, cmp_facet);
    /* Display spellings. */
    char **disp = fl_xcalloc(fv.n + 1, sizeof *disp);
    for (size_t i = 0; i < fv.n; i++) {
        char *k = fl_xasprintf("%s%s:%s", FL_META_FACET_PREFIX, fv.v[i].facet, fv.v[i].key);
        size_t dl = 0;
        fl_xdb_get_metadata(db, k, strlen(k), &disp[i], &dl);
        free(k);
    }
    const char *gen = strrchr(live, '/') ? strrchr(live, '/') + 1 : live;
    if (json) {
        fl_buf b = FL_BUF_INIT;
        fl_json j;
        fl_json_init(&j, &b);
        fl_json_object_begin(&j);
        fl_json_key(&j, "db");
        fl_json_string(&j, dir);
        fl_json_key(&j, "generation");
        fl_json_string(&j, gen);
        fl_json_key(&j, "format");
        fl_json_string_or_null(&j, fmt);
        fl_json_key(&j, "documents");
        fl_json_int(&j, docs);
        fl_json_key(&j, "revision");
        fl_json_int(&j, (int64_t)rev);
        fl_json_key(&j, "shards");
        fl_json_array_begin(&j);
        for (uint32_t k = 0; k < fl_xdb_shard_count(db); k++) {
            uint32_t n = 0;
            uint64_t r = 0;
            fl_xdb_shard_info(db, k, &n, &r);
            fl_json_object_begin(&j);
            fl_json_key(&j, "documents");
            fl_json_int(&j, n);
            fl_json_key(&j, "revision");
            fl_json_int(&j, (int64_t)r);
            fl_json_object_end(&j);
        }
        fl_json_array_end(&j);
        fl_json_key(&j, "size_bytes");
        fl_json_int(&j, (int64_t)bytes);
        fl_json_key(&j, "positions_mirror");
        fl_json_bool(&j, mirror);
        fl_json_key(&j, "last_run");
        if (last && *last)
            fl_json_raw(&j, last);
        else
            fl_json_null(&j);
        fl_json_key(&j, "facets");
        fl_json_object_begin(&j);
        for (size_t i = 0; i < fv.n; i++) {
            if (i == 0 || strcmp(fv.v[i].facet, fv.v[i - 1].facet) != 0) {
                if (i)
                    fl_json_array_end(&j);
                fl_json_key(&j, fv.v[i].facet);
                fl_json_array_begin(&j);
            }
            fl_json_object_begin(&j);
            fl_json_key(&j, "value");
            fl_json_string(&j, disp[i] ? disp[i] : fv.v[i].key);
            fl_json_key(&j, "count");
            fl_json_int(&j, fv.v[i].count);
            fl_json_object_end(&j);
        }
        if (fv.n)
            fl_json_array_end(&j);
        fl_json_object_end(&j);
        fl_json_object_end(&j);
        printf("%s\n", fl_buf_cstr(&b));
        fl_buf_free(&b);
    } else {
        printf("index:      %s (%s, format %s)\n", dir, gen, fmt ? fmt : "?");
        printf("documents:  %u\n", docs);
        printf("revision:   %llu\n", (unsigned long long)rev);
        if (fl_xdb_shard_count(db) > 1) {
            printf("shards:     %u (documents:", fl_xdb_shard_count(db));
            for (uint32_t k = 0; k < fl_xdb_shard_count(db); k++) {
                uint32_t n = 0;
                fl_xdb_shard_info(db, k, &n, NULL);
                printf(" %u", n);
            }
            printf(")\n");
        }
        printf("size:       %.1f MB\n", bytes / 1048576.0);
        printf("positions:  %s\n",
               mirror ? "mirrored (fast re-rank and excerpts)"
               : fl_xdb_has_remote(db) ? "Xapian's only (remote shards are not read through the mirror)"
                                       : "Xapian's only (a --full build adds the mirror)");
        printf("last run:   %s\n", last && *last ? last : "(none)");
        for (size_t i = 0; i < fv.n; i++) {
            if (i == 0 || strcmp(fv.v[i].facet, fv.v[i - 1].facet) != 0)
                printf("%s:\n", fv.v[i].facet);
            printf("  %6u  %s\n", fv.v[i].count, disp[i] ? disp[i] : fv.v[i].key);
        }
    }
    for (size_t i = 0; i < fv.n; i++) {
        free(fv.v[i].facet);
        free(fv.v[i].key);
        free(disp[i]);
    }
    free(disp);
    free(fv.v);
    free(last);
    free(fmt);
out:
    fl_xdb_free(db);
    free(live);
    free(dir);
    return rc;
}
