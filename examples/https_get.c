/* A blocking HTTPS GET with parley: examples/https_get HOST PORT [CAFILE]. */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <parley.h>

static int connect_to(const char *host, const char *port)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s HOST PORT [CAFILE]\n", argv[0]);
        return 2;
    }
    parley_config *cfg = parley_config_new();
    if (argc > 3)
        parley_config_set_ca_file(cfg, argv[3]);
    int fd = connect_to(argv[1], argv[2]);
    if (fd < 0) {
        perror("connect");
        return 1;
    }
    parley_conn *c = parley_conn_new(cfg, PARLEY_CLIENT);
    parley_conn_set_server_name(c, argv[1]);
    int rc = 1;
    if (parley_fd_handshake(c, fd) != PARLEY_OK) {
        fprintf(stderr, "handshake failed: %s\n", parley_error_message(c));
    } else {
        char req[512];
        int n = snprintf(req, sizeof(req),
                         "GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", argv[1]);
        parley_fd_write(c, fd, req, (size_t)n);
        char buf[4096];
        size_t got;
        while (parley_fd_read(c, fd, buf, sizeof(buf), &got) == PARLEY_OK)
            fwrite(buf, 1, got, stdout);
        parley_fd_close(c, fd);
        rc = 0;
    }
    close(fd);
    parley_conn_free(c);
    parley_config_free(cfg);
    return rc;
}
