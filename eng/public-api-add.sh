#!/usr/bin/env bash
# Appends to a project's PublicAPI.Unshipped.txt the symbols its build reports as undeclared (RS0016), in the
# analyzer's own format, for review in the diff. Usage: eng/public-api-add.sh src/ClientSdk
set -euo pipefail
project="$1"
dotnet build "$project" -c Release --nologo -v q 2>&1 \
  | grep -oP "error RS0016: Symbol '\K.*(?=' is not part of the declared public API)" | sort -u >> "$project/PublicAPI.Unshipped.txt" || true
dotnet build "$project" -c Release --nologo -v q 2>&1 | grep -E ' error ' | sort -u || true
