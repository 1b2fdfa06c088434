/* Shared by the parley subcommands. */
#ifndef PARLEY_TOOL_H
#define PARLEY_TOOL_H

#include <stdint.h>

#include "parley.h"

int cmd_client(int argc, char **argv);
int cmd_server(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_bench(int argc, char **argv, const char *self);

/* "1.0" .. "1.3" to PARLEY_TLS1_x; 0 if unknown. */
uint16_t tool_version(const char *text);
/* Applies --tls-min/--tls-max (0: not given). A bound not given follows the other one when the
 * other leaves TLS 1.2 out ("--tls-max 1.1" alone means TLS 1.1 only), otherwise it is 1.2. */
int tool_set_versions(parley_config *cfg, uint16_t min, uint16_t max);
/* A TCP connection to host:port (IPv4 or IPv6), with a timeout in seconds; -1 on failure with
 * a message printed. */
int tool_connect(const char *host, const char *port, int timeout);
/* TLS writes whole records, so Nagle's algorithm only adds delay: a resumed client's Finished
 * and its first request would wait for a delayed ACK (40 ms on Linux). */
void tool_nodelay(int fd);
/* Key logging from --keylog FILE or SSLKEYLOGFILE; 0, or 1 after printing an error. */
int tool_keylog(parley_config *cfg, const char *file);
/* Prints "parley: message" to stderr and returns 1. */
int tool_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
