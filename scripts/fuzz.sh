#!/usr/bin/env bash
# Fuzzes one parser with AFL++ and SharpFuzz (docs/RELIABILITY.md):
#   bash scripts/fuzz.sh TARGET SECONDS
# TARGET: capture | packet | event | ids-rules | firewall-rules | chain (tests/AzNf.Fuzz).
# Installs AFL++ (Debian package) and the SharpFuzz instrumenter (dotnet tool) when missing,
# builds the harness, instruments the parsers' assemblies, starts from the stored corpus
# (tests/TestData/fuzz/TARGET: seeds, queue/ from earlier runs) and prints executions, coverage
# and crashes. What the run adds to the queue goes into TARGET/queue/, every crash and hang into
# TARGET/found/ (named by content hash), where FuzzCorpusTests replays them in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz.sh TARGET SECONDS}
seconds=${2:?usage: fuzz.sh TARGET SECONDS}
corpus="tests/TestData/fuzz/$target"
[ -d "$corpus" ] || { echo "fuzz.sh: no corpus for target '$target' in $corpus" >&2; exit 64; }

if ! command -v afl-fuzz >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
tools=${AZNF_TOOLS_DIR:-$HOME/.cache/aznf}/sharpfuzz-2.3.0
[ -x "$tools/sharpfuzz" ] || dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null

work=${AZNF_FUZZ_DIR:-/tmp/aznf-fuzz}/$target
rm -rf "$work"
mkdir -p "$work"
dotnet build tests/AzNf.Fuzz -c Release -o "$work/bin" -v q -nologo >/dev/null
# Instrument the code under test (not the harness, not the framework): AFL's coverage map.
for assembly in AzNf.Packets AzNf.NetworkFunctions AzNf.Ingest AzNf.Partitions; do
  "$tools/sharpfuzz" "$work/bin/$assembly.dll" >/dev/null
done

# AFL reads one flat folder: the seeds and every stored queue entry.
mkdir -p "$work/in"
find "$corpus" -type f -exec sh -c 'cp "$1" "$2/$(sha256sum "$1" | cut -c1-16)"' _ {} "$work/in" \;

# The dotnet host is not compiled with AFL: coverage comes from the instrumented assemblies.
export AFL_SKIP_BIN_CHECK=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1
afl-fuzz -V "$seconds" -t 10000 -m none -i "$work/in" -o "$work/findings" -- dotnet "$work/bin/aznf-fuzz.dll" "$target" >"$work/afl.log" 2>&1 || {
  echo "fuzz.sh: afl-fuzz failed; the last lines of $work/afl.log:" >&2; tail -20 "$work/afl.log" >&2; exit 70; }

stats="$work/findings/default/fuzzer_stats"
value() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(find "$work/findings/default/crashes" -type f -name 'id:*' | wc -l)
hangs=$(find "$work/findings/default/hangs" -type f -name 'id:*' | wc -l)
echo "$target: $(value run_time) s, $(value execs_done) executions ($(value execs_per_sec)/s), corpus $(value corpus_count) inputs, coverage $(value bitmap_cvg), crashes $crashes, hangs $hangs"
mkdir -p "$corpus/queue"
for entry in "$work"/findings/default/queue/id:*; do
  cp "$entry" "$corpus/queue/$(sha256sum "$entry" | cut -c1-16)"
done
echo "queue: $(find "$corpus/queue" -type f | wc -l) inputs in $corpus/queue"
if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
  mkdir -p "$corpus/found"
  for found in "$work"/findings/default/{crashes,hangs}/id:*; do
    [ -f "$found" ] && cp "$found" "$corpus/found/$(basename "$(dirname "$found")")-$(sha256sum "$found" | cut -c1-12)"
  done
  echo "copied to $corpus/found/; replay one with: dotnet $work/bin/aznf-fuzz.dll $target FILE"
fi
