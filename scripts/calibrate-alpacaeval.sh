#!/usr/bin/env bash
# Fits the shipped likelihood-ratio calibration calibrations/alpacaeval.json
# from the labelled AlpacaEval models (read at run time, never copied):
#
#   scripts/calibrate-alpacaeval.sh ../shared/data [OUT_DIR]
#
# DATA_ROOT holds alpacaeval/ (candidate-teachers.tsv, reference-panel.txt,
# labels-dev.tsv and the model files) and alpacaeval-calibration/
# (labels-calibration.tsv and its model files). Every labelled model is
# compared with the five candidates against the ten-model panel; the
# calibration is validated leave-one-model-out (figures in OUT_DIR/
# calibration.md, docs/benchmarks.md). Meta's own chat models are declared
# related to llama-2-70b-chat-hf (shared/README.md), the `openai-mixed`
# label matches GPT-3.5 and GPT-4. Uses $LINEAGE if set, else builds the
# release binary. Set SHIP=0 to leave calibrations/ untouched.
set -euo pipefail
root=${1:?usage: scripts/calibrate-alpacaeval.sh DATA_ROOT [OUT_DIR]}
out=${2:-$(mktemp -d)}
data=$root/alpacaeval
cal=$root/alpacaeval-calibration
if [ ! -f "$data/labels-dev.tsv" ] || [ ! -f "$cal/labels-calibration.tsv" ]; then
  echo "calibrate-alpacaeval: $root lacks the labelled AlpacaEval data; skipping" >&2
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="$here/target/release/lineage"
fi
args=()
while IFS=$'\t' read -r model family; do
  [ -n "$model" ] && args+=(--teacher "$data/$model.json")
done < "$data/candidate-teachers.tsv"
while read -r model; do
  [ -n "$model" ] && args+=(--reference "$data/$model.json")
done < "$data/reference-panel.txt"
for m in llama-2-7b-chat-hf Meta-Llama-3-8B-Instruct Meta-Llama-3-70B-Instruct; do
  args+=(--related "$m=llama-2-70b-chat-hf")
done
"$LINEAGE" calibrate --labels "$data/labels-dev.tsv" "$cal/labels-calibration.tsv" \
  --families "$data/candidate-teachers.tsv" --alias openai-mixed=openai-gpt-3.5,openai-gpt-4 --same-vendor-related \
  "${args[@]}" --out "$out"
if [ "${SHIP:-1}" = 1 ]; then
  mkdir -p "$here/calibrations"
  cp "$out/calibration.json" "$here/calibrations/alpacaeval.json"
  echo "wrote $here/calibrations/alpacaeval.json"
fi
