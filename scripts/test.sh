#!/usr/bin/env bash
# The project's whole test run (what `npm test` and CI execute, inside scripts/with-services.sh):
# compile, typecheck, lint, format check, unused/unlisted dependencies and unused files (knip), check
# that the committed action bundles are fresh, then every vitest test.
# Ends with a plain "N passed, N failed, N skipped" line.
set -uo pipefail
cd "$(dirname "$0")/.."
report="$(mktemp -d)/vitest.json"
step() { printf '\n== %s\n' "$*"; }

step "compile (tsc -b)"
npm run --silent build || exit 1
step "typecheck (tsc --noEmit, strict)"
npm run --silent typecheck || exit 1
step "lint (eslint)"
npm run --silent lint || exit 1
step "format (prettier --check)"
npx prettier --check --log-level warn . || { echo "run: npm run format"; exit 1; }
step "dependencies and files (knip: unused/unlisted dependencies, unused files; knip.jsonc)"
npx knip --no-progress || exit 1
step "action bundles are fresh"
node scripts/bundle.mjs --check || exit 1
node scripts/action-docs.mjs --check || exit 1
step "tests (vitest)"
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
if [ -f "$report" ]; then
  node -e '
    const r = require(process.argv[1]);
    const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
    console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$report"
fi
exit $status
