#!/usr/bin/env bash
# The stale-read demo: two DocStore processes share one store with a replica lag of one second and
# one redis-server; `docstore consistency` writes through one and reads through the other.
# The store is the embedded one (one SQLite file), or with DEMO_STORE=Cosmos the Cosmos DB store, through
# the real Microsoft.Azure.Cosmos SDK (Gateway mode), against the patched Cosmos DB peer from npm ci
# started with --lag 1000 (DocStore's model of a lagging replica: tests/README.md).
#
# Usage: [DEMO_STORE=Embedded|Cosmos] eng/consistency-demo.sh [Off|Local|Redis] [pods] [extra docstore consistency arguments]
#   eng/consistency-demo.sh Off                      # the bug: most reads are stale
#   eng/consistency-demo.sh Redis                    # the fix: tokens shared through Redis
#   DEMO_STORE=Cosmos eng/consistency-demo.sh Off    # the same on the production code path
# Needs redis-server on PATH (apt-get install redis-server), and node with npm ci done for the Cosmos peer.
set -euo pipefail

store="${DEMO_STORE:-Embedded}"
case "$store" in Embedded | Cosmos) ;; *) echo "DEMO_STORE must be Embedded or Cosmos, not '$store'" >&2; exit 2 ;; esac
mode="${1:-Redis}"
pods="${2:-2}"
shift $(( $# > 2 ? 2 : $# )) || true
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

work="$(mktemp -d)"
children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

dotnet build DocStore.sln -c Release -v quiet -nologo >/dev/null

redis_port="$(free_port)"
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
children+=($!)

store_settings=(DocStore__Embedded__Path="$work/docstore.db" DocStore__Embedded__ReplicaLag=00:00:01)
if [ "$store" = Cosmos ]; then
  peer_port="$(free_port)"
  node node_modules/@vercel/cosmosdb-server/lib/cli.js --port "$peer_port" --host 127.0.0.1 --lag 1000 >"$work/peer.log" 2>&1 &
  children+=($!)
  for _ in $(seq 1 100); do grep -q "Ready to accept" "$work/peer.log" && break; sleep 0.1; done
  # The emulator's well-known key (the peer accepts any base64 key); the SDK's native query planner, as in production.
  store_settings=(DocStore__Store=Cosmos DocStore__Cosmos__Endpoint="https://127.0.0.1:$peer_port/"
    DocStore__Cosmos__Key="C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="
    DocStore__Cosmos__Database=demo DocStore__Cosmos__ConnectionMode=Gateway DocStore__Cosmos__CreateIfNotExists=true
    DocStore__Cosmos__AcceptAnyServerCertificate=true AZURE_COSMOS_USE_QUERY_PLAN_INTEROP_LINUX=true)
fi

endpoints=()
for i in $(seq 1 "$pods"); do
  port="$(free_port)"
  env "${store_settings[@]}" \
  DocStore__Redis__Configuration="127.0.0.1:$redis_port" \
  DocStore__SessionTokens__Sharing="$mode" \
  DocStore__Metrics__Port=0 \
    dotnet src/Server/bin/Release/net10.0/DocStore.Server.dll --urls "http://127.0.0.1:$port" >"$work/pod-$i.log" 2>&1 &
  children+=($!)
  endpoints+=("http://127.0.0.1:$port")
done

# Wait until every pod answers the health check (buf curl, from npm ci).
for endpoint in "${endpoints[@]}"; do
  for _ in $(seq 1 100); do
    if node_modules/.bin/buf curl --protocol grpc --http2-prior-knowledge "$endpoint/grpc.health.v1.Health/Check" >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
done

echo "store=$store, sharing=$mode, $pods pod(s), replica lag 1 s"
status=0
dotnet src/Cli/bin/Release/net10.0/docstore.dll consistency --endpoints "$(IFS=,; echo "${endpoints[*]}")" "$@" || status=$?
[ -z "${DEMO_REDIS_STATS:-}" ] || redis-cli -p "$redis_port" info commandstats
exit "$status"
