/* common.c — helpers shared by the subcommands. */
#include "fl_cli.h"

#include "fl_buf.h"

#include <stdlib.h>

char *fl_cli_db_path(const char *db_arg, const char *config_db)
{
    if (db_arg && *db_arg)
        return fl_xstrdup(db_arg);
    const char *env = getenv("FINDLING_DB");
    if (env && *env)
        return fl_xstrdup(env);
    if (config_db && *config_db)
        return fl_xstrdup(config_db);
    return fl_xstrdup("./findling.db");
}
