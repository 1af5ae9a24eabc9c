#!/usr/bin/env bash
# Runs every test. Installs what the tests need first (Suricata 7 and tshark as oracles, the
# Bicep CLI from NuGet), so a fresh machine with the .NET SDK and Node.js needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-oracles.sh
# Bicep: build and lint the deployment; any diagnostic at all fails the run.
bash scripts/check-bicep.sh
dotnet restore AzNf.sln
dotnet build AzNf.sln --no-restore -c Release
log=$(mktemp)
set +e
dotnet test AzNf.sln --no-build -c Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over all test projects, in the form CI reads.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
