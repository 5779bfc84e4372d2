/* test_mapread.c — pread() answered from file mappings (fl_mapread.h): the
 * same bytes and the same short reads and errors as the system call, after
 * the file grows, is truncated under the mapping, or its descriptor number is
 * reused for another file; the resident bound. */
#include "fl_mapread.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static char dir[] = "/tmp/fl-mapread-XXXXXX";

/* The kernel's answer, bypassing the interposed pread. */
static ssize_t kernel_pread(int fd, void *buf, size_t n, off_t off)
{
    return (ssize_t)syscall(SYS_pread64, fd, buf, n, off);
}

static char *path_of(const char *name)
{
    static char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* A file of n bytes whose content depends on seed. */
static void write_file(const char *name, size_t n, unsigned seed)
{
    FILE *f = fopen(path_of(name), "wb");
    for (size_t i = 0; i < n; i++)
        fputc((int)((i * 131 + seed * 7 + i / 8192) & 0xff), f);
    fclose(f);
}

static fl_mapread_stats stats(void)
{
    fl_mapread_stats st;
    fl_mapread_get_stats(&st);
    return st;
}

/* pread through the mapping and the kernel agree on n bytes at off. */
static bool same_read(int fd, size_t n, off_t off)
{
    char *a = calloc(1, n + 1), *b = calloc(1, n + 1);
    ssize_t ra = pread(fd, a, n, off);
    ssize_t rb = kernel_pread(fd, b, n, off);
    bool same = ra == rb && (ra <= 0 || memcmp(a, b, (size_t)ra) == 0);
    if (!same)
        diag("pread(%zu at %lld): mapped %zd, kernel %zd", n, (long long)off, ra, rb);
    free(a);
    free(b);
    return same;
}

static void test_reads(void)
{
    write_file("a", 256 * 1024, 1);
    int fd = open(path_of("a"), O_RDONLY);
    fl_mapread_stats st0 = stats();
    ok(same_read(fd, 8192, 0) && same_read(fd, 8192, 8192 * 5) && same_read(fd, 100, 12345),
       "blocks and unaligned reads give the file's bytes");
    fl_mapread_stats st1 = stats();
    ok(st1.mapped_reads - st0.mapped_reads == 3, "they came from the mapping (%llu)",
       (unsigned long long)(st1.mapped_reads - st0.mapped_reads));
    ok(st1.maps - st0.maps == 1, "the file was mapped once");
    ok(same_read(fd, 8192, 256 * 1024 - 100), "a read across the end is the kernel's short read");
    ok(same_read(fd, 8192, 256 * 1024 + 5000), "a read past the end is the kernel's 0");

    /* The file grows (an index update appends blocks). */
    int w = open(path_of("a"), O_WRONLY | O_APPEND);
    char blk[8192];
    memset(blk, 'Z', sizeof blk);
    ok(write(w, blk, sizeof blk) == (ssize_t)sizeof blk, "appended a block");
    close(w);
    fl_mapread_stats st2 = stats();
    char got[8192];
    ok(pread(fd, got, sizeof got, 256 * 1024) == (ssize_t)sizeof got &&
           memcmp(got, blk, sizeof got) == 0,
       "the appended block is read");
    fl_mapread_stats st3 = stats();
    ok(st3.maps - st2.maps == 1 && st3.mapped_reads - st2.mapped_reads == 1,
       "the grown file was mapped again and the block copied from it");

    /* Rewritten in place (another process's pwrite): seen at once. */
    int rw = open(path_of("a"), O_WRONLY);
    ok(pwrite(rw, "changed!", 8, 8192) == 8, "rewrote 8 bytes in place");
    close(rw);
    ok(pread(fd, got, 8, 8192) == 8 && memcmp(got, "changed!", 8) == 0,
       "a change made through another descriptor is read, as pread would");

    /* The descriptor number goes to another file. */
    write_file("b", 64 * 1024, 2);
    close(fd);
    int fd2 = open(path_of("b"), O_RDONLY);
    ok(fd2 == fd, "the descriptor number was reused (%d, %d)", fd, fd2);
    ok(same_read(fd2, 8192, 8192), "the new file's bytes, not the old mapping's");

    /* Truncated under the mapping: SIGBUS turns into the kernel's answer. */
    ok(same_read(fd2, 8192, 40960), "read before truncating");
    ok(truncate(path_of("b"), 8192) == 0, "truncated the file under the mapping");
    fl_mapread_stats st4 = stats();
    char *tail = malloc(8192);
    ssize_t r = pread(fd2, tail, 8192, 40960);
    fl_mapread_stats st5 = stats();
    ok(r == 0, "a read of the cut-off part returns 0 (end of file), no crash (%zd)", r);
    ok(st5.sigbus - st4.sigbus == 1, "the copy was stopped by SIGBUS and handed to the kernel");
    ok(same_read(fd2, 4096, 0), "the part still there reads as before");
    free(tail);
    close(fd2);
}

static void test_edges(void)
{
    write_file("e", 64 * 1024, 5);
    write_file("f", 64 * 1024, 6);
    int fd = open(path_of("e"), O_RDONLY);
    char *big = malloc(128 * 1024), *ref = malloc(128 * 1024);
    /* A length whose sum with the offset wraps around: the kernel's answer
     * (it reads what there is), not a copy of almost all memory. */
    /* volatile: the compiler refuses the length as a constant. */
    volatile size_t huge = SIZE_MAX - 100;
    errno = 0;
    ssize_t a = pread(fd, big, huge, 4096);
    int ea = errno;
    errno = 0;
    ssize_t b = kernel_pread(fd, ref, huge, 4096);
    int eb = errno;
    ok(a == b && ea == eb && (a <= 0 || memcmp(big, ref, (size_t)a) == 0),
       "a length that wraps offset + length: the kernel's answer (%zd errno %d), no crash", a, ea);
    ok(same_read(fd, 8192, 0), "the file is mapped");
    ok(dup2(fd, fd) == fd && same_read(fd, 8192, 8192), "dup2 of a descriptor onto itself changes nothing");
    errno = 0;
    ok(dup2(-5, -5) == -1 && errno == EBADF, "dup2 of a bad descriptor onto itself: EBADF");
    /* dup2 over a mapped descriptor: it names the other file now. */
    int other = open(path_of("f"), O_RDONLY);
    ok(dup2(other, fd) == fd, "dup2 onto the mapped descriptor");
    char x[64], y[64];
    ok(pread(fd, x, sizeof x, 1000) == 64 && kernel_pread(other, y, sizeof y, 1000) == 64 &&
           memcmp(x, y, 64) == 0,
       "after dup2 the descriptor reads the new file");
    close(other);
    close(fd);
    free(big);
    free(ref);
}

static void test_not_mapped(void)
{
    write_file("c", 64 * 1024, 3);
    int fd = open(path_of("c"), O_RDWR);
    fl_mapread_stats st0 = stats();
    ok(same_read(fd, 8192, 8192), "a descriptor opened for writing reads right");
    fl_mapread_stats st1 = stats();
    ok(st1.mapped_reads == st0.mapped_reads && st1.syscall_reads - st0.syscall_reads == 1,
       "... through the system call");
    close(fd);

    int p[2];
    ok(pipe(p) == 0, "a pipe");
    char c;
    errno = 0;
    ok(pread(p[0], &c, 1, 0) == -1 && errno == ESPIPE, "pread of a pipe fails with ESPIPE");
    close(p[0]);
    close(p[1]);
    errno = 0;
    ok(pread(-1, &c, 1, 0) == -1 && errno == EBADF, "pread of a bad descriptor fails with EBADF");
    ok(close(-1) == -1 && errno == EBADF, "close of a bad descriptor fails with EBADF");
}

/* The window size mapread uses: 8 KiB, or a page where pages are bigger. */
static size_t win_size(void)
{
    long page = sysconf(_SC_PAGESIZE);
    return page > 8192 ? (size_t)page : 8192;
}

static void test_bound(void)
{
    /* A bound of 1 byte: no window fits, every read goes to the kernel. */
    char *err = NULL;
    ok(fl_mapread_enable(1, &err) == 0, "enabled with a 1-byte bound");
    write_file("d", 1024 * 1024, 4);
    int fd = open(path_of("d"), O_RDONLY);
    fl_mapread_stats st0 = stats();
    ok(same_read(fd, 4096, 0), "a read within the bound's reach");
    fl_mapread_stats st1 = stats();
    ok(st1.declined - st0.declined == 1 && st1.mapped_reads == st0.mapped_reads,
       "declined by the bound: the kernel read it");
    ok(st1.resident_bytes == st0.resident_bytes, "nothing counted as resident");
    /* No bound: the window is mapped and counted, and given back on close. */
    ok(fl_mapread_enable(0, &err) == 0, "enabled without a bound");
    ok(same_read(fd, 4096, 0), "the same read");
    fl_mapread_stats st2 = stats();
    ok(st2.mapped_reads - st1.mapped_reads == 1, "now from the mapping");
    const size_t W = win_size();
    uint64_t grew = st2.resident_bytes - st1.resident_bytes;
    ok(grew == W, "one window counted (%llu bytes, window %zu)", (unsigned long long)grew, W);
    ok(same_read(fd, 16384, 4096), "a read across windows");
    ok(stats().resident_bytes - st1.resident_bytes == ((4096 + 16384 - 1) / W + 1) * W,
       "each window it touched counted once");
    close(fd);
    ok(stats().resident_bytes == st1.resident_bytes, "closing the file gives its windows back");
}

/* The process's file-backed resident set in bytes (/proc/self/statm), or
 * false. */
static bool file_rss(size_t *bytes)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0, shared = 0;
    bool got = f && fscanf(f, "%lu %lu %lu", &size, &res, &shared) == 3;
    if (f)
        fclose(f);
    *bytes = (size_t)shared * (size_t)sysconf(_SC_PAGESIZE);
    return got;
}

/* What the mappings add to the resident set, as measured: reading one byte
 * every 64 KiB of a 16 MiB file in the page cache maps one 8 KiB window per
 * read, and the kernel, which maps a read fault's cached neighbours up to 64
 * KiB around it, stays inside the window's mapping: the file-backed resident
 * set grows by about 256 windows of 8 KiB, 2 MiB (a mapping of the whole
 * file: 16 MiB).  With a 1 MiB bound, by 1 MiB at most, and the reads past
 * the bound are the kernel's.  The tolerance covers statm's approximate
 * counters and pages of the test itself. */
static void test_measured_bound(void)
{
    size_t rss0 = 0, rss1 = 0;
    const size_t fsize = (size_t)16 << 20, slack = (size_t)512 << 10;
    if (!file_rss(&rss0) || win_size() != 8192) {
        for (int i = 0; i < 6; i++)
            skip("no /proc/self/statm, or pages of more than 8 KiB (a window is a page)");
        return;
    }
    write_file("m", fsize, 5);
    char *err = NULL;
    ok(fl_mapread_enable(0, &err) == 0, "enabled without a bound");
    int fd = open(path_of("m"), O_RDONLY);
    uint64_t counted0 = stats().resident_bytes;
    file_rss(&rss0);
    bool right = true;
    for (size_t off = 0; off < fsize; off += 65536)
        right &= same_read(fd, 1, (off_t)(off + 100));
    file_rss(&rss1);
    size_t grown = rss1 > rss0 ? rss1 - rss0 : 0;
    uint64_t counted = stats().resident_bytes - counted0;
    ok(right && counted == 256 * 8192, "every read right, 256 windows of 8 KiB counted");
    ok(grown <= 256 * 8192 + slack,
       "the file-backed resident set grew by those 2 MiB at most (%zu KiB)", grown >> 10);
    close(fd);

    const size_t bound = (size_t)1 << 20;
    ok(fl_mapread_enable(bound, &err) == 0, "enabled with a 1 MiB bound");
    fd = open(path_of("m"), O_RDONLY);
    fl_mapread_stats st0 = stats();
    file_rss(&rss0);
    right = true;
    for (size_t off = 0; off < fsize; off += 65536)
        right &= same_read(fd, 8192, (off_t)off);
    file_rss(&rss1);
    grown = rss1 > rss0 ? rss1 - rss0 : 0;
    fl_mapread_stats st1 = stats();
    ok(right && st1.resident_bytes <= bound && st1.declined - st0.declined >= 256 - 128,
       "every read right; the count stopped at the bound (%llu KiB), the rest declined (%llu)",
       (unsigned long long)(st1.resident_bytes >> 10),
       (unsigned long long)(st1.declined - st0.declined));
    ok(grown <= bound + slack, "the file-backed resident set grew by %zu KiB (bound 1024)",
       grown >> 10);
    close(fd);
    unlink(path_of("m"));
    fl_mapread_enable(0, &err);
}

/* Whether /proc/self/maps names the file at path (-1: cannot be read). */
static int maps_mention(const char *path)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, path))
            found = 1;
    fclose(f);
    return found;
}

/* A file whose length is not a multiple of the window: its last window is
 * mapped whole, inside the address space reserved for the file (not over
 * whatever lies after it), and goes with the file. */
static void test_partial_window(void)
{
    const size_t W = win_size();
    long page = sysconf(_SC_PAGESIZE);
    write_file("p", W + (size_t)page, 8);
    int fd = open(path_of("p"), O_RDONLY);
    ok(same_read(fd, (size_t)page, (off_t)W), "the last, partial window read right");
    int before = maps_mention(path_of("p"));
    close(fd);
    int after = maps_mention(path_of("p"));
    if (before < 0) {
        skip("no /proc/self/maps");
        skip("no /proc/self/maps");
    } else {
        ok(before == 1, "its window is mapped while the file is open");
        ok(after == 0, "no page of the file stays mapped after close");
    }
    unlink(path_of("p"));
}

/* Read-ahead advice (Xapian's, before each match): skipped for blocks read
 * through the mapping already, passed on for the others. */
static void test_advice(void)
{
    write_file("g", 1024 * 1024, 7);
    int fd = open(path_of("g"), O_RDONLY);
    ok(same_read(fd, 8192, 0), "a block read through the mapping");
    fl_mapread_stats st0 = stats();
    ok(posix_fadvise(fd, 0, 8192, POSIX_FADV_WILLNEED) == 0, "advice for that block: 0");
    fl_mapread_stats st1 = stats();
    ok(st1.advice_skipped - st0.advice_skipped == 1, "... answered without the kernel");
    ok(posix_fadvise(fd, 512 * 1024, 8192, POSIX_FADV_WILLNEED) == 0,
       "advice for a block not read yet: 0");
    ok(posix_fadvise(fd, 0, 8192, POSIX_FADV_DONTNEED) == 0, "other advice: 0");
    fl_mapread_stats st2 = stats();
    ok(st2.advice_skipped == st1.advice_skipped, "... both given to the kernel");
    close(fd);
    ok(posix_fadvise(fd, 0, 8192, POSIX_FADV_WILLNEED) == EBADF,
       "a closed descriptor: EBADF returned, as posix_fadvise does");
    ok(stats().advice_skipped == st2.advice_skipped, "... not answered from its old mapping");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    /* A regular file opened read-only, the kind that is mapped once
     * enabled: before that, not even counted. */
    write_file("z", 16384, 9);
    int fd0 = open(path_of("z"), O_RDONLY);
    fl_mapread_stats st0 = stats();
    ok(same_read(fd0, 8192, 0) && st0.mapped_reads == 0 && st0.maps == 0 &&
           stats().mapped_reads == 0 && stats().syscall_reads == 0,
       "before fl_mapread_enable reads are plain system calls");
    close(fd0);
    char *err = NULL;
    ok(fl_mapread_enable(0, &err) == 0 && fl_mapread_enabled(), "enabled");
    test_reads();
    test_edges();
    test_not_mapped();
    test_bound();
    test_measured_bound();
    test_partial_window();
    test_advice();
    fl_mapread_disable();
    ok(!fl_mapread_enabled(), "disabled");
    const char *names[] = {"a", "b", "c", "d", "e", "f", "g", "z"};
    for (size_t i = 0; i < 8; i++)
        unlink(path_of(names[i]));
    rmdir(dir);
    return tap_done();
}
