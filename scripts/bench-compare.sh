#!/usr/bin/env bash
# Whole-process timing of one `lineage compare`: a student against the 5
# candidate teachers with the 10-model panel (805 probes), as in issue
# "Text-only forensic comparison". Prints each run's wall time, user and
# system time and peak RSS from /usr/bin/time, then the median wall time.
#
# GAP=SECONDS idles that long before each run. On a virtual machine whose
# host takes back free guest memory, a run started within a second or two
# of the last one reuses its still-backed pages, and runs back to back
# alternate between fast and slow first touches; a gap of 5 s measures
# what a user who runs one comparison sees (docs/benchmarks.md).
#
# Usage: [GAP=5] scripts/bench-compare.sh DATA_DIR [RUNS] [STUDENT]
set -euo pipefail
data=${1:?usage: scripts/bench-compare.sh DATA_DIR [RUNS] [STUDENT]}
runs=${2:-5}
student=${3:-vicuna-13b}
if [ ! -f "$data/candidate-teachers.tsv" ]; then
  echo "bench-compare: $data is not the AlpacaEval folder; skipping" >&2
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
LINEAGE=${LINEAGE:-$here/target/release/lineage}
[ -x "$LINEAGE" ] || cargo build --release --quiet --manifest-path "$here/Cargo.toml"
args=("$data/$student.json")
while IFS=$'\t' read -r m _; do [ -n "$m" ] && args+=(--teacher "$data/$m.json"); done < "$data/candidate-teachers.tsv"
while read -r m; do [ -n "$m" ] && args+=(--reference "$data/$m.json"); done < "$data/reference-panel.txt"
out=$(mktemp -d)
walls=()
for i in $(seq "$runs"); do
  sleep "${GAP:-0}"
  /usr/bin/time -f "%e %U %S %M" -o "$out/t" "$LINEAGE" --quiet compare "${args[@]}" --out "$out/r" > /dev/null
  read -r wall user sys rss < "$out/t"
  echo "run $i: wall ${wall}s user ${user}s sys ${sys}s peak_rss ${rss}KB"
  walls+=("$wall")
done
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {print "median_wall_seconds=" a[int((NR+1)/2)]}'
