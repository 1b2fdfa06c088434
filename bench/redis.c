/*
 * The benchmark's own redis-server for the Redis-backed session cache rows: on a loopback port
 * the kernel just handed out, nothing saved to disk, killed at exit (and by the kernel if the
 * benchmark dies first).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "bench.h"

#define EXEC_FAILED 127

static pid_t redis_pid = -1;

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(sa);
    int port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int answers_ping(int port)
{
    struct timeval tv = {1, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    int ok = 0;
    if (c != NULL && c->err == 0 && redisSetTimeout(c, tv) == 0) {
        redisReply *reply = redisCommand(c, "PING");
        ok = reply != NULL && reply->type == REDIS_REPLY_STATUS && strcmp(reply->str, "PONG") == 0;
        freeReplyObject(reply);
    }
    redisFree(c);
    return ok;
}

void bench_redis_stop(void)
{
    if (redis_pid > 0) {
        kill(redis_pid, SIGKILL);
        waitpid(redis_pid, NULL, 0);
        redis_pid = -1;
    }
}

int bench_redis_start(char *url, size_t cap)
{
    int port = free_port();
    if (port < 0) {
        fprintf(stderr, "parley-bench: no free loopback port for redis-server: %s\n",
                strerror(errno));
        return -2;
    }
    char port_text[16];
    snprintf(port_text, sizeof(port_text), "%d", port);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "parley-bench: fork: %s\n", strerror(errno));
        return -2;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent || freopen("/dev/null", "w", stdout) == NULL)
            _exit(EXEC_FAILED);
        execlp("redis-server", "redis-server", "--port", port_text, "--bind", "127.0.0.1", "--save",
               "", "--appendonly", "no", "--loglevel", "warning", (char *)NULL);
        _exit(EXEC_FAILED);
    }
    redis_pid = pid;
    static int registered;
    if (!registered && atexit(bench_redis_stop) == 0)
        registered = 1;
    for (int i = 0; i < 100; i++) {
        if (answers_ping(port)) {
            snprintf(url, cap, "redis://127.0.0.1:%d", port);
            return 0;
        }
        int status;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            redis_pid = -1;
            if (WIFEXITED(status) && WEXITSTATUS(status) == EXEC_FAILED)
                return -1;
            fprintf(stderr, "parley-bench: redis-server on port %d exited at start-up\n", port);
            return -2;
        }
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "parley-bench: redis-server on port %d did not answer PING in 5 s\n", port);
    bench_redis_stop();
    return -2;
}
