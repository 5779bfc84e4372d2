/* test_wordlist_cache.c — the word list's cache file (fl_wordlist.h): a
 * mapped cache answers exactly like the loaded list, words added to it are
 * found too, and a stale, damaged or missing cache is refused (NULL) so the
 * caller loads the source; the analyzer writes the cache and then maps it.
 */
#include "fl_analyzer.h"
#include "fl_buf.h"
#include "fl_wordlist.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/fl_wlcache_XXXXXX";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static unsigned look(const fl_wordlist *wl, const char *w) { return fl_wordlist_lookup(wl, w, strlen(w)); }

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    char *src = fl_xasprintf("%s/words.txt", tmpdir);
    char *cache = fl_xasprintf("%s/words.cache", tmpdir);
    write_file(src, "Gesetz\nGesetz/S\ngesetz\nZivil\nzivil\nBürger\nÄrztin\nlaufen\n# Kommentar\n");

    fl_wordlist *wl = fl_wordlist_new();
    char *err = NULL;
    ok(fl_wordlist_load(wl, src, &err) == 0, "load the source list");
    ok(fl_wordlist_map_cache(cache, src) == NULL, "no cache file yet: NULL");
    ok(fl_wordlist_save_cache(wl, src, cache, &err) == 0, "save the cache");
    fl_wordlist *m = fl_wordlist_map_cache(cache, src);
    ok(m != NULL, "map the cache");
    const char *words[] = {"gesetz", "zivil", "bürger", "ärztin", "laufen", "kommentar", "gesetze", "x"};
    int same = 1;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        same &= look(wl, words[i]) == look(m, words[i]);
    ok(same, "the mapped list answers like the loaded one");
    is_int((int)look(m, "gesetz"), FL_WORD_NOUN | FL_WORD_LOWER, "flags survive");
    is_int((int)look(m, "ärztin"), FL_WORD_NOUN, "non-ASCII key");
    is_int((int)look(m, "kommentar"), 0, "comment lines are no words");
    is_int((int)fl_wordlist_size(m), (int)fl_wordlist_size(wl), "size");
    fl_wordlist_add(m, "Quartier", 8);
    fl_wordlist_add(m, "laufen", 6);
    is_int((int)look(m, "quartier"), FL_WORD_NOUN, "a word added to the mapped list is found");
    is_int((int)look(m, "laufen"), FL_WORD_LOWER, "a re-added word keeps its flags");
    fl_wordlist_free(m);

    /* Saving a mapped list is refused (it would lose the mapping). */
    m = fl_wordlist_map_cache(cache, src);
    ok(m && fl_wordlist_save_cache(m, src, cache, &err) != 0 && err, "saving a mapped list: error");
    free(err);
    err = NULL;
    fl_wordlist_free(m);

    /* Stale: the source changed (mtime). */
    struct timeval tv[2] = {{1000000000, 0}, {1000000000, 0}};
    utimes(src, tv);
    ok(fl_wordlist_map_cache(cache, src) == NULL, "a changed source makes the cache stale");
    ok(fl_wordlist_save_cache(wl, src, cache, &err) == 0, "re-saved");
    fl_wordlist *again = fl_wordlist_map_cache(cache, src);
    ok(again != NULL, "it maps again");
    fl_wordlist_free(again);

    /* Damaged: truncated, or garbage. */
    char *cmd = fl_xasprintf("head -c 100 '%s' > '%s.t' && mv '%s.t' '%s'", cache, cache, cache, cache);
    ok(system(cmd) == 0 && fl_wordlist_map_cache(cache, src) == NULL, "a truncated cache is refused");
    free(cmd);
    write_file(cache, "this is not a word list cache, just some text of some length......\n");
    ok(fl_wordlist_map_cache(cache, src) == NULL, "a foreign file is refused");
    ok(fl_wordlist_map_cache(cache, "/nonexistent/words") == NULL, "a missing source: NULL");
    ok(fl_wordlist_save_cache(wl, src, "/nonexistent/dir/c", &err) != 0 && err && strstr(err, "/nonexistent"),
       "an unwritable cache path: error naming it");
    free(err);
    err = NULL;
    fl_wordlist_free(wl);

    /* The analyzer writes the cache, then maps it: the same analysis. */
    unlink(cache);
    fl_analyzer_options o = {0};
    o.wordlist_path = src;
    o.wordlist_cache = cache;
    fl_analyzer *a0 = fl_analyzer_new(&o, &err);
    ok(a0 && access(cache, F_OK) != 0, "a reading analyzer never writes the cache");
    fl_analyzer_free(a0);
    o.write_wordlist_cache = true;
    fl_analyzer *a1 = fl_analyzer_new(&o, &err);
    struct stat st;
    ok(a1 && stat(cache, &st) == 0 && st.st_size > 0, "the analyzer wrote the cache");
    fl_analyzer *a2 = fl_analyzer_new(&o, &err);
    ok(a2 != NULL, "a second analyzer (mapping the cache)");
    fl_buf p1 = FL_BUF_INIT, p2 = FL_BUF_INIT;
    size_t n1 = fl_analyzer_split(a1, "zivilgesetz", strlen("zivilgesetz"), &p1);
    size_t n2 = fl_analyzer_split(a2, "zivilgesetz", strlen("zivilgesetz"), &p2);
    ok(n1 == 2 && n1 == n2 && strcmp(fl_buf_cstr(&p1), fl_buf_cstr(&p2)) == 0,
       "the same compound split from the loaded and the mapped list");
    ok(fl_analyzer_knows(a2, "bürger", strlen("bürger")) && !fl_analyzer_knows(a2, "xyz", 3),
       "fl_analyzer_knows on the mapped list");
    fl_buf_free(&p1);
    fl_buf_free(&p2);
    fl_analyzer_free(a1);
    fl_analyzer_free(a2);

    cmd = fl_xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        diag("could not remove %s", tmpdir);
    free(cmd);
    free(src);
    free(cache);
    return tap_done();
}
