/* cmd_serve.c — `findling serve`. */
#include "fl_cli.h"

#include <stdio.h>
#include <string.h>

int fl_cmd_serve(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("findling serve: not implemented yet (tracked in issue 6)\n");
        return 0;
    }
    fprintf(stderr, "findling serve: not implemented yet (tracked in issue 6)\n");
    return 2;
}
