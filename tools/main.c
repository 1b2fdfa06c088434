/* The parley command: client, server, demo, bench. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

static const char usage[] =
    "usage: parley <command> [options]\n"
    "  client URL     fetch https://HOST[:PORT]/PATH (like curl), body to stdout\n"
    "  server         an HTTPS server on loopback (--cert FILE --key FILE ...)\n"
    "  demo           the reference TLS flows on loopback, drawn as time diagrams\n"
    "  bench          parley against OpenSSL libssl in one process\n"
    "  --version      print the version\n"
    "Run `parley <command> --help` for a command's options.\n";

int tool_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("parley: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

uint16_t tool_version(const char *text)
{
    static const struct {
        const char *name;
        uint16_t v;
    } names[] = {{"1.0", PARLEY_TLS1_0},
                 {"1.1", PARLEY_TLS1_1},
                 {"1.2", PARLEY_TLS1_2},
                 {"1.3", PARLEY_TLS1_3}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(text, names[i].name) == 0)
            return names[i].v;
    return 0;
}

int tool_set_versions(parley_config *cfg, uint16_t min, uint16_t max)
{
    if (min == 0 && max == 0)
        return PARLEY_OK;
    if (min == 0)
        min = max < PARLEY_TLS1_2 ? max : PARLEY_TLS1_2;
    if (max == 0)
        max = PARLEY_TLS1_3;
    return parley_config_set_versions(cfg, min, max);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("parley %s\n", PARLEY_VERSION_STRING);
        return 0;
    }
    if (strcmp(argv[1], "client") == 0)
        return cmd_client(argc - 1, argv + 1);
    if (strcmp(argv[1], "server") == 0)
        return cmd_server(argc - 1, argv + 1);
    if (strcmp(argv[1], "demo") == 0)
        return cmd_demo(argc - 1, argv + 1);
    if (strcmp(argv[1], "bench") == 0)
        return cmd_bench(argc - 1, argv + 1, argv[0]);
    fputs(usage, stderr);
    return 2;
}
