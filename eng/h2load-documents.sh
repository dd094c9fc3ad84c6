#!/usr/bin/env bash
# Cross-checks the documents scenario of `docstore bench` with h2load (a C load generator that takes little CPU):
# Get of one nested (order-like) 1 MB document, its body as Struct and as JSON, against one server started here
# (embedded store on a temporary file). The document is written with one Upsert (document_json) sent by curl, and
# every frame is sent once by curl first: its trailers must say grpc-status 0. Prints, per format, h2load's rate,
# MB/s and the server's CPU time per call (utime+stime from /proc/<pid>/stat).
# Usage: eng/h2load-documents.sh [calls per run, default 400] [connections, default 4] [streams each, default 4]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
calls="${1:-400}"
connections="${2:-4}"
streams="${3:-4}"
command -v h2load >/dev/null 2>&1 || { echo "h2load is not on PATH (Debian: nghttp2-client)"; exit 1; }
server_dll="src/Server/bin/Release/net10.0/DocStore.Server.dll"
[ -f "$server_dll" ] || dotnet build DocStore.sln -c Release --nologo -v q

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# gRPC frames (a zero flag, a big-endian length, the message) of an Upsert with document_json and of a Get per format.
python3 - "$work" <<'PY'
import json, struct, sys
work = sys.argv[1]
def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80); n >>= 7
    out.append(n); return bytes(out)
def field(number, payload):
    return varint(number << 3 | 2) + varint(len(payload)) + payload
def frame(message):
    return b"\0" + struct.pack(">I", len(message)) + message
items, size, parts = [], 1024 * 1024, '{"id":"order-1","pk":"p","items":['
body = parts
i = 0
while True:
    item = '{"sku":"sku-%06d","qty":%d,"name":"line item %d","tags":["a","b"]}' % (i, i % 9 + 1, i)
    if i > 0 and len(body) + len(item) + 3 > size:
        break
    body += ("," if i else "") + item
    i += 1
body += "]}"
upsert = field(1, b"docs") + field(4, body.encode())
open(f"{work}/upsert.bin", "wb").write(frame(upsert))
for name, value in (("struct", 1), ("json", 2)):
    get = field(1, b"docs") + field(2, b"order-1") + field(3, b"p") + varint(5 << 3) + varint(value)
    open(f"{work}/get-{name}.bin", "wb").write(frame(get))
open(f"{work}/size", "w").write(str(len(body)))
PY

source "$root/eng/server.sh"
start_server "$server_dll" "$work/server.log" DocStore__Embedded__Path="$work/docstore.db" DocStore__SessionTokens__Sharing=Local \
  DocStore__Collections__docs__PartitionKeyPath=/pk Logging__LogLevel__Default=Warning Logging__LogLevel__Microsoft.Hosting.Lifetime=Information

grpc_call() {
  curl -s --http2-prior-knowledge -H 'content-type: application/grpc' -H 'te: trailers' --data-binary "@$2" -D - -o /dev/null "$address/$1" \
    | grep -q '^grpc-status: 0' || { echo "$1 with $2 did not answer grpc-status 0"; exit 1; }
}
grpc_call docstore.v1.DocStoreService/Upsert "$work/upsert.bin"
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$server_pid/stat"; }
size=$(cat "$work/size")
echo "h2load: Get of one nested document of $size bytes, $calls calls, $connections connections x $streams streams"
for format in struct json; do
  grpc_call docstore.v1.DocStoreService/Get "$work/get-$format.bin"
  args=(-c "$connections" -m "$streams" -t 1 -H 'content-type: application/grpc' -H 'te: trailers' -d "$work/get-$format.bin")
  h2load -n "$((calls / 4 > 0 ? calls / 4 : 1))" "${args[@]}" "$address/docstore.v1.DocStoreService/Get" >/dev/null # warm-up
  before=$(cpu_ticks)
  out=$(h2load -n "$calls" "${args[@]}" "$address/docstore.v1.DocStoreService/Get")
  after=$(cpu_ticks)
  grep -q "status codes: $calls 2xx" <<<"$out" || { echo "not every call answered 200:"; echo "$out"; exit 1; }
  rps=$(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")
  awk -v f="$format" -v r="$rps" -v s="$size" -v b="$before" -v a="$after" -v t="$ticks" -v n="$calls" \
    'BEGIN { printf "%-6s %8.1f documents/s %8.1f MB/s %8.2f ms server CPU per call\n", f, r, r * s / 1048576, (a - b) / t * 1000 / n }'
done
