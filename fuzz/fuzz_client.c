/* The client engine, after sending its ClientHello, fed arbitrary bytes as if from a server.
 * Verification is off so a fuzzed certificate can reach the key exchange code. */
#include "fuzz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static parley_config *cfg;
    if (cfg == NULL) {
        cfg = parley_config_new();
        parley_config_set_verify(cfg, 0);
        fuzz_enable_everything(cfg);
    }
    parley_conn *conn = parley_conn_new(cfg, PARLEY_CLIENT);
    parley_conn_set_server_name(conn, "localhost");
    parley_handshake(conn);
    uint8_t sink[4096];
    while (parley_take(conn, sink, sizeof(sink)) > 0)
        ;
    fuzz_feed(conn, data, size);
    parley_conn_free(conn);
    return 0;
}
