#!/usr/bin/env bash
# The packaging test: packs DocStore.Client, DocStore.Server and DocStore.Testing into artifacts/packages, builds
# tests/PackageConsumer against the client package by version (not a project reference) with a restore folder of its
# own, starts the built server on a free loopback port, and runs the consumer against it; then runs the xunit tests of
# tests/Consumers/TestingConsumer (a small service tested with DocStore.Testing's in-process server and with
# DocStoreModelFactory), and publishes tests/Consumers/AotConsumer with native AOT, failing on any trim or AOT warning,
# and runs the native binary against the server. Prints the packages' sizes and dependencies, the consumer's
# typed-vs-raw Get timings, and the AOT binary's size and warning count. Exits non-zero when any step or check fails.
# Usage: eng/package-test.sh   (after the server is built in Release, as eng/test.sh does)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

packages="$root/artifacts/packages"
restore="$root/artifacts/consumer-packages"
rm -rf "$packages" "$restore" tests/PackageConsumer/bin tests/PackageConsumer/obj \
  tests/Consumers/TestingConsumer/bin tests/Consumers/TestingConsumer/obj tests/Consumers/AotConsumer/bin tests/Consumers/AotConsumer/obj

# The three packages of one commit carry one version (eng/Versions.props: MinVer, from git tags).
for project in src/ClientSdk src/Server src/Testing; do
  dotnet pack "$project" -c Release -o "$packages" --nologo -v q
done
nupkg=$(ls "$packages"/DocStore.Client.*.nupkg)
snupkg=$(ls "$packages"/DocStore.Client.*.snupkg)
version=$(basename "$nupkg" .nupkg)
version=${version#DocStore.Client.}
for id in DocStore.Server DocStore.Testing; do
  [ -f "$packages/$id.$version.nupkg" ] || { echo "$id was not packed as $version: $(ls "$packages")"; exit 1; }
  echo "package: $id.$version.nupkg $(stat -c %s "$packages/$id.$version.nupkg") bytes"
done
# The server is run by the test host, never compiled against: its package has an empty ref/ folder.
unzip -l "$packages/DocStore.Server.$version.nupkg" ref/net10.0/_._ >/dev/null || { echo "DocStore.Server's package lacks ref/net10.0/_._"; exit 1; }
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

echo "== DocStore.Testing: a service's xunit tests from the packed packages"
dotnet test tests/Consumers/TestingConsumer -c Release -p:DocStoreVersion="$version" --nologo -v q
cmp -s "$packages/DocStore.Testing.$version.nupkg" "$restore/docstore.testing/$version/docstore.testing.$version.nupkg" \
  || { echo "the test consumer did not restore the DocStore.Testing package just packed"; exit 1; }

echo "== native AOT: publish a consumer of DocStore.Client, with no trim or AOT warning, and run it"
publish_log="$work/aot-publish.log"
dotnet publish tests/Consumers/AotConsumer -c Release -r linux-x64 -p:DocStoreVersion="$version" -o "$work/aot" --nologo -v q \
  -p:TreatWarningsAsErrors=false -clp:NoSummary >"$publish_log" 2>&1 || { cat "$publish_log"; echo "the AOT publish failed"; exit 1; }
aot_warnings=$(grep -cE 'warning (IL[0-9]+|[A-Z]+[0-9]+)' "$publish_log" || true)
echo "AOT consumer: $(stat -c %s "$work/aot/AotConsumer") bytes, $aot_warnings warnings"
if [ "$aot_warnings" -ne 0 ]; then
  grep -E 'warning ' "$publish_log" | sort -u
  exit 1
fi
"$work/aot/AotConsumer" "$address"
