#!/usr/bin/env bash
# Sets up everything mami-audit and the reference project need on this machine:
# system packages (as root, through apt-get), the Python virtualenv .venv with mami-audit,
# the app's requirements and the test tools, and the frontend's node_modules (npm ci).
#
#   bash scripts/setup.sh          # everything
#   bash scripts/setup.sh --audit  # only what the mami-audit command needs
set -euo pipefail
cd "$(dirname "$0")/.."

only_audit=false
[ "${1:-}" = "--audit" ] && only_audit=true

step() { printf '\n==> %s\n' "$*"; }

python_bin=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  step "Creating the virtualenv .venv ($($python_bin --version))"
  "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip

if $only_audit; then
  step "Installing mami-audit into .venv"
  .venv/bin/pip install --quiet -e .
  exit 0
fi

# System packages the tests run for real: redis-server, promtool (prometheus), nginx,
# chromium, git.
missing=()
for pair in redis-server:redis-server promtool:prometheus nginx:nginx-light chromium:chromium git:git; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing system packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) and run again." >&2
    exit 1
  fi
  step "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "Installing mami-audit, the app's requirements and the test tools into .venv"
.venv/bin/pip install --quiet -e ".[test]" -r requirements.txt -r requirements-dev.txt
.venv/bin/pip check
bash scripts/fetch_junit_schema.sh  # the JUnit schema the readiness report is validated against

step "Installing the frontend's packages (npm ci)"
npm --prefix frontend ci --no-audit --no-fund --loglevel=error

step "Installing the peer tools the tests and benchmarks compare with (dclint, syncpack; npm ci in benchmarks/)"
npm --prefix benchmarks ci --no-audit --no-fund --loglevel=error
