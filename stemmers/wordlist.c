/* wordlist.c — hash set of folded German word forms with noun/lower flags.
 *
 * Layout: every key lives in one arena (an fl_buf); the table holds
 * {offset, length, flags, hash tag} records in open addressing with linear
 * probing (load factor <= 0.75, so the table of 356k keys is 4 MB).  Loading the 4.7 MB wngerman file costs one read, one pass that
 * lower-cases in place (ASCII and Ä/Ö/Ü keep their byte length) and one
 * insert per line; only the few lines with other non-ASCII letters go
 * through utf8proc (fl_norm_fold).  That keeps the load well under the time
 * a CLI search can afford to spend on it.
 */
#include "fl_wordlist.h"

#include "fl_buf.h"
#include "fl_err.h"
#include "fl_normalize.h"
#include "fl_utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct slot {
    uint32_t off;   /* key offset in the arena */
    uint16_t len;   /* 0 = empty slot */
    uint8_t flags;
    uint8_t tag;    /* high hash bits: most mismatches fail without memcmp */
} slot;

struct fl_wordlist {
    fl_buf arena;
    slot *slots;
    size_t cap;     /* power of two */
    size_t count;
    /* A mapped cache image (fl_wordlist_map_cache): a read-only table
     * looked up before the heap table above, which then holds only the
     * words added afterwards. */
    void *map;
    size_t map_len;
    const slot *mslots;
    size_t mcap;    /* power of two, or 0 when nothing is mapped */
    size_t mcount;
    const char *marena;
    size_t marena_len;
};

static uint64_t hash_bytes(const char *s, size_t n)
{
    /* FNV-1a, 64 bit: short keys, good enough spread, no alignment needs. */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    /* murmur3 finaliser: FNV's low bits alone cluster in a power-of-two table */
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

fl_wordlist *fl_wordlist_new(void)
{
    fl_wordlist *wl = fl_xcalloc(1, sizeof *wl);
    wl->cap = 1024;
    wl->slots = fl_xcalloc(wl->cap, sizeof(slot));
    return wl;
}

void fl_wordlist_free(fl_wordlist *wl)
{
    if (!wl)
        return;
    fl_buf_free(&wl->arena);
    free(wl->slots);
    if (wl->map)
        munmap(wl->map, wl->map_len);
    free(wl);
}

size_t fl_wordlist_size(const fl_wordlist *wl)
{
    return wl ? wl->count + wl->mcount : 0;
}

static void rehash(fl_wordlist *wl, size_t newcap)
{
    slot *old = wl->slots;
    size_t oldcap = wl->cap;
    wl->slots = fl_xcalloc(newcap, sizeof(slot));
    wl->cap = newcap;
    for (size_t i = 0; i < oldcap; i++) {
        if (!old[i].len)
            continue;
        uint64_t h = hash_bytes(wl->arena.data + old[i].off, old[i].len);
        size_t p = (size_t)h & (newcap - 1);
        while (wl->slots[p].len)
            p = (p + 1) & (newcap - 1);
        wl->slots[p] = old[i];
    }
    free(old);
}

/* Inserts the key stored at arena[off..off+len) whose hash is h. */
static void insert_hashed(fl_wordlist *wl, size_t off, size_t len, unsigned flags, uint64_t h)
{
    if ((wl->count + 1) * 4 > wl->cap * 3)
        rehash(wl, wl->cap * 2);
    const char *key = wl->arena.data + off;
    uint8_t tag = (uint8_t)(h >> 56);
    size_t p = (size_t)h & (wl->cap - 1);
    while (wl->slots[p].len) {
        slot *s = &wl->slots[p];
        if (s->tag == tag && s->len == len && memcmp(wl->arena.data + s->off, key, len) == 0) {
            s->flags |= (uint8_t)flags;
            return;
        }
        p = (p + 1) & (wl->cap - 1);
    }
    wl->slots[p] = (slot){(uint32_t)off, (uint16_t)len, (uint8_t)flags, tag};
    wl->count++;
}

static void insert_at(fl_wordlist *wl, size_t off, size_t len, unsigned flags)
{
    if (len == 0 || len > UINT16_MAX || off > UINT32_MAX)
        return;
    insert_hashed(wl, off, len, flags, hash_bytes(wl->arena.data + off, len));
}

unsigned fl_wordlist_lookup(const fl_wordlist *wl, const char *key, size_t len)
{
    if (!wl || len == 0 || len > UINT16_MAX)
        return 0;
    uint64_t h = hash_bytes(key, len);
    uint8_t tag = (uint8_t)(h >> 56);
    unsigned flags = 0;
    if (wl->mcap) {
        /* The mapped image: bounded probing, offsets checked (a damaged
         * cache file must not make us read outside it). */
        size_t p = (size_t)h & (wl->mcap - 1);
        for (size_t n = 0; n < wl->mcap && wl->mslots[p].len; n++) {
            const slot *s = &wl->mslots[p];
            if (s->tag == tag && s->len == len && (size_t)s->off + len <= wl->marena_len &&
                memcmp(wl->marena + s->off, key, len) == 0) {
                flags = s->flags;
                break;
            }
            p = (p + 1) & (wl->mcap - 1);
        }
    }
    size_t p = (size_t)h & (wl->cap - 1);
    while (wl->slots[p].len) {
        const slot *s = &wl->slots[p];
        if (s->tag == tag && s->len == len && memcmp(wl->arena.data + s->off, key, len) == 0)
            return flags | s->flags;
        p = (p + 1) & (wl->cap - 1);
    }
    return flags;
}

void fl_wordlist_add_key(fl_wordlist *wl, const char *key, size_t len, unsigned flags)
{
    if (!key || len == 0)
        return;
    size_t off = wl->arena.len;
    fl_buf_append(&wl->arena, key, len);
    insert_at(wl, off, len, flags);
}

/* Lower-cases s[0..n) in place when that keeps the byte length (ASCII and
 * Ä Ö Ü); returns false when other non-ASCII bytes need utf8proc. */
static bool fast_lower_inplace(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z')
                s[i] = (char)(c + 32);
            continue;
        }
        if (c == 0xC3 && i + 1 < n) {
            unsigned char d = (unsigned char)s[i + 1];
            if (d == 0x84 || d == 0x96 || d == 0x9C) { /* Ä Ö Ü */
                s[i + 1] = (char)(d + 0x20);
                i++;
                continue;
            }
            if (d == 0xA4 || d == 0xB6 || d == 0xBC || d == 0x9F) { /* ä ö ü ß */
                i++;
                continue;
            }
        }
        return false;
    }
    return true;
}

static unsigned case_flags(const char *w, size_t n)
{
    (void)n;
    unsigned char c = (unsigned char)w[0];
    if (c >= 'A' && c <= 'Z')
        return FL_WORD_NOUN;
    if (c == 0xC3 && n > 1) {
        unsigned char d = (unsigned char)w[1];
        if (d >= 0x80 && d <= 0x9E && d != 0x97) /* À..Þ except × */
            return FL_WORD_NOUN;
    }
    return FL_WORD_LOWER;
}

/* Adds the line at arena[off..off+n): the bytes are already in the arena
 * (the loaded file), so the common case needs no copy. */
static void add_inplace(fl_wordlist *wl, size_t off, size_t n)
{
    char *w = wl->arena.data + off;
    if (n == 0 || w[0] == '#')
        return;
    unsigned flags = case_flags(w, n);
    if (fast_lower_inplace(w, n)) {
        insert_at(wl, off, n, flags);
        return;
    }
    if (!fl_utf8_is_valid(w, n))
        return;
    fl_buf tmp = FL_BUF_INIT;
    if (fl_norm_fold(w, n, &tmp, NULL) == 0 && tmp.len) {
        size_t noff = wl->arena.len;
        fl_buf_append(&wl->arena, tmp.data, tmp.len);
        insert_at(wl, noff, tmp.len, flags);
    }
    fl_buf_free(&tmp);
}

void fl_wordlist_add(fl_wordlist *wl, const char *word, size_t len)
{
    while (len && (word[len - 1] == ' ' || word[len - 1] == '\t' || word[len - 1] == '\r'))
        len--;
    if (!len)
        return;
    size_t off = wl->arena.len;
    fl_buf_append(&wl->arena, word, len);
    add_inplace(wl, off, len);
}

int fl_wordlist_load(fl_wordlist *wl, const char *path, char **err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return fl_err_set(err, "word list %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        close(fd);
        return fl_err_set(err, "word list %s: %s", path,
                          S_ISREG(st.st_mode) ? strerror(e) : "not a regular file");
    }
    size_t base = wl->arena.len;
    /* One read into a buffer of the right size: no chunk copies. */
    fl_buf_reserve(&wl->arena, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, wl->arena.data + base + got, (size_t)st.st_size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            return fl_err_set(err, "word list %s: read error: %s", path, strerror(e));
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    wl->arena.len = base + got;
    wl->arena.data[wl->arena.len] = '\0';
    size_t end = wl->arena.len;
    /* Size the table once for all lines (load factor <= 0.75). */
    size_t lines = 1;
    for (const char *p = wl->arena.data + base; (p = memchr(p, '\n', (size_t)(wl->arena.data + end - p)));
         p++)
        lines++;
    size_t want = wl->cap;
    while (want * 3 < (wl->count + lines) * 4)
        want *= 2;
    if (want != wl->cap)
        rehash(wl, want);
    /* The table is bigger than the CPU caches, so every insert would wait
     * for memory: hash a few lines ahead and prefetch their slots. */
    enum { AHEAD = 16 };
    struct pending {
        size_t off, len;
        unsigned flags;
        uint64_t h;
    } ring[AHEAD];
    size_t head = 0, queued = 0;
    size_t pos = base;
    while (pos < end || queued) {
        if (pos < end && queued < AHEAD) {
            char *s = wl->arena.data + pos;
            const char *nl = memchr(s, '\n', end - pos);
            size_t linelen = nl ? (size_t)(nl - s) : end - pos;
            size_t n2 = linelen;
            const char *slash = memchr(s, '/', n2);
            if (slash)
                n2 = (size_t)(slash - s);
            while (n2 && (s[n2 - 1] == ' ' || s[n2 - 1] == '\t' || s[n2 - 1] == '\r'))
                n2--;
            size_t off = pos;
            pos += linelen + 1;
            if (n2 == 0 || s[0] == '#' || n2 > UINT16_MAX || off > UINT32_MAX)
                continue;
            unsigned flags = case_flags(s, n2);
            if (!fast_lower_inplace(s, n2)) {
                add_inplace(wl, off, n2); /* rare: utf8proc path, may grow the arena */
                continue;
            }
            uint64_t h = hash_bytes(s, n2);
            __builtin_prefetch(&wl->slots[(size_t)h & (wl->cap - 1)]);
            ring[(head + queued) % AHEAD] = (struct pending){off, n2, flags, h};
            queued++;
            continue;
        }
        struct pending *q = &ring[head];
        insert_hashed(wl, q->off, q->len, q->flags, q->h);
        head = (head + 1) % AHEAD;
        queued--;
    }
    return 0;
}

/* ------------------------------------------------------------ cache file
 *
 * The hash table and arena as they are in memory, behind a header naming
 * the source file's size and modification time: mapped, the list costs
 * page faults on the few slots a lookup touches instead of reading and
 * hashing 4.7 MB.  Machine-local (native byte order and slot layout, both
 * checked).  Layout: header, cap slots, arena bytes. */

#define CACHE_MAGIC "FLWLST01"

typedef struct cache_hdr {
    char magic[8];
    uint32_t slot_size, byte_order;
    uint64_t src_size;
    int64_t src_mtime_sec, src_mtime_nsec;
    uint64_t cap, count, arena_len;
} cache_hdr;

static void src_identity(const struct stat *st, cache_hdr *h)
{
    memcpy(h->magic, CACHE_MAGIC, 8);
    h->slot_size = (uint32_t)sizeof(slot);
    h->byte_order = 0x01020304u;
    h->src_size = (uint64_t)st->st_size;
    h->src_mtime_sec = (int64_t)st->st_mtim.tv_sec;
    h->src_mtime_nsec = (int64_t)st->st_mtim.tv_nsec;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = write(fd, c, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        c += w;
        n -= (size_t)w;
    }
    return 0;
}

int fl_wordlist_save_cache(const fl_wordlist *wl, const char *source_path, const char *cache_path,
                           char **err)
{
    struct stat st;
    if (stat(source_path, &st) != 0)
        return fl_err_set(err, "word list %s: %s", source_path, strerror(errno));
    if (wl->mcap)
        return fl_err_set(err, "word list cache %s: the list is itself mapped", cache_path);
    cache_hdr h;
    memset(&h, 0, sizeof h);
    src_identity(&st, &h);
    h.cap = wl->cap;
    h.count = wl->count;
    h.arena_len = wl->arena.len;
    /* Written beside the target and renamed over it: readers see the old
     * file or the whole new one. */
    char *tmp = fl_xasprintf("%s.tmp.%ld", cache_path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        int rc = fl_err_set(err, "word list cache %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    int bad = write_all(fd, &h, sizeof h) || write_all(fd, wl->slots, wl->cap * sizeof(slot)) ||
              (wl->arena.len && write_all(fd, wl->arena.data, wl->arena.len));
    bad |= close(fd) != 0;
    if (bad || rename(tmp, cache_path) != 0) {
        int rc = fl_err_set(err, "word list cache %s: %s", cache_path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return 0;
}

fl_wordlist *fl_wordlist_map_cache(const char *cache_path, const char *source_path)
{
    struct stat src, cst;
    if (stat(source_path, &src) != 0)
        return NULL;
    int fd = open(cache_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &cst) != 0 || !S_ISREG(cst.st_mode) || (size_t)cst.st_size < sizeof(cache_hdr)) {
        close(fd);
        return NULL;
    }
    size_t len = (size_t)cst.st_size;
    void *map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return NULL;
    cache_hdr want, h;
    memset(&want, 0, sizeof want);
    src_identity(&src, &want);
    memcpy(&h, map, sizeof h);
    bool ok = memcmp(h.magic, want.magic, 8) == 0 && h.slot_size == want.slot_size &&
              h.byte_order == want.byte_order && h.src_size == want.src_size &&
              h.src_mtime_sec == want.src_mtime_sec && h.src_mtime_nsec == want.src_mtime_nsec &&
              h.cap >= 1 && (h.cap & (h.cap - 1)) == 0 && h.count < h.cap &&
              h.cap <= (len - sizeof h) / sizeof(slot) &&
              h.arena_len == len - sizeof h - h.cap * sizeof(slot);
    if (!ok) {
        munmap(map, len);
        return NULL;
    }
    fl_wordlist *wl = fl_wordlist_new();
    wl->map = map;
    wl->map_len = len;
    wl->mslots = (const slot *)((const char *)map + sizeof h);
    wl->mcap = (size_t)h.cap;
    wl->mcount = (size_t)h.count;
    wl->marena = (const char *)map + sizeof h + h.cap * sizeof(slot);
    wl->marena_len = (size_t)h.arena_len;
    return wl;
}
