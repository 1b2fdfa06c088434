#!/usr/bin/env bash
# The memory budget: an idle connection (handshake done, tickets taken, nothing in flight) holds
# at most 4 KiB of heap, client or server, TLS 1.2 or 1.3. parley-bench measures it (200 pairs,
# mallinfo2 before and after, glibc's per-thread cache off so that the count is exact); this
# fails when any of the four figures goes over.
#   idle_heap.sh PARLEY-BENCH CERTS-DIR
set -uo pipefail
bench=$1 certs=$2 budget=4096
json=$(GLIBC_TUNABLES=glibc.malloc.tcache_count=0 timeout 120 "$bench" --certs "$certs" \
    --handshakes 0 --resumed 0 --resume none --bulk-mib 0 --tls13 none --rounds 1 --json) || {
    echo "FAIL parley-bench did not run"
    exit 1
}
python3 - "$budget" <<PY
import json, sys
budget = int(sys.argv[1])
d = json.loads('''$json''')["parley"]
failed = 0
for key, version in (("heap_bytes_per_connection", "TLS 1.2"),
                     ("tls13_heap_bytes_per_connection", "TLS 1.3")):
    for role in ("server", "client"):
        got = d.get(key, {}).get(role)
        ok = got is not None and 0 < got <= budget
        failed += not ok
        print("%s %s idle %s: %s bytes (budget %d)" % ("ok  " if ok else "FAIL", version, role, got, budget))
sys.exit(1 if failed else 0)
PY
