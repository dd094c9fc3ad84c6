#!/usr/bin/env bash
# Mutation testing of the core files with Stryker.NET (a local dotnet tool, .config/dotnet-tools.json).
# Not part of CI: a run takes tens of minutes. Goal: a score of at least 90 % on each core file.
#
# Usage: eng/mutation.sh [target...]    targets: server client (default), or one server file:
#   server     the four server files below in one run (one build, one initial test run)
#   tokens     the session-token merge (src/Shared/SessionToken.cs) against the server's fast tests
#   patcher    src/Server/Storage/Embedded/JsonPatcher.cs
#   validator  src/Server/Api/RequestValidator.cs
#   json       src/Server/Api/StructJson.cs
#   wire       the DOM-free transcoders (src/Server/Api/Wire/*.cs, src/Server/Storage/SystemProperties.cs)
#   client     the client package's token merge and Struct conversion, against the client's tests
# Environment: STRYKER_CONCURRENCY (default 1; the machine's cores are shared), STRYKER_REPORTERS.
# Reports: artifacts/mutation/<target>/reports/mutation-report.html; the score of each file is printed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet tool restore >/dev/null

concurrency="${STRYKER_CONCURRENCY:-1}"
reporters="${STRYKER_REPORTERS:-html json cleartext}"

# The fast server tests: unit, gRPC API (in-process server) and consistency (a real redis-server).
# The process, end-to-end and Cosmos tests add minutes per mutant and nothing these files need.
server_tests="FullyQualifiedName~DocStore.Server.Tests.Unit|FullyQualifiedName~DocStore.Server.Tests.Api|FullyQualifiedName~DocStore.Server.Tests.Consistency"

run() {
  local target="$1" test_project="$2" project="$3" filter="$4"
  shift 4
  local mutate=()
  for glob in "$@"; do mutate+=(--mutate "$glob"); done
  local reporter_args=()
  for reporter in $reporters; do reporter_args+=(--reporter "$reporter"); done
  local output="$root/artifacts/mutation/$target"
  rm -rf "$output"
  echo "== stryker: $target ($*)"
  (cd "$(dirname "$test_project")" && dotnet stryker \
    --project "$project" --test-project "$(basename "$test_project")" \
    --configuration Release --concurrency "$concurrency" \
    ${filter:+--test-case-filter "$filter"} \
    "${mutate[@]}" "${reporter_args[@]}" --output "$output")
  report_scores "$output/reports/mutation-report.json"
}

# Per file: killed (and timed-out) mutants over all mutants that compile and are covered or not.
report_scores() {
  [ -f "$1" ] || return 0
  node -e '
    const report = require(process.argv[1]);
    for (const [file, { mutants }] of Object.entries(report.files)) {
      const count = s => mutants.filter(m => m.status === s).length;
      const detected = count("Killed") + count("Timeout");
      const valid = detected + count("Survived") + count("NoCoverage");
      const score = valid ? (100 * detected / valid).toFixed(1) : "n/a";
      console.log(`score ${score} %  ${detected}/${valid}  ${file.replace(process.argv[2] + "/", "")}`);
    }' "$1" "$root" | tee -a "$root/artifacts/mutation/scores.txt"
}

targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=(server client)
server_test_project=tests/DocStore.Server.Tests/DocStore.Server.Tests.csproj
mkdir -p artifacts/mutation
for target in "${targets[@]}"; do
  case "$target" in
    server) run server "$server_test_project" DocStore.Server.csproj "$server_tests" \
      "**/SessionToken.cs" "**/Embedded/JsonPatcher.cs" "**/Api/RequestValidator.cs" "**/Api/StructJson.cs" ;;
    tokens) run tokens "$server_test_project" DocStore.Server.csproj "$server_tests" "**/SessionToken.cs" ;;
    patcher) run patcher "$server_test_project" DocStore.Server.csproj "$server_tests" "**/Embedded/JsonPatcher.cs" ;;
    validator) run validator "$server_test_project" DocStore.Server.csproj "$server_tests" "**/Api/RequestValidator.cs" ;;
    json) run json "$server_test_project" DocStore.Server.csproj "$server_tests" "**/Api/StructJson.cs" ;;
    wire) run wire "$server_test_project" DocStore.Server.csproj "$server_tests" "**/Api/Wire/*.cs" "**/Storage/SystemProperties.cs" ;;
    client) run client tests/DocStore.Client.Tests/DocStore.Client.Tests.csproj DocStore.Client.csproj "" \
      "**/SessionToken.cs" "**/SessionTokens.cs" "**/Internal/StructJson.cs" ;;
    *) echo "unknown target '$target' (server, client, tokens, patcher, validator, json, wire)" >&2; exit 2 ;;
  esac
done
