#!/usr/bin/env bash
# The packaging test: packs DocStore.Client into artifacts/packages, builds tests/PackageConsumer against that
# package by version (not a project reference) with a restore folder of its own, starts the built server on a
# free loopback port, and runs the consumer against it. Prints the package's size and dependencies, and the
# consumer's typed-vs-raw Get timings. Exits non-zero when any step or check fails.
# Usage: eng/package-test.sh   (after the server is built in Release, as eng/test.sh does)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

packages="$root/artifacts/packages"
restore="$root/artifacts/consumer-packages"
rm -rf "$packages" "$restore" tests/PackageConsumer/bin tests/PackageConsumer/obj

dotnet pack src/ClientSdk -c Release -o "$packages" --nologo -v q
nupkg=$(ls "$packages"/DocStore.Client.*.nupkg)
snupkg=$(ls "$packages"/DocStore.Client.*.snupkg)
version=$(basename "$nupkg" .nupkg)
version=${version#DocStore.Client.}
echo "package: $(basename "$nupkg") $(stat -c %s "$nupkg") bytes, $(basename "$snupkg") $(stat -c %s "$snupkg") bytes"
echo "dependencies: $(unzip -p "$nupkg" DocStore.Client.nuspec | grep -o '<dependency id="[^"]*" version="[^"]*"' | sed 's/<dependency id="\([^"]*\)" version="\([^"]*\)"/\1 \2/' | paste -sd, - | sed 's/,/, /g')"
for file in README.md lib/net10.0/DocStore.Client.dll lib/net10.0/DocStore.Client.xml; do
  unzip -l "$nupkg" "$file" >/dev/null || { echo "the package lacks $file"; exit 1; }
done

dotnet build tests/PackageConsumer -c Release -p:DocStoreClientVersion="$version" --nologo -v q
# The restore used the package just packed: its copy in the consumer's own restore folder is the same file.
cmp -s "$nupkg" "$restore/docstore.client/$version/docstore.client.$version.nupkg" \
  || { echo "the consumer did not restore the package just packed"; exit 1; }

server_dll="src/Server/bin/Release/net10.0/DocStore.Server.dll"
[ -f "$server_dll" ] || dotnet build src/Server -c Release --nologo -v q
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: Kestrel picks a free port and logs it.
source "$root/eng/server.sh"
start_server "$server_dll" "$work/server.log" DocStore__Embedded__Path="$work/docstore.db"

dotnet tests/PackageConsumer/bin/Release/net10.0/PackageConsumer.dll "$address" "${PACKAGE_TEST_TIMED_CALLS:-2000}"
