#!/usr/bin/env bash
# Peer benchmark: AzNf's IDS stage and full chain against Suricata 7 on the same capture and
# the same 1,000 content rules, both single-threaded (AzNf --partitions 1 --inline; Suricata
# --runmode single, -k none); then the `et` chain: the pinned ET Open subset (the rules AzNf
# loads, so both engines run the same set) with app-layer parsing on for both, over the same
# HTTP traffic. Each tool's time on a one-flow capture (start-up, rule loading) is subtracted so
# the ratio compares packet processing. Results go to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
flows=${FLOWS:-30000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash scripts/install-oracles.sh >/dev/null
dotnet build -c Release tools/AzNf.Cli >/dev/null
aznf=(dotnet tools/AzNf.Cli/bin/Release/net10.0/aznf.dll)
"${aznf[@]}" bench --emit "$work/chains" >/dev/null
"${aznf[@]}" gen --out "$work/peer.pcap" --flows "$flows" --seed 3 >/dev/null
"${aznf[@]}" gen --out "$work/one.pcap" --flows 1 --seed 3 >/dev/null
read -r packets bytes < <(tshark -r "$work/peer.pcap" -T fields -e frame.len 2>/dev/null | awk '{ n++; s += $1 } END { print n, s }')

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N); echo "$end - $start" | bc -l; }
best() { local best=999999 t; for _ in 1 2 3; do t=$(seconds "$@"); best=$(echo "if ($t < $best) $t else $best" | bc -l); done; echo "$best"; }
suricata_run() { rm -rf "$work/suri"; mkdir -p "$work/suri"; suricata -c tests/TestData/suricata/aznf-oracle.yaml --runmode single -k none -r "$1" -S "$work/chains/ids-1000.rules" -l "$work/suri" --set 'vars.address-groups.HOME_NET=[10.0.0.0/8]'; }
aznf_run() { "${aznf[@]}" run --capture "$1" --chain "$work/chains/bench-$2.json" --partitions 1 --inline --quiet; }

echo "capture: $flows flows, $packets packets, $bytes bytes"
suricata_base=$(best suricata_run "$work/one.pcap"); suricata_full=$(best suricata_run "$work/peer.pcap")
suricata_net=$(echo "$suricata_full - $suricata_base" | bc -l)
for chain in ids-1000 full; do
  base=$(best aznf_run "$work/one.pcap" "$chain"); full=$(best aznf_run "$work/peer.pcap" "$chain")
  net=$(echo "$full - $base" | bc -l)
  printf '%-9s aznf %.3f s (%.0f Mbps, %.2f Mpps)  suricata %.3f s (%.0f Mbps)  aznf/suricata throughput %.2fx\n' "$chain" \
    "$net" "$(echo "$bytes * 8 / $net / 1000000" | bc -l)" "$(echo "$packets / $net / 1000000" | bc -l)" \
    "$suricata_net" "$(echo "$bytes * 8 / $suricata_net / 1000000" | bc -l)" "$(echo "$suricata_net / $net" | bc -l)"
done

# ET Open: addresses any (as in the oracle tests), Suricata's stock port groups.
et_vars=(HOME_NET=any EXTERNAL_NET=any HTTP_SERVERS=any SMTP_SERVERS=any SQL_SERVERS=any DNS_SERVERS=any TELNET_SERVERS=any
  AIM_SERVERS=any DC_SERVERS=any HTTP_PORTS=80 SHELLCODE_PORTS='!80' ORACLE_PORTS=1521 SSH_PORTS=22 FILE_DATA_PORTS='[80,110,143]'
  FTP_PORTS=21 DNP3_PORTS=20000 MODBUS_PORTS=502)
var_args=(); set_args=(); json_vars=""
for kv in "${et_vars[@]}"; do
  name=${kv%%=*}; value=${kv#*=}
  var_args+=(--var "$kv")
  group=address-groups; [[ $name == *_PORTS ]] && group=port-groups
  set_args+=(--set "vars.$group.$kv")
  json_vars+="${json_vars:+,}\"$name\": \"$value\""
done
"${aznf[@]}" rules check tests/TestData/et-open/*.rules "${var_args[@]}" --write-loaded "$work/et.rules" | head -1
printf '{ "name": "et", "variables": { %s }, "stages": [ { "name": "ids", "type": "ids", "rules": "et.rules" } ] }\n' "$json_vars" > "$work/bench-et.json"
suricata_et() { rm -rf "$work/suri"; mkdir -p "$work/suri"; suricata -c tests/TestData/suricata/aznf-oracle-http.yaml --runmode single -k none -r "$1" -S "$work/et.rules" -l "$work/suri" "${set_args[@]}"; }
aznf_et() { "${aznf[@]}" run --capture "$1" --chain "$work/bench-et.json" --partitions 1 --inline --quiet; }
# The ET case interleaves the engines (each round: Suricata and AzNf on the one-flow and the full
# capture), so both see the same moments of a noisy VM; best and median of the rounds.
rounds=${ROUNDS:-6}
for _ in $(seq "$rounds"); do
  echo "s1 $(seconds suricata_et "$work/one.pcap")"; echo "sf $(seconds suricata_et "$work/peer.pcap")"
  echo "a1 $(seconds aznf_et "$work/one.pcap")"; echo "af $(seconds aznf_et "$work/peer.pcap")"
done > "$work/et-times"
python3 - "$work/et-times" "$bytes" "$packets" <<'PY'
import statistics, sys
times = {}
for line in open(sys.argv[1]):
    key, value = line.split()
    times.setdefault(key, []).append(float(value))
bytes_, packets = int(sys.argv[2]), int(sys.argv[3])
for name, pick in (("best", min), ("median", statistics.median)):
    aznf = pick(times["af"]) - pick(times["a1"])
    suricata = pick(times["sf"]) - pick(times["s1"])
    print(f"et ({name} of {len(times['af'])} interleaved rounds)  aznf {aznf:.3f} s ({bytes_ * 8 / aznf / 1e6:.0f} Mbps, {packets / aznf / 1e6:.2f} Mpps)"
          f"  suricata {suricata:.3f} s ({bytes_ * 8 / suricata / 1e6:.0f} Mbps)  aznf/suricata throughput {suricata / aznf:.2f}x")
PY
