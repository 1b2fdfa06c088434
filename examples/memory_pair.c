/* A client and a server in one process, connected through memory: no sockets, only
 * parley_take and parley_feed. examples/memory_pair CHAIN.pem KEY.pem CA.pem */
#include <stdio.h>
#include <string.h>

#include <parley.h>

/* Moves everything one side has to send into the other. */
static void deliver(parley_conn *from, parley_conn *to)
{
    unsigned char buf[16384];
    size_t n;
    while ((n = parley_take(from, buf, sizeof(buf))) > 0)
        for (size_t off = 0; off < n;)
            off += parley_feed(to, buf + off, n - off);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s CHAIN.pem KEY.pem CA.pem\n", argv[0]);
        return 2;
    }
    parley_config *scfg = parley_config_new(), *ccfg = parley_config_new();
    if (parley_config_add_certificate(scfg, argv[1], argv[2]) != PARLEY_OK ||
        parley_config_set_ca_file(ccfg, argv[3]) != PARLEY_OK) {
        fprintf(stderr, "%s%s\n", parley_config_error(scfg), parley_config_error(ccfg));
        return 1;
    }
    parley_conn *server = parley_conn_new(scfg, PARLEY_SERVER);
    parley_conn *client = parley_conn_new(ccfg, PARLEY_CLIENT);
    parley_conn_set_server_name(client, "localhost");
    while (parley_handshake(client) == PARLEY_WANT_READ &&
           parley_state(server) != PARLEY_STATE_FAILED) {
        deliver(client, server);
        deliver(server, client);
    }
    if (parley_state(client) != PARLEY_STATE_OPEN) {
        fprintf(stderr, "handshake failed: %s / %s\n", parley_error_message(client),
                parley_error_message(server));
        return 1;
    }
    size_t written, got;
    parley_write(client, "hello", 5, &written);
    deliver(client, server);
    char text[16] = {0};
    parley_read(server, text, sizeof(text) - 1, &got);
    printf("%s over %s with %s: server read \"%s\"\n", parley_version_name(parley_version(client)),
           parley_cipher_suite_name(parley_cipher_suite(client)),
           parley_group_name(parley_group(client)), text);
    parley_conn_free(client);
    parley_conn_free(server);
    parley_config_free(ccfg);
    parley_config_free(scfg);
    return strcmp(text, "hello") == 0 ? 0 : 1;
}
