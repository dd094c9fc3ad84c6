#!/usr/bin/env bash
# Installs what the tests need, lints the contract, then runs every test in Release.
# Usage: eng/test.sh [extra dotnet test arguments]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Node packages pinned in package-lock.json: buf (lint, and buf curl for the README walk-through).
if ! command -v npm >/dev/null 2>&1; then
  echo "eng/test.sh: npm is required (Node.js 20 or later)" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/buf ] || ! node_modules/.bin/buf --version >/dev/null 2>&1; then
  npm ci --no-audit --no-fund
fi

echo "== buf lint protos/"
(cd protos && ../node_modules/.bin/buf lint)

echo "== dotnet test (Release)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet test DocStore.sln -c Release --logger "console;verbosity=normal" "$@"
