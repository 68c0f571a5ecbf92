#!/usr/bin/env bash
# Fails when src/generated/ differs from what codegen makes of schema/ now.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r src/generated "$tmp/before"
npx graphql-codegen --config codegen.yml >/dev/null
if ! diff -ru "$tmp/before" src/generated; then
  cp -r "$tmp/before/." src/generated/
  echo "codegen:check: src/generated is stale; run 'npm run codegen' and commit the result." >&2
  exit 1
fi
echo "codegen:check: src/generated is up to date."
