#!/usr/bin/env bash
# npm test: set up what is missing, then the type check, every vitest suite and every notebook.
# Ends with one line "N passed, N failed" counting vitest tests + the type check + each notebook.
set -uo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
bash scripts/setup.sh --test || exit 1
source scripts/env.sh
mkdir -p build
passed=0 failed=0

echo "== type check (tsc --noEmit over lib/, tests/, bench/, scripts/)"
if node node_modules/typescript/bin/tsc -p tsconfig.json; then passed=$((passed + 1)); echo "type check ok"; else failed=$((failed + 1)); echo "type check FAILED"; fi

echo "== unit tests (vitest)"
rm -f build/vitest.json
node_modules/.bin/vitest run --reporter=default --reporter=json --outputFile.json=build/vitest.json
vitest_rc=$?
if [ -f build/vitest.json ]; then
  read -r vp vf < <(node -e "const r=require('./build/vitest.json'); console.log(r.numPassedTests, r.numFailedTests + (r.numTotalTestSuites && r.testResults.filter(t=>t.status==='failed' && t.assertionResults.length===0).length))")
  passed=$((passed + vp)); failed=$((failed + vf))
  [ "$vitest_rc" -ne 0 ] && [ "$vf" -eq 0 ] && failed=$((failed + 1))
else
  echo "vitest wrote no results"; failed=$((failed + 1))
fi

echo "== notebooks (jupyter nbconvert --execute)"
bash scripts/run-notebooks.sh
read -r np nf < build/notebooks/summary.txt
passed=$((passed + np)); failed=$((failed + nf))

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
