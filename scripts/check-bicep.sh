#!/usr/bin/env bash
# Builds and lints infra-bicep/main.bicep with the pinned Bicep CLI and fails on ANY diagnostic.
# The Bicep CLI exits 0 when it only has warnings (linter rules, BCP081 unknown API versions,
# type mismatches it cannot prove), so the exit code alone would let them through: this script
# treats every line the CLI prints as a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bicep=$(bash scripts/install-bicep.sh)
out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

status=0
run_quiet() {
  # Captures stdout and stderr together; a non-zero exit or any output fails the check.
  local label=$1; shift
  local output
  if ! output=$("$@" 2>&1); then
    echo "check-bicep: '$label' exited non-zero" >&2
    status=1
  fi
  if [[ -n "$output" ]]; then
    echo "check-bicep: '$label' printed diagnostics:" >&2
    echo "$output" >&2
    status=1
  fi
}

run_quiet "bicep build" "$bicep" build infra-bicep/main.bicep --outdir "$out_dir"
run_quiet "bicep lint" "$bicep" lint infra-bicep/main.bicep
if [[ ! -s "$out_dir/main.json" ]]; then
  echo "check-bicep: bicep build wrote no main.json" >&2
  status=1
fi
if [[ $status -eq 0 ]]; then
  echo "check-bicep: infra-bicep/main.bicep builds and lints with zero diagnostics"
fi
exit "$status"
