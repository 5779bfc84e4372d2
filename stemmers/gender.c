/* gender.c — feminine -in/-innen forms (see fl_gender.h). */
#include "fl_gender.h"

#include <string.h>

/* Words ending in -in that are not feminine forms even though a word list
 * might suggest so (plurals like "Cousinnen" exist for some of them in
 * other senses, or the base is itself a word: "Term"+"in"). */
static const char *const not_feminine[] = {
    "benzin", "berlin", "beginn", "cousin", "delfin", "delphin", "disziplin", "heroin",
    "insulin", "kamin", "kokain", "magazin", "medizin", "pinguin", "protein", "rubin", "ruin",
    "termin", "urin", "vitamin", "nikotin", "koffein", "musselin", "paraffin", "satin",
    "zeppelin", "hermelin", "rosmarin", "terpentin", "gelatine", "linkedin", NULL};

static bool is_exception(const char *w, size_t len, size_t sing_len)
{
    for (size_t i = 0; not_feminine[i]; i++) {
        size_t n = strlen(not_feminine[i]);
        if ((n == len || n == sing_len) && memcmp(w, not_feminine[i], n) == 0)
            return true;
    }
    return false;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            c++;
    return c;
}

static bool ends_with(const char *w, size_t len, const char *s)
{
    size_t n = strlen(s);
    return len >= n && memcmp(w + len - n, s, n) == 0;
}

bool fl_gender_is_exception(const char *w, size_t len)
{
    return is_exception(w, len, len);
}

size_t fl_gender_feminine_base(const fl_wordlist *wl, const char *w, size_t len)
{
    char buf[128];
    size_t base;
    bool plural;
    if (ends_with(w, len, "innen")) {
        base = len - 5;
        plural = true;
    } else if (ends_with(w, len, "in")) {
        base = len - 2;
        plural = false;
    } else {
        return 0;
    }
    if (utf8_chars(w, base) < 3 || len + 3 >= sizeof buf)
        return 0;
    if (is_exception(w, len, plural ? len - 3 : len))
        return 0;
    if (!wl) /* no word list: only the unambiguous agent nouns */
        return ends_with(w, base, "er") && utf8_chars(w, base) >= 5 ? base : 0;
    if (plural) {
        if (fl_wordlist_lookup(wl, w, len) & FL_WORD_NOUN)
            return base;
        if (fl_wordlist_lookup(wl, w, len - 3) & FL_WORD_NOUN) /* Bürgerin */
            return base;
    } else {
        memcpy(buf, w, len);
        memcpy(buf + len, "nen", 3);
        if (fl_wordlist_lookup(wl, buf, len + 3) & FL_WORD_NOUN)
            return base;
    }
    /* Forms the list lacks (Umsetzerin, Innovatorin): the masculine base is
     * a listed noun of 5+ letters ending in a consonant.  Short or vowel-final
     * bases are where the accidents are ("Term"-in, "Hero"-in, "Late"-in). */
    unsigned char last = (unsigned char)w[base - 1];
    if (utf8_chars(w, base) >= 5 && !strchr("aeiouy", last) &&
        (fl_wordlist_lookup(wl, w, base) & FL_WORD_NOUN))
        return base;
    /* Unknown words with an agent-noun suffix before -in: Innovator-in,
     * Praktikant-in, Ingenieur-in, Aktivist-in, Soziolog-in. */
    static const char *const agent[] = {"or", "ent", "ant", "and", "eur", "ist", "log", "at", NULL};
    if (utf8_chars(w, base) >= 6 && !fl_wordlist_lookup(wl, w, len))
        for (size_t i = 0; agent[i]; i++)
            if (ends_with(w, base, agent[i]))
                return base;
    return 0;
}
