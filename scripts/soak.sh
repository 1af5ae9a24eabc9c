#!/usr/bin/env bash
# The durable runtime under continuous load (docs/RELIABILITY.md, "Soak"): feeds generated traffic
# through the local log for MINUTES and samples the process every 10 s into DIR/soak.csv and a
# chart, DIR/soak.svg; the last line says whether RSS still grows and throughput held.
#   bash scripts/soak.sh MINUTES [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: soak.sh MINUTES [DIR]}
out=${2:-soak}
dotnet build tools/AzNf.Cli -c Release -v q -nologo >/dev/null
dotnet tools/AzNf.Cli/bin/Release/net10.0/aznf.dll soak --minutes "$minutes" --out "$out"
