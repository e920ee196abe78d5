#!/usr/bin/env bash
# Sets up everything (scripts/setup.sh) and runs the whole test suite: mami-audit's and the
# backend's pytest suites, the frontend's unit tests, the browser tests in headless Chromium,
# and mami-audit on this repository, which must report nothing.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh || exit 1

failed=()
passed=0
run() {
  local name=$1; shift
  printf '\n==> %s\n' "$name"
  "$@"
  local status=$?
  # pytest exits 5 when it collected no test: that is a failure here, never a pass.
  if [ $status -eq 0 ]; then passed=$((passed + 1)); else failed+=("$name (exit $status)"); fi
}

run "pytest" .venv/bin/python -m pytest "$@"
run "frontend unit tests (vitest)" npm --prefix frontend test
run "frontend browser tests (Chromium)" npm --prefix frontend run test:e2e
run "mami-audit on this repository" .venv/bin/mami-audit check .

printf '\n'
if [ ${#failed[@]} -gt 0 ]; then
  printf 'FAILED: %s\n' "${failed[@]}"
fi
echo "suites: $passed passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
