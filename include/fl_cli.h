/* fl_cli.h — the subcommands of the `findling` binary (cli/).
 *
 * Each takes the arguments after the subcommand name (argv[0] is the
 * subcommand itself) and returns the process exit status documented in
 * design/interfaces.md.  Subcommands are thin: they parse arguments, call
 * the modules and print; they never exit() themselves.
 */
#ifndef FL_CLI_H
#define FL_CLI_H

int fl_cmd_index(int argc, char **argv);
int fl_cmd_search(int argc, char **argv);
int fl_cmd_serve(int argc, char **argv);
int fl_cmd_analyze(int argc, char **argv);
int fl_cmd_stats(int argc, char **argv);

/* The index location: --db value if given, else $FINDLING_DB, else the
 * config's db:, else "./findling.db".  Returns a malloc'd path. */
char *fl_cli_db_path(const char *db_arg, const char *config_db);

/* The analysis chain as the index at db_path was built with: the extra
 * compound words of its findling.yml are stored in the index, and a search
 * must split compounds exactly as the indexer did.  (A missing index is not
 * an error here: whoever opens it next reports that.)  NULL with *err when the
 * chain cannot be set up. */
struct fl_analyzer;
struct fl_analyzer *fl_cli_analyzer_for_index(const char *db_path, char **err);

#endif
