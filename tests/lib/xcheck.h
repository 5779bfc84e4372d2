/* xcheck.h — what the C tests of the Xapian wrapper (fl_xapian.h) share:
 * OKX, and a scratch folder for their databases.  Include after tap.h. */
#ifndef FL_XCHECK_H
#define FL_XCHECK_H

#include "fl_err.h"
#include "fl_xapian.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Asserts FL_XOK; on failure shows the wrapper's last error. */
#define OKX(call, ...)                                                                   \
    do {                                                                                 \
        fl_xstatus st_ = (call);                                                         \
        if (!ok(st_ == FL_XOK, __VA_ARGS__))                                             \
            diag("status '%s': %s", fl_xstatus_name(st_), fl_xlast_error());             \
    } while (0)

/* mkdtemp(tmpl), or a TAP "Bail out!" line and -1. */
static int scratch_make(char *tmpl)
{
    if (mkdtemp(tmpl))
        return 0;
    printf("Bail out! mkdtemp: %s\n", strerror(errno));
    return -1;
}

/* Removes the folder and all in it (a diagnostic when it cannot). */
static void scratch_remove(const char *dir)
{
    char *cmd = fl_xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        diag("could not remove %s", dir);
    free(cmd);
}

#endif
