/* The server engine fed arbitrary bytes as if from a client. */
#include "fuzz_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static parley_config *cfg;
    if (cfg == NULL)
        cfg = fuzz_server_config();
    parley_conn *conn = parley_conn_new(cfg, PARLEY_SERVER);
    parley_handshake(conn);
    fuzz_feed(conn, data, size);
    parley_conn_free(conn);
    return 0;
}
