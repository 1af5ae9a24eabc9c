#!/usr/bin/env bash
# The durable path's benchmark (docs/PERFORMANCE.md, "Durable runtime at scale"). Not a test: it
# takes minutes and its numbers depend on the machine. Run from anywhere:
#   bash scripts/bench-durable.sh [sustained|mixed|table|all] [extra aznf run options...]
# sustained: marginal rate between a ~30 MB and a ~300 MB bulk capture (fixed costs cancel out)
# mixed:     the same between 3,000- and 30,000-flow mixed captures (many short flows)
# table:     granularity (packet / flowlet / batch) x mode (fused / staged) on smaller captures
# Every run prints aznf's own summary (latency, requests per 1,000 packets, bytes to storage).
# Captures are generated once into $AZNF_BENCH_DIR (default /tmp/aznf-bench).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}; shift || true
dotnet build tools/AzNf.Cli -c Release -v q -nologo >/dev/null
A=(dotnet tools/AzNf.Cli/bin/Release/net10.0/aznf.dll)
dir=${AZNF_BENCH_DIR:-/tmp/aznf-bench}
mkdir -p "$dir"

gen() { # name, gen options...
  [ -f "$dir/$1.pcap" ] || "${A[@]}" gen --out "$dir/$1.pcap" "${@:2}" >/dev/null
  echo "$dir/$1.pcap"
}

# One durable run: prints "<wall s> <packets> <bytes> <requests>" on stdout, aznf's summary on stderr.
run() {
  local capture=$1; shift
  local out; out=$(mktemp)
  local start end
  start=$(date +%s.%N)
  "${A[@]}" run --capture "$capture" --runtime durable --report "$out.json" "$@" 2>"$out" >/dev/null
  end=$(date +%s.%N)
  grep -E '^(batch|flowlet|flow|packet)/|^storage:' "$out" | sed 's/^/    /' >&2
  python3 - "$out" "$out.json" "$start" "$end" <<'PY'
import json, re, sys
log, report, start, end = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), float(sys.argv[3]), float(sys.argv[4])
requests = int(re.search(r"storage: (\d+) requests", log).group(1))
print(f"{end - start:.2f} {report['totals']['packets']} {report['totals']['bytes']} {requests}")
PY
  rm -f "$out" "$out.json"
}

marginal() { # label, small capture, big capture, run options...
  local label=$1 small=$2 big=$3; shift 3
  echo "== $label: $(basename "$small") vs $(basename "$big") $*" >&2
  local s b
  s=$(run "$small" "$@"); b=$(run "$big" "$@")
  python3 - "$label" $s $b <<'PY'
import sys
label = sys.argv[1]
ts, ps, bs, rs, tb, pb, bb, rb = map(float, sys.argv[2:])
mbps = (bb - bs) * 8 / (tb - ts) / 1e6
print(f"{label}: small {bs/1e6:.1f} MB in {ts:.1f} s ({bs*8/ts/1e6:.1f} Mbps), big {bb/1e6:.1f} MB in {tb:.1f} s ({bb*8/tb/1e6:.1f} Mbps); "
      f"sustained (marginal) {mbps:.1f} Mbps, {(pb-ps)/(tb-ts):.0f} packets/s; fixed cost {ts - bs*8/(mbps*1e6):.1f} s; "
      f"requests per 1,000 packets: small {rs*1000/ps:.1f}, big {rb*1000/pb:.1f}, marginal {(rb-rs)*1000/(pb-ps):.1f}")
PY
}

if [ "$what" = sustained ] || [ "$what" = all ]; then
  small=$(gen bulk-200 --flows 200 --seed 21 --attack-every 0 --ipv6-share 0 --response-bytes 400000)
  big=$(gen bulk-2000 --flows 2000 --seed 22 --attack-every 0 --ipv6-share 0 --response-bytes 400000)
  marginal "bulk" "$small" "$big" "$@"
fi
if [ "$what" = mixed ] || [ "$what" = all ]; then
  small=$(gen mixed-3000 --flows 3000 --seed 31)
  big=$(gen mixed-30000 --flows 30000 --seed 32)
  marginal "mixed" "$small" "$big" "$@"
fi
if [ "$what" = table ] || [ "$what" = all ]; then
  bulk=$(gen bulk-16 --flows 16 --seed 3 --attack-every 0 --ipv6-share 0 --response-bytes 400000)
  for granularity in batch flowlet; do
    for mode in fused staged; do
      echo "== table: bulk-16 $granularity/$mode" >&2
      run "$bulk" --granularity "$granularity" --mode "$mode" --partitions 2 "$@" >/dev/null
    done
  done
  for mode in fused staged; do
    echo "== table: sample packet/$mode" >&2
    run samples/captures/http-loopback.pcapng --granularity packet --mode "$mode" --partitions 2 "$@" >/dev/null
  done
fi
