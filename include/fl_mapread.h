/* fl_mapread.h — Xapian's block reads served from read-only file mappings
 * (common/mapread.c).
 *
 * Xapian's glass backend keeps no block cache: every B-tree block it needs
 * is a pread() of 8 KB, several hundred per search with excerpts.  On this
 * kind of virtual machine a system call costs microseconds, and the reads
 * were about 30 % of the server's CPU.  Once enabled, this module answers
 * those reads by copying from a shared read-only mmap() of the file: the same
 * bytes pread() would return (the mapping and pread() read the same page
 * cache, so another process's writes are seen exactly as pread() sees them),
 * without the system call.
 *
 * How: the binary defines pread(), close(), dup2(), dup3(), close_range()
 * and closefrom() (and posix_fadvise(), see mapread.c), which take
 * precedence over libc's for every library in
 * the process (ELF symbol interposition, as allocators do with malloc).
 * Until fl_mapread_enable() is called, pread() is the plain system call.
 * After it, a pread() of a regular file opened read-only maps that file
 * (one mapping per file and size, shared by the descriptors of every worker
 * thread; its 8 KiB windows mapped as reads first need them) and copies
 * from the mapping; the other
 * five drop a descriptor's mapping before its number can name another file.
 * Reads past the mapped length (the file grew: an index update) remap it, or
 * fall back to the system call.  A file truncated under the mapping raises
 * SIGBUS on the copy: the handler turns that into the system call's answer
 * instead of a crash.
 *
 * Limits, none of which Xapian's use of its files reaches (table files only
 * grow, by whole blocks; a rebuild writes new files; libxapian closes them
 * with close()):
 *   - a file cut to a length that is not a multiple of the page size reads
 *     as zeros up to the end of its last page, where pread() stops short;
 *   - a descriptor closed by a path that bypasses these functions (fclose,
 *     closedir, posix_spawn's file actions, glibc's internal closes) keeps
 *     its mapping, and its number would read the old file once reused (only
 *     descriptors something pread()s are ever mapped, and in findling that
 *     is libxapian alone);
 *   - close() takes a lock, so it is not async-signal-safe any more (a
 *     child after fork() gets the lock re-initialised).
 *
 * Only the server enables it: it reads, never writes, and serves many
 * searches from the same process.  The CLI and the indexer use plain reads.
 */
#ifndef FL_MAPREAD_H
#define FL_MAPREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Turns mapped reads on for the whole process (idempotent).  The pages
 * read through mappings count in the process's resident set (RSS), though
 * they are the page cache's (a pread()ing process uses the same pages
 * without them counting).  A file is mapped 8 KiB window by window (a page
 * where pages are bigger), each when a read first needs it, and the windows
 * mapped add up to at most max_resident_bytes (0 = no bound of ours), and
 * never to more than half the process's limit on mappings allows
 * (vm.max_map_count; about 220 MiB at its default): reads of further windows
 * are system calls.  So the mapped windows bound what the mappings add to the resident
 * set exactly -- the kernel, mapping a read fault's cached neighbours too,
 * stays inside a window's own mapping -- and the windows mapped first (a
 * B-tree's root and branches among them) stay mapped.  After an index update a
 * worker that has not moved to the new revision yet keeps its old mapping
 * until it does.  0, or -1 with *err (malloc'd) when the SIGBUS handler cannot be
 * installed (reads stay system calls). */
int fl_mapread_enable(size_t max_resident_bytes, char **err);
/* Turns them off again: later reads are system calls, existing mappings
 * are dropped when their files are closed.  For tests. */
void fl_mapread_disable(void);
bool fl_mapread_enabled(void);

typedef struct fl_mapread_stats {
    uint64_t mapped_reads;  /* preads answered from a mapping */
    uint64_t syscall_reads; /* preads passed to the kernel (while enabled) */
    uint64_t maps;          /* files mapped (or remapped after growing) */
    uint64_t sigbus;        /* copies stopped by SIGBUS (a truncated file) */
    uint64_t declined;      /* preads left to the kernel: the bound was reached */
    uint64_t advice_skipped; /* read-ahead advice for blocks read through a mapping
                                already, answered without the kernel */
    uint64_t resident_bytes; /* the mapped windows of the files (a bound of
                              * their resident pages) */
} fl_mapread_stats;

/* Totals since the process started (every thread). */
void fl_mapread_get_stats(fl_mapread_stats *st);

#endif
