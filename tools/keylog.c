/* Key logging for the parley command: --keylog FILE, or the SSLKEYLOGFILE environment variable,
 * appends NSS key log lines so Wireshark can decrypt a capture. */
#include <stdio.h>
#include <stdlib.h>

#include "tool.h"

static void write_line(const char *line, void *arg)
{
    FILE *f = arg;
    fprintf(f, "%s\n", line);
    fflush(f);
}

int tool_keylog(parley_config *cfg, const char *file)
{
    if (file == NULL)
        file = getenv("SSLKEYLOGFILE");
    if (file == NULL || file[0] == '\0')
        return 0;
    FILE *f = fopen(file, "a");
    if (f == NULL)
        return tool_fail("cannot open key log %s", file);
    /* The file stays open for the life of the process, like the configuration using it. */
    parley_config_set_keylog(cfg, write_line, f);
    return 0;
}
