/* fl_server.h — the JSON search server behind `findling serve` (query/server.c).
 *
 * libmicrohttpd with an internal thread pool (epoll where available) for
 * HTTP, and as many search threads: a search not answered from the response
 * cache waits in one queue, in arrival order, for the next free search
 * thread (server.c says why).  Each thread, HTTP or search, lazily opens its
 * own fl_searcher (Xapian handles are not thread-safe) and checks at most
 * every FL_SERVER_CHECK_MS whether the index has a newer revision
 * (incremental commit or a `--full` stub swap); a failed reopen keeps the
 * old handle, so a reindex never fails a request.  The analyzer is shared
 * read-only by all of them.
 *
 * Endpoints and JSON: design/interfaces.md.  The server only reads the index.
 *
 * Lifecycle: fl_server_start() binds the port and starts the threads;
 * fl_server_stop() stops accepting, lets in-flight requests finish (for up
 * to drain_ms), then ends the search threads (each finishes the search it
 * is on; searches still queued get a 503), gives the last answers up to a
 * second to go out, and frees everything.  Signals are the caller's
 * business (cmd_serve.c blocks SIGTERM/SIGINT and waits for them).
 */
#ifndef FL_SERVER_H
#define FL_SERVER_H

#include "fl_analyzer.h"

#include <stdbool.h>
#include <stddef.h>

#define FL_SERVER_CHECK_MS 250   /* how often a worker looks for a new revision */

typedef struct fl_server fl_server;

typedef struct fl_server_options {
    const char *db_path;             /* the index directory (required) */
    const char *listen;              /* "HOST:PORT", "[v6]:PORT"; NULL = 127.0.0.1:8080;
                                        port 0 = any free port (see fl_server_port) */
    unsigned threads;                /* HTTP threads and search threads (N of each);
                                        0 = number of cores */
    const char *const *cors_origins; /* exact origins allowed cross-origin access */
    size_t ncors_origins;
    const char *access_log;          /* file to append to, "-" = stdout, NULL = none */
    double rate_limit;               /* requests per second per client IP; 0 = off */
    unsigned max_connections;        /* 0 = 512 */
    unsigned max_connections_per_ip; /* 0 = no per-IP limit (e.g. behind a proxy) */
    unsigned connection_timeout_s;   /* idle connection timeout; 0 = 15 */
    unsigned request_timeout_s;      /* a request must arrive whole within this many
                                        seconds of its connection's opening (on a
                                        kept-alive connection: of the end of the idle
                                        time connection_timeout_s allows after the
                                        previous answer); a client trickling its header
                                        is never idle; 0 = 30 */
    unsigned drain_ms;               /* how long stop waits for in-flight requests; 0 = 10000 */
    const char *trust_proxy;         /* numeric IP of a reverse proxy: requests from it are
                                        attributed (rate limit, access log) to the last address
                                        of their X-Forwarded-For; NULL = never believe it */
    unsigned cache_mb;               /* response cache bound in MiB; 0 = no cache */
    unsigned map_mb;                 /* index blocks copied from read-only mappings of its
                                        files, at most this many MiB of them resident
                                        (fl_mapread.h); 0 = one pread() per block */
} fl_server_options;

/* Opens the index once (to fail early), binds and starts serving.
 * Returns 0 and *out, or FL_SERVER_EINDEX / FL_SERVER_EPORT / FL_SERVER_EUSAGE
 * with *err.  `an` must outlive the server. */
enum { FL_SERVER_EUSAGE = 2, FL_SERVER_EINDEX = 3, FL_SERVER_EPORT = 4 };
int fl_server_start(const fl_server_options *opts, const fl_analyzer *an, fl_server **out,
                    char **err);

/* Whether s is an origin as a browser sends it in its Origin header:
 * "http://" or "https://", a lower-case host name, IPv4 or [IPv6] address,
 * an optional ":PORT" (1-65535, not the scheme's default 80 or 443),
 * nothing after.  fl_server_start refuses
 * other --cors-origin values (they could never match). */
bool fl_server_origin_valid(const char *s);

/* The bound address as "http://HOST:PORT/" (owned by the server). */
const char *fl_server_url(const fl_server *srv);
unsigned fl_server_port(const fl_server *srv);

/* Reopens the access log file (after logrotate moved it; SIGHUP in
 * cmd_serve).  No-op for "-" or no log.  0, or -1 with *err (old file kept). */
int fl_server_reopen_log(fl_server *srv, char **err);

/* Graceful stop: no new connections, in-flight requests finish, then free. */
void fl_server_stop(fl_server *srv);

/* Splits "HOST:PORT" / "[V6]:PORT" / ":PORT" / "PORT".  Returns 0 with a
 * malloc'd *host (NULL when none given) and *port, or -1 with *err. */
int fl_server_parse_listen(const char *s, char **host, unsigned *port, char **err);

#endif
