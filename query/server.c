/* server.c — the JSON search server (see fl_server.h).
 *
 * Request flow: MHD parses the request line and calls uri_log_cb (we keep
 * the raw URI — still percent-encoded, so that params.c can validate the
 * encoding strictly — and the start time); access_cb answers the request in
 * the MHD thread that owns the connection; completed_cb counts it in the
 * metrics and writes the access log line.
 *
 * Searches are the exception: one not answered from the response cache is
 * put in the search queue and its connection suspended; the search threads
 * take the queue in arrival order, build the response and resume the
 * connection, and its MHD thread sends it.  Why: libmicrohttpd pins every
 * connection to one of its threads, and whichever thread wins the accept
 * race gets it — 64 connections split 40:24 made the 40 wait 1.7 times as
 * long as the 24 (p99 of the search benchmark 75-90 ms at a mean of 40; with
 * one shared queue every search waits its turn, p99 ~50).  Suggestions,
 * cached answers, health and metrics stay in the MHD threads: a hop through
 * the queue would cost them more than their work.
 *
 * Threads share little: per-thread searchers, atomic counters, and short
 * critical sections only (the search queue, the response cache's shards,
 * the shared autocomplete table, the optional rate limiter).  A queued
 * request's headers are copied before its connection is suspended: the
 * search thread never asks libmicrohttpd about a connection it does not own.
 */
#include "fl_server.h"
#include "fl_mapread.h"

#include "fl_assets.h"
#include "fl_buf.h"
#include "fl_err.h"
#include "fl_hash.h"
#include "fl_json.h"
#include "fl_params.h"
#include "fl_search.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define GZIP_MIN_BYTES 1024      /* smaller bodies are not worth compressing */
#define MAX_BODY_BYTES 1024      /* GET/HEAD bodies beyond this are refused (413) */
#define RETRY_AFTER_UNAVAILABLE "5"
#define SEARCH_CACHE_CONTROL "public, max-age=60"
#define ASSET_CACHE_CONTROL "public, max-age=300"

/* ------------------------------------------------------------------ metrics */

enum { EP_SEARCH, EP_SUGGEST, EP_HEALTHZ, EP_METRICS, EP_STATIC, EP_OTHER, EP_COUNT };
static const char *const ep_names[EP_COUNT] = {"search", "suggest", "healthz",
                                               "metrics", "static", "other"};

static const unsigned tracked_status[] = {200, 204, 304, 400, 403, 404, 405,
                                          408, 413, 414, 429, 500, 503};
#define NSTATUS (sizeof tracked_status / sizeof tracked_status[0] + 1) /* + "other" */

static const double buckets_s[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
#define NBUCKETS (sizeof buckets_s / sizeof buckets_s[0])

typedef struct metrics {
    atomic_uint_fast64_t requests[EP_COUNT][NSTATUS];
    atomic_uint_fast64_t bucket[EP_COUNT][NBUCKETS + 1]; /* last = +Inf */
    atomic_uint_fast64_t sum_us[EP_COUNT];
    atomic_uint_fast64_t reopens;
    atomic_uint_fast64_t reopen_errors;
    atomic_uint_fast64_t documents;
    atomic_uint_fast64_t revision;
    atomic_int inflight;
    atomic_uint_fast64_t queued;        /* searches that went through the queue */
    atomic_uint_fast64_t queue_wait_us; /* their time in it, summed */
    atomic_int queue_len;
    atomic_uint_fast64_t request_timeouts; /* connections cut by the watchdog */
} metrics;

static size_t status_slot(unsigned status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (tracked_status[i] == status)
            return i;
    return NSTATUS - 1;
}

/* ------------------------------------------------------------------ rate limiter */

/* Token bucket per client IP (rate per second, burst = max(rate, 1)).  One
 * mutex: the limiter is optional and the critical section is tiny. */
typedef struct rl_entry {
    struct rl_entry *next;
    char ip[INET6_ADDRSTRLEN];
    double tokens;
    double last;
} rl_entry;

#define RL_BUCKETS 4096
#define RL_MAX_ENTRIES 100000

typedef struct ratelimiter {
    pthread_mutex_t lock;
    double rate, burst;
    rl_entry *table[RL_BUCKETS];
    size_t count;
    double last_purge;
} ratelimiter;


static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Drops entries idle long enough to be full again (they carry no state). */
static void rl_purge(ratelimiter *rl, double now)
{
    double idle = rl->burst / rl->rate + 1.0;
    for (size_t b = 0; b < RL_BUCKETS; b++) {
        rl_entry **pp = &rl->table[b];
        while (*pp) {
            rl_entry *e = *pp;
            if (now - e->last > idle) {
                *pp = e->next;
                free(e);
                rl->count--;
            } else {
                pp = &e->next;
            }
        }
    }
    rl->last_purge = now;
}

/* Returns 0 when allowed, else the seconds to wait (>= 1). */
static unsigned rl_check(ratelimiter *rl, const char *ip)
{
    double now = mono_s();
    size_t b = fl_fnv1a(ip, strlen(ip), FL_FNV1A_INIT) % RL_BUCKETS;
    unsigned wait = 0;
    pthread_mutex_lock(&rl->lock);
    if (rl->count > RL_MAX_ENTRIES || now - rl->last_purge > 60.0)
        rl_purge(rl, now);
    rl_entry *e = rl->table[b];
    while (e && strcmp(e->ip, ip) != 0)
        e = e->next;
    if (!e) {
        e = fl_xcalloc(1, sizeof *e);
        snprintf(e->ip, sizeof e->ip, "%s", ip);
        e->tokens = rl->burst;
        e->last = now;
        e->next = rl->table[b];
        rl->table[b] = e;
        rl->count++;
    }
    e->tokens = fmin(rl->burst, e->tokens + (now - e->last) * rl->rate);
    e->last = now;
    if (e->tokens >= 1.0)
        e->tokens -= 1.0;
    else
        wait = (unsigned)ceil((1.0 - e->tokens) / rl->rate);
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

static void rl_free(ratelimiter *rl)
{
    for (size_t b = 0; b < RL_BUCKETS; b++) {
        rl_entry *e = rl->table[b];
        while (e) {
            rl_entry *n = e->next;
            free(e);
            e = n;
        }
    }
    pthread_mutex_destroy(&rl->lock);
}

/* ------------------------------------------------------------------ response cache */

/* Answers of /api/search and /api/suggest by (endpoint, normalised request,
 * index generation + revision): a site's search box sees the same queries
 * over and over.  Split into shards, each with its own mutex, hash chain
 * and LRU list, so that workers rarely wait on each other; bounded in bytes
 * (and so in entries: each is charged RC_ENTRY_OVERHEAD besides its key and
 * body).  An entry of another revision is a miss (and is replaced): answers
 * are never stale.  When a worker first sees a newer revision the whole
 * cache is dropped, which frees the old answers at once. */
#define RC_SHARDS 16
#define RC_BUCKETS 1024            /* per shard */
#define RC_ENTRY_OVERHEAD 128      /* bookkeeping charged per entry */

typedef struct rc_entry {
    struct rc_entry *hnext;        /* hash chain */
    struct rc_entry *prev, *next;  /* LRU list, most recent first */
    uint64_t hash, gen, rev;
    size_t keylen, bodylen;
    char *key;
    char *body;
} rc_entry;

typedef struct rc_shard {
    pthread_mutex_t lock;
    rc_entry *buckets[RC_BUCKETS];
    rc_entry *head, *tail;
    size_t bytes;
    size_t entries;
} rc_shard;

typedef struct rcache {
    size_t max_bytes_per_shard;
    atomic_uint_fast64_t hits, misses, inserts, evictions;
    atomic_uint_fast64_t bytes, entries;
    pthread_mutex_t rev_lock;       /* orders drops on a new revision */
    uint64_t gen, rev;              /* the newest revision seen (under rev_lock) */
    rc_shard shard[RC_SHARDS];
} rcache;

static size_t rc_cost(const rc_entry *e) { return e->keylen + e->bodylen + RC_ENTRY_OVERHEAD; }

static rcache *rc_new(size_t max_bytes)
{
    rcache *c = fl_xcalloc(1, sizeof *c);
    c->max_bytes_per_shard = max_bytes / RC_SHARDS;
    pthread_mutex_init(&c->rev_lock, NULL);
    for (int i = 0; i < RC_SHARDS; i++)
        pthread_mutex_init(&c->shard[i].lock, NULL);
    return c;
}

static void rc_unlink(rcache *c, rc_shard *sh, rc_entry *e)
{
    rc_entry **pp = &sh->buckets[e->hash % RC_BUCKETS];
    while (*pp != e)
        pp = &(*pp)->hnext;
    *pp = e->hnext;
    if (e->prev)
        e->prev->next = e->next;
    else
        sh->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        sh->tail = e->prev;
    sh->bytes -= rc_cost(e);
    sh->entries--;
    atomic_fetch_sub_explicit(&c->bytes, rc_cost(e), memory_order_relaxed);
    atomic_fetch_sub_explicit(&c->entries, 1, memory_order_relaxed);
}

static void rc_entry_free(rc_entry *e)
{
    free(e->key);
    free(e->body);
    free(e);
}

static void rc_clear(rcache *c)
{
    for (int i = 0; i < RC_SHARDS; i++) {
        rc_shard *sh = &c->shard[i];
        pthread_mutex_lock(&sh->lock);
        rc_entry *gone = sh->head;
        while (sh->head)
            rc_unlink(c, sh, sh->head);
        pthread_mutex_unlock(&sh->lock);
        /* rc_unlink leaves each entry's next pointer intact. */
        while (gone) {
            rc_entry *e = gone;
            gone = e->next;
            rc_entry_free(e);
        }
    }
}

static void rc_free(rcache *c)
{
    if (!c)
        return;
    rc_clear(c);
    for (int i = 0; i < RC_SHARDS; i++)
        pthread_mutex_destroy(&c->shard[i].lock);
    pthread_mutex_destroy(&c->rev_lock);
    free(c);
}

/* A worker answers from revision (gen, rev): when that is another
 * generation or a newer revision than the cache has seen, the old answers
 * go (a worker that has not reopened yet only misses). */
static void rc_see_revision(rcache *c, uint64_t gen, uint64_t rev)
{
    pthread_mutex_lock(&c->rev_lock);
    bool newer = gen != c->gen || rev > c->rev;
    if (newer) {
        c->gen = gen;
        c->rev = rev;
    }
    pthread_mutex_unlock(&c->rev_lock);
    if (newer)
        rc_clear(c);
}

static rc_shard *rc_shard_of(rcache *c, uint64_t hash) { return &c->shard[(hash >> 40) % RC_SHARDS]; }

/* Appends the cached body for key at (gen, rev) to out: true on a hit. */
static bool rc_get(rcache *c, uint64_t hash, const char *key, size_t keylen, uint64_t gen,
                   uint64_t rev, fl_buf *out)
{
    rc_shard *sh = rc_shard_of(c, hash);
    bool hit = false;
    pthread_mutex_lock(&sh->lock);
    for (rc_entry *e = sh->buckets[hash % RC_BUCKETS]; e; e = e->hnext) {
        if (e->hash != hash || e->keylen != keylen || memcmp(e->key, key, keylen) != 0)
            continue;
        if (e->gen == gen && e->rev == rev) {
            fl_buf_append(out, e->body, e->bodylen);
            hit = true;
            if (sh->head != e) { /* to the front of the LRU list */
                e->prev->next = e->next;
                if (e->next)
                    e->next->prev = e->prev;
                else
                    sh->tail = e->prev;
                e->prev = NULL;
                e->next = sh->head;
                sh->head->prev = e;
                sh->head = e;
            }
        }
        break;
    }
    pthread_mutex_unlock(&sh->lock);
    atomic_fetch_add_explicit(hit ? &c->hits : &c->misses, 1, memory_order_relaxed);
    return hit;
}

static void rc_put(rcache *c, uint64_t hash, const char *key, size_t keylen, uint64_t gen,
                   uint64_t rev, const char *body, size_t bodylen)
{
    rc_shard *sh = rc_shard_of(c, hash);
    if (keylen + bodylen + RC_ENTRY_OVERHEAD > c->max_bytes_per_shard / 4)
        return; /* one answer must not empty a shard */
    rc_entry *n = fl_xcalloc(1, sizeof *n);
    n->hash = hash;
    n->gen = gen;
    n->rev = rev;
    n->key = fl_xmalloc(keylen ? keylen : 1);
    memcpy(n->key, key, keylen);
    n->keylen = keylen;
    n->body = fl_xmalloc(bodylen ? bodylen : 1);
    memcpy(n->body, body, bodylen);
    n->bodylen = bodylen;
    rc_entry *gone = NULL;
    pthread_mutex_lock(&sh->lock);
    for (rc_entry *e = sh->buckets[hash % RC_BUCKETS]; e; e = e->hnext)
        if (e->hash == hash && e->keylen == keylen && memcmp(e->key, key, keylen) == 0) {
            rc_unlink(c, sh, e); /* another revision's (or a racing insert) */
            e->hnext = gone;
            gone = e;
            break;
        }
    while (sh->tail && sh->bytes + rc_cost(n) > c->max_bytes_per_shard) {
        rc_entry *e = sh->tail;
        rc_unlink(c, sh, e);
        e->hnext = gone;
        gone = e;
        atomic_fetch_add_explicit(&c->evictions, 1, memory_order_relaxed);
    }
    n->hnext = sh->buckets[hash % RC_BUCKETS];
    sh->buckets[hash % RC_BUCKETS] = n;
    n->next = sh->head;
    if (sh->head)
        sh->head->prev = n;
    sh->head = n;
    if (!sh->tail)
        sh->tail = n;
    sh->bytes += rc_cost(n);
    sh->entries++;
    atomic_fetch_add_explicit(&c->bytes, rc_cost(n), memory_order_relaxed);
    atomic_fetch_add_explicit(&c->entries, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&c->inserts, 1, memory_order_relaxed);
    pthread_mutex_unlock(&sh->lock);
    while (gone) { /* freed outside the lock */
        rc_entry *e = gone;
        gone = e->hnext;
        rc_entry_free(e);
    }
}

/* ------------------------------------------------------------------ server state */

typedef struct asset {
    const fl_asset *src;
    char etag[40];
    char etag_gz[44];  /* the gzip'd copy's: a strong tag names one encoding */
    unsigned char *gz; /* gzip'd copy when it is smaller, else NULL */
    size_t gzlen;
} asset;

struct fl_server {
    char *db_path;
    char *stub_path;      /* DIR/XAPIANDB */
    const fl_analyzer *an;
    char **cors;
    size_t ncors;
    int log_fd;           /* -1 = no access log */
    bool log_owned;
    char *log_path;       /* for fl_server_reopen_log() */
    bool rate_limited;
    ratelimiter rl;
    char *trust_proxy;    /* normalised numeric address, or NULL */
    struct MHD_Daemon *daemon;
    int listen_fd;
    unsigned port;
    char *url;
    unsigned drain_ms;
    atomic_bool stopping;
    pthread_key_t worker_key;
    bool key_created;
    asset *assets;
    size_t nassets;
    metrics m;
    /* The autocomplete table of the newest revision a worker has seen,
     * shared by all workers (each searcher holds a reference to the one it
     * uses; a new revision's table replaces it here). */
    pthread_mutex_t compl_lock;
    pthread_cond_t compl_cond; /* a build ended */
    bool compl_building;       /* one thread builds a table at a time */
    uint64_t compl_fail_rev, compl_fail_stub; /* the revision whose build failed last */
    bool compl_failed;
    fl_completions *compl;
    atomic_uint_fast64_t compl_bytes, compl_entries, compl_builds, spell_words;
    rcache *cache;        /* response cache, or NULL (--cache-mb 0) */
    /* The search queue (see the top of this file): requests in arrival
     * order, linked through request.qnext. */
    pthread_mutex_t queue_lock;
    pthread_cond_t queue_cond;
    struct request *queue_head, *queue_tail;
    bool queue_closed;    /* fl_server_stop: the search threads end */
    pthread_t *searchers;
    unsigned nsearchers;  /* started (joined by fl_server_stop) */
    /* The open connections, for the request timeout (see the watchdog):
     * linked through conn_state.prev/next, changed under conns_lock. */
    pthread_mutex_t conns_lock;
    pthread_cond_t watchdog_cond;
    struct conn_state *conns;
    double request_timeout;  /* seconds (--request-timeout) */
    double idle_timeout;     /* seconds (--timeout) */
    bool watchdog_stop;
    bool watchdog_started;
    pthread_t watchdog;
};

/* One per MHD thread and per search thread (thread-specific data; freed
 * when the thread ends). */
typedef struct worker {
    fl_searcher *s;
    double last_check;    /* mono_s() of the last freshness check */
    double retry_open_at; /* when the index could not be opened: next attempt */
    uint64_t gen;         /* hash of the stub file content the handle was opened at */
    char *open_error;     /* last open error (for 503 messages) */
    char *reopen_error;   /* why the last look for a new revision failed (the old
                             handle kept serving); NULL after a good one */
    z_stream z;
    bool z_ready;
    /* A search answer's JSON, built here and copied into the response:
     * kept between answers (up to BODY_KEEP_BYTES), so that it does not
     * grow from nothing through a dozen reallocations each time. */
    fl_buf body;
} worker;

#define BODY_KEEP_BYTES (256 * 1024)

typedef struct request {
    struct request *qnext;         /* in the search queue */
    struct MHD_Connection *conn;   /* while queued: the suspended connection */
    struct MHD_Response *ready;    /* built by a search thread, queued on resume */
    double queued_at;
    bool in_search_thread;         /* send_reply keeps the response in ready */
    bool resumed;                  /* back from the search queue: send ready */
    bool cache_checked;            /* the response cache was asked (a miss) */
    /* While queued: copies of the headers the answer depends on (NULL =
     * absent), read in the search thread instead of the connection's. */
    char *h_accept_encoding, *h_origin, *h_if_none_match;
    double start;
    char *raw_uri;
    const char *method;   /* static string */
    char ip[INET6_ADDRSTRLEN];
    unsigned status;
    size_t bytes;
    int endpoint;
    bool answered;
    bool headers_seen;    /* access_cb was called once (request headers complete) */
    bool preflight;       /* a CORS preflight (OPTIONS) to answer */
    bool counted;         /* counted in m.inflight */
} request;

static void worker_free(void *p)
{
    worker *w = p;
    if (!w)
        return;
    if (w->s)
        fl_searcher_free(w->s);
    if (w->z_ready)
        deflateEnd(&w->z);
    fl_buf_free(&w->body);
    free(w->open_error);
    free(w->reopen_error);
    free(w);
}

/* Hash of DIR/XAPIANDB's content: a `--full` swap renames a new stub over it
 * and the revision number alone may repeat across generations.  0 when there
 * is no stub (a plain glass directory).  All of it: a stub of 64 shards, or a
 * hand-written one of remote shards, is longer than one read. */
static uint64_t stub_hash(const fl_server *srv)
{
    int fd = open(srv->stub_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[512];
    ssize_t n;
    size_t total = 0;
    uint64_t h = FL_FNV1A_INIT;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        h = fl_fnv1a(buf, (size_t)n, h);
        total += (size_t)n;
    }
    close(fd);
    return total ? h : 0;
}

static void publish_index_state(fl_server *srv, fl_searcher *s)
{
    atomic_store_explicit(&srv->m.documents, fl_searcher_doccount(s), memory_order_relaxed);
    atomic_store_explicit(&srv->m.revision, fl_searcher_revision(s), memory_order_relaxed);
}

static worker *get_worker(fl_server *srv)
{
    worker *w = pthread_getspecific(srv->worker_key);
    if (!w) {
        w = fl_xcalloc(1, sizeof *w);
        pthread_setspecific(srv->worker_key, w);
    }
    return w;
}

/* This thread's searcher, fresh to within FL_SERVER_CHECK_MS, or NULL when
 * the index cannot be opened (w->open_error says why). */
static fl_searcher *worker_searcher(fl_server *srv, worker *w, bool force_check)
{
    double now = mono_s();
    if (!w->s) {
        if (now < w->retry_open_at)
            return NULL;
        uint64_t g = stub_hash(srv);
        char *err = NULL;
        w->s = fl_searcher_open(srv->db_path, srv->an, &err);
        if (!w->s) {
            free(w->open_error);
            w->open_error = err ? err : fl_xstrdup("the index cannot be opened");
            w->retry_open_at = now + FL_SERVER_CHECK_MS / 1000.0;
            return NULL;
        }
        w->gen = g;
        w->last_check = now;
        publish_index_state(srv, w->s);
        return w->s;
    }
    if (force_check || now - w->last_check >= FL_SERVER_CHECK_MS / 1000.0) {
        w->last_check = now;
        uint64_t before = stub_hash(srv);
        bool changed = false;
        char *err = NULL;
        if (fl_searcher_reopen(w->s, &changed, &err) != 0) {
            /* Keep serving the handle we have: a half-finished swap or a
             * removed generation must not turn into failed requests. */
            atomic_fetch_add_explicit(&srv->m.reopen_errors, 1, memory_order_relaxed);
            free(w->reopen_error);
            w->reopen_error = err ? err : fl_xstrdup("the index cannot be reopened");
            w->last_check = now - FL_SERVER_CHECK_MS / 1000.0 + 0.05; /* retry soon */
        } else {
            free(w->reopen_error);
            w->reopen_error = NULL;
            if (stub_hash(srv) == before)
                w->gen = before;
            else
                w->last_check = 0; /* swapped while we looked: check again next time */
            if (changed)
                atomic_fetch_add_explicit(&srv->m.reopens, 1, memory_order_relaxed);
            publish_index_state(srv, w->s);
        }
    }
    return w->s;
}

/* After an index error in a search: reopen, or start over with a new handle. */
static fl_searcher *worker_recover(fl_server *srv, worker *w)
{
    if (w->s) {
        bool changed = false;
        char *err = NULL;
        if (fl_searcher_reopen(w->s, &changed, &err) == 0) {
            w->gen = stub_hash(srv);
            w->last_check = mono_s();
            return w->s;
        }
        free(err);
        fl_searcher_free(w->s);
        w->s = NULL;
    }
    w->retry_open_at = 0;
    return worker_searcher(srv, w, false);
}

/* ------------------------------------------------------------------ HTTP helpers */

static bool accepts_gzip(const char *ae)
{
    if (!ae)
        return false;
    double gzip_q = -1, star_q = -1;
    const char *s = ae;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        const char *tok = s;
        while (*s && *s != ',' && *s != ';' && *s != ' ' && *s != '\t')
            s++;
        size_t toklen = (size_t)(s - tok);
        double q = 1.0;
        while (*s && *s != ',') {
            if (*s == ';') {
                s++;
                while (*s == ' ' || *s == '\t')
                    s++;
                if ((*s == 'q' || *s == 'Q') && s[1] == '=')
                    q = strtod(s + 2, NULL);
            }
            if (*s && *s != ',')
                s++;
        }
        if ((toklen == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
            (toklen == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
            gzip_q = q;
        else if (toklen == 1 && *tok == '*')
            star_q = q;
    }
    return gzip_q > 0 || (gzip_q < 0 && star_q > 0);
}

/* Compresses with the worker's reusable deflate state (level 4: most of the
 * gain for a fraction of the CPU of level 9). */
static int gzip_into(worker *w, const void *in, size_t len, fl_buf *out)
{
    if (!w->z_ready) {
        memset(&w->z, 0, sizeof w->z);
        if (deflateInit2(&w->z, 4, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return -1;
        w->z_ready = true;
    } else if (deflateReset(&w->z) != Z_OK) {
        return -1;
    }
    size_t bound = deflateBound(&w->z, (uLong)len);
    fl_buf_reset(out);
    fl_buf_reserve(out, bound);
    w->z.next_in = (Bytef *)in;
    w->z.avail_in = (uInt)len;
    w->z.next_out = (Bytef *)out->data;
    w->z.avail_out = (uInt)bound;
    if (deflate(&w->z, Z_FINISH) != Z_STREAM_END)
        return -1;
    out->len = w->z.total_out;
    out->data[out->len] = '\0';
    return 0;
}

static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm)
        return false;
    /* Weak comparison (RFC 9110 13.1.2): opaque tags equal, W/ ignored. */
    const char *want = etag[0] == 'W' && etag[1] == '/' ? etag + 2 : etag;
    size_t wlen = strlen(want);
    const char *s = inm;
    while (*s) {
        while (*s == ' ' || *s == '\t' || *s == ',')
            s++;
        if (*s == '*')
            return true;
        if (s[0] == 'W' && s[1] == '/')
            s += 2;
        const char *start = s;
        if (*s == '"') {
            s++;
            while (*s && *s != '"')
                s++;
            if (*s == '"')
                s++;
        } else {
            while (*s && *s != ',')
                s++;
        }
        if ((size_t)(s - start) == wlen && memcmp(start, want, wlen) == 0)
            return true;
        while (*s && *s != ',')
            s++;
    }
    return false;
}

/* A request header the answer depends on: from the copy taken before the
 * request was queued when a search thread answers it. */
static const char *req_header(struct MHD_Connection *c, const request *r, const char *name)
{
    if (!r->in_search_thread)
        return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    if (strcmp(name, "Accept-Encoding") == 0)
        return r->h_accept_encoding;
    if (strcmp(name, "Origin") == 0)
        return r->h_origin;
    if (strcmp(name, "If-None-Match") == 0)
        return r->h_if_none_match;
    return NULL;
}

static const char *allowed_origin(const fl_server *srv, struct MHD_Connection *c,
                                  const request *r)
{
    if (srv->ncors == 0)
        return NULL;
    const char *origin = req_header(c, r, "Origin");
    if (!origin)
        return NULL;
    for (size_t i = 0; i < srv->ncors; i++)
        if (strcmp(srv->cors[i], origin) == 0)
            return srv->cors[i];
    return NULL;
}

typedef struct reply {
    unsigned status;
    const char *content_type;
    const char *cache_control;   /* NULL = no-store */
    const char *etag;            /* or NULL */
    const char *retry_after;     /* or NULL */
    const char *allow;           /* or NULL */
    const char *encoding;        /* the body is already encoded so (a gzip'd asset), or NULL */
    const char *vary;            /* instead of the Vary send_reply works out, or NULL */
    const char *const *extra;    /* more headers: name, value, ..., NULL; or NULL */
    bool compressible;
    bool has_variants;           /* a resource also sent gzip'd: Vary: Accept-Encoding */
} reply;

/* Queues a response whose body is data[0..len) (copied or compressed; the
 * caller keeps ownership of data). */
static enum MHD_Result send_reply(fl_server *srv, struct MHD_Connection *c, request *r,
                                  worker *w, const reply *rp, const void *data, size_t len,
                                  bool persistent)
{
    struct MHD_Response *resp;
    bool gz = false;
    fl_buf zbuf = FL_BUF_INIT;
    if (rp->compressible && len >= GZIP_MIN_BYTES && w &&
        accepts_gzip(req_header(c, r, "Accept-Encoding")) &&
        gzip_into(w, data, len, &zbuf) == 0 && zbuf.len < len) {
        gz = true;
        size_t zlen = zbuf.len;
        resp = MHD_create_response_from_buffer(zlen, fl_buf_detach(&zbuf), MHD_RESPMEM_MUST_FREE);
        len = zlen;
    } else if (persistent) {
        resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    }
    fl_buf_free(&zbuf);
    if (!resp)
        return MHD_NO;
    if (rp->content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            rp->cache_control ? rp->cache_control : "no-store");
    if (rp->etag)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rp->etag);
    if (gz || rp->encoding)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
                                rp->encoding ? rp->encoding : "gzip");
    /* A 304 carries the Vary of the 200 it stands for. */
    if (rp->vary)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, rp->vary);
    else if (rp->compressible || rp->has_variants || rp->status == MHD_HTTP_NOT_MODIFIED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
                                srv->ncors ? "Accept-Encoding, Origin" : "Accept-Encoding");
    else if (srv->ncors)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Origin");
    for (const char *const *h = rp->extra; h && h[0] && h[1]; h += 2)
        MHD_add_response_header(resp, h[0], h[1]);
    const char *origin = allowed_origin(srv, c, r);
    if (origin)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if (rp->retry_after)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, rp->retry_after);
    if (rp->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
    if (atomic_load(&srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_YES;
    if (r->in_search_thread) {
        /* The connection is suspended: its own thread queues this when
         * the connection is resumed (access_cb). */
        r->ready = resp; /* sent with r->status, set below */
    } else {
        ret = MHD_queue_response(c, rp->status, resp);
        MHD_destroy_response(resp);
    }
    r->status = rp->status;
    r->bytes = len;
    r->answered = true;
    return ret;
}

static enum MHD_Result send_error(fl_server *srv, struct MHD_Connection *c, request *r,
                                  worker *w, unsigned status, const char *code,
                                  const char *message, const char *param)
{
    fl_buf body = FL_BUF_INIT;
    fl_json j;
    fl_json_init(&j, &body);
    fl_json_object_begin(&j);
    fl_json_key(&j, "error");
    fl_json_object_begin(&j);
    fl_json_key(&j, "code");
    fl_json_string(&j, code);
    fl_json_key(&j, "message");
    fl_json_string(&j, message);
    if (param && *param) {
        fl_json_key(&j, "param");
        fl_json_string(&j, param);
    }
    fl_json_object_end(&j);
    fl_json_object_end(&j);
    fl_buf_putc(&body, '\n');
    reply rp = {.status = status, .content_type = "application/json; charset=utf-8"};
    if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
        rp.retry_after = RETRY_AFTER_UNAVAILABLE;
    if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
        rp.allow = "GET, HEAD";
    enum MHD_Result ret = send_reply(srv, c, r, w, &rp, body.data, body.len, false);
    fl_buf_free(&body);
    return ret;
}

static enum MHD_Result send_unavailable(fl_server *srv, struct MHD_Connection *c, request *r,
                                        worker *w)
{
    fl_buf msg = FL_BUF_INIT;
    fl_buf_printf(&msg, "the index cannot be opened: %s",
                  w->open_error ? w->open_error : "unknown error");
    enum MHD_Result ret = send_error(srv, c, r, w, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                                     fl_buf_cstr(&msg), NULL);
    fl_buf_free(&msg);
    return ret;
}

/* W/"<generation>-<revision>-<request hash>" */
static void make_etag(const worker *w, fl_searcher *s, const char *endpoint, const fl_buf *canon,
                      char *out, size_t outsize)
{
    uint64_t h = fl_fnv1a(endpoint, strlen(endpoint), FL_FNV1A_INIT);
    h = fl_fnv1a(canon->data ? canon->data : "", canon->len, h);
    snprintf(out, outsize, "W/\"%08x-%llu-%016llx\"", (unsigned)(w->gen & 0xffffffffu),
             (unsigned long long)fl_searcher_revision(s), (unsigned long long)h);
}

static const char *raw_query(const request *r)
{
    const char *q = r->raw_uri ? strchr(r->raw_uri, '?') : NULL;
    return q ? q + 1 : "";
}

/* ------------------------------------------------------------------ endpoints */

/* The response cache's view of one request: key = endpoint + normalised
 * parameters; the revision it was answered from. */
typedef struct cache_ref {
    fl_buf key;
    uint64_t hash, gen, rev;
} cache_ref;

/* What the index-backed endpoints share once their parameters are parsed: this
 * worker's searcher, the ETag of (index revision, normalised request), the
 * 304 when the client already has that answer and the response cache.
 * Returns the searcher with *rp ready for a 200 (rp->etag points into etag)
 * and *cr filled (free cr->key), or NULL after answering (503, 304, a cached
 * answer) with *ret set. */
static fl_searcher *begin_cached(fl_server *srv, struct MHD_Connection *c, request *r, worker *w,
                                 const char *kind, const fl_search_params *p, reply *rp,
                                 char *etag, size_t etag_size, cache_ref *cr,
                                 enum MHD_Result *ret)
{
    fl_searcher *s = worker_searcher(srv, w, false);
    if (!s) {
        *ret = send_unavailable(srv, c, r, w);
        return NULL;
    }
    fl_buf canon = FL_BUF_INIT;
    fl_search_params_canonical(p, &canon);
    make_etag(w, s, kind, &canon, etag, etag_size);
    *rp = (reply){.status = MHD_HTTP_OK, .content_type = "application/json; charset=utf-8",
                  .cache_control = SEARCH_CACHE_CONTROL, .etag = etag, .compressible = true};
    if (etag_matches(req_header(c, r, "If-None-Match"), etag)) {
        fl_buf_free(&canon);
        rp->status = MHD_HTTP_NOT_MODIFIED;
        rp->compressible = false;
        *ret = send_reply(srv, c, r, w, rp, "", 0, true);
        return NULL;
    }
    if (srv->cache) {
        fl_buf_puts(&cr->key, kind);
        fl_buf_putc(&cr->key, '\n');
        fl_buf_append(&cr->key, canon.data ? canon.data : "", canon.len);
        cr->hash = fl_fnv1a(cr->key.data, cr->key.len, FL_FNV1A_INIT);
        cr->gen = w->gen;
        cr->rev = fl_searcher_revision(s);
        rc_see_revision(srv->cache, cr->gen, cr->rev);
        fl_buf body = FL_BUF_INIT;
        /* A queued search was looked up before it was queued: asking again
         * would count its miss twice. */
        if (!r->cache_checked &&
            rc_get(srv->cache, cr->hash, cr->key.data, cr->key.len, cr->gen, cr->rev, &body)) {
            fl_buf_free(&canon);
            *ret = send_reply(srv, c, r, w, rp, body.data, body.len, false);
            fl_buf_free(&body);
            return NULL;
        }
        fl_buf_free(&body);
    }
    fl_buf_free(&canon);
    return s;
}

/* Keeps a fresh answer in the response cache (when there is one). */
static void cache_answer(fl_server *srv, const cache_ref *cr, const fl_buf *body)
{
    if (srv->cache && cr->key.len)
        rc_put(srv->cache, cr->hash, cr->key.data, cr->key.len, cr->gen, cr->rev, body->data,
               body->len);
}

/* Gives the searcher the autocomplete table of its revision (with the
 * spelling dictionary's copy): the shared one when it is current, else one
 * built now by this request and shared from then on.  One thread builds at a
 * time (a table is ~20 MB on the laws): `wait` (suggest, which needs the
 * table) waits for it, a search goes on without (its typo walk reads the
 * index).  A searcher behind the shared table's revision builds nothing: it
 * reopens within 250 ms; a search does not retry a revision whose build
 * failed.  On failure fl_suggest builds (and reports) itself. */
static void share_completions(fl_server *srv, fl_searcher *s, bool wait)
{
    if (fl_completions_current(fl_searcher_completions(s), s))
        return;
    uint64_t rev = fl_searcher_revision(s), stub = fl_searcher_stub_hash(s);
    fl_completions *c = NULL;
    pthread_mutex_lock(&srv->compl_lock);
    for (;;) {
        if (fl_completions_current(srv->compl, s)) {
            c = fl_completions_ref(srv->compl);
            break;
        }
        bool failed =
            srv->compl_failed && srv->compl_fail_rev == rev && srv->compl_fail_stub == stub;
        if (fl_completions_behind(srv->compl, s) || (!wait && (srv->compl_building || failed)))
            break;
        if (!srv->compl_building) {
            srv->compl_building = true;
            pthread_mutex_unlock(&srv->compl_lock);
            char *err = NULL;
            c = fl_completions_build(s, &err);
            free(err);
            pthread_mutex_lock(&srv->compl_lock);
            srv->compl_building = false;
            pthread_cond_broadcast(&srv->compl_cond);
            srv->compl_failed = !c;
            srv->compl_fail_rev = rev;
            srv->compl_fail_stub = stub;
            if (c && !fl_completions_behind(srv->compl, s)) {
                atomic_fetch_add_explicit(&srv->compl_builds, 1, memory_order_relaxed);
                atomic_store(&srv->compl_bytes, fl_completions_bytes(c));
                atomic_store(&srv->compl_entries, fl_completions_count(c));
                atomic_store(&srv->spell_words, fl_completions_spell_count(c));
                fl_completions *old = srv->compl;
                srv->compl = fl_completions_ref(c);
                fl_completions_unref(old); /* others hold their own references */
            }
            break;
        }
        pthread_cond_wait(&srv->compl_cond, &srv->compl_lock);
    }
    pthread_mutex_unlock(&srv->compl_lock);
    if (c) {
        fl_searcher_set_completions(s, c);
        fl_completions_unref(c);
    }
}

/* 503 for an index that failed while answering (after one recovery). */
static enum MHD_Result send_index_error(fl_server *srv, struct MHD_Connection *c, request *r,
                                        worker *w, const char *err)
{
    fl_buf msg = FL_BUF_INIT;
    fl_buf_printf(&msg, "the index could not be read: %s", err ? err : "unknown error");
    enum MHD_Result ret = send_error(srv, c, r, w, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                                     fl_buf_cstr(&msg), NULL);
    fl_buf_free(&msg);
    return ret;
}

static enum MHD_Result handle_search(fl_server *srv, struct MHD_Connection *c, request *r,
                                     worker *w)
{
    fl_search_params p;
    fl_search_params_init(&p);
    char *param = NULL, *err = NULL;
    cache_ref cr = {FL_BUF_INIT, 0, 0, 0};
    enum MHD_Result ret;
    if (fl_params_parse_search(raw_query(r), &p, &param, &err) != 0) {
        ret = send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request", err, param);
        goto out;
    }
    char etag[96];
    reply rp;
    fl_searcher *s = begin_cached(srv, c, r, w, "search", &p, &rp, etag, sizeof etag, &cr, &ret);
    if (!s)
        goto out;
    /* Its copy of the spelling dictionary corrects typos (fl_spell_suggest). */
    share_completions(srv, s, false);
    fl_search_request req;
    fl_search_params_request(&p, &req);
    fl_search_result res;
    memset(&res, 0, sizeof res);
    int rc = fl_search_run(s, &req, &res, &err);
    if (rc == FL_SEARCH_EINDEX) {
        /* The engine retries DatabaseModifiedError itself; anything left is
         * a handle gone bad (e.g. its generation removed): start over once. */
        free(err);
        err = NULL;
        s = worker_recover(srv, w);
        if (!s) {
            ret = send_unavailable(srv, c, r, w);
            goto out;
        }
        share_completions(srv, s, false);
        memset(&res, 0, sizeof res);
        rc = fl_search_run(s, &req, &res, &err);
    }
    if (rc == FL_SEARCH_EBADQUERY) {
        ret = send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request",
                         err ? err : "the query cannot be understood", "q");
    } else if (rc != 0) {
        ret = send_index_error(srv, c, r, w, err);
    } else {
        fl_buf *body = &w->body;
        fl_buf_truncate(body, 0);
        fl_search_result_json(&res, body);
        fl_buf_putc(body, '\n');
        fl_search_result_free(&res);
        cache_answer(srv, &cr, body);
        ret = send_reply(srv, c, r, w, &rp, body->data, body->len, false);
        if (body->cap > BODY_KEEP_BYTES)
            fl_buf_free(body);
    }
out:
    fl_buf_free(&cr.key);
    free(param);
    free(err);
    fl_search_params_free(&p);
    return ret;
}

/* ------------------------------------------------------------------ search queue */

/* A search a client may already have (If-None-Match) or the response cache
 * may hold is answered here, in the connection's MHD thread; true when it
 * still needs the search (nothing was sent). */
static bool search_needs_run(fl_server *srv, struct MHD_Connection *c, request *r, worker *w,
                             enum MHD_Result *ret)
{
    if (!srv->cache && !MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"))
        return true;
    fl_search_params p;
    fl_search_params_init(&p);
    char *param = NULL, *err = NULL;
    cache_ref cr = {FL_BUF_INIT, 0, 0, 0};
    char etag[96];
    reply rp;
    /* A bad request is answered by the search thread, like any other. */
    bool parsed = fl_params_parse_search(raw_query(r), &p, &param, &err) == 0;
    bool needed =
        !parsed || begin_cached(srv, c, r, w, "search", &p, &rp, etag, sizeof etag, &cr, ret);
    r->cache_checked = parsed && needed && srv->cache;
    fl_buf_free(&cr.key);
    free(param);
    free(err);
    fl_search_params_free(&p);
    return needed;
}

static char *dup_header(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? fl_xstrdup(v) : NULL;
}

/* Puts the search in the queue and suspends its connection (or answers it
 * here when it is cached, or when the server is stopping). */
static enum MHD_Result queue_search(fl_server *srv, struct MHD_Connection *c, request *r,
                                    worker *w)
{
    enum MHD_Result ret = MHD_YES;
    if (!search_needs_run(srv, c, r, w, &ret))
        return ret;
    pthread_mutex_lock(&srv->queue_lock);
    if (srv->queue_closed) {
        pthread_mutex_unlock(&srv->queue_lock);
        return handle_search(srv, c, r, w);
    }
    r->h_accept_encoding = dup_header(c, "Accept-Encoding");
    r->h_origin = dup_header(c, "Origin");
    r->h_if_none_match = dup_header(c, "If-None-Match");
    /* Suspended before a search thread can see it: the thread resumes it. */
    MHD_suspend_connection(c);
    r->conn = c;
    r->qnext = NULL;
    r->queued_at = mono_s();
    atomic_fetch_add_explicit(&srv->m.queued, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&srv->m.queue_len, 1, memory_order_relaxed);
    if (srv->queue_tail)
        srv->queue_tail->qnext = r;
    else
        srv->queue_head = r;
    srv->queue_tail = r;
    pthread_cond_signal(&srv->queue_cond);
    pthread_mutex_unlock(&srv->queue_lock);
    return MHD_YES;
}

static request *queue_pop(fl_server *srv)
{
    request *r = srv->queue_head;
    if (r) {
        srv->queue_head = r->qnext;
        if (!srv->queue_head)
            srv->queue_tail = NULL;
        r->qnext = NULL;
        atomic_fetch_sub_explicit(&srv->m.queue_len, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&srv->m.queue_wait_us,
                                  (uint64_t)((mono_s() - r->queued_at) * 1e6),
                                  memory_order_relaxed);
    }
    return r;
}

/* Gives a queued request its response (or none: the connection is then
 * closed) and hands the connection back to its MHD thread.  The request
 * belongs to that thread again from here: not touched after the resume. */
static void resume_answered(request *r)
{
    struct MHD_Connection *c = r->conn;
    r->in_search_thread = false;
    r->conn = NULL;
    r->resumed = true;
    MHD_resume_connection(c);
}

static void *search_thread(void *arg)
{
    fl_server *srv = arg;
    /* The index handle now, not at the first search: that one would wait
     * for the open, and the server's descriptors would grow later. */
    (void)worker_searcher(srv, get_worker(srv), false);
    pthread_mutex_lock(&srv->queue_lock);
    while (!srv->queue_closed) {
        request *r = queue_pop(srv);
        if (!r) {
            pthread_cond_wait(&srv->queue_cond, &srv->queue_lock);
            continue;
        }
        pthread_mutex_unlock(&srv->queue_lock);
        r->in_search_thread = true;
        handle_search(srv, r->conn, r, get_worker(srv));
        resume_answered(r);
        pthread_mutex_lock(&srv->queue_lock);
    }
    pthread_mutex_unlock(&srv->queue_lock);
    return NULL;
}

/* Ends the search threads (each finishes the search it is on first);
 * searches still queued are given a 503 (sent if the daemon gets to it
 * before it stops: fl_server_stop waits a moment). */
static void stop_search_threads(fl_server *srv)
{
    if (!srv->searchers)
        return;
    pthread_mutex_lock(&srv->queue_lock);
    srv->queue_closed = true;
    pthread_cond_broadcast(&srv->queue_cond);
    pthread_mutex_unlock(&srv->queue_lock);
    for (unsigned i = 0; i < srv->nsearchers; i++)
        pthread_join(srv->searchers[i], NULL);
    free(srv->searchers);
    srv->searchers = NULL; /* nsearchers stays: MHD threads read it unlocked */
    request *r;
    while ((r = queue_pop(srv))) {
        r->in_search_thread = true;
        send_error(srv, r->conn, r, NULL, MHD_HTTP_SERVICE_UNAVAILABLE, "unavailable",
                   "the server is shutting down", NULL);
        resume_answered(r);
    }
}

/* Sends what a search thread built for a resumed connection. */
static enum MHD_Result send_ready(struct MHD_Connection *c, request *r)
{
    struct MHD_Response *resp = r->ready;
    r->ready = NULL;
    if (!resp)
        return MHD_NO; /* the response could not be built: close */
    enum MHD_Result ret = MHD_queue_response(c, r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result handle_suggest(fl_server *srv, struct MHD_Connection *c, request *r,
                                      worker *w)
{
    fl_search_params p;
    fl_search_params_init(&p);
    char *param = NULL, *err = NULL;
    cache_ref cr = {FL_BUF_INIT, 0, 0, 0};
    enum MHD_Result ret;
    if (fl_params_parse_suggest(raw_query(r), &p, &param, &err) != 0) {
        ret = send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request", err, param);
        goto out;
    }
    char etag[96];
    reply rp;
    fl_searcher *s = begin_cached(srv, c, r, w, "suggest", &p, &rp, etag, sizeof etag, &cr, &ret);
    if (!s)
        goto out;
    share_completions(srv, s, true);
    fl_strlist list = {0};
    int rc = fl_suggest(s, p.q, p.limit, &list, &err);
    if (rc != 0) {
        fl_strlist_free(&list);
        free(err);
        err = NULL;
        s = worker_recover(srv, w);
        if (!s) {
            ret = send_unavailable(srv, c, r, w);
            goto out;
        }
        share_completions(srv, s, true);
        rc = fl_suggest(s, p.q, p.limit, &list, &err);
    }
    if (rc != 0) {
        ret = send_index_error(srv, c, r, w, err);
    } else {
        fl_buf body = FL_BUF_INIT;
        fl_json j;
        fl_json_init(&j, &body);
        fl_json_object_begin(&j);
        fl_json_key(&j, "query");
        fl_json_string(&j, p.q);
        fl_json_key(&j, "suggestions");
        fl_json_array_begin(&j);
        for (size_t i = 0; i < list.n; i++)
            fl_json_string(&j, list.items[i]);
        fl_json_array_end(&j);
        fl_json_object_end(&j);
        fl_buf_putc(&body, '\n');
        cache_answer(srv, &cr, &body);
        ret = send_reply(srv, c, r, w, &rp, body.data, body.len, false);
        fl_buf_free(&body);
    }
    fl_strlist_free(&list);
out:
    fl_buf_free(&cr.key);
    free(param);
    free(err);
    fl_search_params_free(&p);
    return ret;
}

static enum MHD_Result handle_healthz(fl_server *srv, struct MHD_Connection *c, request *r,
                                      worker *w)
{
    fl_searcher *s = worker_searcher(srv, w, true);
    if (!s)
        return send_unavailable(srv, c, r, w);
    fl_buf body = FL_BUF_INIT;
    fl_buf_printf(&body, "{\"status\":\"ok\",\"documents\":%u,\"revision\":%llu",
                  fl_searcher_doccount(s), (unsigned long long)fl_searcher_revision(s));
    /* Still serving, but from the revision it has: a newer one on disk
     * cannot be opened (a broken reindex).  For monitoring to notice. */
    if (w->reopen_error) {
        fl_buf_puts(&body, ",\"reopen_error\":\"");
        fl_json_escape(&body, w->reopen_error, strlen(w->reopen_error));
        fl_buf_putc(&body, '"');
    }
    fl_buf_puts(&body, "}\n");
    reply rp = {.status = MHD_HTTP_OK, .content_type = "application/json; charset=utf-8"};
    enum MHD_Result ret = send_reply(srv, c, r, w, &rp, body.data, body.len, false);
    fl_buf_free(&body);
    return ret;
}

/* One Prometheus sample with its HELP and TYPE lines. */
static void put_metric(fl_buf *b, const char *name, const char *type, const char *help,
                       unsigned long long value)
{
    fl_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, value);
}

static enum MHD_Result handle_metrics(fl_server *srv, struct MHD_Connection *c, request *r,
                                      worker *w)
{
    metrics *m = &srv->m;
    fl_buf b = FL_BUF_INIT;
    fl_buf_puts(&b, "# HELP findling_http_requests_total HTTP requests answered, by endpoint "
                    "and status.\n# TYPE findling_http_requests_total counter\n");
    for (int e = 0; e < EP_COUNT; e++)
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t n = atomic_load_explicit(&m->requests[e][s], memory_order_relaxed);
            if (n == 0)
                continue;
            if (s < NSTATUS - 1)
                fl_buf_printf(&b, "findling_http_requests_total{endpoint=\"%s\",status=\"%u\"} %llu\n",
                              ep_names[e], tracked_status[s], (unsigned long long)n);
            else
                fl_buf_printf(&b, "findling_http_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n",
                              ep_names[e], (unsigned long long)n);
        }
    fl_buf_puts(&b, "# HELP findling_http_request_duration_seconds Time from request line to "
                    "response sent.\n# TYPE findling_http_request_duration_seconds histogram\n");
    for (int e = 0; e < EP_COUNT; e++) {
        uint64_t cum = 0;
        for (size_t k = 0; k <= NBUCKETS; k++) {
            cum += atomic_load_explicit(&m->bucket[e][k], memory_order_relaxed);
            if (k < NBUCKETS)
                fl_buf_printf(&b, "findling_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %llu\n",
                              ep_names[e], buckets_s[k], (unsigned long long)cum);
            else
                fl_buf_printf(&b, "findling_http_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} %llu\n",
                              ep_names[e], (unsigned long long)cum);
        }
        fl_buf_printf(&b, "findling_http_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n",
                      ep_names[e],
                      (double)atomic_load_explicit(&m->sum_us[e], memory_order_relaxed) / 1e6);
        fl_buf_printf(&b, "findling_http_request_duration_seconds_count{endpoint=\"%s\"} %llu\n",
                      ep_names[e], (unsigned long long)cum);
    }
    int inflight = atomic_load(&m->inflight);
    put_metric(&b, "findling_index_documents", "gauge", "Documents in the index (as last seen).",
               atomic_load(&m->documents));
    put_metric(&b, "findling_index_revision", "gauge", "Index revision (as last seen).",
               atomic_load(&m->revision));
    put_metric(&b, "findling_index_reopens_total", "counter",
               "Times a worker picked up a new revision.", atomic_load(&m->reopens));
    put_metric(&b, "findling_index_reopen_errors_total", "counter",
               "Failed reopen attempts (old handle kept).", atomic_load(&m->reopen_errors));
    put_metric(&b, "findling_http_requests_in_flight", "gauge", "Requests being answered.",
               inflight > 0 ? (unsigned long long)inflight : 0);
    put_metric(&b, "findling_http_request_timeouts_total", "counter",
               "Connections closed because a request had not arrived whole within "
               "--request-timeout.",
               atomic_load(&m->request_timeouts));
    int qlen = atomic_load(&m->queue_len);
    put_metric(&b, "findling_search_queue_length", "gauge",
               "Searches waiting for a search thread.", qlen > 0 ? (unsigned long long)qlen : 0);
    put_metric(&b, "findling_search_queued_total", "counter",
               "Searches queued for the search threads (not answered from the cache or by a "
               "304 first).",
               atomic_load(&m->queued));
    fl_buf_printf(&b, "# HELP findling_search_queue_wait_seconds_total Time searches waited "
                      "in the queue, summed.\n# TYPE findling_search_queue_wait_seconds_total "
                      "counter\nfindling_search_queue_wait_seconds_total %.6f\n",
                  (double)atomic_load(&m->queue_wait_us) / 1e6);
    put_metric(&b, "findling_suggest_table_bytes", "gauge",
               "Memory of the shared autocomplete table.", atomic_load(&srv->compl_bytes));
    put_metric(&b, "findling_suggest_table_entries", "gauge",
               "Entries of the shared autocomplete table.", atomic_load(&srv->compl_entries));
    put_metric(&b, "findling_suggest_table_builds_total", "counter",
               "Autocomplete tables built (one per revision).", atomic_load(&srv->compl_builds));
    put_metric(&b, "findling_spelling_words", "gauge",
               "Words of the spelling dictionary, kept in memory with the autocomplete table.",
               atomic_load(&srv->spell_words));
    fl_mapread_stats ms;
    fl_mapread_get_stats(&ms);
    put_metric(&b, "findling_mapped_reads_enabled", "gauge",
               "1 when index blocks are copied from file mappings (--map-mb).",
               fl_mapread_enabled() ? 1 : 0);
    put_metric(&b, "findling_mapped_reads_total", "counter",
               "Index block reads answered from a file mapping.", ms.mapped_reads);
    put_metric(&b, "findling_syscall_reads_total", "counter",
               "Index block reads left to pread() while mapped reads were on.", ms.syscall_reads);
    put_metric(&b, "findling_mapped_files_total", "counter",
               "Index files mapped (again when one grew).", ms.maps);
    put_metric(&b, "findling_mapped_declined_total", "counter",
               "Index block reads left to pread() because --map-mb was reached.", ms.declined);
    put_metric(&b, "findling_mapped_advice_skipped_total", "counter",
               "Read-ahead advice for index blocks already read through a mapping, answered "
               "without a system call.",
               ms.advice_skipped);
    put_metric(&b, "findling_mapped_bytes", "gauge",
               "Index file windows mapped for reading (a bound of their resident pages; "
               "--map-mb bounds it).",
               ms.resident_bytes);
    if (srv->cache) {
        rcache *rc = srv->cache;
        put_metric(&b, "findling_cache_hits_total", "counter",
                   "Answers served from the response cache.", atomic_load(&rc->hits));
        put_metric(&b, "findling_cache_misses_total", "counter",
                   "Cacheable requests not in the response cache.", atomic_load(&rc->misses));
        put_metric(&b, "findling_cache_evictions_total", "counter",
                   "Answers dropped to stay within --cache-mb.", atomic_load(&rc->evictions));
        put_metric(&b, "findling_cache_bytes", "gauge", "Memory charged to the response cache.",
                   atomic_load(&rc->bytes));
        put_metric(&b, "findling_cache_entries", "gauge", "Answers in the response cache.",
                   atomic_load(&rc->entries));
        put_metric(&b, "findling_cache_max_bytes", "gauge", "The response cache's bound (--cache-mb).",
                   (unsigned long long)(rc->max_bytes_per_shard * RC_SHARDS));
    }
    reply rp = {.status = MHD_HTTP_OK, .content_type = "text/plain; version=0.0.4; charset=utf-8"};
    enum MHD_Result ret = send_reply(srv, c, r, w, &rp, b.data, b.len, false);
    fl_buf_free(&b);
    return ret;
}

static const asset *find_asset(const fl_server *srv, const char *name)
{
    for (size_t i = 0; i < srv->nassets; i++)
        if (strcmp(srv->assets[i].src->name, name) == 0)
            return &srv->assets[i];
    return NULL;
}

static enum MHD_Result handle_asset(fl_server *srv, struct MHD_Connection *c, request *r,
                                    worker *w, const asset *a)
{
    /* Two variants when a gzip'd copy exists, each with its own tag: a
     * cache holding one must not revalidate it as the other. */
    bool gz = a->gz && accepts_gzip(MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                                "Accept-Encoding"));
    reply rp = {.status = MHD_HTTP_OK, .content_type = a->src->content_type,
                .cache_control = ASSET_CACHE_CONTROL, .etag = gz ? a->etag_gz : a->etag,
                .encoding = gz ? "gzip" : NULL, .has_variants = a->gz != NULL};
    if (etag_matches(MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match"), rp.etag)) {
        rp.status = MHD_HTTP_NOT_MODIFIED;
        rp.encoding = NULL;
        return send_reply(srv, c, r, w, &rp, "", 0, true);
    }
    if (gz)
        return send_reply(srv, c, r, w, &rp, a->gz, a->gzlen, true);
    return send_reply(srv, c, r, w, &rp, a->src->data, a->src->len, true);
}

/* A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method)
 * from an origin given with --cors-origin, for GET or HEAD: 204 with what
 * the browser asks to be allowed.  The API reads no request header a
 * cross-origin caller could abuse, so the headers asked for are allowed as
 * asked (when they are a plain list of header names). */
static enum MHD_Result handle_preflight(fl_server *srv, struct MHD_Connection *c, request *r,
                                        worker *w)
{
    const char *want =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Method");
    if (!allowed_origin(srv, c, r))
        return send_error(srv, c, r, w, MHD_HTTP_FORBIDDEN, "forbidden",
                          "this origin is not allowed cross-origin access", NULL);
    if (!want || (strcmp(want, "GET") != 0 && strcmp(want, "HEAD") != 0))
        return send_error(srv, c, r, w, MHD_HTTP_FORBIDDEN, "forbidden",
                          "only GET and HEAD are allowed cross-origin", NULL);
    const char *hdrs =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Access-Control-Request-Headers");
    bool names = hdrs && *hdrs && strlen(hdrs) <= 1024;
    for (const char *p = hdrs; names && *p; p++)
        names = isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == ',' || *p == ' ';
    const char *extra[] = {"Access-Control-Allow-Methods", "GET, HEAD",
                           "Access-Control-Max-Age", "600",
                           names ? "Access-Control-Allow-Headers" : NULL, names ? hdrs : NULL,
                           NULL};
    reply rp = {.status = MHD_HTTP_NO_CONTENT,
                .vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                .extra = extra};
    return send_reply(srv, c, r, w, &rp, "", 0, true);
}

/* ------------------------------------------------------------------ MHD callbacks */

static const char *static_method(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS",
                                        "PATCH", "TRACE", "CONNECT"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER";
}

static void client_ip(struct MHD_Connection *c, char *out, size_t size)
{
    snprintf(out, size, "-");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)size);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)size);
}

/* The last X-Forwarded-For header's last entry: the address our proxy saw
 * (earlier entries are whatever the client claimed).  Normalised; false when
 * there is none or it is not a numeric address. */
static enum MHD_Result xff_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    if (value && strcasecmp(key, "X-Forwarded-For") == 0)
        *(const char **)cls = value;
    return MHD_YES;
}

static bool forwarded_ip(struct MHD_Connection *c, char *out, size_t size)
{
    const char *xff = NULL;
    MHD_get_connection_values(c, MHD_HEADER_KIND, xff_iter, &xff);
    if (!xff)
        return false;
    const char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    size_t n = strcspn(last, " \t");
    char tmp[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof tmp || last[n + strspn(last + n, " \t")] != '\0')
        return false;
    memcpy(tmp, last, n);
    tmp[n] = '\0';
    unsigned char bin[sizeof(struct in6_addr)];
    if (inet_pton(AF_INET, tmp, bin) == 1)
        return inet_ntop(AF_INET, bin, out, (socklen_t)size) != NULL;
    if (inet_pton(AF_INET6, tmp, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, (socklen_t)size) != NULL;
    return false;
}

/* Per connection: the request uri_log_cb started that completed_cb has not
 * finished yet.  libmicrohttpd 0.9 calls neither the access handler nor the
 * completion callback for a request it gave up on itself (e.g. no pool
 * memory left for thousands of parameters): without this, each such request
 * leaked its URI and stayed "in flight" forever (and a stop waited the whole
 * drain time for it). */
typedef struct conn_state {
    request *pending;
    /* The request timeout (fl_server_options.request_timeout_s): until the
     * current request has arrived whole, the connection must be done with
     * it by `deadline` (mono_s(); 0 = the request is being answered).  The
     * watchdog shuts down the socket of a connection past its deadline;
     * libmicrohttpd then closes it as if the client had.  Under conns_lock:
     * deadline, expired, prev, next. */
    MHD_socket fd;
    double deadline;
    bool expired;       /* cut by the watchdog */
    struct conn_state *prev, *next;
} conn_state;

static conn_state *conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void finish_request(fl_server *srv, request *r);

/* A request whose connection the watchdog cut before it arrived whole (no
 * answer given) is logged and counted as what it was, a request timeout. */
static void mark_if_cut(request *r, bool expired)
{
    if (expired && !r->status)
        r->status = MHD_HTTP_REQUEST_TIMEOUT;
}

/* No request deadline for the connection while its request is answered. */
static void clear_deadline(fl_server *srv, struct MHD_Connection *c)
{
    conn_state *cs = conn_of(c);
    if (!cs)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    cs->deadline = 0;
    pthread_mutex_unlock(&srv->conns_lock);
}

/* The watchdog: a request that has not arrived whole by its deadline (a
 * client trickling its header a byte at a time is never idle, so the idle
 * timeout never ends it) has its connection shut down.  The socket stays
 * libmicrohttpd's: shutdown() makes its next read see the end of the
 * stream, and it closes the connection itself.  No race with that close:
 * libmicrohttpd reports a connection's end (connection_cb, which takes
 * conns_lock to unlink it) before it closes the descriptor, so a
 * descriptor seen here under the lock is still that connection's. */
static void *watchdog_thread(void *arg)
{
    fl_server *srv = arg;
    pthread_mutex_lock(&srv->conns_lock);
    while (!srv->watchdog_stop) {
        double now = mono_s();
        for (conn_state *cs = srv->conns; cs; cs = cs->next) {
            if (cs->deadline > 0 && now >= cs->deadline && !cs->expired &&
                cs->fd != MHD_INVALID_SOCKET) {
                cs->expired = true;
                (void)shutdown(cs->fd, SHUT_RDWR);
                atomic_fetch_add(&srv->m.request_timeouts, 1);
            }
        }
        /* A quarter of a second's granularity, on the monotonic clock (the
         * condition's): a wall clock stepped back must not stall it. */
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += 250000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->watchdog_cond, &srv->conns_lock, &ts);
    }
    pthread_mutex_unlock(&srv->conns_lock);
    return NULL;
}

static void stop_watchdog(fl_server *srv)
{
    if (!srv->watchdog_started)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    srv->watchdog_stop = true;
    pthread_cond_signal(&srv->watchdog_cond);
    pthread_mutex_unlock(&srv->conns_lock);
    pthread_join(srv->watchdog, NULL);
    srv->watchdog_started = false;
}

static request *new_request(fl_server *srv, const char *uri, struct MHD_Connection *c)
{
    conn_state *cs = conn_of(c);
    if (cs && cs->pending) {
        /* The previous request on this connection was dropped unfinished;
         * libmicrohttpd no longer refers to it. */
        finish_request(srv, cs->pending);
        cs->pending = NULL;
    }
    request *r = fl_xcalloc(1, sizeof *r);
    r->start = mono_s();
    r->raw_uri = fl_xstrdup(uri ? uri : "");
    r->method = "-";
    r->endpoint = EP_OTHER;
    r->counted = true;
    client_ip(c, r->ip, sizeof r->ip);
    atomic_fetch_add(&srv->m.inflight, 1);
    if (cs)
        cs->pending = r;
    return r;
}

static void *uri_log_cb(void *cls, const char *uri, struct MHD_Connection *c)
{
    return new_request(cls, uri, c);
}

static int endpoint_of(const char *url)
{
    if (strcmp(url, "/api/search") == 0)
        return EP_SEARCH;
    if (strcmp(url, "/api/suggest") == 0)
        return EP_SUGGEST;
    if (strcmp(url, "/healthz") == 0)
        return EP_HEALTHZ;
    if (strcmp(url, "/metrics") == 0)
        return EP_METRICS;
    return EP_OTHER;
}

/* MHD hands us the path percent-decoded and cut at the first NUL, so
 * "/widget.js%00.html" would look like "/widget.js": judge the raw path
 * instead, with the same rules as the query string (params.c). */
static bool raw_path_valid(const char *raw)
{
    if (!raw)
        return true;
    size_t n = strcspn(raw, "?");
    fl_buf tmp = FL_BUF_INIT;
    bool ok = fl_params_decode(raw, n, &tmp) == 0;
    fl_buf_free(&tmp);
    return ok;
}

typedef struct cl_seen {
    const char *first;
    bool conflict;
} cl_seen;

static enum MHD_Result cl_iter(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    (void)kind;
    cl_seen *cs = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) != 0)
        return MHD_YES;
    if (!cs->first)
        cs->first = value ? value : "";
    else if (strcmp(cs->first, value ? value : "") != 0)
        cs->conflict = true;
    return MHD_YES;
}

/* Two different Content-Length headers: RFC 9112 6.3 makes that an
 * unrecoverable error, and a proxy in front might have read the other one
 * (request smuggling).  MHD itself only looks at the first. */
static bool content_length_conflict(struct MHD_Connection *c)
{
    cl_seen cs = {NULL, false};
    MHD_get_connection_values(c, MHD_HEADER_KIND, cl_iter, &cs);
    return cs.conflict;
}

#if defined(__linux__) && !defined(SCHED_BATCH)
#define SCHED_BATCH 3 /* Linux's; <sched.h> names it only with _GNU_SOURCE */
#endif

/* The HTTP threads run as SCHED_BATCH (Linux): one woken by a request or by
 * an answer a search thread hands back does not preempt the search running
 * on its CPU at once, but runs when a CPU is free or at the scheduler's next
 * tick, and then handles everything that came in meanwhile.  Measured on
 * the laws at 64 connections, response cache off: 3.5 context switches per
 * search (HTTP threads woken, search threads preempted) became 0.7, and on
 * a virtual machine each is dear: +8-10 % searches/s, the p50 4 ms
 * shorter.  An idle CPU runs a woken batch thread at once: under light load
 * nothing waits.  Set by each HTTP thread on its first request; the search
 * threads stay SCHED_OTHER. */
static void http_thread_policy(void)
{
#ifdef SCHED_BATCH
    static _Thread_local bool set;
    if (set)
        return;
    set = true;
    struct sched_param sp = {0};
    (void)pthread_setschedparam(pthread_self(), SCHED_BATCH, &sp); /* best effort */
#endif
}

/* The path of a request target in absolute form ("http://host:port/path",
 * which RFC 9112 3.2.2 has servers accept, not only proxies): the part from
 * the first '/' after the authority ("/" when there is none).  Other
 * targets are returned as they are. */
static const char *origin_form(const char *url)
{
    size_t skip = strncasecmp(url, "http://", 7) == 0    ? 7
                  : strncasecmp(url, "https://", 8) == 0 ? 8
                                                          : 0;
    if (!skip)
        return url;
    const char *path = strchr(url + skip, '/');
    return path ? path : "/";
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)upload_data;
    http_thread_policy();
    fl_server *srv = cls;
    request *r = *con_cls;
    if (!r)
        *con_cls = r = new_request(srv, url, c);
    if (r->resumed) {
        r->resumed = false;
        return send_ready(c, r);
    }
    if (r->answered) {
        *upload_data_size = 0; /* discard any body */
        return MHD_YES;
    }
    worker *w = get_worker(srv);
    url = origin_form(url);
    if (!r->headers_seen) {
        r->headers_seen = true;
        r->method = static_method(method);
        if (srv->trust_proxy && strcmp(r->ip, srv->trust_proxy) == 0) {
            char fwd[INET6_ADDRSTRLEN];
            if (forwarded_ip(c, fwd, sizeof fwd))
                memcpy(r->ip, fwd, sizeof r->ip);
        }
        int ep = endpoint_of(url);
        if (ep == EP_OTHER &&
            find_asset(srv, strcmp(url, "/") == 0 ? "index.html" : url + 1))
            ep = EP_STATIC;
        r->endpoint = ep;
        /* Refusals are sent at once (MHD then closes the connection, which
         * is right: we do not want the body).  Everything else is answered
         * on a later call, after any body was read: answering on the first
         * call would cost the keep-alive. */
        r->preflight = strcmp(method, "OPTIONS") == 0 && srv->ncors &&
                       MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin") &&
                       MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   "Access-Control-Request-Method");
        if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !r->preflight)
            return send_error(srv, c, r, w, MHD_HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
                              "only GET and HEAD are supported", NULL);
        if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
            !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
            return send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request",
                              "an HTTP/1.1 request needs a Host header", NULL);
        if (!raw_path_valid(r->raw_uri))
            return send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request",
                              "the path is not valid percent-encoded UTF-8 (or contains NUL)",
                              NULL);
        if (content_length_conflict(c))
            return send_error(srv, c, r, w, MHD_HTTP_BAD_REQUEST, "bad_request",
                              "conflicting Content-Length headers", NULL);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        const char *te = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding");
        if (te || (cl && strtoull(cl, NULL, 10) > MAX_BODY_BYTES))
            return send_error(srv, c, r, w, MHD_HTTP_CONTENT_TOO_LARGE, "payload_too_large",
                              "request bodies are not accepted with GET or HEAD", NULL);
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        *upload_data_size = 0; /* a small body on a GET: read and ignored */
        return MHD_YES;
    }
    /* The request has arrived whole: no deadline while it is answered. */
    clear_deadline(srv, c);
    int ep = r->endpoint;
    const asset *a = ep == EP_STATIC
                         ? find_asset(srv, strcmp(url, "/") == 0 ? "index.html" : url + 1)
                         : NULL;

    if (srv->rate_limited && ep != EP_HEALTHZ && ep != EP_METRICS) {
        unsigned wait = rl_check(&srv->rl, r->ip);
        if (wait) {
            char ra[24];
            snprintf(ra, sizeof ra, "%u", wait);
            fl_buf body = FL_BUF_INIT;
            fl_buf_puts(&body, "{\"error\":{\"code\":\"too_many_requests\",\"message\":"
                               "\"rate limit exceeded, retry later\"}}\n");
            reply rp = {.status = MHD_HTTP_TOO_MANY_REQUESTS,
                        .content_type = "application/json; charset=utf-8", .retry_after = ra};
            enum MHD_Result ret = send_reply(srv, c, r, w, &rp, body.data, body.len, false);
            fl_buf_free(&body);
            return ret;
        }
    }

    if (r->preflight)
        return handle_preflight(srv, c, r, w);
    switch (ep) {
    case EP_SEARCH:
        return srv->nsearchers ? queue_search(srv, c, r, w) : handle_search(srv, c, r, w);
    case EP_SUGGEST: return handle_suggest(srv, c, r, w);
    case EP_HEALTHZ: return handle_healthz(srv, c, r, w);
    case EP_METRICS: return handle_metrics(srv, c, r, w);
    case EP_STATIC: return handle_asset(srv, c, r, w, a);
    default: break;
    }
    fl_buf msg = FL_BUF_INIT;
    fl_buf_puts(&msg, "no such resource: ");
    fl_buf_puts(&msg, url);
    enum MHD_Result ret = send_error(srv, c, r, w, MHD_HTTP_NOT_FOUND, "not_found",
                                     fl_buf_cstr(&msg), NULL);
    fl_buf_free(&msg);
    return ret;
}

/* One line per request: time ip method uri status bytes ms.  The URI is
 * written with bytes outside printable ASCII percent-escaped, so a request
 * cannot forge log lines.  One write() per line (O_APPEND) keeps lines whole
 * across threads without a lock. */
static void access_log(fl_server *srv, const request *r, double ms)
{
    fl_buf line = FL_BUF_INIT;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    fl_buf_printf(&line, "%s.%03ldZ %s %s ", when, ts.tv_nsec / 1000000, r->ip, r->method);
    const unsigned char *u = (const unsigned char *)(r->raw_uri ? r->raw_uri : "-");
    for (; *u; u++) {
        if (*u > 0x20 && *u < 0x7f)
            fl_buf_putc(&line, (char)*u);
        else
            fl_buf_printf(&line, "%%%02X", *u);
    }
    if (r->status)
        fl_buf_printf(&line, " %u %zu %.3f\n", r->status, r->bytes, ms);
    else
        fl_buf_printf(&line, " - 0 %.3f\n", ms);
    ssize_t n = write(srv->log_fd, line.data, line.len);
    (void)n; /* a failing log must not fail the request */
    fl_buf_free(&line);
}

/* Counts a finished (or abandoned) request in the metrics, logs and frees it. */
static void finish_request(fl_server *srv, request *r)
{
    double secs = mono_s() - r->start;
    metrics *m = &srv->m;
    int ep = r->endpoint;
    atomic_fetch_add_explicit(&m->requests[ep][status_slot(r->status)], 1, memory_order_relaxed);
    size_t k = 0;
    while (k < NBUCKETS && secs > buckets_s[k])
        k++;
    atomic_fetch_add_explicit(&m->bucket[ep][k], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[ep], (uint64_t)(secs * 1e6), memory_order_relaxed);
    if (srv->log_fd >= 0)
        access_log(srv, r, secs * 1000.0);
    if (r->counted)
        atomic_fetch_sub(&m->inflight, 1);
    /* Built by a search thread but never sent: the connection closed first. */
    if (r->ready)
        MHD_destroy_response(r->ready);
    free(r->h_accept_encoding);
    free(r->h_origin);
    free(r->h_if_none_match);
    free(r->raw_uri);
    free(r);
}

static void completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)toe;
    fl_server *srv = cls;
    request *r = *con_cls;
    if (!r)
        return;
    *con_cls = NULL;
    conn_state *cs = conn_of(c);
    if (cs) {
        if (cs->pending == r)
            cs->pending = NULL;
        pthread_mutex_lock(&srv->conns_lock);
        mark_if_cut(r, cs->expired);
        /* A kept-alive connection's next request: it may wait idle for up
         * to --timeout (libmicrohttpd ends it then), and must then have
         * arrived whole within --request-timeout. */
        cs->deadline = mono_s() + srv->idle_timeout + srv->request_timeout;
        pthread_mutex_unlock(&srv->conns_lock);
    }
    finish_request(srv, r);
}

/* A connection's start and end (MHD_OPTION_NOTIFY_CONNECTION).  At the end,
 * a request libmicrohttpd gave up on without telling completed_cb is
 * finished here. */
static void connection_cb(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    fl_server *srv = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        conn_state *cs = fl_xcalloc(1, sizeof *cs);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        cs->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
        pthread_mutex_lock(&srv->conns_lock);
        cs->deadline = mono_s() + srv->request_timeout;
        cs->next = srv->conns;
        if (srv->conns)
            srv->conns->prev = cs;
        srv->conns = cs;
        pthread_mutex_unlock(&srv->conns_lock);
        *socket_context = cs;
        return;
    }
    conn_state *cs = *socket_context;
    if (!cs)
        return;
    pthread_mutex_lock(&srv->conns_lock);
    if (cs->prev)
        cs->prev->next = cs->next;
    else
        srv->conns = cs->next;
    if (cs->next)
        cs->next->prev = cs->prev;
    bool expired = cs->expired;
    pthread_mutex_unlock(&srv->conns_lock);
    if (cs->pending) {
        mark_if_cut(cs->pending, expired);
        finish_request(srv, cs->pending);
    }
    free(cs);
    *socket_context = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    fputs("findling serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    size_t n = strlen(fmt);
    if (n == 0 || fmt[n - 1] != '\n')
        fputc('\n', stderr);
}

/* ------------------------------------------------------------------ start / stop */

bool fl_server_origin_valid(const char *s)
{
    size_t skip = strncmp(s, "http://", 7) == 0 ? 7 : strncmp(s, "https://", 8) == 0 ? 8 : 0;
    if (!skip)
        return false;
    const char *h = s + skip, *end;
    if (*h == '[') { /* [IPv6] */
        end = strchr(h, ']');
        if (!end || end == h + 1)
            return false;
        for (const char *p = h + 1; p < end; p++)
            if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f') && *p != ':' &&
                *p != '.')
                return false;
        end++;
    } else {
        end = h;
        while (islower((unsigned char)*end) || isdigit((unsigned char)*end) || *end == '-' ||
               (*end == '.' && end[1] != '.'))
            end++;
        if (end == h || *h == '.' || *h == '-' || end[-1] == '.' || end[-1] == '-')
            return false;
    }
    if (*end == '\0')
        return true;
    if (*end != ':' || !isdigit((unsigned char)end[1]) || end[1] == '0')
        return false;
    unsigned long port = 0;
    const char *p = end + 1;
    while (isdigit((unsigned char)*p) && port <= 65535)
        port = port * 10 + (unsigned long)(*p++ - '0');
    /* A browser leaves the scheme's default port out of its Origin. */
    unsigned long default_port = skip == 8 ? 443 : 80;
    return *p == '\0' && port >= 1 && port <= 65535 && port != default_port;
}

int fl_server_parse_listen(const char *s, char **host, unsigned *port, char **err)
{
    *host = NULL;
    const char *portstr;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return fl_err_set(err, "--listen '%s': expected [IPV6]:PORT", s);
        *host = fl_xstrndup(s + 1, (size_t)(close - s - 1));
        portstr = close + 2;
    } else {
        const char *colon = strrchr(s, ':');
        if (colon && strchr(s, ':') != colon)
            return fl_err_set(err, "--listen '%s': write IPv6 addresses as [ADDR]:PORT", s);
        if (colon) {
            if (colon > s)
                *host = fl_xstrndup(s, (size_t)(colon - s));
            portstr = colon + 1;
        } else {
            portstr = s;
        }
    }
    char *end;
    errno = 0;
    unsigned long p = strtoul(portstr, &end, 10);
    if (!*portstr || *end || errno || p > 65535 || portstr[0] == '-' || portstr[0] == '+') {
        free(*host);
        *host = NULL;
        return fl_err_set(err, "--listen '%s': '%s' is not a port number (0-65535)", s, portstr);
    }
    *port = (unsigned)p;
    return 0;
}

static int open_listen_socket(fl_server *srv, const char *listen_spec, char **err)
{
    char *host = NULL;
    unsigned port = 0;
    if (fl_server_parse_listen(listen_spec, &host, &port, err) != 0)
        return FL_SERVER_EUSAGE;
    const char *h = host ? host : "127.0.0.1";
    char portbuf[8];
    snprintf(portbuf, sizeof portbuf, "%u", port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    int gai = getaddrinfo(h, portbuf, &hints, &ai);
    if (gai != 0) {
        fl_err_set(err, "cannot listen on %s: %s", listen_spec, gai_strerror(gai));
        free(host);
        return FL_SERVER_EPORT;
    }
    int fd = -1, last_errno = 0;
    for (struct addrinfo *p = ai; p && fd < 0; p = p->ai_next) {
        fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, p->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (p->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (bind(fd, p->ai_addr, p->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
            last_errno = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(ai);
    if (fd < 0) {
        fl_err_set(err, "cannot listen on %s: %s", listen_spec, strerror(last_errno));
        free(host);
        return FL_SERVER_EPORT;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &s6->sin6_addr, addr, sizeof addr);
            srv->port = ntohs(s6->sin6_port);
            srv->url = fl_xasprintf("http://[%s]:%u/", addr, srv->port);
        } else {
            struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &s4->sin_addr, addr, sizeof addr);
            srv->port = ntohs(s4->sin_port);
            srv->url = fl_xasprintf("http://%s:%u/", addr, srv->port);
        }
    }
    free(host);
    srv->listen_fd = fd;
    return 0;
}

static void prepare_assets(fl_server *srv)
{
    size_t n = 0;
    while (fl_assets[n].name)
        n++;
    srv->assets = fl_xcalloc(n ? n : 1, sizeof *srv->assets);
    srv->nassets = n;
    for (size_t i = 0; i < n; i++) {
        asset *a = &srv->assets[i];
        a->src = &fl_assets[i];
        unsigned long long h = fl_fnv1a(a->src->data, a->src->len, FL_FNV1A_INIT);
        snprintf(a->etag, sizeof a->etag, "\"%016llx\"", h);
        snprintf(a->etag_gz, sizeof a->etag_gz, "\"%016llx-gz\"", h);
        if (a->src->len < GZIP_MIN_BYTES)
            continue;
        uLongf zlen = compressBound((uLong)a->src->len) + 32;
        unsigned char *z = fl_xmalloc(zlen);
        z_stream zs;
        memset(&zs, 0, sizeof zs);
        if (deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK) {
            zs.next_in = (Bytef *)a->src->data;
            zs.avail_in = (uInt)a->src->len;
            zs.next_out = z;
            zs.avail_out = (uInt)zlen;
            if (deflate(&zs, Z_FINISH) == Z_STREAM_END && zs.total_out < a->src->len) {
                a->gz = z;
                a->gzlen = zs.total_out;
                z = NULL;
            }
            deflateEnd(&zs);
        }
        free(z);
    }
}

static void server_free(fl_server *srv)
{
    if (!srv)
        return;
    stop_search_threads(srv);
    stop_watchdog(srv);
    pthread_cond_destroy(&srv->queue_cond);
    pthread_mutex_destroy(&srv->queue_lock);
    pthread_cond_destroy(&srv->watchdog_cond);
    pthread_mutex_destroy(&srv->conns_lock);
    if (srv->listen_fd >= 0)
        close(srv->listen_fd);
    if (srv->key_created) {
        /* The MHD threads are gone (their destructors ran); the calling
         * thread may hold a worker of its own only in tests. */
        worker_free(pthread_getspecific(srv->worker_key));
        pthread_key_delete(srv->worker_key);
    }
    if (srv->rate_limited)
        rl_free(&srv->rl);
    rc_free(srv->cache);
    fl_completions_unref(srv->compl);
    pthread_mutex_destroy(&srv->compl_lock);
    pthread_cond_destroy(&srv->compl_cond);
    if (srv->log_fd >= 0 && srv->log_owned)
        close(srv->log_fd);
    free(srv->log_path);
    for (size_t i = 0; i < srv->nassets; i++)
        free(srv->assets[i].gz);
    free(srv->assets);
    for (size_t i = 0; i < srv->ncors; i++)
        free(srv->cors[i]);
    free(srv->cors);
    free(srv->url);
    free(srv->trust_proxy);
    free(srv->stub_path);
    free(srv->db_path);
    free(srv);
}

int fl_server_start(const fl_server_options *o, const fl_analyzer *an, fl_server **out,
                    char **err)
{
    *out = NULL;
    if (!o->db_path || !*o->db_path) {
        fl_err_set(err, "no index directory given");
        return FL_SERVER_EUSAGE;
    }
    fl_server *srv = fl_xcalloc(1, sizeof *srv);
    srv->listen_fd = -1;
    srv->log_fd = -1;
    srv->db_path = fl_xstrdup(o->db_path);
    srv->stub_path = fl_xasprintf("%s/XAPIANDB", o->db_path);
    srv->an = an;
    srv->drain_ms = o->drain_ms ? o->drain_ms : 10000;
    pthread_mutex_init(&srv->compl_lock, NULL);
    pthread_cond_init(&srv->compl_cond, NULL);
    pthread_mutex_init(&srv->queue_lock, NULL);
    pthread_cond_init(&srv->queue_cond, NULL);
    pthread_mutex_init(&srv->conns_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&srv->watchdog_cond, &ca);
    pthread_condattr_destroy(&ca);
    srv->request_timeout = o->request_timeout_s ? o->request_timeout_s : 30;
    srv->idle_timeout = o->connection_timeout_s ? o->connection_timeout_s : 15;
    for (size_t i = 0; i < o->ncors_origins; i++)
        if (!fl_server_origin_valid(o->cors_origins[i])) {
            fl_err_set(err, "'%s' is not an origin a browser sends (e.g. https://example.org)",
                       o->cors_origins[i]);
            server_free(srv);
            return FL_SERVER_EUSAGE;
        }
    if (o->cache_mb)
        srv->cache = rc_new((size_t)o->cache_mb * 1024 * 1024);
    if (o->ncors_origins) {
        srv->cors = fl_xcalloc(o->ncors_origins, sizeof *srv->cors);
        for (size_t i = 0; i < o->ncors_origins; i++)
            srv->cors[i] = fl_xstrdup(o->cors_origins[i]);
        srv->ncors = o->ncors_origins;
    }
    if (o->rate_limit < 0 || isnan(o->rate_limit)) {
        fl_err_set(err, "--rate-limit must be a positive number");
        server_free(srv);
        return FL_SERVER_EUSAGE;
    }
    if (o->rate_limit > 0) {
        srv->rate_limited = true;
        srv->rl.rate = o->rate_limit;
        srv->rl.burst = fmax(o->rate_limit, 1.0);
        srv->rl.last_purge = mono_s();
        pthread_mutex_init(&srv->rl.lock, NULL);
    }
    if (o->trust_proxy) {
        unsigned char bin[sizeof(struct in6_addr)];
        char norm[INET6_ADDRSTRLEN];
        int fam = inet_pton(AF_INET, o->trust_proxy, bin) == 1    ? AF_INET
                  : inet_pton(AF_INET6, o->trust_proxy, bin) == 1 ? AF_INET6
                                                                  : 0;
        if (!fam || !inet_ntop(fam, bin, norm, sizeof norm)) {
            fl_err_set(err, "--trust-proxy wants the proxy's numeric IP address, not '%s'",
                       o->trust_proxy);
            server_free(srv);
            return FL_SERVER_EUSAGE;
        }
        srv->trust_proxy = fl_xstrdup(norm);
    }
    if (pthread_key_create(&srv->worker_key, worker_free) != 0) {
        fl_err_set(err, "cannot create thread-specific storage");
        server_free(srv);
        return FL_SERVER_EUSAGE;
    }
    srv->key_created = true;

    /* Fail early (exit 3) when the index cannot be opened at all. */
    char *oerr = NULL;
    fl_searcher *probe = fl_searcher_open(o->db_path, an, &oerr);
    if (!probe) {
        fl_err_set(err, "cannot open the index %s: %s", o->db_path, oerr ? oerr : "unknown error");
        free(oerr);
        server_free(srv);
        return FL_SERVER_EINDEX;
    }
    publish_index_state(srv, probe);
    /* The first keystroke should not pay for the autocomplete table. */
    share_completions(srv, probe, true);
    fl_searcher_free(probe);
    /* The workers' index reads from mappings of the files (fl_mapread.h):
     * without it about 30 % of a search's CPU went to pread() calls.  When
     * the SIGBUS guard cannot be installed the reads stay system calls: said
     * once here, and by findling_mapped_reads_enabled. */
    if (o->map_mb) {
        char *merr = NULL;
        if (fl_mapread_enable((size_t)o->map_mb * 1024 * 1024, &merr) != 0) {
            fprintf(stderr, "findling serve: %s; index blocks are read with pread()\n",
                    merr ? merr : "mapped index reads unavailable");
            free(merr);
        }
    }

    if (o->access_log) {
        if (strcmp(o->access_log, "-") == 0) {
            srv->log_fd = STDOUT_FILENO;
        } else {
            srv->log_fd = open(o->access_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
            if (srv->log_fd < 0) {
                fl_err_set(err, "cannot open access log %s: %s", o->access_log, strerror(errno));
                server_free(srv);
                return FL_SERVER_EUSAGE;
            }
            srv->log_owned = true;
            srv->log_path = fl_xstrdup(o->access_log);
        }
    }

    int rc = open_listen_socket(srv, o->listen ? o->listen : "127.0.0.1:8080", err);
    if (rc != 0) {
        server_free(srv);
        return rc;
    }
    prepare_assets(srv);

    unsigned threads = o->threads;
    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    /* The search threads: as many as MHD threads, each with its own index
     * handle.  Should none start, the MHD threads search themselves. */
    srv->searchers = fl_xcalloc(threads, sizeof *srv->searchers);
    while (srv->nsearchers < threads &&
           pthread_create(&srv->searchers[srv->nsearchers], NULL, search_thread, srv) == 0)
        srv->nsearchers++;
    /* TURBO: fewer syscalls per request (no shutdown() before close,
     * optimistic reads). ITC: needed by MHD_quiesce_daemon and to resume
     * connections. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
    flags |= MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL
                                                                     : MHD_USE_POLL;
    srv->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, access_cb, srv,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)srv->listen_fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(threads > 1 ? threads : 0),
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_connections ? o->max_connections : 512),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)o->max_connections_per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)srv->idle_timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 * 1024),
        MHD_OPTION_URI_LOG_CALLBACK, uri_log_cb, srv,
        MHD_OPTION_NOTIFY_COMPLETED, completed_cb, srv,
        MHD_OPTION_NOTIFY_CONNECTION, connection_cb, srv,
        MHD_OPTION_END);
    if (!srv->daemon) {
        fl_err_set(err, "cannot start the HTTP server on %s", srv->url ? srv->url : "?");
        server_free(srv);
        return FL_SERVER_EPORT;
    }
    srv->watchdog_started = pthread_create(&srv->watchdog, NULL, watchdog_thread, srv) == 0;
    if (!srv->watchdog_started)
        fprintf(stderr, "findling serve: cannot start the request-timeout watchdog; "
                        "requests are bounded by --timeout (idle) only\n");
    *out = srv;
    return 0;
}

int fl_server_reopen_log(fl_server *srv, char **err)
{
    if (!srv->log_owned)
        return 0;
    int fd = open(srv->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return fl_err_set(err, "cannot reopen access log %s: %s", srv->log_path, strerror(errno));
    /* dup2() swaps the file behind the same descriptor number atomically:
     * workers keep writing to srv->log_fd and never see a closed (or
     * reused) descriptor. */
    int rc = dup2(fd, srv->log_fd) < 0 ? -1 : 0;
    if (rc != 0)
        fl_err_set(err, "cannot reopen access log %s: %s", srv->log_path, strerror(errno));
    close(fd);
    return rc;
}

const char *fl_server_url(const fl_server *srv) { return srv->url; }
unsigned fl_server_port(const fl_server *srv) { return srv->port; }

/* Waits until no request is in flight, for at most `seconds`. */
static void wait_inflight(fl_server *srv, double seconds)
{
    double deadline = mono_s() + seconds;
    while (atomic_load(&srv->m.inflight) > 0 && mono_s() < deadline) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

void fl_server_stop(fl_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, true);
    /* Stop accepting; the daemon gives the listening socket back to us. */
    MHD_socket ls = MHD_quiesce_daemon(srv->daemon);
    if (ls != MHD_INVALID_SOCKET && ls == srv->listen_fd) {
        close(srv->listen_fd);
        srv->listen_fd = -1;
    }
    /* Let requests that have started finish (bounded). */
    wait_inflight(srv, srv->drain_ms / 1000.0);
    /* Before the daemon: it must not stop with connections suspended.  The
     * answers of the searches resumed now (503s for those still queued)
     * are sent by the MHD threads: a second at most for them. */
    stop_search_threads(srv);
    wait_inflight(srv, 1.0);
    MHD_stop_daemon(srv->daemon);
    server_free(srv);
}
