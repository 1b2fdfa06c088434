/* TCP connect with a timeout, and `parley bench` handing over to parley-bench. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool.h"

void tool_nodelay(int fd)
{
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

int tool_connect(const char *host, const char *port, int timeout)
{
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        tool_fail("cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        tool_nodelay(fd);
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno == EINPROGRESS) {
            struct pollfd p = {fd, POLLOUT, 0};
            socklen_t len = sizeof(err);
            if (poll(&p, 1, timeout * 1000) != 1)
                err = ETIMEDOUT;
            else
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        } else {
            err = errno == EINPROGRESS ? 0 : errno;
        }
        if (err != 0) {
            close(fd);
            fd = -1;
            continue;
        }
        fcntl(fd, F_SETFL, flags);
        struct timeval tv = {timeout, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    }
    freeaddrinfo(res);
    if (fd < 0)
        tool_fail("cannot connect to %s port %s: %s", host, port, strerror(err));
    return fd;
}

/* parley-bench lives next to the parley binary, wherever that was started from (a PATH search
 * leaves argv[0] without a directory, so /proc/self/exe is asked first). */
int cmd_bench(int argc, char **argv, const char *self)
{
    char exe[PATH_MAX], path[PATH_MAX + 16];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
    } else {
        snprintf(exe, sizeof(exe), "%s", self);
    }
    const char *slash = strrchr(exe, '/');
    if (slash != NULL)
        snprintf(path, sizeof(path), "%.*s/parley-bench", (int)(slash - exe), exe);
    else
        snprintf(path, sizeof(path), "parley-bench");
    (void)argc;
    argv[0] = path;
    execvp(path, argv);
    return tool_fail("cannot run %s (build it with the parley-bench target, -DPARLEY_BENCH=ON): %s",
                     path, strerror(errno));
}
