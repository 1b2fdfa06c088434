/*
 * Blocking-socket helpers (sockets only: they peek): a thin loop over the sans-I/O calls. They add
 * nothing the engine does not already do; any event loop can do the same with its own sockets.
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>

#include "parley.h"

static int would_block(void)
{
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

/* Sends everything pending. MSG_NOSIGNAL: a peer that already hung up is an error to return,
 * not a SIGPIPE that kills the caller. A non-blocking socket that is full is waited for. */
static int flush_output(parley_conn *c, int fd)
{
    unsigned char buf[16384];
    size_t n;
    while ((n = parley_take(c, buf, sizeof(buf))) > 0) {
        size_t off = 0;
        while (off < n) {
            ssize_t w = send(fd, buf + off, n - off, MSG_NOSIGNAL);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0 && would_block()) {
                struct pollfd p = {fd, POLLOUT, 0};
                if (poll(&p, 1, -1) >= 0 || errno == EINTR)
                    continue;
            }
            if (w <= 0)
                return PARLEY_ERROR;
            off += (size_t)w;
        }
    }
    return PARLEY_OK;
}

/* Feeds the engine from the socket. The engine stops accepting bytes while decrypted data waits
 * to be read, so the bytes are peeked first and only what the engine took is consumed; the rest
 * stays in the socket for the next call. Returns 1 after progress, 0 at EOF, -1 on error, -2
 * when a non-blocking socket has nothing yet, 2 when the engine took nothing because decrypted
 * data waits to be read. */
static int fill_input(parley_conn *c, int fd)
{
    unsigned char buf[16384];
    ssize_t r;
    do
        r = recv(fd, buf, sizeof(buf), MSG_PEEK);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return would_block() ? -2 : -1;
    if (r == 0) {
        parley_feed_eof(c);
        return 0;
    }
    size_t off = 0, used;
    while (off < (size_t)r && (used = parley_feed(c, buf + off, (size_t)r - off)) > 0)
        off += used;
    if (off == 0)
        return 2;
    while (off > 0) {
        ssize_t d = recv(fd, buf, off, 0);
        if (d < 0 && errno == EINTR)
            continue;
        if (d <= 0)
            return -1;
        off -= (size_t)d;
    }
    return 1;
}

int parley_fd_handshake(parley_conn *c, int fd)
{
    for (;;) {
        int rc = parley_handshake(c);
        /* Send what the handshake produced, an alert included, before deciding. */
        if (flush_output(c, fd) != PARLEY_OK)
            return PARLEY_ERROR;
        if (rc != PARLEY_WANT_READ)
            return rc;
        int f = fill_input(c, fd);
        if (f == 2)
            return PARLEY_WANT_READ; /* 0-RTT data waits to be read */
        if (f < 0 || parley_state(c) == PARLEY_STATE_FAILED) {
            /* Keep the socket's errno (a timeout, a reset) for the caller to report. */
            int saved = errno;
            flush_output(c, fd);
            errno = saved;
            return PARLEY_ERROR;
        }
    }
}

int parley_fd_write(parley_conn *c, int fd, const void *data, size_t len)
{
    const unsigned char *p = data;
    while (len > 0) {
        size_t written;
        if (parley_write(c, p, len, &written) != PARLEY_OK)
            return PARLEY_ERROR;
        if (flush_output(c, fd) != PARLEY_OK)
            return PARLEY_ERROR;
        p += written;
        len -= written;
    }
    return flush_output(c, fd);
}

int parley_fd_read(parley_conn *c, int fd, void *buf, size_t cap, size_t *got)
{
    for (;;) {
        int rc = parley_read(c, buf, cap, got);
        if (rc != PARLEY_WANT_READ) {
            int saved = errno;
            flush_output(c, fd); /* an alert or warning the engine queued */
            errno = saved;
            return rc;
        }
        if (flush_output(c, fd) != PARLEY_OK)
            return PARLEY_ERROR;
        int f = fill_input(c, fd);
        if (f == -1)
            return PARLEY_ERROR;
        if (f == -2)
            return PARLEY_WANT_READ;
    }
}

int parley_fd_close(parley_conn *c, int fd)
{
    if (parley_close(c) != PARLEY_OK)
        return PARLEY_ERROR;
    return flush_output(c, fd);
}
