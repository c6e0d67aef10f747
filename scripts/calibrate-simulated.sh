#!/usr/bin/env bash
# Fits calibrations/simulated.json, the likelihood-ratio calibration of the
# README demo, on a simulated corpus of known lineage:
#
#   scripts/calibrate-simulated.sh [OUT_DIR]
#
# `lineage simulate --seed 3 --probes 200` is the generator of the example
# data (examples/data); with more students and independents it writes the
# same teachers and the same panel, byte for byte, so the calibration
# applies to the example comparison. The example's own models (student-a1,
# student-b1, indep-1) are left out of the known cases, so the demo is a
# model the calibration has not seen. Uses $LINEAGE if set, else builds the
# release binary. SHIP=0 leaves calibrations/ untouched.
set -euo pipefail
out=${1:-$(mktemp -d)}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="$here/target/release/lineage"
fi
data=$out/data
"$LINEAGE" --quiet simulate --seed 3 --probes 200 --students-per-teacher 15 --independents 15 --out "$data"
for f in teacher-a.jsonl teacher-b.jsonl; do
  cmp -s "$data/$f" "$here/examples/data/$f" || { echo "$f differs from examples/data" >&2; exit 1; }
done
grep -v -E '^(student-a1|student-b1|indep-1)\b' "$data/MANIFEST.tsv" > "$data/labels.tsv"
"$LINEAGE" calibrate --labels "$data/labels.tsv" \
  --teacher "$data/teacher-a.jsonl" --teacher "$data/teacher-b.jsonl" \
  --reference "$data/panel" --out "$out/cal"
if [ "${SHIP:-1}" = 1 ]; then
  mkdir -p "$here/calibrations"
  cp "$out/cal/calibration.json" "$here/calibrations/simulated.json"
  echo "wrote $here/calibrations/simulated.json"
fi
