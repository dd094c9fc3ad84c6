#!/usr/bin/env bash
# Cross-checks `docstore bench` with h2load (Debian's nghttp2-client), a load generator written in C that takes
# little CPU: the bench's client is .NET and shares the machine's CPUs with the server, which compresses its ratios.
# Starts one server (embedded store on a temporary file, sharing Local) on a free loopback port, then measures,
# against that same server:
#   1. `docstore bench --mix get=1` and `--mix upsert=1` (each beside its ceiling, the liveness health check);
#   2. h2load sending the same calls as gRPC frames written by `docstore frames`: the liveness health check,
#      Get and Upsert of one 1 KB document, 64 streams on one HTTP/2 connection (as the bench's one channel).
# For every measurement it reads the server's CPU time (utime+stime in /proc/<pid>/stat) and prints it per call.
# Usage: eng/h2load-crosscheck.sh [calls per h2load run, default 100000] [bench seconds, default 10]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
calls="${1:-100000}"
seconds="${2:-10}"
concurrency=64

missing=()
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
command -v curl >/dev/null 2>&1 || missing+=(curl)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
server_dll="src/Server/bin/Release/net10.0/DocStore.Server.dll"
cli_dll="src/Cli/bin/Release/net10.0/docstore.dll"
[ -f "$server_dll" ] && [ -f "$cli_dll" ] || dotnet build DocStore.sln -c Release --nologo -v q

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

dotnet "$cli_dll" frames --out "$work/frames" --doc-size 1024 >/dev/null

# Port 0: Kestrel picks a free port and logs it (the lifetime logger stays at Information for that line).
source "$root/eng/server.sh"
start_server "$server_dll" "$work/server.log" DocStore__Embedded__Path="$work/docstore.db" DocStore__SessionTokens__Sharing=Local \
  Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$server_pid/stat"; }

# One h2load run of a frame against a method, after a tenth as many warm-up calls; prints
# "rps cpu_us_per_call" and fails on any answer that is not HTTP 200.
h2() {
  local method="$1" frame="$2" n="$3" out
  h2load -n "$((n / 10))" -c 1 -m "$concurrency" -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$frame" "$address/$method" >/dev/null # warm-up
  local before; before=$(cpu_ticks)
  out=$(h2load -n "$n" -c 1 -m "$concurrency" -t 1 -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$frame" "$address/$method")
  local after; after=$(cpu_ticks)
  grep -q "status codes: $n 2xx" <<<"$out" || { echo "h2load $method: not every call answered 200:"; echo "$out"; exit 1; }
  local rps; rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  awk -v r="$rps" -v b="$before" -v a="$after" -v t="$ticks" -v n="$n" 'BEGIN { printf "%.0f %.1f\n", r, (a - b) / t * 1e6 / n }'
}

# The bench first: it seeds the documents (doc-0 among them) through Upsert and checks every answer.
bench() {
  dotnet "$cli_dll" bench --endpoint "$address" --server-pid "$server_pid" --mix "$1=1" --concurrency "$concurrency" \
    --duration "$seconds" --warmup 2 --documents 1000 --json 2>/dev/null
}
node_field() { node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(eval("r." + process.argv[1]))' "$1"; }
echo "bench: get (and its ceiling), then upsert (and its ceiling), ${seconds} s each, concurrency $concurrency" >&2
get_json=$(bench get)
upsert_json=$(bench upsert)
[ "$(node_field errors <<<"$get_json")" = 0 ] && [ "$(node_field errors <<<"$upsert_json")" = 0 ] \
  || { echo "the bench reported errors"; echo "$get_json" "$upsert_json"; exit 1; }

# h2load sees HTTP statuses only, and a gRPC error still answers 200: each frame is sent once with curl first,
# and its trailers must say grpc-status 0.
for call in grpc.health.v1.Health/Check:liveness docstore.v1.DocStoreService/Get:get docstore.v1.DocStoreService/Upsert:upsert; do
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' \
    --data-binary "@$work/frames/${call#*:}.bin" -D - -o /dev/null "$address/${call%:*}" | grep -q '^grpc-status: 0' \
    || { echo "${call%:*}: the frame did not get grpc-status 0"; exit 1; }
done

echo "h2load: liveness, get, upsert, $calls calls each (after $((calls / 10)) warm-up calls), 64 streams on one connection" >&2
read -r h_live_rps h_live_cpu < <(h2 grpc.health.v1.Health/Check "$work/frames/liveness.bin" "$calls")
read -r h_get_rps h_get_cpu < <(h2 docstore.v1.DocStoreService/Get "$work/frames/get.bin" "$calls")
read -r h_up_rps h_up_cpu < <(h2 docstore.v1.DocStoreService/Upsert "$work/frames/upsert.bin" "$((calls / 2))")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
b_ceiling_get=$(node_field 'ceiling.rps' <<<"$get_json"); b_ceiling_up=$(node_field 'ceiling.rps' <<<"$upsert_json")
b_ceiling_cpu=$(node_field 'ceiling.server_cpu_us_per_call' <<<"$get_json")
b_get_rps=$(node_field 'operations.get.rps' <<<"$get_json"); b_get_cpu=$(node_field 'operations.get.server_cpu_us_per_call' <<<"$get_json")
b_up_rps=$(node_field 'operations.upsert.rps' <<<"$upsert_json"); b_up_cpu=$(node_field 'operations.upsert.server_cpu_us_per_call' <<<"$upsert_json")

echo
echo "machine: $(nproc) CPUs ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n1)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s %10s %14s\n' "call (1 KB documents, 64 in flight)" "rps" "x ceiling" "server CPU us"
printf '%-34s %10.0f %10s %14s\n' "bench: ceiling (liveness)" "$b_ceiling_get" "1.00" "$b_ceiling_cpu"
printf '%-34s %10.0f %10s %14s\n' "bench: get" "$b_get_rps" "$(ratio "$b_get_rps" "$b_ceiling_get")" "$b_get_cpu"
printf '%-34s %10.0f %10s %14s\n' "bench: upsert" "$b_up_rps" "$(ratio "$b_up_rps" "$b_ceiling_up")" "$b_up_cpu"
printf '%-34s %10.0f %10s %14s\n' "h2load: ceiling (liveness)" "$h_live_rps" "1.00" "$h_live_cpu"
printf '%-34s %10.0f %10s %14s\n' "h2load: get" "$h_get_rps" "$(ratio "$h_get_rps" "$h_live_rps")" "$h_get_cpu"
printf '%-34s %10.0f %10s %14s\n' "h2load: upsert" "$h_up_rps" "$(ratio "$h_up_rps" "$h_live_rps")" "$h_up_cpu"
echo "(the bench's upsert ratio is to the ceiling of its own run, measured beside it: $(printf '%.0f' "$b_ceiling_up") rps)"
