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
    /* The file's length of address space, in whole windows, is reserved
     * without access (PROT_NONE), and the file is mapped into it one WINDOW-sized,
     * WINDOW-aligned stretch at a time, as reads need them (map_window).
     * A mapping per window keeps the kernel's fault-around -- a read fault
     * also maps the faulting page's cached neighbours, up to 64 KiB around
     * it, but never past its mapping -- within the windows mapped: each adds
     * at most WINDOW bytes to the resident set, so their count bounds it
     * exactly.  (With the whole file mapped, one 8 KiB block read could make
     * 64 KiB resident: the laws' bench queries read 25 MB of distinct blocks
     * spread over 81 MB of 64 KiB stretches, and the resident bound was
     * reached long before the blocks that matter were mapped.)  A set bit:
     * the window is mapped, and stays so until the whole mapping goes. */
    _Atomic uint64_t *mapped;
    size_t nwin; /* whole windows reserved: len rounded up */
} fmap;

static fmap no_map;
static _Atomic(fmap *) *_Atomic chunks[FD_CHUNKS];
static fmap *maps; /* every mapping, under `lock` */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_bool enabled;
static bool handler_installed;
static struct sigaction old_sigbus;
/* 8 KiB, one block of Xapian's default size; a page where pages are bigger
 * (a mapping starts at a page).  Set by fl_mapread_enable, before any file
 * is mapped; the page size never changes. */
static _Atomic unsigned window_shift = 13;
#define WINDOW_SHIFT atomic_load_explicit(&window_shift, memory_order_relaxed)
#define WINDOW ((size_t)1 << WINDOW_SHIFT)
/* The resident bound in bytes (fl_mapread_enable's, capped: see there): a
 * read of a window not mapped yet, when the mapped windows already add up to
 * it, is left to the system call.  So the resident set stops growing at the
 * bound, holding the blocks read first (a B-tree's root and branch blocks
 * are among them); a new revision of the index maps its files afresh.
 * Windows are mapped under `wlock` (once each: a few thousand on the laws),
 * which makes the check against the bound and the count one step. */
static _Atomic size_t max_resident;
static _Atomic size_t resident; /* bytes of mapped windows, every mapping */
static pthread_mutex_t wlock = PTHREAD_MUTEX_INITIALIZER;
/* Set when the kernel refused to map a window: further windows are
 * declined without asking again, until a mapping gives some back. */
static atomic_bool windows_refused;

/* Counters: each thread its own (no cache line shared between the workers
 * on every read), summed on demand. */
enum { C_MAPPED, C_SYSCALLS, C_MAPS, C_SIGBUS, C_DECLINED, C_ADVICE, C_N };
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

/* The mapping of a file at its size st_size, shared with every other
 * descriptor of the same file and size (each worker thread opens the index
 * itself: one mapping keeps its pages resident once, not once per thread);
 * &no_map when the file cannot be mapped.  Under `lock`; the caller owns
 * one reference. */
static fmap *map_get(const struct stat *st)
{
    if (!S_ISREG(st->st_mode) || st->st_size <= 0)
        return &no_map;
    for (fmap *m = maps; m; m = m->next)
        if (m->dev == st->st_dev && m->ino == st->st_ino && m->len == (size_t)st->st_size) {
            m->refs++;
            return m;
        }
    /* Address space only, whole windows of it (the last window of a file
     * whose length is not a multiple of one is mapped whole too, and must
     * not land on whatever lies past a shorter reservation): the windows
     * are mapped into it (map_window). */
    size_t nwin = (((size_t)st->st_size - 1) >> WINDOW_SHIFT) + 1;
    size_t span = nwin << WINDOW_SHIFT;
    void *p = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return &no_map;
    fmap *m = calloc(1, sizeof *m);
    _Atomic uint64_t *mapped = calloc((nwin + 63) / 64, sizeof *mapped);
    if (!m || !mapped) {
        free(m);
        free(mapped);
        munmap(p, span);
        return &no_map;
    }
    m->base = p;
    m->len = (size_t)st->st_size;
    m->mapped = mapped;
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
    /* No window is being mapped into it: that takes a reference of the
     * thread's own slot, which is not this one's last. */
    size_t n = 0;
    for (size_t i = 0; i < (m->nwin + 63) / 64; i++)
        n += (size_t)__builtin_popcountll(atomic_load(&m->mapped[i]));
    atomic_fetch_sub(&resident, n << WINDOW_SHIFT);
    munmap((void *)m->base, m->nwin << WINDOW_SHIFT);
    free(m->mapped);
    free(m);
    /* Room for windows again, should the kernel have refused one. */
    if (n)
        atomic_store(&windows_refused, false);
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
            m = map_get(&st);
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
        fmap *n = map_get(&st);
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

/* The first and last window that [off, off + n) touches (n > 0), as
 * indices into an fmap's bits. */
static void windows_of(off_t off, size_t n, size_t *first, size_t *last)
{
    *first = (size_t)off >> WINDOW_SHIFT;
    *last = ((size_t)off + n - 1) >> WINDOW_SHIFT;
}

static bool is_mapped(const fmap *m, size_t w)
{
    return atomic_load_explicit(&m->mapped[w / 64], memory_order_acquire) & (1ull << (w % 64));
}

/* Maps window w of m's file (read through fd, a descriptor of that file)
 * into its place, unless that would pass the bound; true when it is mapped
 * now. */
static bool map_window(fmap *m, int fd, size_t w)
{
    size_t bound = atomic_load_explicit(&max_resident, memory_order_relaxed);
    if (atomic_load_explicit(&resident, memory_order_relaxed) + WINDOW > bound ||
        atomic_load_explicit(&windows_refused, memory_order_relaxed))
        return false; /* without the lock: the usual answer once the bound is reached */
    pthread_mutex_lock(&wlock);
    bool ok = is_mapped(m, w); /* by another thread meanwhile */
    if (!ok && atomic_load(&resident) + WINDOW <= bound && !atomic_load(&windows_refused)) {
        char *at = (char *)m->base + (w << WINDOW_SHIFT);
        /* Replaces that stretch of the reservation; the last window may
         * reach past the end of the file, which reads never do (within()). */
        void *p = mmap(at, WINDOW, PROT_READ, MAP_SHARED | MAP_FIXED, fd,
                       (off_t)(w << WINDOW_SHIFT));
        if (p == (void *)at) {
            /* Xapian reads scattered blocks: no read-ahead on a page-cache miss. */
            (void)madvise(at, WINDOW, MADV_RANDOM);
            atomic_fetch_add(&resident, WINDOW);
            atomic_fetch_or_explicit(&m->mapped[w / 64], 1ull << (w % 64), memory_order_release);
            ok = true;
        } else {
            /* A kernel may have unmapped the stretch before failing: put the
             * reservation back, so that nothing else is mapped into it (and
             * unmapped with it later). */
            (void)mmap(at, WINDOW, PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
            atomic_store(&windows_refused, true);
        }
    }
    pthread_mutex_unlock(&wlock);
    return ok;
}

/* Whether [off, off + n) of m (read through fd) may be read through the
 * mapping: its windows are all mapped already, or mapping the others keeps
 * the resident set within the bound (map_window). */
static bool admit(fmap *m, int fd, off_t off, size_t n)
{
    size_t w, wl;
    windows_of(off, n, &w, &wl);
    for (; w <= wl; w++)
        if (!is_mapped(m, w) && !map_window(m, fd, w))
            return false;
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
    if (!admit(m, fd, off, n)) {
        count(C_DECLINED);
        return sys_pread(fd, buf, n, off);
    }
    if (!guarded_copy(m, buf, n, off)) {
        count(C_SIGBUS);
        return sys_pread(fd, buf, n, off);
    }
    count(C_MAPPED);
    return (ssize_t)n;
}

#if defined(SYS_fadvise64) && (defined(__x86_64__) || defined(__aarch64__))
/* Whether every window of [off, off + n) is mapped: each was read through
 * m when it was mapped, its pages faulted in then, and most likely still in
 * memory (the kernel may have reclaimed some since; for advice that is good
 * enough). */
static bool all_mapped(const fmap *m, off_t off, size_t n)
{
    size_t w, wl;
    windows_of(off, n, &w, &wl);
    for (; w <= wl; w++)
        if (!is_mapped(m, w))
            return false;
    return true;
}

/* Interposes libc's posix_fadvise.  Before each match Xapian asks the kernel
 * to read ahead the first block of the query terms' posting lists
 * (POSIX_FADV_WILLNEED), a system call each (about 3.5 per search on the
 * laws).  For a block this process has already read through its mapping
 * (its window is mapped) the pages are most likely in memory: 0 at
 * once; any other advice, file or block goes to the kernel.  (Only where
 * the system call has posix_fadvise's arguments: x86-64 and arm64.) */
int posix_fadvise(int fd, off_t off, off_t len, int advice)
{
    if (advice == POSIX_FADV_WILLNEED && off >= 0 && len > 0 &&
        atomic_load_explicit(&enabled, memory_order_relaxed)) {
        _Atomic(fmap *) *s = slot(fd, false);
        fmap *m = s ? atomic_load_explicit(s, memory_order_acquire) : NULL;
        if (m && m != &no_map && (uint64_t)len <= SIZE_MAX && within(m, off, (size_t)len) &&
            all_mapped(m, off, (size_t)len)) {
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
    pthread_mutex_init(&wlock, NULL);
}

/* The kernel's limit on a process's mappings (vm.max_map_count). */
static size_t max_map_count(void)
{
    unsigned long n = 65530; /* Linux's default */
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    if (f) {
        if (fscanf(f, "%lu", &n) != 1)
            n = 65530;
        fclose(f);
    }
    return (size_t)n;
}

int fl_mapread_enable(size_t max_resident_bytes, char **err)
{
    pthread_mutex_lock(&lock);
    int rc = 0;
    long page = sysconf(_SC_PAGESIZE);
    unsigned shift = 13;
    while (page > 0 && ((size_t)1 << shift) < (size_t)page)
        shift++;
    atomic_store_explicit(&window_shift, shift, memory_order_relaxed);
    /* A window apart from its neighbours is a mapping of its own and splits
     * its reservation in two: up to two mappings each.  malloc, thread
     * stacks and the libraries need their own, so the windows get at most
     * half of what the limit leaves above a margin (at the default limit
     * about 28,000 windows, 220 MiB of 8 KiB ones) -- a larger bound would
     * make those fail first. */
    size_t limit = max_map_count(), margin = 8192;
    size_t cap = (limit > margin ? (limit - margin) / 2 : 0) << shift;
    atomic_store(&max_resident,
                 max_resident_bytes && max_resident_bytes < cap ? max_resident_bytes : cap);
    atomic_store(&windows_refused, false);
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
        st->advice_skipped += atomic_load_explicit(&c->n[C_ADVICE], memory_order_relaxed);
    }
}
