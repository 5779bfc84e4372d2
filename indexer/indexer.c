/* indexer.c — one `findling index` run (see fl_indexer.h). */
#include "fl_indexer.h"
#include "fl_wordlist.h"

#include "fl_analyzer.h"
#include "fl_docbuild.h"
#include "fl_docdata.h"
#include "fl_err.h"
#include "fl_hash.h"
#include "fl_json.h"
#include "fl_jsonread.h"
#include "fl_site.h"
#include "fl_terms.h"
#include "fl_xapian.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STUB "XAPIANDB"
#define STUB_TMP "XAPIANDB.tmp"
#define LOCKFILE "lock"
/* Documents analysed ahead of the writer at most (bounds memory). */
#define WINDOW 64
/* An incremental run touching more than this share of a large site is done
 * as a full build: a transaction holds all its changes in memory. */
#define FULL_SWITCH_MIN 1000
/* Full builds: spelling words written between commits (bounds memory). */
#define SPELLING_COMMIT_EVERY 50000
/* Most shards a full build writes in parallel. */
#define MAX_SHARDS 4

/* ------------------------------------------------------------ directory layout */

/* Removes path and everything under it (never following symlinks). */
static int rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        fl_strlist names = {0};
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                fl_strlist_push(&names, e->d_name);
        closedir(d);
        for (size_t i = 0; i < names.n; i++) {
            char *p = fl_xasprintf("%s/%s", path, names.items[i]);
            rm_rf(p);
            free(p);
        }
        fl_strlist_free(&names);
    }
    return rmdir(path);
}

/* Generation number of a name "gen-NNNNNN", or -1. */
static long gen_number(const char *name)
{
    if (strncmp(name, "gen-", 4) != 0 || strlen(name) != 10)
        return -1;
    for (const char *p = name + 4; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    return strtol(name + 4, NULL, 10);
}

/* Live generation number from DIR's stub: >= 0, -1 when there is no stub,
 * -2 when the stub is not ours (message in *err).  *nshards (may be NULL)
 * gets the number of shards it lists (1 for "auto gen-NNNNNN", N for N lines
 * "auto gen-NNNNNN/shard-K"). */
static long read_stub_n(const char *dir, unsigned *nshards, char **err)
{
    char *path = fl_xasprintf("%s/%s", dir, STUB);
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        free(path);
        if (e == ENOENT)
            return -1;
        fl_err_set(err, "%s/%s: %s", dir, STUB, strerror(e));
        return -2;
    }
    char line[64] = {0};
    long n = -2;
    unsigned k = 0;
    /* Line k names the generation (all the same one) and, sharded, shard k. */
    bool plain = false;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (!line[0])
            continue;
        long g = -2;
        if (!plain && strncmp(line, "auto gen-", 9) == 0 && strlen(line) >= 15) {
            char gname[11], want[32];
            memcpy(gname, line + 5, 10);
            gname[10] = '\0';
            const char *rest = line + 15;
            snprintf(want, sizeof want, "/shard-%u", k);
            if (!*rest && k == 0)
                plain = true;
            if (plain || strcmp(rest, want) == 0)
                g = gen_number(gname);
            if (k > 0 && g != n)
                g = -2;
        }
        if (g < 0) {
            n = -2;
            break;
        }
        n = g;
        k++;
    }
    fclose(f);
    free(path);
    if (n < 0 || k == 0) {
        fl_err_set(err, "%s/%s: not a findling index stub (expected \"auto gen-NNNNNN\" or "
                        "lines \"auto gen-NNNNNN/shard-K\")", dir, STUB);
        return -2;
    }
    if (nshards)
        *nshards = k;
    return n;
}

static long read_stub(const char *dir, char **err) { return read_stub_n(dir, NULL, err); }

char *fl_index_live_path(const char *db_dir)
{
    char *err = NULL;
    long n = read_stub(db_dir, &err);
    free(err);
    if (n < 0)
        return NULL;
    return fl_xasprintf("%s/gen-%06ld", db_dir, n);
}

/* Writes the stub naming generation n atomically: tmp file, fsync, rename,
 * fsync of the directory. */
static int write_stub(const char *dir, long n, unsigned nshards, char **err)
{
    char *tmp = fl_xasprintf("%s/%s", dir, STUB_TMP);
    char *dst = fl_xasprintf("%s/%s", dir, STUB);
    fl_buf cb = FL_BUF_INIT;
    if (nshards <= 1)
        fl_buf_printf(&cb, "auto gen-%06ld\n", n);
    else
        for (unsigned k = 0; k < nshards; k++)
            fl_buf_printf(&cb, "auto gen-%06ld/shard-%u\n", n, k);
    const char *content = fl_buf_cstr(&cb);
    ssize_t len = (ssize_t)cb.len;
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        fl_err_set(err, "%s: %s", tmp, strerror(errno));
        goto out;
    }
    if (write(fd, content, (size_t)len) != len || fsync(fd) != 0) {
        fl_err_set(err, "%s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    close(fd);
    if (rename(tmp, dst) != 0) {
        fl_err_set(err, "%s: %s", dst, strerror(errno));
        goto out;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    rc = 0;
out:
    if (rc != 0)
        unlink(tmp);
    fl_buf_free(&cb);
    free(tmp);
    free(dst);
    return rc;
}

/* Removes what a killed run left behind: the stub's tmp file, tmp-* build
 * directories, a half-written word list cache and every gen-* that is not
 * the live one.  Returns the highest
 * generation number seen (for choosing the next one). */
static long cleanup_dir(const char *dir, long live)
{
    long maxgen = live;
    DIR *d = opendir(dir);
    if (!d)
        return maxgen;
    struct dirent *e;
    fl_strlist doomed = {0};
    while ((e = readdir(d))) {
        long g = gen_number(e->d_name);
        if (g > maxgen)
            maxgen = g;
        if ((g >= 0 && g != live) || strncmp(e->d_name, "tmp-", 4) == 0 ||
            strcmp(e->d_name, STUB_TMP) == 0 ||
            strncmp(e->d_name, FL_WORDLIST_CACHE ".tmp.", strlen(FL_WORDLIST_CACHE ".tmp.")) == 0)
            fl_strlist_push(&doomed, e->d_name);
    }
    closedir(d);
    for (size_t i = 0; i < doomed.n; i++) {
        char *p = fl_xasprintf("%s/%s", dir, doomed.items[i]);
        rm_rf(p);
        free(p);
    }
    fl_strlist_free(&doomed);
    return maxgen;
}

/* Creates DIR when missing; refuses a non-empty folder that is not ours. */
static int prepare_dir(const char *dir, char **err)
{
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT)
            return fl_err_set(err, "%s: %s", dir, strerror(errno));
        if (mkdir(dir, 0755) != 0)
            return fl_err_set(err, "cannot create index folder %s: %s", dir, strerror(errno));
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return fl_err_set(err, "%s: not a folder", dir);
    DIR *d = opendir(dir);
    if (!d)
        return fl_err_set(err, "%s: %s", dir, strerror(errno));
    struct dirent *e;
    bool ours = false, empty = true;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        empty = false;
        if (strcmp(e->d_name, STUB) == 0 || strcmp(e->d_name, LOCKFILE) == 0 ||
            gen_number(e->d_name) >= 0)
            ours = true;
    }
    closedir(d);
    if (!empty && !ours)
        return fl_err_set(err, "%s: folder exists and is not a findling index; "
                               "refusing to write into it", dir);
    return 0;
}

/* ------------------------------------------------------------ the previous state */

typedef struct old_doc {
    char *id;
    fl_xdocid docid;  /* in its shard */
    unsigned shard;   /* sharded index: the shard it lives in */
    char *hash;
    char *mtime;
    bool seen;      /* listed by the site walk this run */
} old_doc;

typedef struct old_state {
    old_doc *docs;
    size_t n, cap;
} old_state;

static int collect_id(void *ud, const char *term, size_t len, uint32_t freq)
{
    (void)freq;
    old_state *s = ud;
    size_t pl = strlen(FL_PREFIX_ID);
    if (len <= pl)
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->docs = fl_xrealloc(s->docs, s->cap * sizeof *s->docs);
    }
    old_doc *d = &s->docs[s->n++];
    memset(d, 0, sizeof *d);
    d->id = fl_xstrndup(term + pl, len - pl);
    return 0;
}

static int first_docid(void *ud, fl_xdocid docid, uint32_t wdf)
{
    (void)wdf;
    *(fl_xdocid *)ud = docid;
    return 1;
}

static int cmp_old(const void *a, const void *b)
{
    return strcmp(((const old_doc *)a)->id, ((const old_doc *)b)->id);
}

static void old_state_free(old_state *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->docs[i].id);
        free(s->docs[i].hash);
        free(s->docs[i].mtime);
    }
    free(s->docs);
    memset(s, 0, sizeof *s);
}

static char *doc_value(const fl_xdoc *doc, unsigned slot)
{
    char *v = NULL;
    size_t len = 0;
    if (fl_xdoc_get_value(doc, slot, &v, &len) != FL_XOK)
        return NULL;
    return v;
}

/* Adds id → docid, hash, mtime of every document of db (shard `shard`). */
static int load_old(fl_xdb *db, unsigned shard, old_state *s, char **err)
{
    size_t first = s->n;
    if (fl_xdb_allterms(db, FL_PREFIX_ID, collect_id, s) != FL_XOK)
        return fl_err_set(err, "reading the index: %s", fl_xlast_error());
    fl_buf term = FL_BUF_INIT;
    for (size_t i = first; i < s->n; i++) {
        old_doc *d = &s->docs[i];
        d->shard = shard;
        fl_buf_reset(&term);
        fl_buf_puts(&term, FL_PREFIX_ID);
        fl_buf_puts(&term, d->id);
        fl_xdoc *doc = NULL;
        if (fl_xdb_postlist(db, term.data, term.len, first_docid, &d->docid) != FL_XOK ||
            fl_xdb_get_document(db, d->docid, &doc) != FL_XOK) {
            fl_buf_free(&term);
            return fl_err_set(err, "reading the index: %s", fl_xlast_error());
        }
        d->hash = doc_value(doc, FL_SLOT_HASH);
        d->mtime = doc_value(doc, FL_SLOT_MTIME);
        fl_xdoc_free(doc);
    }
    fl_buf_free(&term);
    qsort(s->docs, s->n, sizeof *s->docs, cmp_old);
    return 0;
}

static old_doc *find_old(old_state *s, const char *id)
{
    old_doc key = {.id = (char *)id};
    return s->n ? bsearch(&key, s->docs, s->n, sizeof *s->docs, cmp_old) : NULL;
}

/* ------------------------------------------------------------ facet spelling counts */

typedef struct facet_delta {
    char *fkey;     /* facet ":" key */
    char *spelling;
    int delta;
} facet_delta;

typedef struct facet_deltas {
    facet_delta *d;
    size_t n, cap;
} facet_deltas;

static void fd_add(facet_deltas *fd, const char *facet, const char *key, const char *spelling,
                   int delta)
{
    if (fd->n == fd->cap) {
        fd->cap = fd->cap ? fd->cap * 2 : 64;
        fd->d = fl_xrealloc(fd->d, fd->cap * sizeof *fd->d);
    }
    facet_delta *e = &fd->d[fd->n++];
    e->fkey = fl_xasprintf("%s:%s", facet, key);
    e->spelling = fl_xstrdup(spelling);
    e->delta = delta;
}

static int cmp_fd(const void *a, const void *b)
{
    const facet_delta *x = a, *y = b;
    int c = strcmp(x->fkey, y->fkey);
    return c ? c : strcmp(x->spelling, y->spelling);
}

static void fd_free(facet_deltas *fd)
{
    for (size_t i = 0; i < fd->n; i++) {
        free(fd->d[i].fkey);
        free(fd->d[i].spelling);
    }
    free(fd->d);
    memset(fd, 0, sizeof *fd);
}

typedef struct spelling_count {
    char *spelling;
    long count;
} spelling_count;

/* Which spelling to show: the most frequent; on a tie the one with more
 * bytes (accents written out), then the smaller in byte order. */
static bool better_spelling(const spelling_count *a, const spelling_count *b)
{
    if (a->count != b->count)
        return a->count > b->count;
    size_t la = strlen(a->spelling), lb = strlen(b->spelling);
    if (la != lb)
        return la > lb;
    return strcmp(a->spelling, b->spelling) < 0;
}

/* Applies the deltas of one facet key (entries [from, to) of the sorted
 * array) to its counts in metadata and rewrites the display spelling. */
static int apply_facet_key(fl_xdb *db, facet_delta *d, size_t from, size_t to, char **err)
{
    const char *fkey = d[from].fkey;
    char *ckey = fl_xasprintf("%s%s", FL_META_FACET_COUNT_PREFIX, fkey);
    char *dkey = fl_xasprintf("%s%s", FL_META_FACET_PREFIX, fkey);
    char *val = NULL;
    size_t vlen = 0;
    int rc = 0;
    spelling_count *sc = NULL;
    size_t nsc = 0;
    if (fl_xdb_get_metadata(db, ckey, strlen(ckey), &val, &vlen) != FL_XOK) {
        rc = fl_err_set(err, "reading facet counts: %s", fl_xlast_error());
        goto out;
    }
    for (size_t p = 0; val && p < vlen;) {
        const char *line = val + p;
        const char *nl = memchr(line, '\n', vlen - p);
        size_t ll = nl ? (size_t)(nl - line) : vlen - p;
        p += ll + 1;
        const char *tab = memchr(line, '\t', ll);
        if (!tab)
            continue;
        sc = fl_xrealloc(sc, (nsc + 1) * sizeof *sc);
        sc[nsc].count = strtol(line, NULL, 10);
        sc[nsc].spelling = fl_xstrndup(tab + 1, ll - (size_t)(tab + 1 - line));
        nsc++;
    }
    for (size_t i = from; i < to; i++) {
        size_t j;
        for (j = 0; j < nsc; j++)
            if (strcmp(sc[j].spelling, d[i].spelling) == 0)
                break;
        if (j == nsc) {
            sc = fl_xrealloc(sc, (nsc + 1) * sizeof *sc);
            sc[nsc].spelling = fl_xstrdup(d[i].spelling);
            sc[nsc].count = 0;
            nsc++;
        }
        sc[j].count += d[i].delta;
    }
    fl_buf out = FL_BUF_INIT;
    const spelling_count *best = NULL;
    for (size_t j = 0; j < nsc; j++) {
        if (sc[j].count <= 0)
            continue;
        fl_buf_printf(&out, "%ld\t%s\n", sc[j].count, sc[j].spelling);
        if (!best || better_spelling(&sc[j], best))
            best = &sc[j];
    }
    /* An empty value deletes the key: a facet value no document has any more. */
    if (fl_xdb_set_metadata(db, ckey, strlen(ckey), out.data ? out.data : "", out.len) != FL_XOK ||
        fl_xdb_set_metadata(db, dkey, strlen(dkey), best ? best->spelling : "",
                            best ? strlen(best->spelling) : 0) != FL_XOK)
        rc = fl_err_set(err, "writing facet counts: %s", fl_xlast_error());
    fl_buf_free(&out);
out:
    for (size_t j = 0; j < nsc; j++)
        free(sc[j].spelling);
    free(sc);
    free(val);
    free(ckey);
    free(dkey);
    return rc;
}

static int apply_facet_deltas(fl_xdb *db, facet_deltas *fd, char **err)
{
    if (fd->n > 1) /* qsort(NULL, 0, ...) is undefined behaviour */
        qsort(fd->d, fd->n, sizeof *fd->d, cmp_fd);
    for (size_t i = 0; i < fd->n;) {
        size_t j = i + 1;
        while (j < fd->n && strcmp(fd->d[j].fkey, fd->d[i].fkey) == 0)
            j++;
        if (apply_facet_key(db, fd->d, i, j, err) != 0)
            return -1;
        i = j;
    }
    return 0;
}

/* ------------------------------------------------------------ spelling counts */

/* The spelling table's changes of a run, word → change of its document
 * frequency, applied once at the end.  Xapian keeps a set of trigram
 * fragments per spelling word and updates them on every add_spelling()
 * call: calling it per word per document was the single biggest cost of a
 * full build (about 40 % of the CPU time on the laws).  Counting here and
 * adding each word once with its total frequency does the same in one pass,
 * and a replaced document whose words did not change costs nothing. */
typedef struct spell_count {
    char *word;   /* NULL = empty slot */
    uint64_t hash;
    long delta;
} spell_count;

typedef struct spell_counts {
    spell_count *slots;
    size_t cap, n;
} spell_counts;

static void sc_grow(spell_counts *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 4096;
    spell_count *ns = fl_xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].word)
            continue;
        size_t j = m->slots[i].hash & (ncap - 1);
        while (ns[j].word)
            j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

static void sc_add(spell_counts *m, const char *w, size_t len, long delta)
{
    if ((m->n + 1) * 2 > m->cap)
        sc_grow(m);
    uint64_t h = fl_fnv1a(w, len, FL_FNV1A_INIT);
    size_t j = h & (m->cap - 1);
    while (m->slots[j].word) {
        spell_count *e = &m->slots[j];
        if (e->hash == h && strncmp(e->word, w, len) == 0 && e->word[len] == '\0') {
            e->delta += delta;
            return;
        }
        j = (j + 1) & (m->cap - 1);
    }
    m->slots[j].word = fl_xstrndup(w, len);
    m->slots[j].hash = h;
    m->slots[j].delta = delta;
    m->n++;
}

static void sc_free(spell_counts *m)
{
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].word);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static int cmp_sc_word(const void *a, const void *b)
{
    return strcmp((*(spell_count *const *)a)->word, (*(spell_count *const *)b)->word);
}

/* Writes the counted changes into db's spelling table (in word order, which
 * suits the B-tree), then empties m.  commit_every > 0 (a full build, not in
 * a transaction): commit after that many words, because Xapian keeps the
 * fragment sets of every word added since the last commit in memory (a
 * whole corpus's words at once cost hundreds of MB). */
static int apply_spelling(fl_xdb *db, spell_counts *m, size_t commit_every, char **err)
{
    spell_count **v = fl_xcalloc(m->n ? m->n : 1, sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].word && m->slots[i].delta != 0)
            v[n++] = &m->slots[i];
    if (n)
        qsort(v, n, sizeof *v, cmp_sc_word);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        long d = v[i]->delta;
        fl_xstatus st;
        if (d > 0)
            st = fl_xdb_add_spelling(db, v[i]->word, d > UINT32_MAX ? UINT32_MAX : (uint32_t)d);
        else
            st = fl_xdb_remove_spelling(db, v[i]->word,
                                        -d > UINT32_MAX ? UINT32_MAX : (uint32_t)-d);
        if (st != FL_XOK && st != FL_XERR_NOT_FOUND)
            rc = fl_err_set(err, "updating the spelling table: %s", fl_xlast_error());
        else if (commit_every && (i + 1) % commit_every == 0 && fl_xdb_commit(db) != FL_XOK)
            rc = fl_err_set(err, "committing spelling words: %s", fl_xlast_error());
    }
    free(v);
    sc_free(m);
    return rc;
}

/* ------------------------------------------------------------ jobs and workers */

typedef enum job_result {
    R_PENDING,
    R_BUILT,    /* d holds the new document */
    R_SAME,     /* content hash unchanged (incremental): only the mtime value moves */
    R_SKIP,     /* deliberately not indexed (message = reason) */
    R_FAIL      /* could not be read (message) */
} job_result;

typedef struct job {
    const fl_site_file *file;
    old_doc *old;
    unsigned lane;       /* sharded full build: which shard writes it */
    fl_xdocid docid;     /* run.job_docids: the docid it is stored as */
    bool stored;         /* shared (run.mu): its lane has written it */
    job_result result;   /* shared: written under run.mu */
    job_result outcome;  /* the worker's own copy until it publishes */
    fl_built_doc d;
    char *hash;          /* content hash of what was read */
    char *message;
    fl_warning *warnings;
    size_t nwarnings;
} job;

typedef struct run {
    const fl_index_options *opt;
    const fl_config *cfg;
    fl_site *site;
    const fl_analyzer *an;
    fl_docbuild_config dbc;
    bool full;
    time_t now;
    job *jobs;
    size_t njobs;
    /* worker coordination */
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    size_t next;          /* next job to hand out */
    size_t consumed;      /* jobs the writer has finished with */
    bool stop;
    /* sharded: nlanes writers, one database each -- the parts of a parallel
     * full build (merged at the end), or the persistent shards (nshards) */
    unsigned nlanes;
    unsigned nshards;     /* persistent shards of the index being written (>= 1) */
    bool threaded;        /* the lanes store their jobs in their own threads */
    /* parallel full build merged at the end: each lane stores its jobs
     * under docids of a range of its own (job.docid), so that the merge
     * keeps the docids the positions mirror's keys name (fl_xapian.h) */
    bool job_docids;
    struct lane *lanes;
    unsigned lanes_stored;  /* lanes done with their documents (run.mu) */
} run;

/* Reads a whole file (for the hash shortcut); NULL on any problem. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = fl_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = fl_xrealloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            free(buf);
            close(fd);
            return NULL;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    *len = n;
    return buf;
}

static void do_job(run *r, job *j)
{
    const fl_site_file *f = j->file;
    if (j->old && j->old->hash && !r->full) {
        size_t len = 0;
        char *data = read_file(f->abspath, &len);
        if (data) {
            char *h = fl_site_hash(data, len);
            free(data);
            if (strcmp(h, j->old->hash) == 0) {
                j->hash = h;
                j->outcome = R_SAME;
                return;
            }
            free(h);
        }
    }
    fl_page p;
    fl_site_skip skip = FL_SKIP_NONE;
    char *err = NULL;
    if (fl_site_read(r->site, f, r->now, &p, &skip, &err) != 0) {
        j->outcome = R_FAIL;
        j->message = err ? err : fl_xasprintf("%s: cannot be read", f->relpath);
        fl_page_free(&p);
        return;
    }
    /* Warnings are reported even when the page is then skipped. */
    j->warnings = p.warnings;
    j->nwarnings = p.nwarnings;
    p.warnings = NULL;
    p.nwarnings = 0;
    if (skip != FL_SKIP_NONE) {
        j->outcome = R_SKIP;
        j->message = fl_xstrdup(fl_site_skip_reason(skip));
        fl_page_free(&p);
        return;
    }
    j->hash = p.content_hash ? fl_xstrdup(p.content_hash) : NULL;
    if (fl_docbuild(r->an, &r->dbc, &p, f->mtime_ns, (int64_t)f->size, &j->d, &err) != 0) {
        j->outcome = R_FAIL;
        j->message = err;
    } else {
        j->outcome = R_BUILT;
    }
    fl_page_free(&p);
}

static void *worker(void *arg)
{
    run *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        while (!r->stop && r->next < r->njobs && r->next >= r->consumed + WINDOW)
            pthread_cond_wait(&r->cv_work, &r->mu);
        if (r->stop || r->next >= r->njobs)
            break;
        job *j = &r->jobs[r->next++];
        pthread_mutex_unlock(&r->mu);
        do_job(r, j);
        pthread_mutex_lock(&r->mu);
        /* The result is published under the lock. */
        j->result = j->outcome == R_PENDING ? R_FAIL : j->outcome;
        pthread_cond_broadcast(&r->cv_done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void job_clear(job *j)
{
    fl_built_doc_free(&j->d);
    free(j->hash);
    free(j->message);
    for (size_t i = 0; i < j->nwarnings; i++)
        free(j->warnings[i].message);
    free(j->warnings);
    j->hash = j->message = NULL;
    j->warnings = NULL;
    j->nwarnings = 0;
}

/* ------------------------------------------------------------ writing */

typedef struct writer {
    run *r;
    fl_xdb *db;
    facet_deltas fd;
    spell_counts spell;
    fl_index_summary *sum;
    uint32_t other_docs;  /* documents in the other shards (sharded build) */
} writer;

/* One shard of a sharded full build: a writer thread adding its share of
 * the documents to its own database (Xapian's way to use more cores for
 * one index: build shards in parallel, merge them by compaction). */
typedef struct lane {
    run *r;
    unsigned idx;
    writer w;
    pthread_t tid;
    bool started;
    bool committed;   /* incremental sharded run: its transaction is committed */
    int rc;
    char *err;
} lane;

/* n lanes for r, each knowing its run, index and summary (databases are
 * the caller's to open). */
static void lanes_new(run *r, unsigned n, fl_index_summary *sum)
{
    r->lanes = fl_xcalloc(n, sizeof *r->lanes);
    r->nlanes = n;
    for (unsigned l = 0; l < n; l++) {
        lane *ln = &r->lanes[l];
        ln->r = r;
        ln->idx = l;
        ln->w.r = r;
        ln->w.sum = sum;
    }
}

static void report(const fl_index_options *o, fl_index_level lvl, const char *path, int line,
                   const char *msg)
{
    if (o->report)
        o->report(o->ud, lvl, path, line, msg);
}

static char *section_key(const char *id, size_t n)
{
    return fl_xasprintf("%s%s\x1f%zu", FL_META_SECTION_PREFIX, id, n);
}

static int unspell(void *ud, const char *term, size_t len, uint32_t wdf)
{
    (void)wdf;
    spell_counts *m = ud;
    size_t pl = strlen(FL_PREFIX_EXACT);
    if (len <= pl || memcmp(term, FL_PREFIX_EXACT, pl) != 0)
        return 0;
    if (fl_spelling_word(term + pl, len - pl))
        sc_add(m, term + pl, len - pl, -1);
    return 0;
}

/* Undoes the bookkeeping of an indexed document before it is replaced or
 * deleted: its spelling words, facet spelling counts and the section entries
 * from keep_sections on. */
static int forget_doc(writer *w, const old_doc *od, size_t keep_sections, char **err)
{
    fl_xdoc *doc = NULL;
    if (fl_xdb_get_document(w->db, od->docid, &doc) != FL_XOK)
        return fl_err_set(err, "%s: reading the indexed document: %s", od->id, fl_xlast_error());
    int rc = 0;
    char *data = NULL;
    size_t dlen = 0;
    fl_page old;
    fl_page_init(&old);
    if (fl_xdoc_get_data(doc, &data, &dlen) == FL_XOK && data) {
        char *derr = NULL;
        fl_docdata_decode(data, dlen, &old, &derr); /* a bad one: nothing to forget */
        free(derr);
    }
    for (size_t i = keep_sections; rc == 0 && i < old.nsections; i++) {
        char *k = section_key(od->id, i);
        if (fl_xdb_set_metadata(w->db, k, strlen(k), "", 0) != FL_XOK)
            rc = fl_err_set(err, "deleting section entry: %s", fl_xlast_error());
        free(k);
    }
    const fl_config *cfg = w->r->cfg;
    for (size_t f = 0; rc == 0 && f < cfg->nfacets; f++) {
        char *keys = doc_value(doc, FL_SLOT_FACET0 + (unsigned)f);
        char *disp = doc_value(doc, FL_SLOT_FACET_DISPLAY0 + (unsigned)f);
        char *kp = keys, *dp = disp;
        while (kp && dp && *kp) {
            char *ke = strchr(kp, FL_FACET_SEP), *de = strchr(dp, FL_FACET_SEP);
            if (ke)
                *ke = '\0';
            if (de)
                *de = '\0';
            fd_add(&w->fd, cfg->facets[f].name, kp, dp, -1);
            if (!ke || !de)
                break;
            kp = ke + 1;
            dp = de + 1;
        }
        free(keys);
        free(disp);
    }
    if (rc == 0) {
        if (fl_xdb_termlist(w->db, od->docid, unspell, &w->spell) != FL_XOK)
            rc = fl_err_set(err, "reading the indexed document's terms: %s", fl_xlast_error());
    }
    fl_page_free(&old);
    free(data);
    fl_xdoc_free(doc);
    return rc;
}

/* Spelling words, facet counts and section entries of a new document. */
static int remember_doc(writer *w, const fl_built_doc *d, char **err)
{
    for (size_t i = 0; i < d->spelling.n; i++)
        sc_add(&w->spell, d->spelling.items[i], strlen(d->spelling.items[i]), +1);
    for (size_t i = 0; i < d->nfacets; i++)
        fd_add(&w->fd, d->facets[i].name, d->facets[i].key, d->facets[i].display, +1);
    for (size_t i = 0; i < d->nsections; i++) {
        char *k = section_key(d->id, i);
        const fl_buf *e = &d->section_entries[i];
        fl_xstatus st = fl_xdb_set_metadata(w->db, k, strlen(k), e->data ? e->data : "", e->len);
        free(k);
        if (st != FL_XOK)
            return fl_err_set(err, "storing section entry: %s", fl_xlast_error());
    }
    return 0;
}

static int delete_old(writer *w, old_doc *od, char **err)
{
    if (forget_doc(w, od, 0, err) != 0)
        return -1;
    if (fl_xdb_delete_document(w->db, od->docid) != FL_XOK)
        return fl_err_set(err, "%s: deleting: %s", od->id, fl_xlast_error());
    return 0;
}

/* The index side of one finished job (no reports, no counting: see
 * account_job).  In a sharded full build it runs in the job's lane thread. */
static int store_job(writer *w, job *j, char **err)
{
    run *r = w->r;
    const char *id = j->file->relpath;
    old_doc *od = j->old;
    switch (j->result) {
    case R_SAME: {
        /* Same content, new mtime: store the new mtime so the next run skips
         * reading the file.  Only a value changes; Xapian leaves the
         * postings alone. */
        fl_xdoc *doc = NULL;
        fl_buf v = FL_BUF_INIT;
        fl_mtime_value(j->file->mtime_ns, (int64_t)j->file->size, &v);
        int rc = 0;
        if (fl_xdb_get_document(w->db, od->docid, &doc) != FL_XOK ||
            fl_xdoc_set_value(doc, FL_SLOT_MTIME, v.data, v.len) != FL_XOK ||
            fl_xdb_replace_document(w->db, od->docid, doc) != FL_XOK)
            rc = fl_err_set(err, "%s: updating: %s", id, fl_xlast_error());
        fl_xdoc_free(doc);
        fl_buf_free(&v);
        return rc;
    }
    case R_BUILT: {
        fl_xdocid docid;
        if (od && !r->full) {
            if (forget_doc(w, od, j->d.nsections, err) != 0)
                return -1;
            if (fl_xdb_replace_document(w->db, od->docid, j->d.doc) != FL_XOK)
                return fl_err_set(err, "%s: replacing: %s", id, fl_xlast_error());
        } else if (r->job_docids) {
            if (fl_xdb_replace_document(w->db, j->docid, j->d.doc) != FL_XOK)
                return fl_err_set(err, "%s: adding: %s", id, fl_xlast_error());
        } else if (fl_xdb_add_document(w->db, j->d.doc, &docid) != FL_XOK) {
            return fl_err_set(err, "%s: adding: %s", id, fl_xlast_error());
        }
        return remember_doc(w, &j->d, err);
    }
    case R_SKIP:
        /* In a full build it simply is not added; incremental: it goes. */
        if (od && !r->full)
            return delete_old(w, od, err);
        return 0;
    default:
        /* Incremental: a file that cannot be read now keeps its last good
         * document (bad input never costs good data).  Full: it is gone. */
        return 0;
    }
}

/* Reports and counts of one stored job; always in the calling thread. */
static void account_job(run *r, fl_index_summary *sum, job *j)
{
    const fl_index_options *o = r->opt;
    const char *id = j->file->relpath;
    for (size_t i = 0; i < j->nwarnings; i++)
        report(o, FL_INDEX_WARNING, id, j->warnings[i].line, j->warnings[i].message);
    old_doc *od = j->old;
    switch (j->result) {
    case R_SAME:
        sum->unchanged++;
        break;
    case R_BUILT:
        if (!od)
            sum->added++;
        else if (od->hash && j->hash && strcmp(od->hash, j->hash) == 0)
            sum->unchanged++; /* rebuilt (full run), same content */
        else
            sum->updated++;
        if (od)
            od->seen = true;
        break;
    case R_SKIP:
        report(o, FL_INDEX_INFO, id, 0, j->message);
        if (od) {
            od->seen = true;
            sum->deleted++;
        } else {
            sum->skipped++;
        }
        break;
    default:
        /* The message names the file already ("path: reason"). */
        report(o, FL_INDEX_ERROR, NULL, 0, j->message ? j->message : id);
        sum->failed++;
        if (od && r->full) {
            od->seen = true;
            sum->deleted++;
        }
        break;
    }
}

/* ------------------------------------------------------------ config in the index */

static char *get_meta(fl_xdb *db, const char *key);

void fl_index_config_json(const fl_config *cfg, fl_buf *out)
{
    fl_json j;
    fl_json_init(&j, out);
    fl_json_object_begin(&j);
    fl_json_key(&j, "facets");
    fl_json_array_begin(&j);
    for (size_t i = 0; i < cfg->nfacets; i++) {
        fl_json_object_begin(&j);
        fl_json_key(&j, "name");
        fl_json_string(&j, cfg->facets[i].name);
        fl_json_key(&j, "field");
        fl_json_string(&j, cfg->facets[i].field);
        fl_json_key(&j, "label");
        fl_json_string(&j, cfg->facets[i].label);
        fl_json_key(&j, "prefix");
        fl_json_string_or_null(&j, cfg->facets[i].prefix);
        fl_json_object_end(&j);
    }
    fl_json_array_end(&j);
    fl_json_key(&j, "synonyms");
    fl_json_array_begin(&j);
    for (size_t i = 0; i < cfg->nsynonyms; i++) {
        fl_json_array_begin(&j);
        for (size_t k = 0; k < cfg->synonyms[i].n; k++)
            fl_json_string(&j, cfg->synonyms[i].items[k]);
        fl_json_array_end(&j);
    }
    fl_json_array_end(&j);
    fl_json_key(&j, "recency_boost");
    fl_json_double(&j, cfg->recency_boost, 6);
    fl_json_key(&j, "recency_half_life");
    fl_json_double(&j, cfg->recency_half_life, 6);
    /* The analysis chain's extra compound words: the query side must split
     * compounds exactly as the documents were split. */
    fl_json_key(&j, "words");
    fl_json_array_begin(&j);
    for (size_t i = 0; i < cfg->words.n; i++)
        fl_json_string(&j, cfg->words.items[i]);
    fl_json_array_end(&j);
    fl_json_object_end(&j);
}

int fl_index_stored_words(const char *db_dir, fl_strlist *out, char **err)
{
    fl_xdb *db = NULL;
    if (fl_xdb_open(db_dir, &db) != FL_XOK)
        return fl_err_set(err, "cannot open the index '%s': %s", db_dir, fl_xlast_error());
    char *val = get_meta(db, FL_META_CONFIG);
    fl_xdb_free(db);
    if (!val)
        return 0;
    fl_jv *cfg = fl_jv_parse(val, strlen(val), NULL);
    free(val);
    const fl_jv *words = fl_jv_get(cfg, "words");
    if (words && words->type == FL_J_ARR)
        for (size_t i = 0; i < words->n; i++) {
            const char *w = fl_jv_str(words->items[i]);
            if (w && *w)
                fl_strlist_push(out, w);
        }
    fl_jv_free(cfg);
    return 0;
}

/* Everything besides the files that shapes the documents: a change means a
 * full rebuild. */
static char *input_hash(const char *site_dir, const fl_config *cfg, bool drafts)
{
    fl_buf b = FL_BUF_INIT;
    fl_buf_printf(&b, "format %s\nversion %s\ndrafts %d\n", FL_INDEX_FORMAT, FL_VERSION,
                  (int)drafts);
    char *p = fl_xasprintf("%s/_config.yml", site_dir);
    size_t len = 0;
    char *data = read_file(p, &len);
    free(p);
    if (data) {
        fl_buf_append(&b, data, len);
        free(data);
    }
    fl_buf_printf(&b, "\nmax %llu\n", (unsigned long long)cfg->max_file_size);
    for (size_t i = 0; i < cfg->nfacets; i++)
        fl_buf_printf(&b, "facet %s %s\n", cfg->facets[i].name, cfg->facets[i].field);
    for (size_t i = 0; i < cfg->exclude.n; i++)
        fl_buf_printf(&b, "exclude %s\n", cfg->exclude.items[i]);
    for (size_t i = 0; i < cfg->words.n; i++)
        fl_buf_printf(&b, "word %s\n", cfg->words.items[i]);
    char *h = fl_site_hash(b.data, b.len);
    fl_buf_free(&b);
    return h;
}

typedef struct stem_ctx {
    fl_buf *out;
} stem_ctx;

static int stem_tok(void *ud, const fl_token *t)
{
    stem_ctx *c = ud;
    if (!t->stem || !*t->stem)
        return 0;
    if (c->out->len)
        fl_buf_putc(c->out, ' ');
    fl_buf_puts(c->out, t->stem);
    return 0;
}

static int collect_key(void *ud, const char *s, size_t len)
{
    fl_strlist_push_n(ud, s, len);
    return 0;
}

/* Rewrites Xapian's synonym table from the config's groups (analysed). */
static int write_synonyms(fl_xdb *db, const fl_analyzer *an, const fl_config *cfg, char **err)
{
    fl_strlist keys = {0};
    if (fl_xdb_synonym_keys(db, collect_key, &keys) != FL_XOK)
        return fl_err_set(err, "reading synonyms: %s", fl_xlast_error());
    for (size_t i = 0; i < keys.n; i++)
        fl_xdb_clear_synonyms(db, keys.items[i]);
    fl_strlist_free(&keys);
    int rc = 0;
    for (size_t g = 0; rc == 0 && g < cfg->nsynonyms; g++) {
        const fl_strlist *grp = &cfg->synonyms[g];
        fl_strlist stems = {0};
        for (size_t i = 0; i < grp->n; i++) {
            fl_buf b = FL_BUF_INIT;
            stem_ctx c = {&b};
            char *aerr = NULL;
            fl_analyze(an, grp->items[i], strlen(grp->items[i]), stem_tok, &c, &aerr);
            free(aerr);
            fl_strlist_push(&stems, fl_buf_cstr(&b));
            fl_buf_free(&b);
        }
        for (size_t a = 0; rc == 0 && a < stems.n; a++)
            for (size_t b = 0; rc == 0 && b < stems.n; b++) {
                if (!*stems.items[a] || !*stems.items[b] ||
                    strcmp(stems.items[a], stems.items[b]) == 0)
                    continue;
                if (fl_xdb_add_synonym(db, stems.items[a], stems.items[b]) != FL_XOK)
                    rc = fl_err_set(err, "storing synonyms: %s", fl_xlast_error());
            }
        fl_strlist_free(&stems);
    }
    return rc;
}

static int set_meta(fl_xdb *db, const char *key, const char *val, char **err)
{
    if (fl_xdb_set_metadata(db, key, strlen(key), val, strlen(val)) != FL_XOK)
        return fl_err_set(err, "writing %s: %s", key, fl_xlast_error());
    return 0;
}

static char *get_meta(fl_xdb *db, const char *key)
{
    char *v = NULL;
    size_t len = 0;
    if (fl_xdb_get_metadata(db, key, strlen(key), &v, &len) != FL_XOK)
        return NULL;
    return v;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void last_run_json(const fl_index_summary *s, const char *site_dir, time_t now,
                          fl_buf *out)
{
    char when[32];
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fl_json j;
    fl_json_init(&j, out);
    fl_json_object_begin(&j);
    fl_json_key(&j, "finished");
    fl_json_string(&j, when);
    fl_json_key(&j, "mode");
    fl_json_string(&j, s->full ? "full" : "incremental");
    fl_json_key(&j, "site");
    fl_json_string(&j, site_dir);
    fl_json_key(&j, "added");
    fl_json_int(&j, s->added);
    fl_json_key(&j, "updated");
    fl_json_int(&j, s->updated);
    fl_json_key(&j, "deleted");
    fl_json_int(&j, s->deleted);
    fl_json_key(&j, "unchanged");
    fl_json_int(&j, s->unchanged);
    fl_json_key(&j, "failed");
    fl_json_int(&j, s->failed);
    fl_json_key(&j, "skipped");
    fl_json_int(&j, s->skipped);
    fl_json_key(&j, "seconds");
    fl_json_double(&j, s->seconds, 3);
    fl_json_key(&j, "documents");
    fl_json_int(&j, s->documents);
    fl_json_object_end(&j);
}

/* ------------------------------------------------------------ the run */

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (n > 4)
        n = 4;
    return (unsigned)n;
}

/* Compaction of the shards of a full build, in place: each shard was
 * written by one writer in a single pass, which leaves Xapian's B-trees
 * about half full -- the shards of the laws took 845 MB where one compacted
 * database takes 396 MB.  One thread per core compacts gen-N/shard-K into
 * shard-K.compact, then puts it in the shard's place (the shard moved aside
 * first, and back when that fails).  Compaction only saves space: a shard
 * that cannot be compacted (disk full, ...) stays as it is, with a warning,
 * and the build goes on -- unless it could not even be put back, then the
 * build fails and the live generation stays. */
typedef struct shard_compact {
    const char *gen_path;
    unsigned nshards;
    unsigned next;        /* the next shard to take (under mu) */
    pthread_mutex_t mu;
    fl_strlist warnings;  /* under mu */
    char *fatal;          /* a shard lost from its place (under mu), or NULL */
} shard_compact;

static void compact_warn(shard_compact *sc, const char *sp, const char *what, const char *why)
{
    pthread_mutex_lock(&sc->mu);
    char *m = fl_xasprintf("%s: %s (%s); the shard is kept uncompacted", sp, what, why);
    fl_strlist_push(&sc->warnings, m);
    free(m);
    pthread_mutex_unlock(&sc->mu);
}

/* strerror() under the lock: the threads share its buffer. */
static void compact_warn_errno(shard_compact *sc, const char *sp, const char *what, int e)
{
    pthread_mutex_lock(&sc->mu);
    char *m = fl_xasprintf("%s: %s (%s); the shard is kept uncompacted", sp, what, strerror(e));
    fl_strlist_push(&sc->warnings, m);
    free(m);
    pthread_mutex_unlock(&sc->mu);
}

static void *compact_shard_thread(void *arg)
{
    shard_compact *sc = arg;
    for (;;) {
        pthread_mutex_lock(&sc->mu);
        unsigned k = sc->next++;
        pthread_mutex_unlock(&sc->mu);
        if (k >= sc->nshards)
            return NULL;
        char *sp = fl_xasprintf("%s/shard-%u", sc->gen_path, k);
        char *tmp = fl_xasprintf("%s.compact", sp);
        char *old = fl_xasprintf("%s.old", sp);
        fl_xdb *ro = NULL;
        rm_rf(tmp);
        rm_rf(old);
        fl_xstatus st = fl_xdb_open(sp, &ro);
        if (st == FL_XOK)
            st = fl_xdb_compact(ro, tmp, false);
        fl_xdb_free(ro);
        if (st != FL_XOK) {
            compact_warn(sc, sp, "cannot be compacted", fl_xlast_error());
            rm_rf(tmp);
        } else if (rename(sp, old) != 0) {
            compact_warn_errno(sc, sp, "cannot be moved aside", errno);
            rm_rf(tmp);
        } else if (rename(tmp, sp) != 0) {
            int e = errno;
            if (rename(old, sp) != 0) {
                /* Neither copy is where the stub will look: the build fails
                 * and the live generation stays in use. */
                int e2 = errno;
                pthread_mutex_lock(&sc->mu);
                if (!sc->fatal)
                    sc->fatal = fl_xasprintf("%s: cannot be replaced by its compacted copy (%s), "
                                             "nor put back (%s)",
                                             sp, strerror(e), strerror(e2));
                pthread_mutex_unlock(&sc->mu);
            } else {
                compact_warn_errno(sc, sp, "cannot be replaced by its compacted copy", e);
            }
            rm_rf(tmp);
        } else {
            rm_rf(old);
        }
        free(old);
        free(tmp);
        free(sp);
    }
}

static int compact_shards(const fl_index_options *o, const char *gen_path, unsigned nshards,
                          unsigned nthreads, char **err)
{
    shard_compact sc = {gen_path, nshards, 0, PTHREAD_MUTEX_INITIALIZER, {0}, NULL};
    if (nthreads > nshards)
        nthreads = nshards;
    if (nthreads < 1)
        nthreads = 1;
    pthread_t *th = fl_xcalloc(nthreads, sizeof *th);
    unsigned started = 0;
    for (; started < nthreads; started++)
        if (pthread_create(&th[started], NULL, compact_shard_thread, &sc) != 0)
            break;
    if (started == 0)
        compact_shard_thread(&sc); /* no thread: do it here */
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    pthread_mutex_destroy(&sc.mu);
    for (size_t i = 0; i < sc.warnings.n; i++)
        report(o, FL_INDEX_WARNING, NULL, 0, sc.warnings.items[i]);
    fl_strlist_free(&sc.warnings);
    if (sc.fatal) {
        fl_err_set(err, "%s", sc.fatal);
        free(sc.fatal);
        return -1;
    }
    return 0;
}

/* A lane's thread: stores its jobs in order, then its spelling counts, and
 * commits its shard. */
static void *lane_main(void *arg)
{
    lane *l = arg;
    run *r = l->r;
    for (size_t i = 0; i < r->njobs && l->rc == 0; i++) {
        job *j = &r->jobs[i];
        if (j->lane != l->idx)
            continue;
        pthread_mutex_lock(&r->mu);
        while (j->result == R_PENDING && !r->stop)
            pthread_cond_wait(&r->cv_done, &r->mu);
        bool stop = r->stop;
        pthread_mutex_unlock(&r->mu);
        if (stop)
            break;
        l->rc = store_job(&l->w, j, &l->err);
        pthread_mutex_lock(&r->mu);
        j->stored = true;
        if (l->rc != 0)
            r->stop = true;
        pthread_cond_broadcast(&r->cv_done);
        pthread_mutex_unlock(&r->mu);
    }
    /* Wait for every lane to have stored its documents: then each lane
     * writes the spelling words of its hash partition, summed over all
     * lanes -- each word is added once, in one shard (Xapian's fragment
     * work is per word and shard), and the lanes still do it in parallel. */
    pthread_mutex_lock(&r->mu);
    r->lanes_stored++;
    pthread_cond_broadcast(&r->cv_done);
    while (r->lanes_stored < r->nlanes && !r->stop)
        pthread_cond_wait(&r->cv_done, &r->mu);
    bool stop = r->stop;
    pthread_mutex_unlock(&r->mu);
    if (l->rc == 0 && !stop && r->nshards > 1) {
        /* Persistent shards: each shard's spelling table holds its own
         * documents' words (Xapian sums the shards' frequencies), so that
         * incremental runs can take a document's words back from it. */
        l->rc = apply_spelling(l->w.db, &l->w.spell, SPELLING_COMMIT_EVERY, &l->err);
        if (l->rc == 0 && fl_xdb_commit(l->w.db) != FL_XOK)
            l->rc = fl_err_set(&l->err, "committing a shard: %s", fl_xlast_error());
    } else if (l->rc == 0 && !stop) {
        spell_counts mine = {0};
        for (unsigned k = 0; k < r->nlanes; k++) {
            const spell_counts *m = &r->lanes[k].w.spell;
            for (size_t i = 0; i < m->cap; i++) {
                const spell_count *e = &m->slots[i];
                if (e->word && (e->hash >> 32) % r->nlanes == l->idx)
                    sc_add(&mine, e->word, strlen(e->word), e->delta);
            }
        }
        l->rc = apply_spelling(l->w.db, &mine, SPELLING_COMMIT_EVERY, &l->err);
        if (l->rc == 0 && fl_xdb_commit(l->w.db) != FL_XOK)
            l->rc = fl_err_set(&l->err, "committing a shard: %s", fl_xlast_error());
    }
    if (l->rc != 0) {
        pthread_mutex_lock(&r->mu);
        r->stop = true;
        pthread_cond_broadcast(&r->cv_done);
        pthread_cond_broadcast(&r->cv_work);
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* Runs all jobs through the workers; stores them (here, or in the lanes'
 * threads when sharded) and accounts for them in order, here. */
static int process_jobs(run *r, writer *w, char **err)
{
    const fl_index_options *o = r->opt;
    unsigned nthreads = o->threads ? o->threads : default_threads();
    if (nthreads > r->njobs)
        nthreads = r->njobs ? (unsigned)r->njobs : 1;
    pthread_t *tids = fl_xcalloc(nthreads, sizeof *tids);
    unsigned started = 0;
    for (unsigned i = 0; i < nthreads && r->njobs; i++)
        if (pthread_create(&tids[i], NULL, worker, r) == 0)
            started++;
    int rc = 0;
    if (r->njobs && !started) {
        /* No thread could start: do it all here. */
        for (size_t i = 0; i < r->njobs; i++) {
            do_job(r, &r->jobs[i]);
            r->jobs[i].result = r->jobs[i].outcome == R_PENDING ? R_FAIL : r->jobs[i].outcome;
        }
        r->next = r->njobs;
    }
    bool sharded = r->threaded;
    for (unsigned l = 0; sharded && l < r->nlanes; l++) {
        if (pthread_create(&r->lanes[l].tid, NULL, lane_main, &r->lanes[l]) != 0) {
            rc = fl_err_set(err, "cannot start a writer thread");
            break;
        }
        r->lanes[l].started = true;
    }
    size_t total = r->njobs;
    for (size_t i = 0; rc == 0 && i < r->njobs; i++) {
        job *j = &r->jobs[i];
        pthread_mutex_lock(&r->mu);
        if (sharded) {
            while (!j->stored && !r->stop)
                pthread_cond_wait(&r->cv_done, &r->mu);
        } else {
            while (j->result == R_PENDING)
                pthread_cond_wait(&r->cv_done, &r->mu);
        }
        bool ready = !sharded || j->stored;
        pthread_mutex_unlock(&r->mu);
        if (!ready)
            break; /* a lane failed: its message is taken below */
        if (!sharded)
            rc = store_job(r->nlanes > 1 ? &r->lanes[j->lane].w : w, j, err);
        if (rc == 0)
            account_job(r, w->sum, j);
        job_clear(j);
        pthread_mutex_lock(&r->mu);
        r->consumed = i + 1;
        if (rc != 0)
            r->stop = true;
        pthread_cond_broadcast(&r->cv_work);
        pthread_mutex_unlock(&r->mu);
        if (rc != 0)
            break;
        if (o->progress)
            o->progress(o->ud, i + 1, total);
    }
    if (sharded) {
        if (rc != 0) {
            pthread_mutex_lock(&r->mu);
            r->stop = true;
            pthread_cond_broadcast(&r->cv_done);
            pthread_mutex_unlock(&r->mu);
        }
        for (unsigned l = 0; l < r->nlanes; l++) {
            lane *ln = &r->lanes[l];
            if (!ln->started)
                continue;
            pthread_join(ln->tid, NULL);
            ln->started = false;
            if (rc == 0 && ln->rc != 0) {
                rc = -1;
                if (err) {
                    *err = ln->err;
                    ln->err = NULL;
                }
            }
        }
    }
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_broadcast(&r->cv_work);
    pthread_mutex_unlock(&r->mu);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tids[i], NULL);
    for (size_t i = 0; i < r->njobs; i++)
        job_clear(&r->jobs[i]);
    free(tids);
    return rc;
}

/* Finishing touches inside the run's commit: deletions of vanished files,
 * facet counts, config, synonyms, format, last-run summary. */
static int finish_db(run *r, writer *w, old_state *old, const char *ihash, bool config_changed,
                     const fl_analyzer *an, double t0, char **err)
{
    const fl_index_options *o = r->opt;
    for (size_t i = 0; i < old->n; i++) {
        old_doc *od = &old->docs[i];
        if (od->seen)
            continue;
        writer *dw = r->nlanes > 1 && od->shard < r->nlanes ? &r->lanes[od->shard].w : w;
        if (!r->full && delete_old(dw, od, err) != 0)
            return -1;
        w->sum->deleted++;
    }
    /* The run's stamp, in every database it commits (FL_META_RUN). */
    struct timespec now_ts;
    clock_gettime(CLOCK_REALTIME, &now_ts);
    char stamp[32];
    snprintf(stamp, sizeof stamp, "%llu",
             (unsigned long long)now_ts.tv_sec * 1000ull + (unsigned long long)(now_ts.tv_nsec / 1000000));
    if (set_meta(w->db, FL_META_RUN, stamp, err) != 0)
        return -1;
    /* Several writers: the run-wide metadata (facet spellings summed over
     * all of them, config, synonyms, ...) is written once, by w (shard 0) --
     * the merge of a parallel build would keep only one part's value of a
     * key present in several, and a sharded index keeps it in shard 0. */
    w->other_docs = 0;
    for (unsigned l = 0; l < r->nlanes; l++) {
        lane *ln = &r->lanes[l];
        for (size_t i = 0; i < ln->w.fd.n; i++) {
            if (w->fd.n == w->fd.cap) {
                w->fd.cap = w->fd.cap ? w->fd.cap * 2 : 64;
                w->fd.d = fl_xrealloc(w->fd.d, w->fd.cap * sizeof *w->fd.d);
            }
            w->fd.d[w->fd.n++] = ln->w.fd.d[i];
        }
        ln->w.fd.n = 0;
        if (l == 0)
            continue;
        uint32_t n = 0;
        if (fl_xdb_doccount(ln->w.db, &n) != FL_XOK)
            return fl_err_set(err, "counting documents: %s", fl_xlast_error());
        w->other_docs += n;
        /* Incremental sharded run: each shard's own spelling changes. */
        if (!r->threaded && apply_spelling(ln->w.db, &ln->w.spell, 0, err) != 0)
            return -1;
        if (r->nshards > 1) {
            char sv[32];
            snprintf(sv, sizeof sv, "%u/%u", l, r->nshards);
            if (set_meta(ln->w.db, FL_META_SHARDS, sv, err) != 0 ||
                set_meta(ln->w.db, FL_META_FORMAT, FL_INDEX_FORMAT, err) != 0 ||
                set_meta(ln->w.db, FL_META_RUN, stamp, err) != 0)
                return -1;
        }
    }
    if (r->nshards > 1) {
        char sv[32];
        snprintf(sv, sizeof sv, "0/%u", r->nshards);
        if (set_meta(w->db, FL_META_SHARDS, sv, err) != 0)
            return -1;
        if (!r->threaded && r->nlanes && apply_spelling(w->db, &r->lanes[0].w.spell, 0, err) != 0)
            return -1;
    }
    if (apply_facet_deltas(w->db, &w->fd, err) != 0 ||
        apply_spelling(w->db, &w->spell, r->full ? SPELLING_COMMIT_EVERY : 0, err) != 0)
        return -1;
    fl_buf cj = FL_BUF_INIT;
    fl_index_config_json(r->cfg, &cj);
    int rc = 0;
    if (r->full || config_changed) {
        rc = write_synonyms(w->db, an, r->cfg, err);
        if (rc == 0)
            rc = set_meta(w->db, FL_META_CONFIG, fl_buf_cstr(&cj), err);
    }
    fl_buf_free(&cj);
    if (rc == 0)
        rc = set_meta(w->db, FL_META_FORMAT, FL_INDEX_FORMAT, err);
    if (rc == 0)
        rc = set_meta(w->db, FL_META_INPUT_HASH, ihash, err);
    uint32_t count = 0;
    if (rc == 0 && fl_xdb_doccount(w->db, &count) != FL_XOK)
        rc = fl_err_set(err, "counting documents: %s", fl_xlast_error());
    if (rc == 0) {
        w->sum->documents = count + w->other_docs;
        w->sum->seconds = now_seconds() - t0;
        fl_buf lj = FL_BUF_INIT;
        last_run_json(w->sum, o->site_dir, r->now, &lj);
        rc = set_meta(w->db, FL_META_LAST_RUN, fl_buf_cstr(&lj), err);
        fl_buf_free(&lj);
    }
    return rc;
}

int fl_index_run(const fl_index_options *o, fl_index_summary *sum, char **err)
{
    double t0 = now_seconds();
    memset(sum, 0, sizeof *sum);
    const char *dir = o->db_dir;
    fl_config *owned_cfg = NULL;
    const fl_config *cfg = o->config;
    if (!cfg)
        cfg = owned_cfg = fl_config_new_default();
    if (prepare_dir(dir, err) != 0) {
        fl_config_free(owned_cfg);
        return FL_INDEX_EFATAL;
    }
    char *lockpath = fl_xasprintf("%s/%s", dir, LOCKFILE);
    int lockfd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lockfd < 0) {
        fl_err_set(err, "cannot open the lock file %s: %s", lockpath, strerror(errno));
        free(lockpath);
        fl_config_free(owned_cfg);
        return FL_INDEX_EFATAL;
    }
    if (flock(lockfd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e == EWOULDBLOCK)
            fl_err_set(err, "%s is being indexed by another findling index (it holds %s); "
                            "try again later", dir, lockpath);
        else
            fl_err_set(err, "cannot lock %s: %s", lockpath, strerror(e));
        close(lockfd);
        free(lockpath);
        fl_config_free(owned_cfg);
        return e == EWOULDBLOCK ? FL_INDEX_ELOCKED : FL_INDEX_EFATAL;
    }
    free(lockpath);

    int ret = FL_INDEX_EFATAL;
    run r = {0};
    r.opt = o;
    r.cfg = cfg;
    r.now = o->now ? o->now : time(NULL);
    pthread_mutex_init(&r.mu, NULL);
    pthread_cond_init(&r.cv_work, NULL);
    pthread_cond_init(&r.cv_done, NULL);
    old_state old = {0};
    fl_site_files files = {0};
    fl_xdb *live = NULL, *target = NULL;
    fl_analyzer *an = NULL;
    char *ihash = NULL, *live_path = NULL, *build_path = NULL, *gen_path = NULL;
    bool in_txn = false;
    writer w = {0};
    const char **facet_names = NULL;
    fl_strlist shard_paths = {0}; /* tmp-NNNNNN-<i> of lanes 1.. */
    fl_xdb **shard_live = NULL;   /* incremental sharded run: shards 1.. (writable) */
    unsigned cur_shards = 1;

    long livegen = read_stub_n(dir, &cur_shards, err);
    if (livegen == -2)
        goto out;
    if (livegen >= 0) {
        /* cleanup_dir() removes every other generation: never do that when
         * the one the stub names is gone (a damaged or half-restored index). */
        struct stat gst;
        char *gp = fl_xasprintf("%s/gen-%06ld", dir, livegen);
        bool missing = stat(gp, &gst) != 0 || !S_ISDIR(gst.st_mode);
        if (missing)
            fl_err_set(err, "%s/%s names gen-%06ld, which is missing: the index is damaged; "
                            "nothing was changed (restore it, or remove the folder and index "
                            "again)", dir, STUB, livegen);
        free(gp);
        if (missing)
            goto out;
    }
    long maxgen = cleanup_dir(dir, livegen);
    ihash = input_hash(o->site_dir, cfg, o->drafts);

    r.site = fl_site_open(o->site_dir, cfg, err);
    if (!r.site)
        goto out;
    if (fl_site_list(r.site, o->drafts, &files, err) != 0)
        goto out;

    /* The previous state, and whether this run must be a full one. */
    bool full = o->full || livegen < 0;
    /* Only the incremental writer writes changesets: a full build becomes a
     * new database (new UUID) that replicas must copy whole anyway. */
    unsigned changesets = o->changesets ? o->changesets
                          : o->config   ? o->config->changesets
                                        : 0;
    bool config_changed = true;
    unsigned nshards = o->shards ? o->shards : cfg->shards ? cfg->shards : cur_shards;
    if (nshards > FL_CONFIG_MAX_SHARDS)
        nshards = FL_CONFIG_MAX_SHARDS;
    if (livegen >= 0 && nshards != cur_shards) {
        char *m = fl_xasprintf("the index has %u shard%s, %u requested: rebuilding it in full",
                               cur_shards, cur_shards == 1 ? "" : "s", nshards);
        report(o, FL_INDEX_WARNING, NULL, 0, m);
        free(m);
        full = true;
    }
    r.nshards = nshards;
    if (livegen >= 0) {
        live_path = fl_xasprintf("%s/gen-%06ld", dir, livegen);
        /* Sharded: shard 0 is `live` (it has the run-wide metadata), the
         * others are read for the old state, and kept open for writing by an
         * incremental run. */
        if (cur_shards > 1)
            shard_live = fl_xcalloc(cur_shards, sizeof *shard_live);
        for (unsigned k = 0; k < cur_shards; k++) {
            char *sp = cur_shards > 1 ? fl_xasprintf("%s/shard-%u", live_path, k)
                                      : fl_xstrdup(live_path);
            fl_xdb *h = NULL;
            fl_xstatus st = full ? fl_xdb_open(sp, &h)
                                 : fl_xdb_open_writable_changesets(sp, FL_XDB_OPEN, 0,
                                                                   changesets, &h);
            if (st != FL_XOK) {
                if (st == FL_XERR_LOCKED)
                    fl_err_set(err, "%s: another program is writing to the index: %s", sp,
                               fl_xlast_error());
                else
                    fl_err_set(err, "cannot open the index %s: %s", sp, fl_xlast_error());
                free(sp);
                goto out;
            }
            free(sp);
            if (k == 0) {
                live = h;
                continue;
            }
            shard_live[k] = h;
            if (load_old(h, k, &old, err) != 0)
                goto out;
            if (full) {
                fl_xdb_free(h);
                shard_live[k] = NULL;
            }
        }
        char *fmt = get_meta(live, FL_META_FORMAT);
        char *ih = get_meta(live, FL_META_INPUT_HASH);
        char *cj = get_meta(live, FL_META_CONFIG);
        fl_buf now_cj = FL_BUF_INIT;
        fl_index_config_json(cfg, &now_cj);
        if (!fmt || strcmp(fmt, FL_INDEX_FORMAT) != 0 || !ih || strcmp(ih, ihash) != 0)
            full = true;
        config_changed = !cj || strcmp(cj, fl_buf_cstr(&now_cj)) != 0;
        fl_buf_free(&now_cj);
        free(fmt);
        free(ih);
        free(cj);
        if (load_old(live, 0, &old, err) != 0)
            goto out;
    }

    /* Jobs: every listed file not known unchanged by its mtime:size. */
    r.jobs = fl_xcalloc(files.n ? files.n : 1, sizeof *r.jobs);
    fl_buf mv = FL_BUF_INIT;
    for (size_t i = 0; i < files.n; i++) {
        const fl_site_file *f = &files.files[i];
        old_doc *od = find_old(&old, f->relpath);
        if (od)
            od->seen = true;
        fl_buf_reset(&mv);
        fl_mtime_value(f->mtime_ns, (int64_t)f->size, &mv);
        if (!full && od && od->mtime && strcmp(od->mtime, mv.data) == 0) {
            sum->unchanged++;
            continue;
        }
        job *j = &r.jobs[r.njobs++];
        j->file = f;
        j->old = od;
    }
    fl_buf_free(&mv);
    /* Most of a big site changed: a new generation is cheaper than one huge
     * transaction held in memory. */
    if (!full && r.njobs > FULL_SWITCH_MIN && r.njobs * 4 > files.n) {
        full = true;
        sum->unchanged = 0;
        r.njobs = 0;
        for (size_t i = 0; i < files.n; i++) {
            job *j = &r.jobs[r.njobs++];
            memset(j, 0, sizeof *j);
            j->file = &files.files[i];
            j->old = find_old(&old, files.files[i].relpath);
        }
    }
    /* seen is set again by the writer for what it keeps. */
    for (size_t i = 0; i < old.n; i++)
        old.docs[i].seen = false;
    for (size_t i = 0; i < files.n; i++) {
        old_doc *od = find_old(&old, files.files[i].relpath);
        if (od && !full)
            od->seen = true; /* incremental: listed = kept unless skipped/deleted */
    }
    r.full = full;
    sum->full = full;

    for (size_t i = 0; i < files.nproblems; i++) {
        report(o, FL_INDEX_ERROR, files.problems[i].relpath, 0, files.problems[i].message);
        sum->failed++;
    }

    if (r.njobs || full || config_changed) {
        fl_analyzer_options aopt = {0};
        aopt.extra_words = (const char *const *)cfg->words.items;
        aopt.n_extra_words = cfg->words.n;
        /* Leaves (or refreshes) the word list cache the searchers map. */
        char *wcache = fl_xasprintf("%s/%s", dir, FL_WORDLIST_CACHE);
        aopt.wordlist_cache = wcache;
        aopt.write_wordlist_cache = true;
        an = fl_analyzer_new(&aopt, err);
        free(wcache);
        if (!an)
            goto out;
    } else {
        /* Nothing to analyse, but an index from before the cache (or a
         * word list updated since) still gets one for its searchers. */
        char *wcache = fl_xasprintf("%s/%s", dir, FL_WORDLIST_CACHE);
        fl_wordlist *m = fl_wordlist_map_cache(wcache, FL_DEFAULT_WORDLIST);
        if (m) {
            fl_wordlist_free(m);
        } else if (access(FL_DEFAULT_WORDLIST, R_OK) == 0) {
            fl_analyzer_options aopt = {0};
            aopt.wordlist_cache = wcache;
            aopt.write_wordlist_cache = true;
            char *aerr = NULL;
            fl_analyzer_free(fl_analyzer_new(&aopt, &aerr));
            free(aerr);
        }
        free(wcache);
    }
    r.an = an;
    facet_names = fl_xcalloc(cfg->nfacets + 1, sizeof *facet_names);
    for (size_t i = 0; i < cfg->nfacets; i++)
        facet_names[i] = cfg->facets[i].name;
    r.dbc.facet_names = facet_names;
    r.dbc.nfacets = cfg->nfacets;

    long newgen = maxgen < 0 ? 1 : maxgen + 1;
    if (full) {
        if (live) {
            fl_xdb_free(live); /* read-only: only needed for the old state */
            live = NULL;
        }
        unsigned nlanes = 1;
        if (!o->no_compact) {
            if (o->writers)
                nlanes = o->writers;
            else if (r.njobs >= FL_INDEX_SHARD_MIN)
                nlanes = default_threads();
        }
        if (nlanes > MAX_SHARDS)
            nlanes = MAX_SHARDS;
        if (nlanes > r.njobs)
            nlanes = r.njobs ? (unsigned)r.njobs : 1;
        gen_path = fl_xasprintf("%s/gen-%06ld", dir, newgen);
        if (nshards > 1) {
            /* Persistent shards: one writer thread per shard, each filling
             * gen-N/shard-K with the documents that hash to it; no merge. */
            build_path = fl_xstrdup(gen_path);
            rm_rf(gen_path);
            if (mkdir(gen_path, 0755) != 0) {
                fl_err_set(err, "cannot create %s: %s", gen_path, strerror(errno));
                goto out;
            }
            lanes_new(&r, nshards, sum);
            r.threaded = true;
            for (unsigned l = 0; l < nshards; l++) {
                lane *ln = &r.lanes[l];
                char *sp = fl_xasprintf("%s/shard-%u", gen_path, l);
                fl_xstatus st = fl_xdb_open_writable(sp, FL_XDB_CREATE_OR_OVERWRITE,
                                                     o->flush_every ? o->flush_every : 300,
                                                     l == 0 ? &target : &ln->w.db);
                if (st != FL_XOK) {
                    fl_err_set(err, "cannot create %s: %s", sp, fl_xlast_error());
                    free(sp);
                    goto out;
                }
                free(sp);
                if (l == 0)
                    ln->w.db = target;
            }
            for (size_t i = 0; i < r.njobs; i++)
                r.jobs[i].lane = fl_shard_of(r.jobs[i].file->relpath, nshards);
            nlanes = 1; /* no parallel-build parts */
        } else {
            build_path = o->no_compact ? fl_xstrdup(gen_path)
                                       : fl_xasprintf("%s/tmp-%06ld", dir, newgen);
            if (fl_xdb_open_writable(build_path, FL_XDB_CREATE_OR_OVERWRITE,
                                     o->flush_every ? o->flush_every : 300, &target) != FL_XOK) {
                fl_err_set(err, "cannot create %s: %s", build_path, fl_xlast_error());
                goto out;
            }
        }
        if (nlanes > 1) {
            r.threaded = true;
            /* Lane 0 writes into target; the others into tmp-NNNNNN-<i>.
             * Each file goes to the lane with the fewest bytes so far: the
             * shards come out about equally big, the lanes write at the
             * same time, and the same files always land in the same shard
             * (a deterministic build).  Lane l's documents get the docids
             * after lane l - 1's, in job order: what a merge renumbering
             * the parts one after the other would give, but set here, so
             * that the merge keeps them (r.job_docids). */
            lanes_new(&r, nlanes, sum);
            for (unsigned l = 0; l < nlanes; l++) {
                lane *ln = &r.lanes[l];
                if (l == 0) {
                    ln->w.db = target;
                    continue;
                }
                char *sp = fl_xasprintf("%s/tmp-%06ld-%u", dir, newgen, l);
                fl_strlist_push(&shard_paths, sp);
                fl_xstatus st = fl_xdb_open_writable(sp, FL_XDB_CREATE_OR_OVERWRITE,
                                                     o->flush_every ? o->flush_every : 300,
                                                     &ln->w.db);
                free(sp);
                if (st != FL_XOK) {
                    fl_err_set(err, "cannot create a shard: %s", fl_xlast_error());
                    goto out;
                }
            }
            uint64_t *bytes = fl_xcalloc(nlanes, sizeof *bytes);
            fl_xdocid *next = fl_xcalloc(nlanes + 1, sizeof *next);
            for (size_t i = 0; i < r.njobs; i++) {
                unsigned best = 0;
                for (unsigned l = 1; l < nlanes; l++)
                    if (bytes[l] < bytes[best])
                        best = l;
                r.jobs[i].lane = best;
                bytes[best] += (uint64_t)r.jobs[i].file->size + 1;
                next[best + 1]++; /* lane best's count, for now */
            }
            next[0] = 1; /* next[l]: lane l's first docid */
            for (unsigned l = 1; l < nlanes; l++)
                next[l] += next[l - 1];
            for (size_t i = 0; i < r.njobs; i++)
                r.jobs[i].docid = next[r.jobs[i].lane]++;
            free(next);
            free(bytes);
            r.job_docids = !o->no_compact;
        }
    } else {
        target = live;
        live = NULL;
        /* Nothing becomes visible before commit_transaction, however many
         * documents change (Xapian would otherwise flush on its own). */
        if (fl_xdb_begin_transaction(target, true) != FL_XOK) {
            fl_err_set(err, "cannot start a transaction: %s", fl_xlast_error());
            goto out;
        }
        in_txn = true;
        if (nshards > 1) {
            /* Incremental sharded run: each job is stored into its
             * document's shard (here, in order), each shard in a
             * transaction of its own. */
            lanes_new(&r, nshards, sum);
            for (unsigned l = 0; l < nshards; l++) {
                lane *ln = &r.lanes[l];
                if (l == 0) {
                    ln->w.db = target;
                    continue;
                }
                ln->w.db = shard_live[l];
                shard_live[l] = NULL;
                if (fl_xdb_begin_transaction(ln->w.db, true) != FL_XOK) {
                    fl_err_set(err, "cannot start a transaction: %s", fl_xlast_error());
                    goto out;
                }
                ln->started = false;
            }
            for (size_t i = 0; i < r.njobs; i++)
                r.jobs[i].lane = fl_shard_of(r.jobs[i].file->relpath, nshards);
        }
    }
    w.r = &r;
    w.db = target;
    w.sum = sum;
    /* The positions mirror (fl_xapian.h): a new database gets it, one that
     * has it keeps it up to date; an index built before it stays without
     * (its format is older, so the next run rebuilds it in full anyway). */
    for (unsigned l = 0; l < (r.nlanes ? r.nlanes : 1); l++) {
        fl_xdb *db = l == 0 ? target : r.lanes[l].w.db;
        if (fl_xdb_mirror_positions(db, NULL) != FL_XOK) {
            fl_err_set(err, "cannot set up the positions mirror: %s", fl_xlast_error());
            goto out;
        }
    }
    if (process_jobs(&r, &w, err) != 0)
        goto out;
    if (finish_db(&r, &w, &old, ihash, config_changed, an, t0, err) != 0)
        goto out;

    if (!full) {
        /* Sharded: the other shards first, shard 0 (with the run's summary)
         * last.  Not atomic across shards: a reader may briefly see some
         * shards updated and others not; a document never moves between
         * shards, so it is never seen twice or not at all. */
        for (unsigned l = 1; l < r.nlanes; l++) {
            if (fl_xdb_commit_transaction(r.lanes[l].w.db) != FL_XOK) {
                fl_err_set(err, "committing shard %u: %s", l, fl_xlast_error());
                goto out;
            }
            r.lanes[l].committed = true;
        }
        if (fl_xdb_commit_transaction(target) != FL_XOK) {
            fl_err_set(err, "committing: %s", fl_xlast_error());
            goto out;
        }
        in_txn = false;
        fl_xdb_revision(target, &sum->revision);
        for (unsigned l = 1; l < r.nlanes; l++) {
            uint64_t rv = 0;
            fl_xdb_revision(r.lanes[l].w.db, &rv);
            sum->revision += rv;
        }
    } else {
        if (fl_xdb_commit(target) != FL_XOK) {
            fl_err_set(err, "committing %s: %s", build_path, fl_xlast_error());
            goto out;
        }
        fl_xdb_free(target);
        target = NULL;
        for (unsigned l = 1; l < r.nlanes; l++) {
            /* Committed by its lane; finish_db has added metadata since. */
            if (fl_xdb_commit(r.lanes[l].w.db) != FL_XOK) {
                fl_err_set(err, "committing shard %u: %s", l, fl_xlast_error());
                goto out;
            }
            fl_xdb_free(r.lanes[l].w.db);
            r.lanes[l].w.db = NULL;
        }
        if (!o->no_compact && nshards <= 1) {
            /* Compaction merges the shards: the lanes' docid ranges one
             * after the other, kept as they are for the positions mirror
             * (r.job_docids); spelling frequencies summed. */
            fl_xdb *all = NULL, *ro = NULL;
            fl_xstatus st = fl_xdb_new_empty(&all);
            if (st == FL_XOK && (st = fl_xdb_open(build_path, &ro)) == FL_XOK)
                st = fl_xdb_add(all, ro);
            fl_xdb_free(ro);
            for (size_t i = 0; st == FL_XOK && i < shard_paths.n; i++) {
                ro = NULL;
                if ((st = fl_xdb_open(shard_paths.items[i], &ro)) == FL_XOK)
                    st = fl_xdb_add(all, ro);
                fl_xdb_free(ro);
            }
            if (st == FL_XOK)
                st = fl_xdb_compact(all, gen_path, false);
            fl_xdb_free(all);
            if (st != FL_XOK) {
                fl_err_set(err, "compacting %s: %s", build_path, fl_xlast_error());
                goto out;
            }
            rm_rf(build_path);
            for (size_t i = 0; i < shard_paths.n; i++)
                rm_rf(shard_paths.items[i]);
        }
        if (!o->no_compact && nshards > 1 &&
            compact_shards(o, gen_path, nshards, default_threads(), err) != 0)
            goto out;
        /* The swap: readers opening DIR from now on get the new generation. */
        if (write_stub(dir, newgen, nshards, err) != 0)
            goto out;
        if (live_path)
            rm_rf(live_path);
        fl_xdb *ro = NULL;
        if (fl_xdb_open(dir, &ro) == FL_XOK) {
            fl_xdb_revision(ro, &sum->revision);
            fl_xdb_free(ro);
        }
    }
    sum->seconds = now_seconds() - t0;
    ret = sum->failed ? FL_INDEX_PARTIAL : FL_INDEX_OK;

out:
    if (in_txn) {
        for (unsigned l = 1; l < r.nlanes; l++)
            if (r.lanes[l].w.db && !r.lanes[l].committed)
                fl_xdb_cancel_transaction(r.lanes[l].w.db);
        fl_xdb_cancel_transaction(target);
    }
    fl_xdb_free(target);
    fl_xdb_free(live);
    for (unsigned k = 0; shard_live && k < cur_shards; k++)
        fl_xdb_free(shard_live[k]);
    free(shard_live);
    for (unsigned l = 1; l < r.nlanes; l++) {
        fl_xdb_free(r.lanes[l].w.db);
        fd_free(&r.lanes[l].w.fd);
        sc_free(&r.lanes[l].w.spell);
        free(r.lanes[l].err);
    }
    if (r.nlanes) {
        fd_free(&r.lanes[0].w.fd);
        sc_free(&r.lanes[0].w.spell);
        free(r.lanes[0].err);
    }
    free(r.lanes);
    if (ret == FL_INDEX_EFATAL && build_path) {
        /* A failed full build leaves the live generation as it was. */
        rm_rf(build_path);
        for (size_t i = 0; i < shard_paths.n; i++)
            rm_rf(shard_paths.items[i]);
        if (gen_path && strcmp(gen_path, build_path) != 0) {
            char *cur = fl_index_live_path(dir);
            if (!cur || strcmp(cur, gen_path) != 0)
                rm_rf(gen_path);
            free(cur);
        }
    }
    fd_free(&w.fd);
    sc_free(&w.spell);
    fl_strlist_free(&shard_paths);
    free(facet_names);
    fl_analyzer_free(an);
    free(r.jobs);
    old_state_free(&old);
    fl_site_files_free(&files);
    if (r.site)
        fl_site_close(r.site);
    pthread_mutex_destroy(&r.mu);
    pthread_cond_destroy(&r.cv_work);
    pthread_cond_destroy(&r.cv_done);
    free(ihash);
    free(live_path);
    free(build_path);
    free(gen_path);
    fl_config_free(owned_cfg);
    close(lockfd); /* releases the lock */
    return ret;
}
