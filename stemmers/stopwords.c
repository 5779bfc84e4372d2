/* stopwords.c — the German stop word list (Snowball's German list) plus the
 * abbreviations the tokenizer marks as stop words.
 *
 * Stop words stay in the index (phrase searches need their positions); the
 * query parser drops them from free text.  The Snowball list is the
 * reference one from snowballstem.org (German, with its odd stemmed forms such
 * as "unse"/"unsem" and the old spelling "daß"); we add the reformed
 * spelling "dass", "unsere"/"unserem"/... and the usual abbreviations
 * ("z.b.", "bzw", "usw" ...), which carry no meaning for search.
 * The list is sorted so lookup is a binary search.
 */
#include "fl_analyzer.h"

#include "fl_stem.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const stopwords[] = {
    /* sorted by strcmp (byte order): keep it so when adding words */
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander",
    "andere", "anderem", "anderen", "anderer", "anderes", "anderm", "andern", "anderr",
    "anders", "auch", "auf", "aus", "bei", "bin", "bis", "bist", "bspw", "bzw", "ca", "d.h.",
    "da", "damit", "dann", "das", "dass", "dasselbe", "dazu", "daß", "dein", "deine", "deinem",
    "deinen", "deiner", "deines", "dem", "demselben", "den", "denn", "denselben", "der",
    "derer", "derselbe", "derselben", "des", "desselben", "dessen", "dich", "die", "dies",
    "diese", "dieselbe", "dieselben", "diesem", "diesen", "dieser", "dieses", "dir", "doch",
    "dort", "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "einig", "einige",
    "einigem", "einigen", "einiger", "einiges", "einmal", "er", "es", "etc", "etwas", "euch",
    "euer", "eure", "eurem", "euren", "eurer", "eures", "evtl", "für", "gegen", "gewesen",
    "ggf", "hab", "habe", "haben", "hat", "hatte", "hatten", "hier", "hin", "hinter", "ich",
    "ihm", "ihn", "ihnen", "ihr", "ihre", "ihrem", "ihren", "ihrer", "ihres", "im", "in",
    "indem", "inkl", "ins", "insb", "ist", "jede", "jedem", "jeden", "jeder", "jedes", "jene",
    "jenem", "jenen", "jener", "jenes", "jetzt", "kann", "kein", "keine", "keinem", "keinen",
    "keiner", "keines", "können", "könnte", "machen", "man", "manche", "manchem", "manchen",
    "mancher", "manches", "mein", "meine", "meinem", "meinen", "meiner", "meines", "mich",
    "mir", "mit", "muss", "musste", "nach", "nicht", "nichts", "noch", "nun", "nur", "ob",
    "oder", "ohne", "sehr", "sein", "seine", "seinem", "seinen", "seiner", "seines", "selbst",
    "sich", "sie", "sind", "so", "sog", "solche", "solchem", "solchen", "solcher", "solches",
    "soll", "sollte", "sondern", "sonst", "u.a.", "um", "und", "uns", "unse", "unsem", "unsen",
    "unser", "unsere", "unserem", "unseren", "unseres", "unses", "unter", "usw", "vgl", "viel",
    "vom", "von", "vor", "war", "waren", "warst", "was", "weg", "weil", "weiter", "welche",
    "welchem", "welchen", "welcher", "welches", "wenn", "werde", "werden", "wie", "wieder",
    "will", "wir", "wird", "wirst", "wo", "wollen", "wollte", "während", "würde", "würden",
    "z.b.", "zu", "zum", "zur", "zwar", "zwischen", "über",
};

static int cmp(const void *k, const void *e)
{
    return strcmp((const char *)k, *(const char *const *)e);
}

bool fl_is_stopword(const char *exact, size_t len)
{
    char buf[32];
    if (!exact || len == 0 || len >= sizeof buf)
        return false; /* every stop word is short */
    memcpy(buf, exact, len);
    buf[len] = '\0';
    return bsearch(buf, stopwords, sizeof stopwords / sizeof *stopwords, sizeof *stopwords, cmp) !=
           NULL;
}

/* The stems of the stop words, sorted, built once: a content word whose
 * Snowball stem is one of them ("Sicherheit", "sicher" → sich; "Wege" →
 * weg) would otherwise share its term with every "sich" and "weg" of the
 * text.  Every stop word is shorter than STOP_STEM_MAX, and its stem is no
 * longer than the word. */
#define STOP_STEM_MAX 32
#define NSTOPWORDS (sizeof stopwords / sizeof *stopwords)
static char stop_stems[NSTOPWORDS][STOP_STEM_MAX];
static size_t n_stop_stems;
static pthread_once_t stop_stems_once = PTHREAD_ONCE_INIT;

static int stem_cmp(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void build_stop_stems(void)
{
    fl_buf b = FL_BUF_INIT;
    for (size_t i = 0; i < NSTOPWORDS; i++) {
        fl_buf_reset(&b);
        fl_german_stem(stopwords[i], strlen(stopwords[i]), &b);
        if (b.len == 0 || b.len >= STOP_STEM_MAX)
            continue;
        memcpy(stop_stems[n_stop_stems], b.data, b.len + 1);
        n_stop_stems++;
    }
    fl_buf_free(&b);
    qsort(stop_stems, n_stop_stems, STOP_STEM_MAX, stem_cmp);
}

bool fl_is_stopword_stem(const char *stem, size_t len)
{
    char buf[STOP_STEM_MAX];
    if (!stem || len == 0 || len >= sizeof buf)
        return false;
    pthread_once(&stop_stems_once, build_stop_stems);
    memcpy(buf, stem, len);
    buf[len] = '\0';
    return bsearch(buf, stop_stems, n_stop_stems, STOP_STEM_MAX, stem_cmp) != NULL;
}

/* For the tests: the table must stay sorted for bsearch. */
size_t fl_stopwords_count(void);
const char *fl_stopwords_at(size_t i);
size_t fl_stopwords_count(void)
{
    return sizeof stopwords / sizeof *stopwords;
}
const char *fl_stopwords_at(size_t i)
{
    return i < fl_stopwords_count() ? stopwords[i] : NULL;
}
