#!/usr/bin/env bash
# What authentication costs: Get with a JWT over TLS against Get without authentication over TLS, in one
# `docstore bench` run (--baseline-endpoint), on two servers sharing one embedded store file. A static OpenID
# Connect issuer (discovery document and JWKS) is served by python3's http.server on loopback; the token is an
# RS256 JWT signed here with openssl. Nothing leaves the machine.
# Usage: eng/bench-auth.sh [extra docstore bench arguments, e.g. --duration 20 --concurrency 32]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# TLS: a CA and a server certificate for 127.0.0.1.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/ca.key" -out "$work/ca.crt" -days 2 -subj "/CN=bench-ca" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.csr" -subj "/CN=docstore" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$work/ext"
openssl x509 -req -in "$work/tls.csr" -CA "$work/ca.crt" -CAkey "$work/ca.key" -CAcreateserial -out "$work/tls.crt" -days 2 -extfile "$work/ext" 2>/dev/null

# The issuer: a signing key, its JWKS and the discovery document, served over HTTP on loopback.
issuer_port=$(free_port)
issuer="http://127.0.0.1:$issuer_port"
openssl genrsa -out "$work/signing.key" 2048 2>/dev/null
modulus=$(openssl rsa -in "$work/signing.key" -noout -modulus | cut -d= -f2 | xxd -r -p | b64url)
mkdir -p "$work/issuer/.well-known"
printf '{"issuer":"%s","jwks_uri":"%s/keys"}' "$issuer" "$issuer" >"$work/issuer/.well-known/openid-configuration"
printf '{"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":"bench","n":"%s","e":"AQAB"}]}' "$modulus" >"$work/issuer/keys"
(cd "$work/issuer" && exec python3 -m http.server "$issuer_port" --bind 127.0.0.1 >/dev/null 2>&1) &
pids+=($!)

now=$(date +%s)
header=$(printf '{"alg":"RS256","typ":"JWT","kid":"bench"}' | b64url)
payload=$(printf '{"iss":"%s","aud":"api://docstore","azp":"bench","sub":"bench","roles":["items.read","items.write"],"iat":%d,"nbf":%d,"exp":%d}' \
  "$issuer" "$now" "$((now - 60))" "$((now + 7200))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -sha256 -sign "$work/signing.key" -binary | b64url)
token="$header.$payload.$signature"

server_dll="$root/src/Server/bin/Release/net10.0/DocStore.Server.dll"
cli_dll="$root/src/Cli/bin/Release/net10.0/docstore.dll"
[ -f "$server_dll" ] && [ -f "$cli_dll" ] || { echo "build first: dotnet build DocStore.sln -c Release" >&2; exit 2; }

start_server() { # port health-port extra-env...
  local port=$1 health=$2; shift 2
  env DocStore__Embedded__Path="$work/docstore.db" DocStore__Metrics__Port=0 \
    DocStore__Tls__CertificatePath="$work/tls.crt" DocStore__Tls__KeyPath="$work/tls.key" DocStore__Health__Port="$health" \
    "$@" dotnet "$server_dll" --urls "http://127.0.0.1:$port" >"$work/server-$port.log" 2>&1 &
  pids+=($!)
}
wait_port() { for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.2; done; echo "port $1 never opened" >&2; exit 1; }

jwt_port=$(free_port) jwt_health=$(free_port) plain_port=$(free_port) plain_health=$(free_port)
start_server "$jwt_port" "$jwt_health" DocStore__Auth__Mode=Jwt DocStore__Auth__Jwt__Authority="$issuer" DocStore__Auth__Jwt__Audience=api://docstore
start_server "$plain_port" "$plain_health"
wait_port "$jwt_port"; wait_port "$plain_port"

# SWAP=1 measures the other way round (no authentication as the mix, JWT as the baseline), to see the order's bias.
measured=$jwt_port baseline=$plain_port
if [ "${SWAP:-0}" = 1 ]; then measured=$plain_port baseline=$jwt_port; fi
echo "== docstore bench: Get on :$measured (mix) against Get on :$baseline (baseline, in the ceiling's place); JWT server :$jwt_port" >&2
dotnet "$cli_dll" bench --endpoint "https://127.0.0.1:$measured" --baseline-endpoint "https://127.0.0.1:$baseline" \
  --ca "$work/ca.crt" --token "$token" --mix get=100 "$@"
