/* fl_hash.h — FNV-1a (64 bit), the project's one non-cryptographic hash:
 * shard routing (fl_shard_of), hash tables of words, cache keys.  Inline:
 * it sits on the indexer's per-word path. */
#ifndef FL_HASH_H
#define FL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define FL_FNV1A_INIT 14695981039346656037ULL

/* Continues the hash h (FL_FNV1A_INIT to start) over data[0..len). */
static inline uint64_t fl_fnv1a(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#endif
