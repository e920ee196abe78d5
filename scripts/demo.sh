#!/usr/bin/env bash
# Sets up mami-audit in .venv and runs it on the bundled, deliberately flawed example
# project: first the audit, then the fixes it would make (shown as a diff; nothing is written).
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh --audit || exit 1
example=examples/legacy-mami

printf '\n==> mami-audit check %s\n' "$example"
.venv/bin/mami-audit check "$example"
status=$?
if [ $status -gt 1 ]; then
  echo "mami-audit failed (exit $status)" >&2
  exit $status
fi

printf '\n==> mami-audit check --diff %s (what --fix would change; nothing is written)\n' "$example"
.venv/bin/mami-audit check --diff "$example"
[ $? -le 1 ] || exit 1
printf '\n==> mami-audit cleanup %s (the cleanup plan; --apply is never run here)\n' "$example"
.venv/bin/mami-audit cleanup "$example"
[ $? -le 1 ] || exit 1

printf '\n==> mami-audit report %s (readiness per spec criterion)\n' "$example"
.venv/bin/mami-audit report "$example"
[ $? -le 1 ] || exit 1
printf '\nThe example is flawed on purpose: findings above are expected (exit %s).\n' "$status"
