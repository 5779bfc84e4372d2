// fl_xapian.cc — Findling's C API over Xapian 1.4 (see include/fl_xapian.h).
//
// This translation unit is the project's only C++.  Every exported function
// is `extern "C"` and runs its body inside guard() (below), which turns any
// C++ exception into an fl_xstatus plus a thread-local "last error", so that
// nothing C++ ever unwinds into C code.
//
// Handles are small structs owning Xapian objects.  Xapian's API classes are
// reference-counted handles themselves, so copying them (e.g. a Query into an
// Enquire, a Stem into a TermGenerator) shares the underlying object; that is
// why most "take another handle" functions let the caller free its handle
// right afterwards.

#include "fl_xapian.h"

#include <xapian.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <fstream>
#include <sys/stat.h>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <utility>
#include <vector>

// ------------------------------------------------------------------ handles

// Document lengths by docid (0 where there is no document), for
// KnownLengthBM25: one database's, at one revision.
struct DocLengths {
    std::vector<Xapian::termcount> len;
    Xapian::rev rev = 0;
};

// A database handle's document lengths, shared with its enquires (which
// may outlive the handle): the array of the newest revision built, if any.
struct LengthsCache {
    std::shared_ptr<const DocLengths> cur;
};

// The document being weighed, as DocLengthSource last saw it.
struct CurrentDoc {
    Xapian::termcount doclen = 0;
    bool seen = false;   // a document was seen
    bool unseen = false; // a term was weighed before any was (see run_match)
};

struct fl_xdb {
    // Read access goes through `db`.  For a writable database `db` is a copy
    // of `wdb` (sharing the same internal object, so reads see uncommitted
    // changes) and `writable` is true.
    Xapian::Database db;
    Xapian::WritableDatabase wdb;
    bool writable = false;
    // A combined database opened from a stub listing several shards (or
    // built with fl_xdb_add): each shard's own handle, in stub order, sharing
    // Xapian's internals with `db` (so db.reopen() reopens them too).  Xapian
    // 1.4 answers get_metadata() from the FIRST shard only and has no
    // revision for a combined database; these are what we ask instead.
    // Empty for a single database.
    std::vector<Xapian::Database> shards;
    // Document lengths for KnownLengthBM25 (doc_lengths), when built.
    std::shared_ptr<LengthsCache> lengths = std::make_shared<LengthsCache>();
    std::vector<bool> shard_remote; // parallel to shards
    bool has_remote = false;
    // Remote shards report no revision (0): count the reopens that brought
    // changes instead, so that the revision still moves when they change.
    uint64_t remote_changes = 0;
    // Over remote shards a term list is fetched whole (Xapian 1.4's remote
    // protocol sends every term of a prefix in one reply, skip_to or not): the
    // spelling walk (query/spell.c) would fetch all exact words of every shard
    // for each misspelt word, seconds per query.  So term lists opened by
    // prefix are kept here until the next reopen that finds changes.
    std::map<std::string, std::shared_ptr<const std::vector<std::pair<std::string, uint32_t>>>>
        remote_terms;
    // The positions mirror (fl_xapian.h, "Positions mirror").  Writing:
    // add, replace and delete keep it up to date (fl_xdb_mirror_positions).
    // Reading: -1 not looked at since the last open, add or reopen that
    // brought changes; 0 no (a shard lacks it, or one is remote); 1 yes.
    bool mirror_write = false;
    int mirror_read = -1;
    // Entries waiting to be written (an empty value deletes), in the order
    // they came.  A document's entries are spread over the whole key space
    // (term first); written as they come, nearly every one would dirty
    // another block of the B-tree.  Sorted and written before a commit, a
    // transaction or when they pass MIRROR_PENDING_MAX bytes.
    // Key and value bytes one after the other in mirror_bytes; an entry
    // says where (about 40 bytes an entry on the laws, against 100 as
    // pairs of strings).
    struct MirrorEntry {
        size_t off;
        uint32_t klen, vlen;
    };
    std::string mirror_bytes;
    std::vector<MirrorEntry> mirror_pending;
    bool in_transaction = false;
    // Names this handle for fl_xdoc::from (unique in the process, never
    // reused, unlike an address).
    const uint64_t serial = next_serial();
    static uint64_t next_serial()
    {
        static std::atomic<uint64_t> n{0};
        return ++n;
    }
};

struct fl_xdoc {
    Xapian::Document doc;
    // A term was added or removed through this handle.  A document read
    // from a database (from: its handle's serial) and stored back into it
    // under its own docid with its terms untouched (a new value only) keeps
    // its positions-mirror entries, as Xapian keeps its postings then.
    bool terms_changed = false;
    uint64_t from = 0;
};

struct fl_xvalue {
    std::string v;
};

struct fl_xstem {
    Xapian::Stem stem;
};

struct fl_xstopper {
    // The word list, not a Stopper object: TermGenerator and QueryParser keep
    // a pointer to their stopper, so each of them gets its own reference-
    // counted SimpleStopper built from this list (see make_stopper()).  That
    // way the caller may free this handle right after handing it over.
    std::vector<std::string> words;
};

struct fl_xtermgen {
    Xapian::TermGenerator tg;
};

struct fl_xqp {
    Xapian::QueryParser qp;
};

struct fl_xquery {
    Xapian::Query q;
};

namespace {
// Tells KnownLengthBM25 which document the match is about to weigh: the
// right side, weighing nothing, of an AND_MAYBE over the whole query.  The
// AND_MAYBE checks each document of its left side against it before it
// weighs that document (AndMaybePostList in Xapian 1.4); the check notes the
// document's length and answers "not here", so the AND_MAYBE neither adds
// it nor counts it among the matching subqueries (the percentages stay
// Xapian's).  It is never positioned on a document: a step (only asked of it
// where no document can reach the minimum weight) ends it.
class DocLengthSource : public Xapian::PostingSource {
    std::shared_ptr<const DocLengths> lens;
    std::shared_ptr<CurrentDoc> cur;
    Xapian::doccount doccount = 0;
    bool ended = false;

  public:
    DocLengthSource(std::shared_ptr<const DocLengths> l, std::shared_ptr<CurrentDoc> c)
        : lens(std::move(l)), cur(std::move(c))
    {
        set_maxweight(0);
    }
    DocLengthSource *clone() const override { return new DocLengthSource(lens, cur); }
    std::string name() const override { return std::string(); }
    void init(const Xapian::Database &db) override
    {
        doccount = db.get_doccount();
        ended = false;
    }
    Xapian::doccount get_termfreq_min() const override { return 0; }
    Xapian::doccount get_termfreq_est() const override { return 0; }
    Xapian::doccount get_termfreq_max() const override { return doccount; }
    void next(double) override { ended = true; }
    void skip_to(Xapian::docid, double) override { ended = true; }
    bool check(Xapian::docid did, double) override
    {
        cur->doclen = did < lens->len.size() ? lens->len[did] : 0;
        cur->seen = true;
        return false;
    }
    bool at_end() const override { return ended; }
    Xapian::docid get_docid() const override { return 0; }
    double get_weight() const override { return 0; }
    std::string get_description() const override { return "DocLengthSource"; }
};

// Xapian's BM25 (BM25Weight with k2 = 0, its formulas operation for
// operation, so that the weights are the same to the last bit), with the
// document's length from an array (DocLengthSource) instead of from Xapian.
// Why: Xapian asks each matching term's posting list for the length, and
// each steps the database's list of lengths forward to the document --
// 6-8 % of a search's CPU on the laws, which have few, long documents.
// Not serialisable (no name()): a remote shard gets Xapian's own.
class KnownLengthBM25 : public Xapian::Weight {
    std::shared_ptr<CurrentDoc> cur;
    double param_k1, param_k3, param_b, param_min_normlen;
    double termweight = 0, len_factor = 0;

  public:
    KnownLengthBM25(double k1, double k3, double b, double min_normlen,
                    std::shared_ptr<CurrentDoc> cur_)
        : cur(std::move(cur_)), param_k1(k1 < 0 ? 0 : k1), param_k3(k3 < 0 ? 0 : k3),
          param_b(b < 0 ? 0 : b > 1 ? 1 : b), param_min_normlen(min_normlen)
    {
        need_stat(COLLECTION_SIZE);
        need_stat(RSET_SIZE);
        need_stat(TERMFREQ);
        need_stat(RELTERMFREQ);
        need_stat(WDF);
        need_stat(WDF_MAX);
        need_stat(DOC_LENGTH_MIN);
        need_stat(AVERAGE_LENGTH);
        if (param_k3 != 0)
            need_stat(WQF);
        // Not DOC_LENGTH: that is what the terms would each look up.
    }
    KnownLengthBM25 *clone() const override
    {
        return new KnownLengthBM25(param_k1, param_k3, param_b, param_min_normlen, cur);
    }
    void init(double factor) override
    {
        // BM25Weight::init.
        Xapian::doccount tf = get_termfreq();
        double tw = 0;
        if (get_rset_size() != 0) {
            Xapian::doccount reltermfreq = get_reltermfreq();
            Xapian::doccount reldocs_not_indexed = get_rset_size() - reltermfreq;
            Xapian::doccount Q = get_collection_size() - reldocs_not_indexed;
            Xapian::doccount nonreldocs_indexed = tf - reltermfreq;
            double numerator = (reltermfreq + 0.5) * (Q - tf + 0.5);
            double denom = (reldocs_not_indexed + 0.5) * (nonreldocs_indexed + 0.5);
            tw = numerator / denom;
        } else {
            tw = (get_collection_size() - tf + 0.5) / (tf + 0.5);
        }
        if (tw < 2)
            tw = tw * 0.5 + 1;
        termweight = log(tw) * factor;
        if (param_k3 != 0) {
            double wqf_double = get_wqf();
            termweight *= (param_k3 + 1) * wqf_double / (param_k3 + wqf_double);
        }
        termweight *= (param_k1 + 1);
        if (param_b == 0 || param_k1 == 0) {
            len_factor = 0;
        } else {
            len_factor = get_average_length();
            if (len_factor != 0)
                len_factor = 1 / len_factor;
        }
    }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount, Xapian::termcount) const override
    {
        // BM25Weight::get_sumpart, with the length DocLengthSource noted
        // (its expression whole: a compiler that fuses a multiply and an add
        // does so here as in Xapian's).
        if (!cur->seen)
            cur->unseen = true;
        double normlen = std::max(cur->doclen * len_factor, param_min_normlen);
        double wdf_double = wdf;
        double denom = param_k1 * (normlen * param_b + (1 - param_b)) + wdf_double;
        return termweight * (wdf_double / denom);
    }
    double get_maxpart() const override
    {
        // BM25Weight::get_maxpart.
        double denom = param_k1;
        Xapian::termcount wdf_max = get_wdf_upper_bound();
        if (param_k1 != 0.0 && param_b != 0.0) {
            double normlen_lb =
                std::max(std::max(wdf_max, get_doclength_lower_bound()) * len_factor,
                         param_min_normlen);
            denom *= (normlen_lb * param_b + (1 - param_b));
        }
        denom += wdf_max;
        return termweight * (wdf_max / denom);
    }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0; }
    double get_maxextra() const override { return 0; }
};
} // namespace

struct fl_xenquire {
    Xapian::Enquire enq;
    // The query and weighting as asked.  The setters give the enquire
    // these with Xapian's BM25Weight; each match then switches to
    // KnownLengthBM25 (the query under an AND_MAYBE with DocLengthSource)
    // where it weighs the same (choose_scheme).
    Xapian::Query query;
    Xapian::termcount qlen = 0;
    bool bm25 = false; // BM25 asked for (fl_xenquire_set_weighting_bm25)
    double bm25_params[5] = {0, 0, 0, 0, 0};
    bool positional_risk = false;           // see has_weighed_positional
    // The database's lengths; NULL when it is not a single local read-only
    // database (no array for those).
    std::shared_ptr<LengthsCache> lengths;
    std::shared_ptr<const DocLengths> lens; // the array the enquire weighs with
    std::shared_ptr<CurrentDoc> known;      // set while KnownLengthBM25 weighs
    bool xapian_bm25 = false;               // KnownLengthBM25 failed: not again
    fl_xweighting last = FL_XWEIGHT_XAPIAN; // how the last match weighed
    // The spies are out of the enquire (they have counted): match_xapian_order.
    bool spies_out = false;
    // Over remote shards Xapian 1.4 counts the documents the client merges
    // (each shard's best first+maxitems) in a match spy a second time, on
    // top of the counts the servers send back.  So there the spies get a
    // match of their own with maxitems = 0 (see fl_xenquire_get_mset).
    bool remote = false;
    std::vector<Xapian::MatchSpy *> spies;
    // Relevance, then a value (fl_xenquire_set_sort_by_relevance_then_value)
    // on local databases: the enquire sorts by relevance alone, see
    // fl_xenquire_get_mset.
    bool rel_then_value = false;
    Xapian::valueno tie_slot = 0;
    bool tie_reverse = false;
    bool collapsing = false; // a collapse key, or a cutoff: Xapian's sort then
    bool cutting = false;
    Xapian::Database db;
    explicit fl_xenquire(const Xapian::Database &db_) : enq(db_), db(db_) {}
};

namespace {
// The relevance-only order of a relevance-then-value match (see
// match_rel_then_value): relevance, then an empty key, then docid -- the
// order of relevance alone.  Why not set_sort_by_relevance(): with every
// match looked at, the matcher under it pushes every match through its heap
// of the best hits, while under a key it first compares a match with the
// worst of them and drops it (measured: the heap was 7 % of a search).
struct NoKey : public Xapian::KeyMaker {
    std::string operator()(const Xapian::Document &) const override { return std::string(); }
};
NoKey no_key;

void set_relevance_order(Xapian::Enquire &enq)
{
    enq.set_sort_by_relevance_then_key(&no_key, false);
}
} // namespace

struct fl_xmset {
    Xapian::MSet mset;
    // Set when a relevance-then-value match ran by relevance alone: hit i
    // is mset[order[i]] and its sort key is the document's value in
    // key_slot (read when asked).
    bool remapped = false;
    std::vector<Xapian::doccount> order;
    Xapian::valueno key_slot = 0;
};

namespace {

// ------------------------------------------------------------------ errors

// Last failure of this thread.  std::string storage keeps the pointers
// handed out by fl_xlast_error*() valid until the next failure overwrites it.
struct LastError {
    fl_xstatus status = FL_XOK;
    std::string klass;
    std::string message;
    std::string combined;
};
thread_local LastError last_error;

// Records a failure: message = "fn: msg" (or just msg when fn is NULL).
// Never throws: building the strings could throw bad_alloc, in which case we
// keep at least the status.  It takes C strings so that callers inside catch
// blocks need not build std::strings (which could throw there).
fl_xstatus set_error(fl_xstatus st, const char *klass, const char *fn, const char *msg) noexcept
{
    last_error.status = st;
    try {
        last_error.klass = klass;
        last_error.message = fn ? std::string(fn) + ": " + msg : std::string(msg);
        last_error.combined = last_error.klass + ": " + last_error.message;
    } catch (...) {
        last_error.klass.clear();
        last_error.message.clear();
        last_error.combined.clear();
    }
    return st;
}

// Our own failures (bad C arguments, index past the end, ...) travel as this
// exception so that they go through the same path as Xapian's.  The class
// names mimic Xapian's so that callers see one vocabulary.
struct FlError {
    fl_xstatus status;
    const char *klass;
    std::string message;
};

[[noreturn]] void fail(fl_xstatus st, const char *klass, std::string msg)
{
    throw FlError{st, klass, std::move(msg)};
}

[[noreturn]] void invalid(const char *fn, const char *what)
{
    fail(FL_XERR_INVALID_ARGUMENT, "InvalidArgumentError", std::string(fn) + ": " + what);
}

// Maps Xapian's error classes by their type name, which names the most
// derived class exactly (DatabaseNotFoundError is-a DatabaseOpeningError, but
// gets its own status).  A plain table: no allocation, cannot throw.
fl_xstatus status_of(const Xapian::Error &e) noexcept
{
    static const struct {
        const char *type;
        fl_xstatus status;
    } by_type[] = {
        {"DatabaseNotFoundError", FL_XERR_NOT_FOUND},
        {"DocNotFoundError", FL_XERR_NOT_FOUND},
        {"DatabaseLockError", FL_XERR_LOCKED},
        {"DatabaseCorruptError", FL_XERR_CORRUPT},
        // Plain DatabaseError is what a damaged table gives on a short read
        // ("EOF reading block 0"): for the caller it means "rebuild".
        {"DatabaseError", FL_XERR_CORRUPT},
        {"DatabaseOpeningError", FL_XERR_OPENING},
        {"DatabaseVersionError", FL_XERR_OPENING},
        {"DatabaseCreateError", FL_XERR_OPENING},
        {"DatabaseModifiedError", FL_XERR_MODIFIED},
        {"QueryParserError", FL_XERR_QUERY},
        {"WildcardError", FL_XERR_QUERY},
        {"InvalidArgumentError", FL_XERR_INVALID_ARGUMENT},
        {"InvalidOperationError", FL_XERR_INVALID_ARGUMENT},
        {"NetworkError", FL_XERR_NETWORK},
        {"NetworkTimeoutError", FL_XERR_NETWORK},
        {"RangeError", FL_XERR_RANGE},
    };
    const char *type = e.get_type();
    for (const auto &m : by_type)
        if (std::strcmp(type, m.type) == 0)
            return m.status;
    return FL_XERR_OTHER;
}

// Runs `body(fn)` and converts every exception into a status + last error.
// `fn` is the C function's name (__func__ inside the lambda would say
// "operator()"); it prefixes our own messages and those of non-Xapian
// exceptions.
template <typename F> fl_xstatus guard(const char *fn, F &&body) noexcept
{
    try {
        body(fn);
        return FL_XOK;
    } catch (const Xapian::Error &e) {
        const fl_xstatus st = status_of(e);
        try {
            std::string msg = e.get_msg();
            // The errno text ("No such file or directory") often says more
            // than the message itself.
            const char *es = e.get_error_string();
            if (es && *es)
                msg += std::string(" (") + es + ")";
            return set_error(st, e.get_type(), nullptr, msg.c_str());
        } catch (...) {
            return set_error(st, e.get_type(), fn, "(message lost: out of memory)");
        }
    } catch (const FlError &e) {
        return set_error(e.status, e.klass, nullptr, e.message.c_str());
    } catch (const std::bad_alloc &) {
        return set_error(FL_XERR_OTHER, "std::bad_alloc", fn, "out of memory");
    } catch (const std::exception &e) {
        return set_error(FL_XERR_OTHER, "std::exception", fn, e.what());
    } catch (const char *s) {
        // Xapian's query parser uses string literals internally; never
        // expected here, but a stray one must not escape either.
        return set_error(FL_XERR_OTHER, "unknown", fn, s ? s : "?");
    } catch (...) {
        return set_error(FL_XERR_OTHER, "unknown", fn, "unknown C++ exception");
    }
}

// Same for functions whose C signature returns a value instead of a status:
// on an exception the last error is set and `fallback` returned.
template <typename T, typename F> T guard_value(const char *fn, T fallback, F &&body) noexcept
{
    T result = fallback;
    if (guard(fn, [&](const char *) { result = body(); }) != FL_XOK)
        return fallback;
    return result;
}

// ------------------------------------------------------------------ helpers

// NEED(arg): a NULL argument is an InvalidArgumentError naming the function
// (used inside guard() bodies, where `fn` is in scope).
#define NEED(arg) \
    do { \
        if (!(arg)) \
            invalid(fn, #arg " is NULL"); \
    } while (0)

// A (ptr, len) argument as a std::string; ptr may be NULL only when len is 0.
std::string bytes(const char *fn, const char *p, size_t len)
{
    if (!p && len)
        invalid(fn, "NULL pointer with non-zero length");
    return p ? std::string(p, len) : std::string();
}

std::string cstr(const char *p)
{
    return p ? std::string(p) : std::string();
}

// A malloc'd, NUL-terminated copy of s (binary safe: the length is returned
// separately by the callers that need it).
char *dup_malloc(const std::string &s)
{
    char *p = static_cast<char *>(std::malloc(s.size() + 1));
    if (!p)
        throw std::bad_alloc();
    std::memcpy(p, s.data(), s.size());
    p[s.size()] = '\0';
    return p;
}

Xapian::WritableDatabase &writable(const char *fn, fl_xdb *db)
{
    if (!db->writable)
        fail(FL_XERR_INVALID_ARGUMENT, "InvalidOperationError",
             std::string(fn) + ": the database is opened read-only");
    return db->wdb;
}

// Feeds a TermIterator to a callback; `count` picks the number reported.
template <typename Count>
void each_term(Xapian::TermIterator it, Xapian::TermIterator end, fl_xterm_cb cb, void *ud,
               Count count)
{
    for (; it != end; ++it) {
        const std::string t = *it;
        if (cb(ud, t.data(), t.size(), count(it)) != 0)
            break;
    }
}

void each_string(Xapian::TermIterator it, Xapian::TermIterator end, fl_xstring_cb cb, void *ud)
{
    for (; it != end; ++it) {
        const std::string t = *it;
        if (cb(ud, t.data(), t.size()) != 0)
            break;
    }
}

// The integer behind a C enum argument.  C callers may pass any int (C
// enums are ints), but in C++ an enum object holding a value outside its
// enumerators' range is undefined behaviour (UBSan flags the mere load), so
// we read the bytes as an int and validate that instead.
template <typename E> int enum_value(const E &e)
{
    static_assert(sizeof(E) == sizeof(int), "C enums are int-sized");
    int v;
    std::memcpy(&v, &e, sizeof v);
    return v;
}

Xapian::TermGenerator::stem_strategy tg_strategy(const char *fn, int s)
{
    switch (s) {
    case FL_XSTEM_NONE: return Xapian::TermGenerator::STEM_NONE;
    case FL_XSTEM_SOME: return Xapian::TermGenerator::STEM_SOME;
    case FL_XSTEM_ALL: return Xapian::TermGenerator::STEM_ALL;
    case FL_XSTEM_ALL_Z: return Xapian::TermGenerator::STEM_ALL_Z;
    case FL_XSTEM_SOME_FULL_POS: return Xapian::TermGenerator::STEM_SOME_FULL_POS;
    }
    invalid(fn, "unknown stemming strategy");
}

Xapian::QueryParser::stem_strategy qp_strategy(const char *fn, int s)
{
    switch (s) {
    case FL_XSTEM_NONE: return Xapian::QueryParser::STEM_NONE;
    case FL_XSTEM_SOME: return Xapian::QueryParser::STEM_SOME;
    case FL_XSTEM_ALL: return Xapian::QueryParser::STEM_ALL;
    case FL_XSTEM_ALL_Z: return Xapian::QueryParser::STEM_ALL_Z;
    case FL_XSTEM_SOME_FULL_POS: return Xapian::QueryParser::STEM_SOME_FULL_POS;
    }
    invalid(fn, "unknown stemming strategy");
}

Xapian::Query::op query_op(const char *fn, int op)
{
    switch (op) {
    case FL_XOP_AND: return Xapian::Query::OP_AND;
    case FL_XOP_OR: return Xapian::Query::OP_OR;
    case FL_XOP_AND_NOT: return Xapian::Query::OP_AND_NOT;
    case FL_XOP_XOR: return Xapian::Query::OP_XOR;
    case FL_XOP_AND_MAYBE: return Xapian::Query::OP_AND_MAYBE;
    case FL_XOP_FILTER: return Xapian::Query::OP_FILTER;
    case FL_XOP_NEAR: return Xapian::Query::OP_NEAR;
    case FL_XOP_PHRASE: return Xapian::Query::OP_PHRASE;
    case FL_XOP_ELITE_SET: return Xapian::Query::OP_ELITE_SET;
    case FL_XOP_SYNONYM: return Xapian::Query::OP_SYNONYM;
    case FL_XOP_MAX: return Xapian::Query::OP_MAX;
    }
    invalid(fn, "unknown query operator");
}

// The C flag values are spelled out rather than assumed equal to Xapian's,
// so that either side may change without silently breaking the other.
unsigned qp_flags(unsigned f)
{
    static const std::pair<unsigned, unsigned> map[] = {
        {FL_XQP_BOOLEAN, Xapian::QueryParser::FLAG_BOOLEAN},
        {FL_XQP_PHRASE, Xapian::QueryParser::FLAG_PHRASE},
        {FL_XQP_LOVEHATE, Xapian::QueryParser::FLAG_LOVEHATE},
        {FL_XQP_BOOLEAN_ANY_CASE, Xapian::QueryParser::FLAG_BOOLEAN_ANY_CASE},
        {FL_XQP_WILDCARD, Xapian::QueryParser::FLAG_WILDCARD},
        {FL_XQP_PURE_NOT, Xapian::QueryParser::FLAG_PURE_NOT},
        {FL_XQP_PARTIAL, Xapian::QueryParser::FLAG_PARTIAL},
        {FL_XQP_SPELLING_CORRECTION, Xapian::QueryParser::FLAG_SPELLING_CORRECTION},
        {FL_XQP_SYNONYM, Xapian::QueryParser::FLAG_SYNONYM},
        {FL_XQP_AUTO_SYNONYMS, Xapian::QueryParser::FLAG_AUTO_SYNONYMS},
        {FL_XQP_AUTO_MULTIWORD_SYNONYMS, Xapian::QueryParser::FLAG_AUTO_MULTIWORD_SYNONYMS},
    };
    unsigned out = 0;
    for (const auto &m : map)
        if (f & m.first)
            out |= m.second;
    return out;
}

unsigned snippet_flags(unsigned f)
{
    unsigned out = 0;
    if (f & FL_XSNIPPET_BACKGROUND_MODEL)
        out |= Xapian::MSet::SNIPPET_BACKGROUND_MODEL;
    if (f & FL_XSNIPPET_EXHAUSTIVE)
        out |= Xapian::MSet::SNIPPET_EXHAUSTIVE;
    if (f & FL_XSNIPPET_EMPTY_WITHOUT_MATCH)
        out |= Xapian::MSet::SNIPPET_EMPTY_WITHOUT_MATCH;
    if (f & FL_XSNIPPET_CJK_NGRAM)
        out |= Xapian::MSet::SNIPPET_CJK_NGRAM;
    return out;
}

// A fresh reference-counted SimpleStopper: release() hands its lifetime to
// the TermGenerator / QueryParser that receives it.
const Xapian::Stopper *make_stopper(const fl_xstopper *s)
{
    auto *stop = new Xapian::SimpleStopper(s->words.begin(), s->words.end());
    return stop->release();
}

// ------------------------------------------------------------------ custom stemmer

// Plugs a C stemming function into Xapian (TermGenerator, QueryParser,
// MSet::snippet all take a Xapian::Stem).
class CallbackStemmer : public Xapian::StemImplementation {
    fl_xstem_fn fn_;
    void *ud_;
    std::string description_;

  public:
    CallbackStemmer(fl_xstem_fn fn, void *ud, std::string description)
        : fn_(fn), ud_(ud), description_(std::move(description)) {}

    std::string operator()(const std::string &word) override
    {
        char *stem = fn_(ud_, word.data(), word.size());
        if (!stem)
            return word;
        // Free the C string even if building the std::string throws.
        std::unique_ptr<char, decltype(&std::free)> owner(stem, &std::free);
        return std::string(stem);
    }

    std::string get_description() const override { return description_; }
};

// ------------------------------------------------------------------ match spies

// ------------------------------------------------------------------ open helpers

// Xapian 1.4 has no API for the flush threshold: GlassWritableDatabase reads
// XAPIAN_FLUSH_THRESHOLD from the environment when it is constructed.  So we
// set the variable around the open (restoring the previous value after) under
// a mutex.  The mutex only serialises our own opens: a thread calling
// getenv()/setenv() elsewhere at the same moment races with this (POSIX
// environ is not thread-safe), so open writable databases before starting
// threads that touch the environment.
std::mutex env_mutex;

struct EnvOverride {
    const char *name;
    bool had = false;
    std::string saved;
    EnvOverride(const char *n, const std::string &value) : name(n)
    {
        if (const char *old = std::getenv(n)) {
            had = true;
            saved = old;
        }
        if (setenv(n, value.c_str(), 1) != 0)
            throw std::bad_alloc();
    }
    ~EnvOverride()
    {
        if (had)
            setenv(name, saved.c_str(), 1);
        else
            unsetenv(name);
    }
};

Xapian::doccount mset_count(const fl_xmset *m)
{
    return m->remapped ? m->order.size() : m->mset.size();
}

// The i-th entry, or FL_XERR_RANGE: MSet::operator[] does not check.
Xapian::MSetIterator mset_at(const char *fn, const fl_xmset *m, uint32_t i)
{
    if (!m)
        invalid(fn, "m is NULL");
    if (i >= mset_count(m))
        fail(FL_XERR_RANGE, "RangeError",
             std::string(fn) + ": index " + std::to_string(i) + " past the end of an MSet of " +
                 std::to_string(mset_count(m)));
    return m->mset[m->remapped ? m->order[i] : i];
}
} // namespace

struct fl_xspy {
    // Xapian's own ValueCountMatchSpy for both kinds: a multi-valued slot is
    // counted per distinct combination ("a\x1fb") and split into its items
    // when the results are read.  Each document holds one combination, so
    // summing the combinations an item occurs in counts each document once
    // per item -- exact, and being a built-in spy it also runs on remote
    // shards (xapian-tcpsrv only knows Xapian's own spies).
    std::unique_ptr<Xapian::ValueCountMatchSpy> values;
    bool multi = false;
    char sep = 0;
    Xapian::MatchSpy *spy() const { return values.get(); }
};

namespace {
/* The list a remote database gives for key, kept in db until a reopen finds
 * changes (see fl_xdb.remote_terms): fetched once.  open(&it, &end) starts
 * the walk only when the list is not kept yet -- on a remote database the
 * begin() call itself fetches the whole list (every spelling word of the
 * laws: seconds), so it must not be made before the cache is asked. */
template <typename Open>
std::shared_ptr<const std::vector<std::pair<std::string, uint32_t>>>
remote_list(fl_xdb *db, const std::string &key, Open open)
{
    auto &slot = db->remote_terms[key];
    if (!slot) {
        Xapian::TermIterator it, end;
        open(it, end);
        auto v = std::make_shared<std::vector<std::pair<std::string, uint32_t>>>();
        for (; it != end; ++it)
            v->emplace_back(*it, it.get_termfreq());
        slot = std::move(v);
    }
    return slot;
}
} // namespace

namespace {

// ------------------------------------------------------------------ positions mirror
//
// Every position list of a database, once more, as metadata entries keyed
// term first: "~" term "\0" docid (4 bytes, big-endian) -> the positions as
// LEB128 varints of their gaps (the first from 0).  fl_xapian.h says why.

const char MIRROR_FLAG[] = FL_XDB_POSITIONS_MIRROR_KEY;

std::string mirror_key(const std::string &term, Xapian::docid did)
{
    std::string k;
    k.reserve(term.size() + 6);
    k += '~';
    k += term;
    k += '\0';
    k += static_cast<char>(did >> 24);
    k += static_cast<char>(did >> 16);
    k += static_cast<char>(did >> 8);
    k += static_cast<char>(did);
    return k;
}

void mirror_encode(Xapian::PositionIterator it, Xapian::PositionIterator end, std::string &out)
{
    Xapian::termpos last = 0;
    for (; it != end; ++it) {
        Xapian::termpos gap = *it - last;
        last = *it;
        while (gap >= 0x80) {
            out += static_cast<char>((gap & 0x7f) | 0x80);
            gap >>= 7;
        }
        out += static_cast<char>(gap);
    }
}

// Decodes an entry into *pos (malloc'd; NULL and 0 for an empty entry, a
// term the document lacks).  False, with nothing allocated, when the entry
// is not what mirror_encode writes (a varint over 32 bits or cut short, a
// gap of 0 after the first position, a position past 2^32 - 1).
bool mirror_decode(const std::string &v, fl_xtermpos **pos, size_t *n)
{
    *pos = nullptr;
    *n = 0;
    if (v.empty())
        return true;
    if (static_cast<unsigned char>(v.back()) & 0x80)
        return false;
    size_t count = 0;
    for (unsigned char c : v)
        count += !(c & 0x80);
    fl_xtermpos *p = static_cast<fl_xtermpos *>(std::malloc(count * sizeof *p));
    if (!p)
        throw std::bad_alloc();
    uint64_t last = 0;
    size_t k = 0, i = 0;
    while (i < v.size()) {
        uint64_t gap = 0;
        unsigned shift = 0;
        unsigned char c;
        do {
            c = static_cast<unsigned char>(v[i++]);
            if (shift > 28 || (shift == 28 && (c & 0x70))) {
                std::free(p);
                return false;
            }
            gap |= static_cast<uint64_t>(c & 0x7f) << shift;
            shift += 7;
        } while (c & 0x80);
        last += gap;
        if ((k > 0 && gap == 0) || last > UINT32_MAX) {
            std::free(p);
            return false;
        }
        p[k++] = static_cast<fl_xtermpos>(last);
    }
    *pos = p;
    *n = k;
    return true;
}

// The most pending entries take (bytes and their records) before they are
// written.  Each flush rewrites blocks all over the mirror's part of the
// B-tree, so fewer is faster: the laws' full build (2 writers) takes 61.5 s
// with 32 MB against 54.9 s without the mirror; written as they came, or
// in 8 MB batches, it took about 12 s more still.
const size_t MIRROR_PENDING_MAX = 32u << 20;

// Writes the pending entries in key order; of several for one key, the
// last that came (a stable sort keeps their order).
void mirror_flush(fl_xdb *db)
{
    auto &p = db->mirror_pending;
    const char *b = db->mirror_bytes.data();
    auto key_less = [b](const fl_xdb::MirrorEntry &x, const fl_xdb::MirrorEntry &y) {
        int c = std::memcmp(b + x.off, b + y.off, std::min(x.klen, y.klen));
        return c < 0 || (c == 0 && x.klen < y.klen);
    };
    std::stable_sort(p.begin(), p.end(), key_less);
    for (size_t i = 0; i < p.size(); i++)
        if (i + 1 == p.size() || key_less(p[i], p[i + 1]))
            db->wdb.set_metadata(std::string(b + p[i].off, p[i].klen),
                                 std::string(b + p[i].off + p[i].klen, p[i].vlen));
    p.clear();
    db->mirror_bytes.clear();
}

void mirror_set(fl_xdb *db, const std::string &key, const std::string &value)
{
    db->mirror_pending.push_back({db->mirror_bytes.size(), static_cast<uint32_t>(key.size()),
                                  static_cast<uint32_t>(value.size())});
    db->mirror_bytes += key;
    db->mirror_bytes += value;
    if (db->mirror_bytes.size() + db->mirror_pending.size() * sizeof(fl_xdb::MirrorEntry) >
        MIRROR_PENDING_MAX)
        mirror_flush(db);
}

// One write's changes to the mirror, gathered before Xapian is called (a
// document read back from the database may be gone after it: its terms
// load lazily) and queued only once Xapian has succeeded.
struct MirrorChange {
    std::vector<std::pair<Xapian::docid, std::string>> drops; // (stored document, term)
    std::vector<std::pair<std::string, std::string>> puts;    // (term, encoded positions)

    // Every term of the stored document did (an entry that does not exist
    // costs a lookup when written).  Nothing for a docid never used.
    void drop(fl_xdb *db, Xapian::docid did)
    {
        if (did == 0 || did > db->wdb.get_lastdocid())
            return;
        Xapian::TermIterator t, end;
        try {
            t = db->db.termlist_begin(did);
            end = db->db.termlist_end(did);
        } catch (const Xapian::DocNotFoundError &) {
            return;
        }
        for (; t != end; ++t)
            drops.emplace_back(did, *t);
    }
    // The terms of doc that have positions.
    void put(const Xapian::Document &doc) { put(doc.termlist_begin(), doc.termlist_end()); }
    // The stored document did's: for a document read back from the same
    // database and stored, terms untouched, under another docid, Xapian
    // 1.4 keeps what that docid had (it takes the terms for unchanged), so
    // the mirror follows what it stored, read after the write.
    void put_stored(fl_xdb *db, Xapian::docid did)
    {
        put(db->db.termlist_begin(did), db->db.termlist_end(did));
    }
    void put(Xapian::TermIterator t, Xapian::TermIterator end)
    {
        for (; t != end; ++t) {
            Xapian::PositionIterator p = t.positionlist_begin(), e = t.positionlist_end();
            if (p == e)
                continue;
            std::string v;
            mirror_encode(p, e, v);
            puts.emplace_back(*t, std::move(v));
        }
    }
    // Queues it, the new entries under did.
    void queue(fl_xdb *db, Xapian::docid did) const
    {
        for (const auto &d : drops)
            mirror_set(db, mirror_key(d.second, d.first), std::string()); // empty: deleted
        for (const auto &p : puts)
            mirror_set(db, mirror_key(p.first, did), p.second);
    }
};

// The documents indexed by term (a unique id term: one, or none).
std::vector<Xapian::docid> docs_with_term(fl_xdb *db, const std::string &term)
{
    std::vector<Xapian::docid> ids;
    for (Xapian::PostingIterator it = db->db.postlist_begin(term); it != db->db.postlist_end(term);
         ++it)
        ids.push_back(*it);
    return ids;
}

// Readers use the mirror when every shard has it complete (the flag) and
// none is remote (a metadata read over the network per position list would
// cost more than Xapian's own read).
bool mirror_readable(fl_xdb *db)
{
    if (!db->mirror_pending.empty())
        mirror_flush(db); // a writable handle reads its own writes
    if (db->mirror_read < 0) {
        // The docid arithmetic below needs our own list of the shards: a
        // stub Xapian opened by itself (one we do not parse) is not read
        // through the mirror.
        bool yes = !db->has_remote && db->db.size() == (db->shards.empty() ? 1 : db->shards.size());
        if (yes && db->shards.empty())
            yes = db->db.get_metadata(MIRROR_FLAG) == "1";
        for (size_t i = 0; yes && i < db->shards.size(); i++)
            yes = db->shards[i].size() == 1 && db->shards[i].get_metadata(MIRROR_FLAG) == "1";
        db->mirror_read = yes;
    }
    return db->mirror_read == 1;
}

// Whether any database of db has the mirror (compaction must keep docids).
bool mirror_anywhere(fl_xdb *db)
{
    if (db->shards.empty())
        return db->db.get_metadata(MIRROR_FLAG) == "1";
    for (const auto &sh : db->shards)
        if (sh.get_metadata(MIRROR_FLAG) == "1")
            return true;
    return false;
}

// The positions of term in did from the mirror: false when its entry is
// malformed (the caller then asks Xapian's position table).  A combined
// database numbers its shards' documents round-robin: did is document
// (did - 1) / N + 1 of shard (did - 1) % N.
bool mirror_positions(fl_xdb *db, const std::string &term, Xapian::docid did, fl_xtermpos **pos,
                      size_t *n)
{
    const Xapian::Database *d = &db->db;
    Xapian::docid local = did;
    if (!db->shards.empty()) {
        const size_t k = db->shards.size();
        d = &db->shards[(did - 1) % k];
        local = static_cast<Xapian::docid>((did - 1) / k + 1);
    }
    return mirror_decode(d->get_metadata(mirror_key(term, local)), pos, n);
}

} // namespace

// ================================================================== C API

extern "C" {

// ------------------------------------------------------------------ errors

const char *fl_xlast_error(void) { return last_error.combined.c_str(); }
const char *fl_xlast_error_class(void) { return last_error.klass.c_str(); }
const char *fl_xlast_error_message(void) { return last_error.message.c_str(); }
fl_xstatus fl_xlast_status(void) { return last_error.status; }

const char *fl_xstatus_name(fl_xstatus st)
{
    switch (enum_value(st)) {
    case FL_XOK: return "ok";
    case FL_XERR_NOT_FOUND: return "not found";
    case FL_XERR_LOCKED: return "locked";
    case FL_XERR_CORRUPT: return "corrupt";
    case FL_XERR_OPENING: return "cannot open";
    case FL_XERR_MODIFIED: return "modified";
    case FL_XERR_QUERY: return "query syntax";
    case FL_XERR_INVALID_ARGUMENT: return "invalid argument";
    case FL_XERR_NETWORK: return "network";
    case FL_XERR_RANGE: return "out of range";
    case FL_XERR_OTHER: return "other";
    }
    return "unknown status";
}

const char *fl_xapian_version(void) { return Xapian::version_string(); }

// ------------------------------------------------------------------ databases

namespace {
// Timeouts of the remote entries of a stub we open ourselves (Xapian's stub
// reader would use its defaults of 10 s each): a dead shard must fail a
// search quickly, not hang it.
const useconds_t STUB_REMOTE_TIMEOUT_MS = 5000;
const useconds_t STUB_REMOTE_CONNECT_TIMEOUT_MS = 2000;

struct StubEntry {
    bool remote = false;
    std::string path;  // local: resolved against the stub's folder
    std::string host;  // remote
    unsigned port = 0; // remote
};

// Parses a Xapian stub file with only "auto PATH", "glass PATH" and
// "remote HOST:PORT" lines (and blank or # lines).  false: not such a stub
// (let Xapian open it as it sees fit).
bool parse_stub(const std::string &stub, std::vector<StubEntry> &out)
{
    std::ifstream in(stub);
    if (!in)
        return false;
    std::string dir = stub.substr(0, stub.find_last_of('/') == std::string::npos
                                         ? 0
                                         : stub.find_last_of('/') + 1);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        size_t b = line.find_first_not_of(" \t");
        if (b == std::string::npos || line[b] == '#')
            continue;
        size_t sp = line.find_first_of(" \t", b);
        if (sp == std::string::npos)
            return false;
        std::string type = line.substr(b, sp - b);
        size_t a = line.find_first_not_of(" \t", sp);
        if (a == std::string::npos)
            return false;
        std::string arg = line.substr(a);
        while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t'))
            arg.pop_back();
        StubEntry e;
        if (type == "auto" || type == "glass") {
            e.path = arg[0] == '/' ? arg : dir + arg;
        } else if (type == "remote") {
            size_t colon = arg.rfind(':');
            if (colon == std::string::npos || arg.find(' ') != std::string::npos)
                return false; // "remote PROGRAM ARGS": Xapian's own business
            e.remote = true;
            e.host = colon ? arg.substr(0, colon) : "127.0.0.1";
            char *end = nullptr;
            unsigned long port = std::strtoul(arg.c_str() + colon + 1, &end, 10);
            if (!end || *end || port == 0 || port > 65535)
                return false;
            e.port = static_cast<unsigned>(port);
        } else {
            return false;
        }
        out.push_back(e);
    }
    return !out.empty();
}
} // namespace

fl_xstatus fl_xdb_open(const char *path, fl_xdb **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(path);
        NEED(out);
        auto h = std::make_unique<fl_xdb>();
        // A folder with a stub, or a stub file: when it lists several shards
        // or a remote one we open them one by one, keeping each handle.
        std::string stub = path;
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            stub += "/XAPIANDB";
        std::vector<StubEntry> entries;
        bool ours = stat(stub.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size < 65536 &&
                    parse_stub(stub, entries);
        bool any_remote = false;
        for (const auto &e : entries)
            any_remote |= e.remote;
        if (!ours || (entries.size() == 1 && !any_remote)) {
            h->db = Xapian::Database(path);
        } else {
            for (const auto &e : entries) {
                Xapian::Database sub =
                    e.remote ? Xapian::Remote::open(e.host, e.port, STUB_REMOTE_TIMEOUT_MS,
                                                    STUB_REMOTE_CONNECT_TIMEOUT_MS)
                             : Xapian::Database(e.path);
                h->db.add_database(sub);
                h->shards.push_back(sub);
                h->shard_remote.push_back(e.remote);
            }
            h->has_remote = any_remote;
        }
        *out = h.release();
    });
}

uint32_t fl_xdb_shard_count(const fl_xdb *db)
{
    if (!db)
        return 0;
    return db->shards.empty() ? 1 : static_cast<uint32_t>(db->shards.size());
}

bool fl_xdb_has_remote(const fl_xdb *db) { return db && db->has_remote; }

// The metadata value of key in shard i alone ("" when missing).
static std::string shard_metadata(const char *fn, fl_xdb *db, uint32_t i, const char *key,
                                  size_t keylen)
{
    if (i >= fl_xdb_shard_count(db))
        fail(FL_XERR_RANGE, "RangeError", std::string(fn) + ": no shard " + std::to_string(i));
    const Xapian::Database &d = db->shards.empty() ? db->db : db->shards[i];
    return d.get_metadata(bytes(fn, key, keylen));
}

fl_xstatus fl_xdb_shard_metadata(fl_xdb *db, uint32_t i, const char *key, size_t keylen,
                                 char **val, size_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(val);
        NEED(len);
        *val = nullptr;
        *len = 0;
        const std::string v = shard_metadata(fn, db, i, key, keylen);
        *val = v.empty() ? nullptr : dup_malloc(v);
        *len = v.size();
    });
}

fl_xstatus fl_xdb_shard_metadata_into(fl_xdb *db, uint32_t i, const char *key, size_t keylen,
                                      fl_xvalue *v)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(v);
        v->v.clear();
        v->v = shard_metadata(fn, db, i, key, keylen);
    });
}

fl_xstatus fl_xvalue_new(fl_xvalue **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xvalue();
    });
}

void fl_xvalue_free(fl_xvalue *v)
{
    delete v;
}

const char *fl_xvalue_data(const fl_xvalue *v, size_t *len)
{
    *len = v && !v->v.empty() ? v->v.size() : 0;
    return *len ? v->v.data() : nullptr;
}

fl_xstatus fl_xdb_shard_info(fl_xdb *db, uint32_t i, uint32_t *doccount, uint64_t *revision)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        if (i >= fl_xdb_shard_count(db))
            fail(FL_XERR_RANGE, "RangeError", std::string(fn) + ": no shard " + std::to_string(i));
        const Xapian::Database &d = db->shards.empty() ? db->db : db->shards[i];
        if (doccount)
            *doccount = d.get_doccount();
        if (revision)
            *revision = (!db->shards.empty() && db->shard_remote[i]) ? 0 : d.get_revision();
    });
}

fl_xstatus fl_xdb_open_writable(const char *path, fl_xdb_mode mode, unsigned flush_threshold,
                                fl_xdb **out)
{
    return fl_xdb_open_writable_changesets(path, mode, flush_threshold, 0, out);
}

fl_xstatus fl_xdb_open_writable_changesets(const char *path, fl_xdb_mode mode,
                                           unsigned flush_threshold, unsigned max_changesets,
                                           fl_xdb **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(path);
        NEED(out);
        int action;
        switch (enum_value(mode)) {
        case FL_XDB_CREATE_OR_OPEN: action = Xapian::DB_CREATE_OR_OPEN; break;
        case FL_XDB_CREATE: action = Xapian::DB_CREATE; break;
        case FL_XDB_CREATE_OR_OVERWRITE: action = Xapian::DB_CREATE_OR_OVERWRITE; break;
        case FL_XDB_OPEN: action = Xapian::DB_OPEN; break;
        default: invalid(fn, "unknown mode");
        }
        // Findling's indexes are glass; say so rather than depend on the default.
        action |= Xapian::DB_BACKEND_GLASS;
        auto h = std::make_unique<fl_xdb>();
        if (flush_threshold != 0 || max_changesets != 0) {
            std::lock_guard<std::mutex> lock(env_mutex);
            std::unique_ptr<EnvOverride> flush, changes;
            if (flush_threshold != 0)
                flush = std::make_unique<EnvOverride>("XAPIAN_FLUSH_THRESHOLD",
                                                      std::to_string(flush_threshold));
            if (max_changesets != 0)
                changes = std::make_unique<EnvOverride>("XAPIAN_MAX_CHANGESETS",
                                                        std::to_string(max_changesets));
            h->wdb = Xapian::WritableDatabase(path, action);
        } else {
            h->wdb = Xapian::WritableDatabase(path, action);
        }
        h->db = h->wdb;
        h->writable = true;
        // A database with the mirror keeps it through every writer.
        h->mirror_write = h->wdb.get_metadata(MIRROR_FLAG) == "1";
        *out = h.release();
    });
}

fl_xstatus fl_xdb_new_empty(fl_xdb **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xdb();
    });
}

fl_xstatus fl_xdb_add(fl_xdb *db, const fl_xdb *shard)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(shard);
        if (db->writable)
            invalid(fn, "cannot add shards to a writable database");
        db->db.add_database(shard->db);
        db->lengths = std::make_shared<LengthsCache>(); // no array for a combination
        if (shard->shards.empty()) {
            db->shards.push_back(shard->db);
            db->shard_remote.push_back(shard->has_remote);
        } else {
            db->shards.insert(db->shards.end(), shard->shards.begin(), shard->shards.end());
            db->shard_remote.insert(db->shard_remote.end(), shard->shard_remote.begin(),
                                    shard->shard_remote.end());
        }
        db->has_remote |= shard->has_remote;
        db->mirror_read = -1;
    });
}

fl_xstatus fl_xdb_open_remote(const char *host, unsigned port, unsigned timeout_ms,
                              unsigned connect_timeout_ms, fl_xdb **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(host);
        NEED(out);
        if (port == 0 || port > 65535)
            invalid(fn, "port must be 1..65535");
        // Xapian's own defaults are 10 s each; 0 would mean "no timeout" to
        // Xapian, while our header promises 0 = default.
        useconds_t t = timeout_ms ? timeout_ms : 10000;
        useconds_t ct = connect_timeout_ms ? connect_timeout_ms : 10000;
        auto h = std::make_unique<fl_xdb>();
        h->db = Xapian::Remote::open(host, port, t, ct);
        h->has_remote = true; // term and spelling lists are kept (remote_list)
        *out = h.release();
    });
}

void fl_xdb_free(fl_xdb *db)
{
    if (!db)
        return;
    // Xapian 1.4 closes a WritableDatabase when the last handle goes; an
    // active transaction is cancelled, but outside a transaction Xapian
    // commits pending changes implicitly (there is no way to discard them).
    // Errors while closing cannot be reported from here.
    guard(__func__, [&](const char *) {
        try {
            if (db->writable && !db->in_transaction && !db->mirror_pending.empty())
                mirror_flush(db); // part of the implicit commit
        } catch (...) {
            delete db; // the handle goes whatever happens; the error is reported
            throw;
        }
        delete db;
    });
}

bool fl_xdb_is_writable(const fl_xdb *db) { return db && db->writable; }

fl_xstatus fl_xdb_reopen(fl_xdb *db, bool *changed)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        bool c = db->db.reopen();
        if (c)
            db->mirror_read = -1;
        if (c && db->has_remote) {
            db->remote_changes++;
            db->remote_terms.clear();
        }
        if (changed)
            *changed = c;
    });
}

fl_xstatus fl_xdb_commit(fl_xdb *db)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        mirror_flush(db);
        w.commit();
    });
}

fl_xstatus fl_xdb_begin_transaction(fl_xdb *db, bool flushed)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        mirror_flush(db); // what came before is not the transaction's
        w.begin_transaction(flushed);
        db->in_transaction = true;
    });
}

fl_xstatus fl_xdb_commit_transaction(fl_xdb *db)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        mirror_flush(db);
        // Xapian ends the transaction before committing: if the commit
        // throws, there is no transaction any more either.
        bool was = db->in_transaction;
        db->in_transaction = false;
        try {
            w.commit_transaction();
        } catch (const Xapian::InvalidOperationError &) {
            db->in_transaction = was; // not in a transaction: nothing ended
            throw;
        }
    });
}

fl_xstatus fl_xdb_cancel_transaction(fl_xdb *db)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        w.cancel_transaction();
        db->in_transaction = false;
        db->mirror_pending.clear(); // the transaction's, cancelled with it
        db->mirror_bytes.clear();
    });
}

fl_xstatus fl_xdb_revision(fl_xdb *db, uint64_t *rev)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(rev);
        // No revision for a combined database in Xapian 1.4: the sum of the
        // shards' grows whenever any of them commits.
        if (db->shards.size() > 1 || db->has_remote) {
            uint64_t sum = db->remote_changes;
            for (size_t i = 0; i < db->shards.size(); i++)
                if (!db->shard_remote[i]) // a remote shard has none (it throws)
                    sum += db->shards[i].get_revision();
            *rev = sum;
        } else {
            *rev = db->db.get_revision();
        }
    });
}

fl_xstatus fl_xdb_uuid(fl_xdb *db, char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(out);
        *out = dup_malloc(db->db.get_uuid());
    });
}

fl_xstatus fl_xdb_doccount(fl_xdb *db, uint32_t *count)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(count);
        *count = db->db.get_doccount();
    });
}

fl_xstatus fl_xdb_lastdocid(fl_xdb *db, fl_xdocid *docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(docid);
        *docid = db->db.get_lastdocid();
    });
}

fl_xstatus fl_xdb_avlength(fl_xdb *db, double *avlen)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(avlen);
        *avlen = db->db.get_avlength();
    });
}

// Whether db is one local read-only database: the only kind with a lengths
// array (KnownLengthBM25).
static bool single_local(const fl_xdb *db)
{
    return !db->writable && db->shards.empty() && !db->has_remote && db->db.size() == 1;
}

fl_xstatus fl_xdb_doclength(fl_xdb *db, fl_xdocid docid, uint32_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(len);
        // From the array KnownLengthBM25 reads, when it is current: Xapian
        // steps its list of lengths to the document, backwards by starting
        // over (the re-rank asks in weight order, not docid order).  A 0
        // there may be no document: Xapian says which.
        const DocLengths *d = db->lengths->cur.get();
        if (d && single_local(db) && docid < d->len.size() && d->len[docid] &&
            d->rev == db->db.get_revision()) {
            *len = static_cast<uint32_t>(d->len[docid]);
            return;
        }
        *len = static_cast<uint32_t>(db->db.get_doclength(docid));
    });
}

fl_xstatus fl_xdb_termfreq(fl_xdb *db, const char *term, size_t len, uint32_t *freq)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(freq);
        *freq = db->db.get_termfreq(bytes(fn, term, len));
    });
}

fl_xstatus fl_xdb_collection_freq(fl_xdb *db, const char *term, size_t len, uint32_t *freq)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(freq);
        *freq = db->db.get_collection_freq(bytes(fn, term, len));
    });
}

fl_xstatus fl_xdb_term_exists(fl_xdb *db, const char *term, size_t len, bool *exists)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(exists);
        *exists = db->db.term_exists(bytes(fn, term, len));
    });
}

// ------------------------------------------------------------------ metadata

// Xapian cannot store an empty value (setting one deletes the key), so ""
// unambiguously means "missing".  Sharded: the first shard that has the key
// answers (Xapian would ask only the first shard).
static std::string metadata(const char *fn, fl_xdb *db, const char *key, size_t keylen)
{
    const std::string k = bytes(fn, key, keylen);
    std::string v;
    if (db->shards.size() > 1) {
        for (const auto &d : db->shards)
            if (!(v = d.get_metadata(k)).empty())
                break;
    } else {
        v = db->db.get_metadata(k);
    }
    return v;
}

fl_xstatus fl_xdb_get_metadata(fl_xdb *db, const char *key, size_t keylen, char **val,
                               size_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(val);
        NEED(len);
        *val = nullptr;
        *len = 0;
        const std::string v = metadata(fn, db, key, keylen);
        *val = v.empty() ? nullptr : dup_malloc(v);
        *len = v.size();
    });
}

fl_xstatus fl_xdb_get_metadata_into(fl_xdb *db, const char *key, size_t keylen, fl_xvalue *v)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(v);
        v->v.clear();
        v->v = metadata(fn, db, key, keylen);
    });
}

fl_xstatus fl_xdb_set_metadata(fl_xdb *db, const char *key, size_t keylen, const char *val,
                               size_t len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        writable(fn, db).set_metadata(bytes(fn, key, keylen),
                                            bytes(fn, val, len));
    });
}

fl_xstatus fl_xdb_metadata_keys(fl_xdb *db, const char *prefix, fl_xstring_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        const std::string p = cstr(prefix);
        if (db->shards.size() > 1) {
            std::set<std::string> keys;
            for (const auto &d : db->shards)
                keys.insert(d.metadata_keys_begin(p), d.metadata_keys_end(p));
            for (const auto &k : keys)
                if (cb(ud, k.data(), k.size()) != 0)
                    break;
        } else {
            each_string(db->db.metadata_keys_begin(p), db->db.metadata_keys_end(p), cb, ud);
        }
    });
}

// ------------------------------------------------------------------ spelling

fl_xstatus fl_xdb_add_spelling(fl_xdb *db, const char *word, uint32_t freqinc)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(word);
        writable(fn, db).add_spelling(word, freqinc);
    });
}

fl_xstatus fl_xdb_remove_spelling(fl_xdb *db, const char *word, uint32_t freqdec)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(word);
        writable(fn, db).remove_spelling(word, freqdec);
    });
}

fl_xstatus fl_xdb_spelling_suggestion(fl_xdb *db, const char *word, unsigned max_edit_distance,
                                      char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(word);
        NEED(out);
        const std::string s = db->db.get_spelling_suggestion(word, max_edit_distance);
        *out = s.empty() ? nullptr : dup_malloc(s);
    });
}

fl_xstatus fl_xdb_spellings(fl_xdb *db, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        each_term(db->db.spellings_begin(), db->db.spellings_end(), cb, ud,
                  [](const Xapian::TermIterator &it) { return it.get_termfreq(); });
    });
}

// ------------------------------------------------------------------ synonyms

fl_xstatus fl_xdb_add_synonym(fl_xdb *db, const char *term, const char *synonym)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(term);
        NEED(synonym);
        writable(fn, db).add_synonym(term, synonym);
    });
}

fl_xstatus fl_xdb_clear_synonyms(fl_xdb *db, const char *term)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(term);
        writable(fn, db).clear_synonyms(term);
    });
}

fl_xstatus fl_xdb_synonyms(fl_xdb *db, const char *term, fl_xstring_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(term);
        NEED(cb);
        each_string(db->db.synonyms_begin(term), db->db.synonyms_end(term), cb, ud);
    });
}

fl_xstatus fl_xdb_synonym_keys(fl_xdb *db, fl_xstring_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        each_string(db->db.synonym_keys_begin(), db->db.synonym_keys_end(), cb, ud);
    });
}

// ------------------------------------------------------------------ documents in a db

fl_xstatus fl_xdb_add_document(fl_xdb *db, const fl_xdoc *doc, fl_xdocid *docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(doc);
        Xapian::WritableDatabase &w = writable(fn, db);
        MirrorChange m;
        if (db->mirror_write)
            m.put(doc->doc);
        Xapian::docid id = w.add_document(doc->doc);
        m.queue(db, id);
        if (docid)
            *docid = id;
    });
}

fl_xstatus fl_xdb_replace_document_by_term(fl_xdb *db, const char *unique_term,
                                           const fl_xdoc *doc, fl_xdocid *docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(unique_term);
        NEED(doc);
        Xapian::WritableDatabase &w = writable(fn, db);
        const std::string term = unique_term;
        MirrorChange m;
        bool read_back = doc->from == db->serial && !doc->terms_changed;
        if (db->mirror_write) {
            for (Xapian::docid old : docs_with_term(db, term))
                m.drop(db, old);
            if (!read_back)
                m.put(doc->doc);
        }
        Xapian::docid id = w.replace_document(term, doc->doc);
        if (db->mirror_write && read_back)
            m.put_stored(db, id);
        m.queue(db, id);
        if (docid)
            *docid = id;
    });
}

fl_xstatus fl_xdb_replace_document(fl_xdb *db, fl_xdocid docid, const fl_xdoc *doc)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(doc);
        Xapian::WritableDatabase &w = writable(fn, db);
        // Terms untouched (a document read back with a new value): its
        // entries stand, as Xapian's postings do.
        bool mirror = db->mirror_write && (doc->terms_changed || doc->from != db->serial ||
                                           doc->doc.get_docid() != docid);
        bool read_back = doc->from == db->serial && !doc->terms_changed;
        MirrorChange m;
        if (mirror) {
            m.drop(db, docid);
            if (!read_back)
                m.put(doc->doc);
        }
        w.replace_document(docid, doc->doc);
        if (mirror && read_back)
            m.put_stored(db, docid);
        m.queue(db, docid);
    });
}

fl_xstatus fl_xdb_delete_document(fl_xdb *db, fl_xdocid docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        MirrorChange m;
        if (db->mirror_write)
            m.drop(db, docid);
        w.delete_document(docid);
        m.queue(db, docid);
    });
}

fl_xstatus fl_xdb_delete_document_by_term(fl_xdb *db, const char *unique_term)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(unique_term);
        Xapian::WritableDatabase &w = writable(fn, db);
        const std::string term = unique_term;
        MirrorChange m;
        if (db->mirror_write)
            for (Xapian::docid old : docs_with_term(db, term))
                m.drop(db, old);
        w.delete_document(term);
        m.queue(db, 0);
    });
}

fl_xstatus fl_xdb_mirror_positions(fl_xdb *db, bool *mirrored)
{
    if (mirrored)
        *mirrored = false;
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        Xapian::WritableDatabase &w = writable(fn, db);
        bool has = w.get_metadata(MIRROR_FLAG) == "1";
        if (!has && w.get_lastdocid() == 0) {
            w.set_metadata(MIRROR_FLAG, "1");
            has = true;
        }
        db->mirror_write = has;
        db->mirror_read = -1;
        if (mirrored)
            *mirrored = has;
    });
}

fl_xstatus fl_xdb_positions_mirrored(fl_xdb *db, bool *yes)
{
    if (yes)
        *yes = false;
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(yes);
        *yes = mirror_readable(db);
    });
}

fl_xstatus fl_xdb_set_mirror_reads(fl_xdb *db, bool on)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        db->mirror_read = on ? -1 : 0;
    });
}

fl_xstatus fl_xdb_get_document(fl_xdb *db, fl_xdocid docid, fl_xdoc **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(out);
        auto h = std::make_unique<fl_xdoc>();
        // Without DOC_ASSUME_VALID Xapian checks that the document exists
        // (DocNotFoundError otherwise), which is what the header promises.
        h->doc = db->db.get_document(docid);
        h->from = db->serial;
        *out = h.release();
    });
}

fl_xstatus fl_xdb_find_document(fl_xdb *db, const char *term, size_t len, fl_xdocid *docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(docid);
        const std::string t = bytes(fn, term, len);
        Xapian::PostingIterator it = db->db.postlist_begin(t);
        if (it == db->db.postlist_end(t))
            fail(FL_XERR_NOT_FOUND, "DocNotFoundError", "no document indexed by term '" + t + "'");
        *docid = *it;
    });
}

// ------------------------------------------------------------------ iteration

fl_xstatus fl_xdb_allterms(fl_xdb *db, const char *prefix, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        const std::string p = cstr(prefix);
        each_term(db->db.allterms_begin(p), db->db.allterms_end(p), cb, ud,
                  [](const Xapian::TermIterator &it) { return it.get_termfreq(); });
    });
}

fl_xstatus fl_xdb_postlist(fl_xdb *db, const char *term, size_t len, fl_xdocid_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        const std::string t = bytes(fn, term, len);
        for (Xapian::PostingIterator it = db->db.postlist_begin(t); it != db->db.postlist_end(t);
             ++it) {
            if (cb(ud, *it, it.get_wdf()) != 0)
                break;
        }
    });
}

// The positions [it, end) as a malloc'd array (NULL when none).
// expect: how many positions there may be (the term's wdf, when known):
// room for them is taken at once, instead of growing a vector and copying.
static void copy_positions(Xapian::PositionIterator it, Xapian::PositionIterator end,
                           fl_xtermpos **pos, size_t *n, size_t expect = 0)
{
    size_t cap = expect < 16 ? 16 : expect < (1u << 20) ? expect : (1u << 20), k = 0;
    fl_xtermpos *p = nullptr;
    try {
        for (; it != end; ++it) {
            if (!p || k == cap) {
                if (p)
                    cap *= 2;
                void *q = std::realloc(p, cap * sizeof *p);
                if (!q)
                    throw std::bad_alloc();
                p = static_cast<fl_xtermpos *>(q);
            }
            p[k++] = *it;
        }
    } catch (...) {
        std::free(p);
        throw;
    }
    *pos = p; // NULL when there were none: nothing was allocated
    *n = k;
}

fl_xstatus fl_xdb_positions(fl_xdb *db, fl_xdocid docid, const char *term, size_t len,
                            fl_xtermpos **pos, size_t *n)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(pos);
        NEED(n);
        const std::string t = bytes(fn, term, len);
        if (docid == 0)
            invalid(fn, "docid 0");
        if (mirror_readable(db) && mirror_positions(db, t, docid, pos, n))
            return;
        copy_positions(db->db.positionlist_begin(docid, t), db->db.positionlist_end(docid, t),
                       pos, n);
    });
}

fl_xstatus fl_xdb_term_positions(fl_xdb *db, const char *term, size_t len,
                                 const fl_xdocid *docids, size_t ndocs, fl_xtermpos **pos,
                                 size_t *npos)
{
    for (size_t i = 0; pos && npos && i < ndocs; i++) {
        pos[i] = nullptr;
        npos[i] = 0;
    }
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        if (ndocs && (!docids || !pos || !npos))
            invalid(fn, "docids, pos or npos is NULL");
        for (size_t i = 1; i < ndocs; i++)
            if (docids[i] <= docids[i - 1])
                invalid(fn, "document ids not strictly ascending");
        if (ndocs && docids[0] == 0)
            invalid(fn, "docid 0");
        const std::string t = bytes(fn, term, len);
        try {
            if (mirror_readable(db)) {
                // Term first: the documents' entries of one term are
                // neighbours, most in one block of the B-tree.
                for (size_t i = 0; i < ndocs; i++)
                    if (!mirror_positions(db, t, docids[i], &pos[i], &npos[i]))
                        copy_positions(db->db.positionlist_begin(docids[i], t),
                                       db->db.positionlist_end(docids[i], t), &pos[i], &npos[i]);
                return;
            }
            if (db->has_remote) {
                // A remote shard sends a posting list whole: one ask per
                // document instead.
                for (size_t i = 0; i < ndocs; i++)
                    copy_positions(db->db.positionlist_begin(docids[i], t),
                                   db->db.positionlist_end(docids[i], t), &pos[i], &npos[i]);
                return;
            }
            // One posting list walked forward says which documents have the
            // term at all: the position table (each lookup a descent of its
            // B-tree with a fresh cursor, in Xapian 1.4) is read only for
            // those.
            Xapian::PostingIterator it = db->db.postlist_begin(t), end = db->db.postlist_end(t);
            for (size_t i = 0; i < ndocs && it != end; i++) {
                it.skip_to(docids[i]);
                if (it != end && *it == docids[i])
                    copy_positions(it.positionlist_begin(), it.positionlist_end(), &pos[i],
                                   &npos[i], it.get_wdf());
            }
        } catch (...) {
            for (size_t i = 0; i < ndocs; i++) {
                std::free(pos[i]);
                pos[i] = nullptr;
                npos[i] = 0;
            }
            throw;
        }
    });
}

fl_xstatus fl_xdb_value_freq(fl_xdb *db, fl_xvalueno slot, uint32_t *freq)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(freq);
        *freq = db->db.get_value_freq(slot);
    });
}

struct fl_xtermit {
    Xapian::TermIterator it, end;
    // Instead of it/end: a list kept by the database handle (remote shards).
    std::shared_ptr<const std::vector<std::pair<std::string, uint32_t>>> list;
    size_t pos = 0;
    std::string cur;
    uint32_t freq = 0;
    bool at_end = true;
    void load()
    {
        if (list) {
            at_end = pos >= list->size();
            if (!at_end) {
                cur = (*list)[pos].first;
                freq = (*list)[pos].second;
            }
            return;
        }
        at_end = it == end;
        if (!at_end) {
            cur = *it;
            freq = it.get_termfreq();
        }
    }
    void advance()
    {
        if (list)
            pos++;
        else
            ++it;
        load();
    }
    void skip(const std::string &t)
    {
        if (list) {
            auto b = list->begin() + static_cast<std::ptrdiff_t>(pos);
            auto lb = std::lower_bound(b, list->end(), t,
                                       [](const std::pair<std::string, uint32_t> &e,
                                          const std::string &k) { return e.first < k; });
            pos = static_cast<size_t>(lb - list->begin());
        } else {
            it.skip_to(t);
        }
        load();
    }
};

fl_xstatus fl_xdb_allterms_open(fl_xdb *db, const char *prefix, size_t len, fl_xtermit **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(out);
        *out = nullptr;
        const std::string p = bytes(fn, prefix, len);
        std::unique_ptr<fl_xtermit> t(new fl_xtermit);
        if (db->has_remote && !p.empty()) {
            t->list = remote_list(db, p, [&](Xapian::TermIterator &b, Xapian::TermIterator &e) {
                b = db->db.allterms_begin(p);
                e = db->db.allterms_end(p);
            });
        } else {
            t->it = db->db.allterms_begin(p);
            t->end = db->db.allterms_end(p);
        }
        t->load();
        *out = t.release();
    });
}

fl_xstatus fl_xdb_spellings_open(fl_xdb *db, fl_xtermit **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(out);
        *out = nullptr;
        std::unique_ptr<fl_xtermit> t(new fl_xtermit);
        if (db->has_remote) {
            // Kept like the term lists above, under a key no prefix can be.
            t->list = remote_list(db, std::string("\0spellings", 10),
                                  [&](Xapian::TermIterator &b, Xapian::TermIterator &e) {
                                      b = db->db.spellings_begin();
                                      e = db->db.spellings_end();
                                  });
        } else {
            t->it = db->db.spellings_begin();
            t->end = db->db.spellings_end();
        }
        t->load();
        *out = t.release();
    });
}

void fl_xtermit_free(fl_xtermit *it)
{
    guard(__func__, [&](const char *) { delete it; });
}

bool fl_xtermit_at_end(const fl_xtermit *it) { return !it || it->at_end; }

const char *fl_xtermit_term(const fl_xtermit *it, size_t *len, uint32_t *termfreq)
{
    if (!it || it->at_end) {
        if (len)
            *len = 0;
        if (termfreq)
            *termfreq = 0;
        return nullptr;
    }
    if (len)
        *len = it->cur.size();
    if (termfreq)
        *termfreq = it->freq;
    return it->cur.c_str();
}

fl_xstatus fl_xtermit_next(fl_xtermit *it)
{
    return guard(__func__, [&](const char *fn) {
        NEED(it);
        if (it->at_end)
            return;
        it->advance();
    });
}

fl_xstatus fl_xtermit_skip_to(fl_xtermit *it, const char *target, size_t len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(it);
        if (it->at_end)
            return;
        const std::string t = bytes(fn, target, len);
        if (t <= it->cur)
            return;
        it->skip(t);
    });
}

fl_xstatus fl_xdb_termlist(fl_xdb *db, fl_xdocid docid, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(cb);
        each_term(db->db.termlist_begin(docid), db->db.termlist_end(docid), cb, ud,
                  [](const Xapian::TermIterator &it) { return it.get_wdf(); });
    });
}

fl_xstatus fl_xdb_compact(fl_xdb *db, const char *dest_path, bool single_file)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(dest_path);
        // With the positions mirror, whose keys name docids, document ids
        // are kept (Xapian then refuses sources whose docid ranges overlap).
        unsigned flags = single_file ? Xapian::DBCOMPACT_SINGLE_FILE : 0;
        if (mirror_anywhere(db))
            flags |= Xapian::DBCOMPACT_NO_RENUMBER;
        db->db.compact(dest_path, flags);
    });
}

// ------------------------------------------------------------------ documents

fl_xstatus fl_xdoc_new(fl_xdoc **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xdoc();
    });
}

void fl_xdoc_free(fl_xdoc *doc)
{
    guard(__func__, [&](const char *) { delete doc; });
}

fl_xdocid fl_xdoc_docid(const fl_xdoc *doc)
{
    return guard_value<fl_xdocid>(__func__, 0, [&] { return doc ? doc->doc.get_docid() : 0; });
}

fl_xstatus fl_xdoc_add_term(fl_xdoc *doc, const char *term, size_t len, uint32_t wdfinc)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        doc->doc.add_term(bytes(fn, term, len), wdfinc);
        doc->terms_changed = true;
    });
}

fl_xstatus fl_xdoc_add_posting(fl_xdoc *doc, const char *term, size_t len, fl_xtermpos pos,
                               uint32_t wdfinc)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        doc->doc.add_posting(bytes(fn, term, len), pos, wdfinc);
        doc->terms_changed = true;
    });
}

fl_xstatus fl_xdoc_add_boolean_term(fl_xdoc *doc, const char *term, size_t len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        doc->doc.add_boolean_term(bytes(fn, term, len));
        doc->terms_changed = true;
    });
}

fl_xstatus fl_xdoc_remove_term(fl_xdoc *doc, const char *term, size_t len)
{
    // Xapian throws InvalidArgumentError for a term not in the document;
    // the header's table maps "missing term" to NOT_FOUND, so say so.
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        const std::string t = bytes(fn, term, len);
        Xapian::TermIterator it = doc->doc.termlist_begin();
        it.skip_to(t);
        if (it == doc->doc.termlist_end() || *it != t)
            fail(FL_XERR_NOT_FOUND, "InvalidArgumentError",
                 "term '" + t + "' is not in the document");
        doc->doc.remove_term(t);
        doc->terms_changed = true;
    });
}

fl_xstatus fl_xdoc_set_value(fl_xdoc *doc, fl_xvalueno slot, const char *val, size_t len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        doc->doc.add_value(slot, bytes(fn, val, len));
    });
}

fl_xstatus fl_xdoc_get_value(const fl_xdoc *doc, fl_xvalueno slot, char **val, size_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        NEED(val);
        NEED(len);
        const std::string v = doc->doc.get_value(slot);
        *val = v.empty() ? nullptr : dup_malloc(v);
        *len = v.size();
    });
}

fl_xstatus fl_xdoc_set_data(fl_xdoc *doc, const char *data, size_t len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        doc->doc.set_data(bytes(fn, data, len));
    });
}

fl_xstatus fl_xdoc_get_data(const fl_xdoc *doc, char **data, size_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        NEED(data);
        NEED(len);
        // Always a buffer (possibly ""), NUL-terminated for convenience.
        const std::string d = doc->doc.get_data();
        *data = dup_malloc(d);
        *len = d.size();
    });
}

fl_xstatus fl_xdoc_termlist(const fl_xdoc *doc, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        NEED(cb);
        each_term(doc->doc.termlist_begin(), doc->doc.termlist_end(), cb, ud,
                  [](const Xapian::TermIterator &it) { return it.get_wdf(); });
    });
}

fl_xstatus fl_xdoc_termcount(const fl_xdoc *doc, uint32_t *count)
{
    return guard(__func__, [&](const char *fn) {
        NEED(doc);
        NEED(count);
        *count = doc->doc.termlist_count();
    });
}

// ------------------------------------------------------------------ stemmers

fl_xstatus fl_xstem_new(const char *language, fl_xstem **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(language);
        NEED(out);
        auto h = std::make_unique<fl_xstem>();
        h->stem = Xapian::Stem(language);
        *out = h.release();
    });
}

// (The callback parameter is not called `fn` here: inside guard() bodies
// `fn` is the function name.)
fl_xstatus fl_xstem_new_custom(fl_xstem_fn callback, void *ud, const char *description,
                               fl_xstem **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(callback);
        NEED(out);
        auto h = std::make_unique<fl_xstem>();
        // Xapian::Stem takes ownership of the (reference-counted) implementation.
        h->stem = Xapian::Stem(
            new CallbackStemmer(callback, ud, description ? description : "custom"));
        *out = h.release();
    });
}

void fl_xstem_free(fl_xstem *stem)
{
    guard(__func__, [&](const char *) { delete stem; });
}

fl_xstatus fl_xstem_apply(fl_xstem *stem, const char *word, size_t len, char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(stem);
        NEED(out);
        *out = dup_malloc(stem->stem(bytes(fn, word, len)));
    });
}

fl_xstatus fl_xstopper_new(const char *const *words, size_t n, fl_xstopper **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        if (n && !words)
            invalid(fn, "words is NULL");
        auto h = std::make_unique<fl_xstopper>();
        for (size_t i = 0; i < n; i++)
            if (words[i])
                h->words.emplace_back(words[i]);
        *out = h.release();
    });
}

void fl_xstopper_free(fl_xstopper *stopper)
{
    guard(__func__, [&](const char *) { delete stopper; });
}

// ------------------------------------------------------------------ term generator

fl_xstatus fl_xtermgen_new(fl_xtermgen **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xtermgen();
    });
}

void fl_xtermgen_free(fl_xtermgen *tg)
{
    guard(__func__, [&](const char *) { delete tg; });
}

fl_xstatus fl_xtermgen_set_stemmer(fl_xtermgen *tg, const fl_xstem *stem)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        NEED(stem);
        tg->tg.set_stemmer(stem->stem);
    });
}

fl_xstatus fl_xtermgen_set_stemming_strategy(fl_xtermgen *tg, fl_xstem_strategy s)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.set_stemming_strategy(tg_strategy(fn, enum_value(s)));
    });
}

fl_xstatus fl_xtermgen_set_stopper(fl_xtermgen *tg, const fl_xstopper *stopper)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.set_stopper(stopper ? make_stopper(stopper) : nullptr);
    });
}

fl_xstatus fl_xtermgen_set_document(fl_xtermgen *tg, fl_xdoc *doc)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        NEED(doc);
        tg->tg.set_document(doc->doc);
        doc->terms_changed = true; // whatever it indexes lands in the document
    });
}

fl_xstatus fl_xtermgen_set_database(fl_xtermgen *tg, fl_xdb *db)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        NEED(db);
        tg->tg.set_database(writable(fn, db));
    });
}

fl_xstatus fl_xtermgen_enable_spelling(fl_xtermgen *tg, bool on)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        // set_flags(value, mask): change only FLAG_SPELLING.
        tg->tg.set_flags(on ? Xapian::TermGenerator::FLAG_SPELLING : 0,
                         static_cast<Xapian::TermGenerator::flags>(
                             ~Xapian::TermGenerator::FLAG_SPELLING));
    });
}

fl_xstatus fl_xtermgen_index_text(fl_xtermgen *tg, const char *text, size_t len, uint32_t wdfinc,
                                  const char *prefix)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.index_text(bytes(fn, text, len), wdfinc, cstr(prefix));
    });
}

fl_xstatus fl_xtermgen_index_text_without_positions(fl_xtermgen *tg, const char *text,
                                                    size_t len, uint32_t wdfinc,
                                                    const char *prefix)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.index_text_without_positions(bytes(fn, text, len), wdfinc, cstr(prefix));
    });
}

fl_xstatus fl_xtermgen_increase_termpos(fl_xtermgen *tg, fl_xtermpos delta)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.increase_termpos(delta);
    });
}

fl_xtermpos fl_xtermgen_get_termpos(const fl_xtermgen *tg)
{
    return guard_value<fl_xtermpos>(__func__, 0, [&] { return tg ? tg->tg.get_termpos() : 0; });
}

fl_xstatus fl_xtermgen_set_termpos(fl_xtermgen *tg, fl_xtermpos pos)
{
    return guard(__func__, [&](const char *fn) {
        NEED(tg);
        tg->tg.set_termpos(pos);
    });
}

// ------------------------------------------------------------------ queries

fl_xstatus fl_xquery_term(const char *term, size_t len, uint32_t wqf, fl_xtermpos pos,
                          fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xquery>();
        h->q = Xapian::Query(bytes(fn, term, len), wqf, pos);
        *out = h.release();
    });
}

fl_xstatus fl_xquery_combine(fl_xop op, fl_xquery *const *subs, size_t n, uint32_t window,
                             fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        if (n && !subs)
            invalid(fn, "subs is NULL");
        const Xapian::Query::op xop = query_op(fn, enum_value(op));
        std::vector<Xapian::Query> v;
        v.reserve(n);
        for (size_t i = 0; i < n; i++)
            if (subs[i])
                v.push_back(subs[i]->q);
        // The parameter only means something to NEAR/PHRASE (window) and
        // ELITE_SET (set size); Xapian rejects it elsewhere in some versions.
        const int opv = enum_value(op);
        const bool param =
            opv == FL_XOP_NEAR || opv == FL_XOP_PHRASE || opv == FL_XOP_ELITE_SET;
        auto h = std::make_unique<fl_xquery>();
        h->q = Xapian::Query(xop, v.begin(), v.end(), param ? window : 0);
        *out = h.release();
    });
}

fl_xstatus fl_xquery_scale(const fl_xquery *q, double factor, fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(q);
        NEED(out);
        auto h = std::make_unique<fl_xquery>();
        h->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, q->q, factor);
        *out = h.release();
    });
}

fl_xstatus fl_xquery_value_range(fl_xvalueno slot, const char *lo, const char *hi,
                                 fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xquery>();
        if (lo && *lo && hi)
            h->q = Xapian::Query(Xapian::Query::OP_VALUE_RANGE, slot, lo, hi);
        else if (hi)
            h->q = Xapian::Query(Xapian::Query::OP_VALUE_LE, slot, hi);
        else
            // Xapian turns OP_VALUE_GE with "" into MatchAll, which would
            // include documents without a value; "\0" is the least non-empty
            // string, so "no lower bound" still means "has a value".
            h->q = Xapian::Query(Xapian::Query::OP_VALUE_GE, slot,
                                 lo && *lo ? std::string(lo) : std::string(1, '\0'));
        *out = h.release();
    });
}

namespace {
// The documents of one term, each weighing w: what OP_FILTER of a
// FixedWeightPostingSource by the term gives, in one posting list walk.
// That FILTER also walks the fixed source, which steps through every
// document of the database (measured: 1 % of the laws' bench queries'
// instructions, the heading bonus being in every word's query).  Not
// serialisable (name() is empty): a remote shard could not rebuild it.
class TermBonusSource : public Xapian::PostingSource {
    std::string term;
    double w;
    Xapian::Database db;
    Xapian::PostingIterator it, end;
    Xapian::doccount tf = 0;
    bool started = false;

  public:
    TermBonusSource(const std::string &t, double w_) : term(t), w(w_) { set_maxweight(w); }
    Xapian::PostingSource *clone() const override { return new TermBonusSource(term, w); }
    std::string name() const override { return std::string(); }
    void init(const Xapian::Database &db_) override
    {
        db = db_;
        // The frequency first: its lookup leaves the table's own cursor at
        // the term, and the posting list opened next starts from it.
        tf = db.get_termfreq(term);
        it = db.postlist_begin(term);
        end = db.postlist_end(term);
        started = false;
        set_maxweight(w);
    }
    Xapian::doccount get_termfreq_min() const override { return tf; }
    Xapian::doccount get_termfreq_est() const override { return tf; }
    Xapian::doccount get_termfreq_max() const override { return tf; }
    // A posting iterator starts on its first entry, a posting source before
    // it: the first next() only says the walk has begun.
    void next(double) override
    {
        if (started && it != end)
            ++it;
        started = true;
    }
    void skip_to(Xapian::docid did, double) override
    {
        started = true;
        if (it != end)
            it.skip_to(did);
    }
    bool at_end() const override { return started && it == end; }
    Xapian::docid get_docid() const override { return *it; }
    double get_weight() const override { return w; }
    std::string get_description() const override { return "TermBonusSource(" + term + ")"; }
};
} // namespace

fl_xstatus fl_xquery_term_bonus(const char *term, size_t len, double weight, bool portable,
                                fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        if (!(weight >= 0))
            invalid(fn, "weight must be >= 0");
        auto h = std::make_unique<fl_xquery>();
        if (!portable) {
            h->q = Xapian::Query((new TermBonusSource(bytes(fn, term, len), weight))->release());
        } else {
            // Xapian's FixedWeightPostingSource (weight w for every document)
            // filtered by the term: only built-in parts, so that the query also
            // runs on remote shards (xapian-tcpsrv cannot rebuild a posting
            // source of ours).  The term drives the match (it is the rarer side).
            Xapian::Query fixed((new Xapian::FixedWeightPostingSource(weight))->release());
            h->q = Xapian::Query(Xapian::Query::OP_FILTER, fixed,
                                 Xapian::Query(bytes(fn, term, len)));
        }
        *out = h.release();
    });
}

fl_xstatus fl_xquery_match_all(fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xquery>();
        h->q = Xapian::Query::MatchAll;
        *out = h.release();
    });
}

fl_xstatus fl_xquery_match_nothing(fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xquery(); // a default Query matches nothing
    });
}

fl_xstatus fl_xquery_copy(const fl_xquery *q, fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(q);
        NEED(out);
        *out = new fl_xquery{q->q};
    });
}

void fl_xquery_free(fl_xquery *q)
{
    guard(__func__, [&](const char *) { delete q; });
}

bool fl_xquery_is_empty(const fl_xquery *q)
{
    return guard_value<bool>(__func__, true, [&] { return !q || q->q.empty(); });
}

fl_xstatus fl_xquery_describe(const fl_xquery *q, char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(q);
        NEED(out);
        *out = dup_malloc(q->q.get_description());
    });
}

fl_xstatus fl_xquery_terms(const fl_xquery *q, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(q);
        NEED(cb);
        // get_terms_begin() yields terms in query-position order, with
        // repeats; report each once, with how often it occurs in the query.
        std::vector<std::string> order;
        std::map<std::string, uint32_t> count;
        for (auto it = q->q.get_terms_begin(); it != q->q.get_terms_end(); ++it) {
            const std::string t = *it;
            if (count[t]++ == 0)
                order.push_back(t);
        }
        for (const auto &t : order)
            if (cb(ud, t.data(), t.size(), count[t]) != 0)
                break;
    });
}

// ------------------------------------------------------------------ query parser

fl_xstatus fl_xqp_new(fl_xqp **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        *out = new fl_xqp();
    });
}

void fl_xqp_free(fl_xqp *qp)
{
    guard(__func__, [&](const char *) { delete qp; });
}

fl_xstatus fl_xqp_set_stemmer(fl_xqp *qp, const fl_xstem *stem)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(stem);
        qp->qp.set_stemmer(stem->stem);
    });
}

fl_xstatus fl_xqp_set_stemming_strategy(fl_xqp *qp, fl_xstem_strategy s)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        qp->qp.set_stemming_strategy(qp_strategy(fn, enum_value(s)));
    });
}

fl_xstatus fl_xqp_set_stopper(fl_xqp *qp, const fl_xstopper *stopper)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        qp->qp.set_stopper(stopper ? make_stopper(stopper) : nullptr);
    });
}

fl_xstatus fl_xqp_set_database(fl_xqp *qp, fl_xdb *db)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(db);
        qp->qp.set_database(db->db);
    });
}

fl_xstatus fl_xqp_set_default_op(fl_xqp *qp, fl_xop op)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        qp->qp.set_default_op(query_op(fn, enum_value(op)));
    });
}

fl_xstatus fl_xqp_add_prefix(fl_xqp *qp, const char *field, const char *prefix)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(field);
        NEED(prefix);
        qp->qp.add_prefix(field, prefix);
    });
}

fl_xstatus fl_xqp_add_boolean_prefix(fl_xqp *qp, const char *field, const char *prefix,
                                     bool exclusive)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(field);
        NEED(prefix);
        if (exclusive) {
            qp->qp.add_boolean_prefix(field, prefix); // grouped by field: OR within
        } else {
            const std::string unique_grouping; // "" = each filter its own group: AND
            qp->qp.add_boolean_prefix(field, prefix, &unique_grouping);
        }
    });
}

fl_xstatus fl_xqp_add_range(fl_xqp *qp, fl_xvalueno slot, const char *field, bool is_date)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        const std::string str = cstr(field);
        // `field` is the literal prefix text ("datum:"); RP_REPEATED also
        // accepts it on the end ("datum:2020-01-01..datum:2020-12-31").
        // DateRangeProcessor turns the dates into YYYYMMDD (our stored
        // format) and reads ambiguous d/m/y dates day-first, as Germans write
        // them.  release(): the query parser owns the processor from here on.
        Xapian::RangeProcessor *rp;
        if (is_date)
            rp = new Xapian::DateRangeProcessor(slot, str, Xapian::RP_REPEATED);
        else
            rp = new Xapian::RangeProcessor(slot, str, Xapian::RP_REPEATED);
        qp->qp.add_rangeprocessor(rp->release());
    });
}

fl_xstatus fl_xqp_parse(fl_xqp *qp, const char *text, unsigned flags, const char *default_prefix,
                        fl_xquery **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(text);
        NEED(out);
        auto h = std::make_unique<fl_xquery>();
        h->q = qp->qp.parse_query(text, qp_flags(flags), cstr(default_prefix));
        *out = h.release();
    });
}

fl_xstatus fl_xqp_corrected_query(fl_xqp *qp, char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(qp);
        NEED(out);
        const std::string s = qp->qp.get_corrected_query_string();
        *out = s.empty() ? nullptr : dup_malloc(s);
    });
}

// ------------------------------------------------------------------ match spies

fl_xstatus fl_xspy_new_values(fl_xvalueno slot, fl_xspy **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xspy>();
        h->values = std::make_unique<Xapian::ValueCountMatchSpy>(slot);
        *out = h.release();
    });
}

fl_xstatus fl_xspy_new_multivalue(fl_xvalueno slot, char sep, fl_xspy **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xspy>();
        h->values = std::make_unique<Xapian::ValueCountMatchSpy>(slot);
        h->multi = true;
        h->sep = sep;
        *out = h.release();
    });
}

void fl_xspy_free(fl_xspy *spy)
{
    guard(__func__, [&](const char *) { delete spy; });
}

fl_xstatus fl_xspy_total(const fl_xspy *spy, uint32_t *total)
{
    return guard(__func__, [&](const char *fn) {
        NEED(spy);
        NEED(total);
        *total = spy->values->get_total();
    });
}

fl_xstatus fl_xspy_results(const fl_xspy *spy, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(spy);
        NEED(cb);
        // Both spies list values in value order; a stable sort by count then
        // gives "most frequent first, ties by value" for either kind.
        std::vector<std::pair<std::string, Xapian::doccount>> items;
        if (!spy->multi) {
            for (auto it = spy->values->values_begin(); it != spy->values->values_end(); ++it)
                items.emplace_back(*it, it.get_termfreq());
        } else {
            std::map<std::string, Xapian::doccount> counts;
            std::vector<std::string> seen;
            for (auto it = spy->values->values_begin(); it != spy->values->values_end(); ++it) {
                const std::string v = *it;
                const Xapian::doccount c = it.get_termfreq();
                seen.clear();
                size_t start = 0;
                for (;;) {
                    size_t end = v.find(spy->sep, start);
                    if (end == std::string::npos)
                        end = v.size();
                    if (end > start) {
                        std::string item = v.substr(start, end - start);
                        // An item twice in one combination counts once.
                        if (std::find(seen.begin(), seen.end(), item) == seen.end()) {
                            counts[item] += c;
                            seen.push_back(std::move(item));
                        }
                    }
                    if (end == v.size())
                        break;
                    start = end + 1;
                }
            }
            items.assign(counts.begin(), counts.end());
        }
        std::stable_sort(items.begin(), items.end(),
                         [](const auto &a, const auto &b) { return a.second > b.second; });
        for (const auto &i : items)
            if (cb(ud, i.first.data(), i.first.size(), i.second) != 0)
                break;
    });
}

// ------------------------------------------------------------------ enquire

namespace {
// The document lengths of db (a single local read-only database: the
// caller knows) at its current revision, from cache or built now and kept
// there: one walk of Xapian's list of lengths, 4 bytes a docid.  NULL for a
// backend without revisions, and for docids so sparse (most of them
// deleted) that the array would be mostly holes.  (out: C linkage.)
void doc_lengths(LengthsCache &cache, const Xapian::Database &db,
                 std::shared_ptr<const DocLengths> &out)
{
    out.reset();
    Xapian::rev rev;
    try {
        rev = db.get_revision();
    } catch (const Xapian::UnimplementedError &) {
        return; // nothing would tell when to build it again
    }
    if (cache.cur && cache.cur->rev == rev) {
        out = cache.cur;
        return;
    }
    Xapian::docid last = db.get_lastdocid();
    if (last > 8 * static_cast<uint64_t>(db.get_doccount()) + 65536)
        return;
    auto d = std::make_shared<DocLengths>();
    d->rev = rev;
    d->len.assign(static_cast<size_t>(last) + 1, 0);
    for (auto it = db.postlist_begin(std::string()), end = db.postlist_end(std::string());
         it != end; ++it) {
        // Past the last docid of the revision read above: that revision is
        // not the one walked (Xapian should have said so); no array.
        if (*it >= d->len.size())
            return;
        d->len[*it] = it.get_doclength();
    }
    cache.cur = d;
    out = std::move(d);
}

// Whether a phrase or NEAR of q would be weighed while the match steps to
// a document: Xapian 1.4's phrase posting list weighs a document as it
// steps to it (and keeps that weight) unless asked for a minimum weight of
// exactly 0, which only reaches it down the left of AND_NOT and FILTER (and
// through OP_SCALE_WEIGHT) from the top; under OR, AND, AND_MAYBE ... its
// siblings' weights are taken off the minimum.  KnownLengthBM25 then has no
// length yet (run_match would notice and weigh everything again).  A
// phrase in the boolean side of a FILTER or AND_NOT is not weighed at all.
bool has_weighed_positional(const Xapian::Query &q, bool zero_path)
{
    Xapian::Query::op op = q.get_type();
    if (op == Xapian::Query::OP_PHRASE || op == Xapian::Query::OP_NEAR)
        return !zero_path;
    size_t n = q.get_num_subqueries();
    bool keeps = op == Xapian::Query::OP_AND_NOT || op == Xapian::Query::OP_FILTER ||
                 op == Xapian::Query::OP_SCALE_WEIGHT;
    bool left_only = op == Xapian::Query::OP_AND_NOT || op == Xapian::Query::OP_FILTER;
    for (size_t i = 0; i < n; i++) {
        if (left_only && i > 0)
            break; // boolean: never weighed
        if (has_weighed_positional(q.get_subquery(i), zero_path && keeps))
            return true;
    }
    return false;
}

// The setters' configuration: the query as asked, Xapian's own weighting.
void set_plain(fl_xenquire *e)
{
    e->known.reset();
    e->lens.reset();
    const double *p = e->bm25_params;
    if (e->bm25)
        e->enq.set_weighting_scheme(Xapian::BM25Weight(p[0], p[1], p[2], p[3], p[4]));
    e->enq.set_query(e->query, e->qlen);
}

// Before each match: KnownLengthBM25 with the array of the database's
// current revision where it weighs the same as Xapian's BM25Weight, else
// that.  `rises`: the match may raise its minimum weight above 0 (a cutoff,
// or check_at_least below the documents), which makes a phrase weigh early.
void choose_scheme(fl_xenquire *e, bool rises)
{
    const double *p = e->bm25_params;
    std::shared_ptr<const DocLengths> lens;
    if (e->bm25 && p[1] == 0 && e->lengths && !e->xapian_bm25 && !rises &&
        !e->positional_risk && !e->query.empty())
        doc_lengths(*e->lengths, e->db, lens);
    if (!lens) {
        if (e->known)
            set_plain(e);
        return;
    }
    if (lens != e->lens) {
        e->lens = lens;
        e->known = std::make_shared<CurrentDoc>();
        e->enq.set_weighting_scheme(KnownLengthBM25(p[0], p[2], p[3], p[4], e->known));
        Xapian::Query source((new DocLengthSource(lens, e->known))->release());
        e->enq.set_query(Xapian::Query(Xapian::Query::OP_AND_MAYBE, e->query,
                                       Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, source, 0)),
                         e->qlen);
    }
}
} // namespace

fl_xstatus fl_xenquire_new(fl_xdb *db, fl_xenquire **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(db);
        NEED(out);
        *out = new fl_xenquire(db->db);
        (*out)->remote = db->has_remote;
        if (single_local(db))
            (*out)->lengths = db->lengths;
    });
}

void fl_xenquire_free(fl_xenquire *e)
{
    guard(__func__, [&](const char *) { delete e; });
}

fl_xweighting fl_xenquire_last_weighting(const fl_xenquire *e)
{
    return e ? e->last : FL_XWEIGHT_XAPIAN;
}

fl_xstatus fl_xenquire_set_query(fl_xenquire *e, const fl_xquery *q, uint32_t qlen)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        NEED(q);
        e->query = q->q;
        e->qlen = qlen;
        e->positional_risk = has_weighed_positional(q->q, true);
        set_plain(e);
    });
}

fl_xstatus fl_xenquire_set_weighting_bm25(fl_xenquire *e, double k1, double k2, double k3,
                                          double b, double min_normlen)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        double p[5] = {k1, k2, k3, b, min_normlen};
        std::copy(p, p + 5, e->bm25_params);
        e->bm25 = true;
        set_plain(e);
    });
}

fl_xstatus fl_xenquire_set_weighting_bool(fl_xenquire *e)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->bm25 = false;
        e->enq.set_weighting_scheme(Xapian::BoolWeight());
        set_plain(e);
    });
}

fl_xstatus fl_xenquire_set_sort_by_relevance(fl_xenquire *e)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->rel_then_value = false;
        e->enq.set_sort_by_relevance();
    });
}

fl_xstatus fl_xenquire_set_sort_by_value(fl_xenquire *e, fl_xvalueno slot, bool reverse)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->rel_then_value = false;
        e->enq.set_sort_by_value(slot, reverse);
    });
}

fl_xstatus fl_xenquire_set_sort_by_value_then_relevance(fl_xenquire *e, fl_xvalueno slot,
                                                        bool reverse)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->rel_then_value = false;
        e->enq.set_sort_by_value_then_relevance(slot, reverse);
    });
}

fl_xstatus fl_xenquire_set_sort_by_relevance_then_value(fl_xenquire *e, fl_xvalueno slot,
                                                        bool reverse)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        if (e->remote) {
            /* Reading the values of the hits afterwards would be a round
             * trip per hit over remote shards. */
            e->enq.set_sort_by_relevance_then_value(slot, reverse);
            return;
        }
        set_relevance_order(e->enq);
        e->rel_then_value = true;
        e->tie_slot = slot;
        e->tie_reverse = reverse;
    });
}

fl_xstatus fl_xenquire_set_docid_order_descending(fl_xenquire *e, bool descending)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->enq.set_docid_order(descending ? Xapian::Enquire::DESCENDING
                                          : Xapian::Enquire::ASCENDING);
    });
}

fl_xstatus fl_xenquire_set_collapse_key(fl_xenquire *e, fl_xvalueno slot, uint32_t max)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->enq.set_collapse_key(slot, max);
        e->collapsing = slot != Xapian::BAD_VALUENO;
    });
}

fl_xstatus fl_xenquire_set_cutoff(fl_xenquire *e, int percent_cutoff, double weight_cutoff)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        if (percent_cutoff < 0 || percent_cutoff > 100)
            invalid(fn, "percent_cutoff must be 0..100");
        e->enq.set_cutoff(percent_cutoff, weight_cutoff);
        e->cutting = percent_cutoff > 0 || weight_cutoff > 0;
    });
}

fl_xstatus fl_xenquire_add_matchspy(fl_xenquire *e, fl_xspy *spy)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        NEED(spy);
        // Not release()d: the fl_xspy handle keeps ownership (header: the spy
        // must outlive the enquire's use of it).
        e->enq.add_matchspy(spy->spy());
        e->spies.push_back(spy->spy());
    });
}

fl_xstatus fl_xenquire_clear_matchspies(fl_xenquire *e)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        e->enq.clear_matchspies();
        e->spies.clear();
    });
}

namespace {
// Takes the spies out of the enquire for a match after they have counted;
// true when it did, and then put_spies_back() must follow the match (also
// when it throws).
bool take_spies_out(fl_xenquire *e)
{
    if (e->spies_out || e->spies.empty())
        return false;
    e->enq.clear_matchspies();
    e->spies_out = true;
    return true;
}

void put_spies_back(fl_xenquire *e)
{
    e->spies_out = false;
    for (auto *sp : e->spies)
        e->enq.add_matchspy(sp);
}

// One match with the spies out of the enquire, when they have counted
// already, and put back afterwards.  (ms is an out parameter: these
// functions have C linkage.)
void get_mset_spies_out(fl_xenquire *e, uint32_t first, uint32_t maxitems,
                        uint32_t check_at_least, Xapian::MSet &ms)
{
    bool out = take_spies_out(e);
    try {
        ms = e->enq.get_mset(first, maxitems, check_at_least);
    } catch (...) {
        if (out)
            put_spies_back(e);
        throw;
    }
    if (out)
        put_spies_back(e);
}

void run_match(fl_xenquire *e, uint32_t first, uint32_t maxitems, uint32_t check_at_least,
               Xapian::MSet &ms)
{
    if (!(e->remote && !e->spies.empty() && maxitems > 0)) {
        // KnownLengthBM25 needs each document checked before it is weighed.
        // A minimum weight above 0 -- a cutoff, or a match that may stop
        // looking (check_at_least below the documents: Xapian then raises
        // it as the best hits fill up) -- lets a phrase's posting list weigh
        // a document while stepping to it, before the check.
        choose_scheme(e, e->cutting || check_at_least < e->db.get_doccount());
        if (e->known) // each match starts with no document seen (a second one too)
            *e->known = CurrentDoc();
        e->last = e->known ? FL_XWEIGHT_KNOWN_LENGTHS : FL_XWEIGHT_XAPIAN;
        ms = e->enq.get_mset(first, maxitems, check_at_least);
        if (e->known && e->known->unseen) {
            // Some term was weighed before DocLengthSource saw a document:
            // not the order the AND_MAYBE has in Xapian 1.4.  Xapian's own
            // BM25 from here on, the spies (which have counted: which
            // documents match does not depend on the weights) left out.
            e->xapian_bm25 = true;
            e->last = FL_XWEIGHT_AGAIN;
            set_plain(e);
            get_mset_spies_out(e, first, maxitems, check_at_least, ms);
        }
        return;
    }
    e->enq.get_mset(0, 0, check_at_least); // the spies count here
    get_mset_spies_out(e, first, maxitems, check_at_least, ms);
}

// Xapian's own relevance-then-value sort, for one match: the enquire is back
// in the relevance order afterwards (also when the match throws); the spies
// are left out when they have counted already.
void match_xapian_order(fl_xenquire *e, uint32_t first, uint32_t maxitems,
                        uint32_t check_at_least, bool spies_counted, Xapian::MSet &ms)
{
    bool out = spies_counted && take_spies_out(e);
    e->enq.set_sort_by_relevance_then_value(e->tie_slot, e->tie_reverse);
    auto restore = [&] {
        set_relevance_order(e->enq);
        if (out)
            put_spies_back(e);
    };
    try {
        run_match(e, first, maxitems, check_at_least, ms);
    } catch (...) {
        restore();
        throw;
    }
    restore();
}

// Relevance, then a value, for hits first .. first + maxitems.  Why not
// Xapian's own: with check_at_least covering every match (exact totals, and
// spies that see everything) the matcher never raises its minimum weight,
// so it reads the value of every matching document to compare it with the
// page's last hit -- 13 % of a search on the laws.  Sorted by relevance
// alone the page holds the same hits unless a weight ties across one of its
// edges: the match asks for one hit more on each side to see that, runs
// again the slow way when it happens, and else only orders ties within the
// page by their values (on the laws' 62 relevance queries of the benchmark,
// one ran again).  Only when every match is looked at: the match spies count
// in the first run, and with fewer looked at which ones they see would
// depend on the order.  Not with a collapse key (which document of a group
// is kept depends on the order) or a cutoff (its bounds count the extra
// hits), nor for pages too big to widen.
void match_rel_then_value(fl_xenquire *e, uint32_t first, uint32_t maxitems,
                          uint32_t check_at_least, fl_xmset *h)
{
    if (check_at_least < e->db.get_doccount() || e->collapsing || e->cutting ||
        maxitems > UINT32_MAX - 2 || first > UINT32_MAX - 2 - maxitems) {
        match_xapian_order(e, first, maxitems, check_at_least, false, h->mset);
        return;
    }
    Xapian::doccount lead = first > 0 ? 1 : 0;
    Xapian::MSet ms;
    run_match(e, first - lead, maxitems + lead + 1, check_at_least, ms);
    Xapian::doccount n = ms.size(), end = lead + maxitems;
    bool tie = (lead && n >= 2 && ms[0].get_weight() == ms[1].get_weight()) ||
               (n > end && ms[end - 1].get_weight() == ms[end].get_weight());
    if (tie) {
        match_xapian_order(e, first, maxitems, check_at_least, true, h->mset);
        return;
    }
    h->mset = ms;
    h->remapped = true;
    h->key_slot = e->tie_slot;
    for (Xapian::doccount k = lead; k < n && k < end; k++)
        h->order.push_back(k);
    // Within the page, runs of equal weight (in docid order now) by value.
    for (size_t a = 0; a < h->order.size();) {
        size_t b = a + 1;
        while (b < h->order.size() && ms[h->order[b]].get_weight() == ms[h->order[a]].get_weight())
            b++;
        if (b - a > 1) {
            std::vector<std::pair<std::string, Xapian::doccount>> run;
            for (size_t k = a; k < b; k++)
                run.emplace_back(ms[h->order[k]].get_document().get_value(e->tie_slot),
                                 h->order[k]);
            // Equal values keep docid order, as Xapian's sort does.
            std::stable_sort(run.begin(), run.end(), [&](const auto &x, const auto &y) {
                return e->tie_reverse ? x.first > y.first : x.first < y.first;
            });
            for (size_t k = a; k < b; k++)
                h->order[k] = run[k - a].second;
        }
        a = b;
    }
}
} // namespace

fl_xstatus fl_xenquire_get_mset(fl_xenquire *e, uint32_t first, uint32_t maxitems,
                                uint32_t check_at_least, fl_xmset **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        NEED(out);
        auto h = std::make_unique<fl_xmset>();
        if (e->rel_then_value && maxitems > 0)
            match_rel_then_value(e, first, maxitems, check_at_least, h.get());
        else
            run_match(e, first, maxitems, check_at_least, h->mset);
        *out = h.release();
    });
}

fl_xstatus fl_xenquire_matching_terms(fl_xenquire *e, fl_xdocid docid, fl_xterm_cb cb, void *ud)
{
    return guard(__func__, [&](const char *fn) {
        NEED(e);
        NEED(cb);
        // The count reported is 1: Xapian gives no per-term figure here.
        each_term(e->enq.get_matching_terms_begin(docid), e->enq.get_matching_terms_end(docid),
                  cb, ud, [](const Xapian::TermIterator &) { return 1u; });
    });
}

// ------------------------------------------------------------------ match sets

void fl_xmset_free(fl_xmset *m)
{
    guard(__func__, [&](const char *) { delete m; });
}

uint32_t fl_xmset_size(const fl_xmset *m)
{
    return guard_value<uint32_t>(__func__, 0, [&] { return m ? mset_count(m) : 0; });
}

uint32_t fl_xmset_matches_estimated(const fl_xmset *m)
{
    return guard_value<uint32_t>(__func__, 0,
                                 [&] { return m ? m->mset.get_matches_estimated() : 0; });
}

uint32_t fl_xmset_matches_lower_bound(const fl_xmset *m)
{
    return guard_value<uint32_t>(__func__, 0,
                                 [&] { return m ? m->mset.get_matches_lower_bound() : 0; });
}

uint32_t fl_xmset_matches_upper_bound(const fl_xmset *m)
{
    return guard_value<uint32_t>(__func__, 0,
                                 [&] { return m ? m->mset.get_matches_upper_bound() : 0; });
}

double fl_xmset_max_possible(const fl_xmset *m)
{
    return guard_value<double>(__func__, 0.0, [&] { return m ? m->mset.get_max_possible() : 0; });
}

double fl_xmset_max_attained(const fl_xmset *m)
{
    return guard_value<double>(__func__, 0.0, [&] { return m ? m->mset.get_max_attained() : 0; });
}


fl_xstatus fl_xmset_docid(const fl_xmset *m, uint32_t i, fl_xdocid *docid)
{
    return guard(__func__, [&](const char *fn) {
        NEED(docid);
        *docid = *mset_at(fn, m, i);
    });
}

fl_xstatus fl_xmset_weight(const fl_xmset *m, uint32_t i, double *weight)
{
    return guard(__func__, [&](const char *fn) {
        NEED(weight);
        *weight = mset_at(fn, m, i).get_weight();
    });
}

fl_xstatus fl_xmset_percent(const fl_xmset *m, uint32_t i, int *percent)
{
    return guard(__func__, [&](const char *fn) {
        NEED(percent);
        *percent = mset_at(fn, m, i).get_percent();
    });
}

fl_xstatus fl_xmset_weight_percent(const fl_xmset *m, double weight, int *percent)
{
    return guard(__func__, [&](const char *fn) {
        NEED(m);
        NEED(percent);
        *percent = m->mset.convert_to_percent(weight);
    });
}

fl_xstatus fl_xmset_document(const fl_xmset *m, uint32_t i, fl_xdoc **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(out);
        auto h = std::make_unique<fl_xdoc>();
        h->doc = mset_at(fn, m, i).get_document();
        *out = h.release();
    });
}

fl_xstatus fl_xmset_sort_key(const fl_xmset *m, uint32_t i, char **key, size_t *len)
{
    return guard(__func__, [&](const char *fn) {
        NEED(key);
        NEED(len);
        Xapian::MSetIterator it = mset_at(fn, m, i);
        const std::string k =
            m->remapped ? it.get_document().get_value(m->key_slot) : it.get_sort_key();
        *key = k.empty() ? nullptr : dup_malloc(k);
        *len = k.size();
    });
}

fl_xstatus fl_xmset_termfreq(const fl_xmset *m, const char *term, size_t len, uint32_t *freq)
{
    return guard(__func__, [&](const char *fn) {
        NEED(m);
        NEED(freq);
        *freq = m->mset.get_termfreq(bytes(fn, term, len));
    });
}

fl_xstatus fl_xmset_termweight(const fl_xmset *m, const char *term, size_t len, double *w)
{
    return guard(__func__, [&](const char *fn) {
        NEED(m);
        NEED(w);
        *w = m->mset.get_termweight(bytes(fn, term, len));
    });
}

fl_xstatus fl_xmset_snippet(const fl_xmset *m, const char *text, size_t len, size_t length,
                            const fl_xstem *stem, unsigned flags, const char *hi_start,
                            const char *hi_end, const char *omit, char **out)
{
    return guard(__func__, [&](const char *fn) {
        NEED(m);
        NEED(out);
        const Xapian::Stem s = stem ? stem->stem : Xapian::Stem();
        *out = dup_malloc(m->mset.snippet(bytes(fn, text, len), length, s,
                                          snippet_flags(flags), cstr(hi_start), cstr(hi_end),
                                          cstr(omit)));
    });
}

} // extern "C"
