/* mapread.c — Xapian's block reads served from read-only file mappings
 * (fl_mapread.h says why and how).
 *
 * The table of mappings is indexed by file descriptor: FD_CHUNKS chunks of
 * FD_CHUNK slots, allocated when first needed and kept for the process's
 * life, so that a read looks its descriptor up without a lock.  A slot holds
 * NULL (not looked at yet), &no_map (not mappable: a socket, a pipe, a file
 * opened for writing, an empty file) or a reference to its file's mapping.
 * Slots and references change under `lock` only, when a file is first read,
 * grows or its descriptor is closed; a mapping is unmapped when no slot
 * refers to it any more.  A descriptor is read by one thread at a time (one
 * Xapian handle per worker thread), so the mapping a read copies from stays
 * referenced by that read's own slot until the read is done.
 */
#include "fl_mapread.h"

#include "fl_err.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FD_CHUNK 1024
_Static_assert(sizeof(off_t) <= sizeof(size_t), "file offsets must fit in size_t");
#define FD_CHUNKS 1024 /* descriptors up to 2^20; beyond that: system calls */

typedef struct fmap {
    const char *base;
    size_t len;
    dev_t dev;
    ino_t ino;
    unsigned refs;      /* descriptor slots holding it */
    struct fmap *next;  /* in `maps` */
    /* Which WINDOW-sized, WINDOW-aligned stretches of the mapping's
     * addresses have been read through it: a read fault maps the cached
     * pages of its whole window (the kernel's fault-around), so each
     * counts WINDOW bytes of resident set. */
    _Atomic uint64_t *touched;
    uintptr_t win0;     /* first window's number */
    size_t nwin;
} fmap;

static fmap no_map;
static _Atomic(fmap *) *_Atomic chunks[FD_CHUNKS];
static fmap *maps; /* every mapping, under `lock` */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool enabled;
static bool handler_installed;
static struct sigaction old_sigbus;
/* The resident bound: a read that would touch a window not yet touched
 * while the touched windows already add up to the allowance (max_resident,
 * raised by measurement: below) is left to the system call.  So the
 * resident set stops growing near the bound, holding the blocks read first
 * (a B-tree's root and branch blocks are among them); a new revision of the
 * index maps its files afresh. */
#define WINDOW_SHIFT 16 /* 64 KiB, Linux's default fault_around_bytes */
#define WINDOW ((size_t)1 << WINDOW_SHIFT)
static size_t max_resident;
static _Atomic size_t resident; /* bytes of touched windows, every mapping */
/* The count of touched windows is an upper bound of what they add to the
 * resident set: fault-around maps only the window's pages the page cache
 * holds (on the laws, about half of the count was resident).  So the count
 * may pass max_resident: when it reaches `allowance`, the process's
 * file-backed resident set is measured, and the allowance raised by what
 * its growth since fl_mapread_enable leaves below the bound.  Growth that is
 * not ours (code paged in later) counts too, which errs on the safe side. */
static _Atomic size_t allowance;
static _Atomic size_t file_base; /* file-backed resident bytes when enabled */
static atomic_flag measuring = ATOMIC_FLAG_INIT;
/* Admissions refused since the last raise: a measurement costs three
 * system calls, so once one found no room the next waits this many. */
static _Atomic unsigned refusals;
#define MEASURE_EVERY 256
/* A touched window also fills up later, as reads fault in more of its
 * pages, which the count does not see: every CHECK_EVERY mapped reads of a
 * thread the resident set is measured again, and when it has grown past
 * the bound every mapping's pages are dropped from the process (the page
 * cache keeps them; reads fault them back in) and counting starts afresh.
 * Between two checks it can overshoot by what CHECK_EVERY reads fault in. */
#define CHECK_EVERY 128

/* Counters: each thread its own (no cache line shared between the workers
 * on every read), summed on demand. */
enum { C_MAPPED, C_SYSCALLS, C_MAPS, C_SIGBUS, C_DECLINED, C_FLUSHES, C_ADVICE, C_N };
typedef struct counters {
    _Atomic uint64_t n[C_N];
    struct counters *next;
} counters;
static _Atomic(counters *) all_counters;
static _Thread_local counters *my_counters;
/* volatile: set before and cleared after a memcpy that knows nothing of
 * it, the compiler would otherwise drop the first store. */
static _Thread_local sigjmp_buf *volatile copy_guard;

static void count(int field)
{
    if (!my_counters) {
        counters *c = calloc(1, sizeof *c);
        if (!c)
            return;
        /* Kept for the process's life: the totals outlive the thread. */
        counters *head = atomic_load(&all_counters);
        do
            c->next = head;
        while (!atomic_compare_exchange_weak(&all_counters, &head, c));
        my_counters = c;
    }
    atomic_fetch_add_explicit(&my_counters->n[field], 1, memory_order_relaxed);
}

static ssize_t sys_pread(int fd, void *buf, size_t n, off_t off)
{
    return (ssize_t)syscall(SYS_pread64, fd, buf, n, off);
}

static _Atomic(fmap *) *slot(int fd, bool create)
{
    if (fd < 0 || fd >= FD_CHUNK * FD_CHUNKS)
        return NULL;
    _Atomic(fmap *) *ch = atomic_load_explicit(&chunks[fd / FD_CHUNK], memory_order_acquire);
    if (!ch && create) {
        /* Under `lock` (the callers that create hold it). */
        ch = calloc(FD_CHUNK, sizeof *ch);
        if (!ch)
            return NULL;
        atomic_store_explicit(&chunks[fd / FD_CHUNK], ch, memory_order_release);
    }
    return ch ? &ch[fd % FD_CHUNK] : NULL;
}

/* The mapping of fd's file at its size st_size, shared with every other
 * descriptor of the same file and size (each worker thread opens the index
 * itself: one mapping keeps its pages resident once, not once per thread);
 * &no_map when the file cannot be mapped.  Under `lock`; the caller owns
 * one reference. */
static fmap *map_get(int fd, const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size <= 0)
        return &no_map;
    for (fmap *m = maps; m; m = m->next)
        if (m->dev == st->st_dev && m->ino == st->st_ino && m->len == (size_t)st->st_size) {
            m->refs++;
            return m;
        }
    void *p = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED)
        return &no_map;
    /* Xapian reads scattered blocks: no read-ahead on a page-cache miss.
     * (The kernel still maps a fault's cached neighbours, fault-around:
     * see admit().) */
    (void)madvise(p, (size_t)st->st_size, MADV_RANDOM);
    fmap *m = calloc(1, sizeof *m);
    uintptr_t w0 = (uintptr_t)p >> WINDOW_SHIFT;
    size_t nwin = (((uintptr_t)p + (size_t)st->st_size - 1) >> WINDOW_SHIFT) - w0 + 1;
    _Atomic uint64_t *touched = calloc((nwin + 63) / 64, sizeof *touched);
    if (!m || !touched) {
        free(m);
        free(touched);
        munmap(p, (size_t)st->st_size);
        return &no_map;
    }
    m->base = p;
    m->len = (size_t)st->st_size;
    m->touched = touched;
    m->win0 = w0;
    m->nwin = nwin;
    m->dev = st->st_dev;
    m->ino = st->st_ino;
    m->refs = 1;
    m->next = maps;
    maps = m;
    count(C_MAPS);
    return m;
}

/* Drops a reference; the last one unmaps.  Under `lock`. */
static void map_put(fmap *m)
{
    if (!m || m == &no_map || --m->refs > 0)
        return;
    for (fmap **pp = &maps; *pp; pp = &(*pp)->next)
        if (*pp == m) {
            *pp = m->next;
            break;
        }
    size_t n = 0;
    for (size_t i = 0; i < (m->nwin + 63) / 64; i++)
        n += (size_t)__builtin_popcountll(atomic_load(&m->touched[i]));
    /* Not below 0: a flush may have zeroed the count while a window that
     * had just been reserved was being marked. */
    size_t have = atomic_load(&resident);
    while (!atomic_compare_exchange_weak(&resident, &have,
                                         have > (n << WINDOW_SHIFT) ? have - (n << WINDOW_SHIFT)
                                                                    : 0))
        ;
    munmap((void *)m->base, m->len);
    free(m->touched);
    free(m);
}

/* The mapping of fd, made on its first read. */
static fmap *attach(int fd)
{
    pthread_mutex_lock(&lock);
    _Atomic(fmap *) *s = slot(fd, true);
    if (!s) {
        pthread_mutex_unlock(&lock);
        return &no_map;
    }
    fmap *m = atomic_load(s);
    if (!m) {
        struct stat st;
        int fl = fcntl(fd, F_GETFL);
        /* Read-only descriptors only: a writer's reads stay system calls. */
        if (fl < 0 || (fl & O_ACCMODE) != O_RDONLY || fstat(fd, &st) != 0)
            m = &no_map;
        else
            m = map_get(fd, &st);
        atomic_store_explicit(s, m, memory_order_release);
    }
    pthread_mutex_unlock(&lock);
    return m;
}

/* fd's file may have grown past its mapping (an index update appended
 * blocks): maps it at its new size when it did.  Returns the mapping now in
 * fd's slot.  The old one stays while other descriptors hold it. */
static fmap *grow(int fd, fmap *m, size_t need)
{
    pthread_mutex_lock(&lock);
    _Atomic(fmap *) *s = slot(fd, false);
    fmap *cur = s ? atomic_load(s) : &no_map;
    struct stat st;
    if (cur == m && m != &no_map && fstat(fd, &st) == 0 && (size_t)st.st_size >= need &&
        (size_t)st.st_size > m->len) {
        fmap *n = map_get(fd, &st);
        if (n != &no_map) {
            /* fd is read by this thread only (see the top): nobody copies
             * through its slot now. */
            atomic_store_explicit(s, n, memory_order_release);
            map_put(m);
            cur = n;
        }
    }
    pthread_mutex_unlock(&lock);
    return cur;
}

/* The process's file-backed resident set (RSS of files and shared memory,
 * /proc/self/statm), in bytes; false when it cannot be read. */
static bool file_resident(size_t *bytes)
{
    int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    char b[256];
    ssize_t n = read(fd, b, sizeof b - 1);
    (void)syscall(SYS_close, fd); /* not ours to forget; and `lock` may be held */
    if (n <= 0)
        return false;
    b[n] = '\0';
    unsigned long size = 0, res = 0, shared = 0;
    long page = sysconf(_SC_PAGESIZE);
    if (sscanf(b, "%lu %lu %lu", &size, &res, &shared) != 3 || page <= 0)
        return false;
    *bytes = (size_t)shared * (size_t)page;
    return true;
}

/* How much the file-backed resident set has grown since fl_mapread_enable;
 * false when it cannot be measured. */
static bool measured_growth(size_t *grown)
{
    size_t now = 0, base = atomic_load(&file_base);
    if (!file_resident(&now))
        return false;
    *grown = now > base ? now - base : 0;
    return true;
}

/* Called when the count of touched windows has reached the allowance:
 * raises it by what the measured resident set leaves below the bound.
 * True when one more window fits now.  One thread measures at a time; the
 * others are refused meanwhile. */
static bool raise_allowance(void)
{
    if (atomic_fetch_add_explicit(&refusals, 1, memory_order_relaxed) % MEASURE_EVERY != 0)
        return false;
    if (atomic_flag_test_and_set(&measuring))
        return false;
    size_t grown = 0;
    if (measured_growth(&grown)) {
        if (grown + WINDOW <= max_resident) {
            size_t lim = atomic_load(&resident) + (max_resident - grown);
            size_t cur = atomic_load(&allowance);
            while (lim > cur && !atomic_compare_exchange_weak(&allowance, &cur, lim))
                ;
            atomic_store_explicit(&refusals, 0, memory_order_relaxed);
        }
    }
    atomic_flag_clear(&measuring);
    return atomic_load(&resident) + WINDOW <= atomic_load(&allowance);
}

/* Drops every mapping's pages from the process and starts counting afresh
 * (see CHECK_EVERY).  Reads copying meanwhile fault the pages back in. */
static void flush_all(void)
{
    pthread_mutex_lock(&lock);
    for (fmap *m = maps; m; m = m->next) {
        (void)madvise((void *)m->base, m->len, MADV_DONTNEED);
        for (size_t i = 0; i < (m->nwin + 63) / 64; i++)
            atomic_store(&m->touched[i], 0);
    }
    atomic_store(&resident, 0);
    atomic_store(&allowance, max_resident);
    atomic_store(&refusals, 0);
    pthread_mutex_unlock(&lock);
    count(C_FLUSHES);
}

/* The periodic measurement (CHECK_EVERY). */
static void check_growth(void)
{
    if (atomic_flag_test_and_set(&measuring))
        return;
    size_t grown = 0;
    bool over = measured_growth(&grown) && grown > max_resident;
    atomic_flag_clear(&measuring);
    if (over)
        flush_all();
}

/* The first and last of m's windows that [off, off + n) touches (n > 0),
 * as indices into m->touched's bits. */
static void windows_of(const fmap *m, off_t off, size_t n, size_t *first, size_t *last)
{
    uintptr_t a = (uintptr_t)m->base + (uintptr_t)off;
    *first = (a >> WINDOW_SHIFT) - m->win0;
    *last = ((a + n - 1) >> WINDOW_SHIFT) - m->win0;
}

/* Whether [off, off + n) of m may be read through the mapping: its
 * windows are all touched already, or touching the new ones keeps the
 * resident set within the bound (they are then counted as touched). */
static bool admit(fmap *m, off_t off, size_t n)
{
    size_t w, wl;
    windows_of(m, off, n, &w, &wl);
    for (; w <= wl; w++) {
        _Atomic uint64_t *word = &m->touched[w / 64];
        uint64_t bit = 1ull << (w % 64);
        if (atomic_load_explicit(word, memory_order_relaxed) & bit)
            continue;
        /* Reserve the window's bytes first (so that threads racing for
         * the last room cannot pass the bound together), then mark it; a
         * thread that finds it marked meanwhile gives its reservation back. */
        size_t have = atomic_load_explicit(&resident, memory_order_relaxed);
        for (;;) {
            if (max_resident &&
                have + WINDOW > atomic_load_explicit(&allowance, memory_order_relaxed)) {
                if (!raise_allowance())
                    return false;
                have = atomic_load_explicit(&resident, memory_order_relaxed);
                continue; /* checked again against the raised allowance */
            }
            if (atomic_compare_exchange_weak_explicit(&resident, &have, have + WINDOW,
                                                      memory_order_relaxed,
                                                      memory_order_relaxed))
                break;
        }
        if (atomic_fetch_or_explicit(word, bit, memory_order_relaxed) & bit)
            atomic_fetch_sub_explicit(&resident, WINDOW, memory_order_relaxed);
    }
    return true;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
    sigjmp_buf *g = copy_guard;
    if (g)
        siglongjmp(*g, 1);
    /* Not a copy of ours: what would have happened without us. */
    if ((old_sigbus.sa_flags & SA_SIGINFO) && old_sigbus.sa_sigaction) {
        old_sigbus.sa_sigaction(sig, si, uc);
        return;
    }
    if (old_sigbus.sa_handler != SIG_DFL && old_sigbus.sa_handler != SIG_IGN &&
        old_sigbus.sa_handler) {
        old_sigbus.sa_handler(sig);
        return;
    }
    signal(SIGBUS, SIG_DFL);
    /* A fault: returning runs the faulting instruction again, which now
     * gets the default action at the real address.  Sent by someone: send
     * it again. */
    if (!si || si->si_code <= 0)
        raise(SIGBUS);
}

/* Copies n bytes at off from m into buf; false when the pages are gone
 * (the file was truncated under the mapping). */
static bool guarded_copy(const fmap *m, void *buf, size_t n, off_t off)
{
    sigjmp_buf jb;
    /* The mask is not saved: the handler runs with SA_NODEFER, so SIGBUS
     * is not blocked when it jumps back here. */
    if (sigsetjmp(jb, 0)) {
        copy_guard = NULL;
        return false;
    }
    copy_guard = &jb;
    atomic_signal_fence(memory_order_seq_cst);
    memcpy(buf, m->base + off, n);
    atomic_signal_fence(memory_order_seq_cst);
    copy_guard = NULL;
    return true;
}

/* Whether [off, off + n) lies within the mapping (no overflow). */
static bool within(const fmap *m, off_t off, size_t n)
{
    return n <= m->len && (uint64_t)off <= (uint64_t)(m->len - n);
}

/* Interposes libc's pread for every library of the process (libxapian). */
ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    if (!atomic_load_explicit(&enabled, memory_order_relaxed) || off < 0 || n == 0 ||
        n > (size_t)SSIZE_MAX)
        return sys_pread(fd, buf, n, off);
    _Atomic(fmap *) *s = slot(fd, false);
    fmap *m = s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
    if (!m)
        m = attach(fd);
    if (m != &no_map && !within(m, off, n) && (uint64_t)off <= SIZE_MAX - n)
        m = grow(fd, m, (size_t)off + n);
    if (m == &no_map || !within(m, off, n)) {
        /* Not mappable, or past the end of the file: the kernel answers
         * (short reads and errors exactly as pread gives them). */
        count(C_SYSCALLS);
        return sys_pread(fd, buf, n, off);
    }
    if (!admit(m, off, n)) {
        count(C_DECLINED);
        return sys_pread(fd, buf, n, off);
    }
    if (!guarded_copy(m, buf, n, off)) {
        count(C_SIGBUS);
        return sys_pread(fd, buf, n, off);
    }
    count(C_MAPPED);
    if (max_resident && my_counters &&
        atomic_load_explicit(&my_counters->n[C_MAPPED], memory_order_relaxed) % CHECK_EVERY == 0)
        check_growth();
    return (ssize_t)n;
}

#if defined(SYS_fadvise64) && (defined(__x86_64__) || defined(__aarch64__))
/* Whether every window of [off, off + n) has been read through m: its
 * pages were faulted in then, and are most likely still in memory (the
 * kernel may have reclaimed some since; for advice that is good enough). */
static bool all_touched(const fmap *m, off_t off, size_t n)
{
    size_t w, wl;
    windows_of(m, off, n, &w, &wl);
    for (; w <= wl; w++)
        if (!(atomic_load_explicit(&m->touched[w / 64], memory_order_relaxed) &
              (1ull << (w % 64))))
            return false;
    return true;
}

/* Interposes libc's posix_fadvise.  Before each match Xapian asks the kernel
 * to read ahead the first block of the query terms' posting lists
 * (POSIX_FADV_WILLNEED), a system call each (about 3.5 per search on the
 * laws).  For a block this process has already read through its mapping
 * (the window is touched) the pages are most likely in memory: 0 at
 * once; any other advice, file or block goes to the kernel.  (Only where
 * the system call has posix_fadvise's arguments: x86-64 and arm64.) */
int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
    if (advice == POSIX_FADV_WILLNEED && off >= 0 && len > 0 &&
        atomic_load_explicit(&enabled, memory_order_relaxed)) {
        _Atomic(fmap *) *s = slot(fd, false);
        fmap *m = s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
        if (m && m != &no_map && (uint64_t)len <= SIZE_MAX && within(m, off, (size_t)len) &&
            all_touched(m, off, (size_t)len)) {
            count(C_ADVICE);
            return 0;
        }
    }
    /* glibc's return convention: the error number, not -1 and errno. */
    int saved = errno;
    int rc = syscall(SYS_fadvise64, fd, off, len, advice) == 0 ? 0 : errno;
    errno = saved;
    return rc;
}
#endif

/* A descriptor number about to name something else. */
static void forget(int fd)
{
    _Atomic(fmap *) *s = slot(fd, false);
    if (s && atomic_load_explicit(s, memory_order_acquire)) {
        pthread_mutex_lock(&lock);
        map_put(atomic_exchange(s, NULL));
        pthread_mutex_unlock(&lock);
    }
}

static void forget_range(unsigned first, unsigned last)
{
    for (unsigned c = first / FD_CHUNK; c < FD_CHUNKS && c <= last / FD_CHUNK; c++) {
        if (!atomic_load_explicit(&chunks[c], memory_order_acquire))
            continue;
        unsigned lo = c * FD_CHUNK > first ? c * FD_CHUNK : first;
        unsigned hi = c * FD_CHUNK + FD_CHUNK - 1 < last ? c * FD_CHUNK + FD_CHUNK - 1 : last;
        for (unsigned fd = lo; fd <= hi; fd++)
            forget((int)fd);
    }
}

/* Interposes libc's close: a descriptor's mapping goes with it. */
int close(int fd)
{
    forget(fd);
    return (int)syscall(SYS_close, fd);
}

/* The other ways a descriptor number gets a new file (dup2 and dup3 close
 * newfd first; closefrom and close_range close many). */
int dup2(int oldfd, int newfd)
{
    if (oldfd == newfd) /* nothing closed: newfd is returned if valid */
        return fcntl(oldfd, F_GETFD) < 0 ? -1 : newfd;
    forget(newfd);
#ifdef SYS_dup2
    return (int)syscall(SYS_dup2, oldfd, newfd);
#else
    return (int)syscall(SYS_dup3, oldfd, newfd, 0); /* arm64 has only dup3 */
#endif
}

int dup3(int oldfd, int newfd, int flags)
{
    if (oldfd != newfd)
        forget(newfd);
    return (int)syscall(SYS_dup3, oldfd, newfd, flags);
}

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every Linux architecture */
#endif

int close_range(unsigned first, unsigned last, int flags)
{
    /* CLOSE_RANGE_CLOEXEC (4) only marks them. */
    if (!(flags & 4) && first <= last)
        forget_range(first, last);
    return (int)syscall(SYS_close_range, first, last, flags);
}

void closefrom(int lowfd)
{
    if (lowfd < 0)
        lowfd = 0;
    forget_range((unsigned)lowfd, ~0u);
    if (syscall(SYS_close_range, (unsigned)lowfd, ~0u, 0) == 0)
        return;
    /* No close_range (before Linux 5.9): one by one, as glibc does. */
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = lowfd; fd < max; fd++)
        (void)syscall(SYS_close, (int)fd);
}

/* A child forked while another thread held the lock would wait forever in
 * its first close() of a mapped descriptor. */
static void atfork_child(void)
{
    pthread_mutex_init(&lock, NULL);
    atomic_flag_clear(&measuring);
}

int fl_mapread_enable(size_t max_resident_bytes, char **err)
{
    pthread_mutex_lock(&lock);
    int rc = 0;
    max_resident = max_resident_bytes;
    atomic_store(&allowance, max_resident_bytes);
    atomic_store(&refusals, 0);
    size_t base = 0;
    if (!file_resident(&base))
        base = 0; /* every file page then counts as ours: safe */
    atomic_store(&file_base, base);
    if (!handler_installed) {
        (void)pthread_atfork(NULL, NULL, atfork_child);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_NODEFER;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGBUS, &sa, &old_sigbus) != 0) {
            fl_err_set(err, "mapped index reads: cannot install the SIGBUS handler: %s",
                       strerror(errno));
            rc = -1;
        } else {
            handler_installed = true;
        }
    }
    if (rc == 0)
        atomic_store(&enabled, true);
    pthread_mutex_unlock(&lock);
    return rc;
}

void fl_mapread_disable(void) { atomic_store(&enabled, false); }

bool fl_mapread_enabled(void) { return atomic_load(&enabled); }

void fl_mapread_get_stats(fl_mapread_stats *st)
{
    memset(st, 0, sizeof *st);
    st->resident_bytes = atomic_load(&resident);
    for (counters *c = atomic_load(&all_counters); c; c = c->next) {
        st->mapped_reads += atomic_load_explicit(&c->n[C_MAPPED], memory_order_relaxed);
        st->syscall_reads += atomic_load_explicit(&c->n[C_SYSCALLS], memory_order_relaxed);
        st->maps += atomic_load_explicit(&c->n[C_MAPS], memory_order_relaxed);
        st->sigbus += atomic_load_explicit(&c->n[C_SIGBUS], memory_order_relaxed);
        st->declined += atomic_load_explicit(&c->n[C_DECLINED], memory_order_relaxed);
        st->flushes += atomic_load_explicit(&c->n[C_FLUSHES], memory_order_relaxed);
        st->advice_skipped += atomic_load_explicit(&c->n[C_ADVICE], memory_order_relaxed);
    }
}
