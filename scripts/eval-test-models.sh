#!/usr/bin/env bash
# The distribution family on test-models/: greedy answers of every model to
# test-models/probes.jsonl, cross-scores, then `lineage compare --scores`
# for both students and the independent models against the teacher, and
# `lineage weights` on the same pairs when that command exists.
#
#   scripts/eval-test-models.sh [OUT_DIR]    (default: out/eval-test-models)
#
# Uses `lineage probe` / `lineage score` (runner branch) when present, else
# the development stand-ins `lineage-train sample` / `lineage-train score`
# (same record formats).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/eval-test-models}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${LINEAGE_TRAIN:-}" ]; then cargo build --release --bin lineage-train --bin lineage; fi
T=${LINEAGE_TRAIN:-$CARGO_TARGET_DIR/release/lineage-train}
L=${LINEAGE:-$CARGO_TARGET_DIR/release/lineage}
M=test-models
PANEL="ref-1 ref-2 ref-3 ref-4 ref-5 ref-6"
SUSPECTS="student-hard student-soft independent independent-same-prompts finetuned"
mkdir -p "$OUT/resp" "$OUT/scores"
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}

have() { "$L" "$1" --help >/dev/null 2>&1; }
respond() { # respond MODEL
  if have probe; then
    "$L" --quiet probe --model "$M/$1" --probes "$M/probes.jsonl" --max-new-tokens 96 --out "$OUT/resp/$1.jsonl"
  else
    "$T" sample --model "$M/$1" --prompts "$M/probes.jsonl" --temperature 0 --name "$1" --out "$OUT/resp/$1.jsonl" 2>/dev/null
  fi
}
score() { # score SCORER RESPONDER TOPK
  local out="$OUT/scores/$1__$2.jsonl"
  if have score; then
    local topk=(); [ "$3" -gt 0 ] && topk=(--top-logprobs "$3")
    "$L" --quiet score --model "$M/$1" --responses "$OUT/resp/$2.jsonl" "${topk[@]}" --out "$out"
  else
    "$T" score --model "$M/$1" --name "$1" --responses "$OUT/resp/$2.jsonl" --responder "$2" --top-logprobs "$3" --out "$out"
  fi
}

for m in teacher $PANEL $SUSPECTS; do respond "$m" & done; wait
for x in teacher $PANEL $SUSPECTS; do
  for y in teacher $PANEL; do
    [ "$x" = "$y" ] && [ "$x" != teacher ] && continue
    k=0; [ "$y" = teacher ] && k=10
    score "$x" "$y" "$k" &
  done
  wait
done

refs=(); for r in $PANEL; do refs+=(--reference "$OUT/resp/$r.jsonl"); done
for s in $SUSPECTS; do
  files=("$OUT/scores/$s"__*.jsonl "$OUT/scores/teacher__teacher.jsonl")
  for r in $PANEL; do files+=("$OUT/scores/$r"__*.jsonl); done
  "$L" --quiet compare "$OUT/resp/$s.jsonl" --teacher "$OUT/resp/teacher.jsonl" "${refs[@]}" \
    --scores "${files[@]}" --out "$OUT/compare-$s" || true
  if have weights; then
    "$L" --quiet weights "$M/$s" "$M/teacher" --out "$OUT/weights-$s" | sed 's/^/  weights: /' || true
  fi
done
