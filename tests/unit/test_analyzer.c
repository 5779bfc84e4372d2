/* test_analyzer.c — the chain as a whole: options, errors, callback
 * protocol, cache consistency and sharing one analyzer between threads. */
#include "analyze_helpers.h"
#include "fl_compound.h"
#include "tap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

size_t fl_stopwords_count(void);
const char *fl_stopwords_at(size_t i);

static const char *sample =
    "Rückblick: Am 15.01.2026 trafen sich 40 Bürger*innen, Expert:innen und "
    "Teilnehmende zum KI-Meetup im Innovationsbüro. Die Zivilgesellschaft diskutierte "
    "§ 622 BGB bzw. den Kündigungsschutz, z. B. mit info@example.org (https://example.org).";

static void serialize(const fl_analyzer *a, const char *text, fl_buf *out);

static int ser_cb(void *ud, const fl_token *t)
{
    fl_buf *o = ud;
    fl_buf_printf(o, "%u|%.*s|%s|%s|%u|%d|", t->index, (int)t->surface_len, t->surface, t->exact,
                  t->stem, t->flags, (int)t->kind);
    for (size_t i = 0; i < t->nparts; i++)
        fl_buf_printf(o, "%s,", t->parts[i]);
    fl_buf_printf(o, "|%s\n", t->gender_base ? t->gender_base : "-");
    return 0;
}

static void serialize(const fl_analyzer *a, const char *text, fl_buf *out)
{
    fl_buf_reset(out);
    fl_analyze(a, text, strlen(text), ser_cb, out, NULL);
}

typedef struct job {
    const fl_analyzer *a;
    fl_buf out;
} job;

static void *thread_main(void *p)
{
    job *j = p;
    fl_buf tmp = FL_BUF_INIT;
    for (int i = 0; i < 50; i++)
        serialize(j->a, sample, &tmp);
    fl_buf_append(&j->out, tmp.data, tmp.len);
    fl_buf_free(&tmp);
    return NULL;
}

static int stop_cb(void *ud, const fl_token *t)
{
    (void)t;
    int *n = ud;
    (*n)++;
    return 7;
}

typedef struct nested {
    const fl_analyzer *a;
    int inner, outer;
} nested;

static int inner_cb(void *ud, const fl_token *t)
{
    (void)t;
    ((nested *)ud)->inner++;
    return 0;
}

static int outer_cb(void *ud, const fl_token *t)
{
    nested *n = ud;
    n->outer++;
    char stem[64];
    snprintf(stem, sizeof stem, "%s", t->stem);
    fl_analyze(n->a, "Zivilgesellschaft Kündigungsschutz", 35, inner_cb, n, NULL);
    return strcmp(stem, t->stem) != 0; /* the token must survive the nested call */
}

int main(void)
{
    char *err = NULL;

    /* An explicitly given word list that cannot be read is an error. */
    fl_analyzer_options o = {0};
    o.wordlist_path = "/nonexistent/words.txt";
    fl_analyzer *bad = fl_analyzer_new(&o, &err);
    ok(bad == NULL && err && strstr(err, "/nonexistent/words.txt"), "missing word list: error names it (%s)",
       err ? err : "no message");
    free(err);
    err = NULL;

    /* A small custom list (with hunspell flags and comments). */
    char path[] = "/tmp/fl-test-words-XXXXXX";
    int fd = mkstemp(path);
    ok(fd >= 0, "temp word list");
    FILE *f = fdopen(fd, "w");
    fputs("# test list\nHaus/N\nBoot\r\nschnell\n\n", f);
    fclose(f);
    o.wordlist_path = path;
    fl_analyzer *small = fl_analyzer_new(&o, &err);
    ok(small != NULL, "custom word list loads");
    toks ts;
    analyze_str(small, "Hausboot Schnellboot", &ts);
    ok(ts.n == 2 && has_part(ts.t[0].parts, "haus") && has_part(ts.t[0].parts, "boot"),
       "Hausboot split with the custom list (%s)", ts.n ? ts.t[0].parts : "-");
    ok(ts.n == 2 && has_part(ts.t[1].parts, "schnell"), "adjective modifier from the list (%s)",
       ts.n > 1 ? ts.t[1].parts : "-");
    analyze_str(small, "Zivilgesellschaft", &ts);
    ok(ts.n == 1 && ts.t[0].nparts == 0, "default list not loaded when another is given");
    fl_analyzer_free(small);
    unlink(path);

    fl_analyzer *a = fl_analyzer_new(NULL, &err);
    ok(a != NULL, "default analyzer");
    if (!a)
        return tap_done();

    /* callback protocol */
    int seen = 0;
    is_int(fl_analyze(a, sample, strlen(sample), stop_cb, &seen, NULL), 7, "callback's value is returned");
    is_int(seen, 1, "and analysis stopped");
    seen = 0;
    is_int(fl_analyze(a, "", 0, stop_cb, &seen, NULL), 0, "empty text");
    is_int(seen, 0, "no tokens in empty text");
    is_int(fl_analyze(a, NULL, 0, stop_cb, &seen, NULL), 0, "NULL text of length 0");
    ok(fl_analyze(NULL, "x", 1, stop_cb, &seen, &err) == -1 && err, "no analyzer: -1 with message");
    free(err);
    err = NULL;

    /* nested use from inside a callback */
    nested n = {a, 0, 0};
    is_int(fl_analyze(a, "Bürger*innen Innovationsbüro", 29, outer_cb, &n, NULL), 0,
           "nested fl_analyze keeps the outer token intact");
    ok(n.outer == 2 && n.inner == 4, "nested calls saw all tokens (%d/%d)", n.outer, n.inner);

    /* the cache returns what a fresh analysis returns */
    fl_buf first = FL_BUF_INIT, second = FL_BUF_INIT;
    serialize(a, sample, &first);
    serialize(a, sample, &second);
    ok(first.len > 0 && strcmp(first.data, second.data) == 0, "cached analysis equals the first one");
    fl_analyzer *fresh = fl_analyzer_new(NULL, &err);
    serialize(fresh, sample, &second);
    ok(strcmp(first.data, second.data) == 0, "a fresh analyzer agrees");
    fl_analyzer_free(fresh);

    /* a bounded cache (the searchers') fills up and is cleared, results unchanged */
    fl_buf many = FL_BUF_INIT;
    for (int i = 0; i < 3000; i++)
        fl_buf_printf(&many, "Bürger%c%c%cinnen Haus%c%cboot ", 'a' + i % 26, 'a' + i / 26 % 26,
                      'a' + i / 676, 'a' + i % 26, 'a' + i / 26 % 26);
    fl_buf_append(&many, sample, strlen(sample));
    fl_analyzer_options tiny = {0};
    tiny.word_cache_bytes = 1; /* the smallest table: 1024 words, then cleared */
    fl_analyzer *bounded = fl_analyzer_new(&tiny, &err);
    fl_buf b1 = FL_BUF_INIT, b2 = FL_BUF_INIT, b3 = FL_BUF_INIT;
    serialize(a, fl_buf_cstr(&many), &b1);
    serialize(bounded, fl_buf_cstr(&many), &b2);
    serialize(bounded, fl_buf_cstr(&many), &b3);
    ok(bounded && b1.len > 0 && strcmp(b1.data, b2.data) == 0 && strcmp(b1.data, b3.data) == 0,
       "a cache bounded to 1024 words, overflowing 6x, analyses as the default one");
    fl_analyzer_free(bounded);
    fl_buf_free(&b1);
    fl_buf_free(&b2);
    fl_buf_free(&b3);
    fl_buf_free(&many);

    /* threads share one analyzer */
    job jobs[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].a = a;
        fl_buf_init(&jobs[i].out);
        pthread_create(&th[i], NULL, thread_main, &jobs[i]);
    }
    int same = 1;
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        same &= jobs[i].out.len && strcmp(jobs[i].out.data, first.data) == 0;
        fl_buf_free(&jobs[i].out);
    }
    ok(same, "4 threads get the same tokens as one");

    /* A content word whose stem is a stop word's keeps a term of its own:
     * "Sicherheit" must not find (nor highlight) every "sich". */
    analyze_str(a, "Sicherheit sicher sich Datensicherheit IT-Sicherheit Wege weg", &ts);
    ok(ts.n == 7, "seven tokens (%zu)", ts.n);
    if (ts.n == 7) {
        is_str(ts.t[0].stem, "sich~", "Sicherheit: apart from the pronoun");
        is_str(ts.t[1].stem, "sich~", "sicher: the same family as Sicherheit");
        is_str(ts.t[2].stem, "sich", "sich: the stop word keeps the plain stem");
        ok(ts.t[2].flags & FL_TOKFLAG_STOPWORD, "sich is a stop word");
        ok(has_part(ts.t[3].parts, "sich~") && !has_part(ts.t[3].parts, "sich"),
           "Datensicherheit: its part is apart too (%s)", ts.t[3].parts);
        ok(has_part(ts.t[4].parts, "sich~"), "IT-Sicherheit: the hyphen piece too (%s)",
           ts.t[4].parts);
        is_str(ts.t[5].stem, "weg~", "Wege: apart from the stop word weg");
        is_str(ts.t[6].stem, "weg", "weg: plain");
    }
    /* Every stop word keeps its plain stem, and that stem is known as one. */
    int plain = 1;
    size_t checked = 0;
    for (size_t i = 0; i < fl_stopwords_count(); i++) {
        const char *w = fl_stopwords_at(i);
        analyze_str(a, w, &ts);
        if (ts.n != 1 || !(ts.t[0].flags & FL_TOKFLAG_STOPWORD))
            continue; /* abbreviations such as "z.b." tokenize otherwise */
        checked++;
        size_t l = strlen(ts.t[0].stem);
        if ((l && ts.t[0].stem[l - 1] == FL_STEM_APART) || !fl_is_stopword_stem(ts.t[0].stem, l)) {
            diag("stop word %s: stem %s", w, ts.t[0].stem);
            plain = 0;
        }
    }
    ok(plain && checked + 20 >= fl_stopwords_count(),
       "every stop word: a plain stem, known as a stop word's (%zu of %zu checked)", checked,
       fl_stopwords_count());
    ok(!fl_is_stopword_stem("sicherheit", 10) && !fl_is_stopword_stem("", 0) &&
           !fl_is_stopword_stem(NULL, 3),
       "other stems are not stop words' stems");

    /* helpers */
    fl_buf b = FL_BUF_INIT;
    fl_analyzer_stem_word(a, "Bürger*innen", strlen("Bürger*innen"), &b);
    is_str(fl_buf_cstr(&b), "burg", "stem_word applies gender unification");
    fl_buf_reset(&b);
    fl_analyzer_stem_word(a, "   ", 3, &b);
    is_str(fl_buf_cstr(&b), "", "stem_word of nothing is empty");
    fl_buf_reset(&b);
    is_int(fl_analyzer_split(a, "kündigungsschutzgesetz", strlen("kündigungsschutzgesetz"), &b), 3,
           "split: three parts");
    is_str(fl_buf_cstr(&b), "kündigung\nschutz\ngesetz", "split: surface parts");
    fl_buf_reset(&b);
    is_int(fl_analyzer_split(a, "verwaltung", 10, &b), 0, "split: Verwaltung stays whole");
    fl_buf_free(&b);
    char *xs = fl_analyzer_xstem_cb(a, "Expertinnen", strlen("Expertinnen"));
    is_str(xs, "expert", "Xapian stemmer hook adapter");
    free(xs);
    ok(fl_analyzer_xstem_cb(a, "...", 3) == NULL, "hook adapter: NULL for no word");

    /* very long words and many tokens do not break anything */
    fl_buf big = FL_BUF_INIT;
    for (int i = 0; i < 300; i++)
        fl_buf_puts(&big, "Donaudampfschiff");
    fl_buf_puts(&big, " ");
    for (int i = 0; i < 2000; i++)
        fl_buf_printf(&big, "Wort%d Bürger*innen ", i);
    nested cnt = {a, 0, 0};
    ok(fl_analyze(a, big.data, big.len, inner_cb, &cnt, NULL) == 0 && cnt.inner == 4001,
       "long word and 4000 more tokens analysed (%d)", cnt.inner);
    fl_buf_free(&big);

    fl_buf_free(&first);
    fl_buf_free(&second);
    fl_analyzer_free(a);
    return tap_done();
}
