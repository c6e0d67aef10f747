#!/usr/bin/env bash
# The distribution family on test-models/: greedy answers of every model to
# test-models/probes.jsonl, cross-scores, then `lineage compare --scores`
# for both students and the independent models against the teacher, and
# `lineage weights` on the same pairs.
#
#   scripts/eval-test-models.sh [OUT_DIR]    (default: out/eval-test-models)
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-out/eval-test-models}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
if [ -z "${LINEAGE:-}" ]; then cargo build --release --bin lineage; fi
L=${LINEAGE:-$CARGO_TARGET_DIR/release/lineage}
M=test-models
PANEL="ref-1 ref-2 ref-3 ref-4 ref-5 ref-6"
SUSPECTS="student-hard student-soft independent independent-same-prompts finetuned"
mkdir -p "$OUT/resp" "$OUT/scores"
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}

respond() { # respond MODEL
  "$L" --quiet probe --model "$M/$1" --probes "$M/probes.jsonl" --max-new-tokens 96 --out "$OUT/resp/$1.jsonl"
}
score() { # score SCORER RESPONDER TOPK
  local out="$OUT/scores/$1__$2.jsonl"
  local topk=(); [ "$3" -gt 0 ] && topk=(--top-logprobs "$3")
  "$L" --quiet score --model "$M/$1" --responses "$OUT/resp/$2.jsonl" "${topk[@]}" --out "$out"
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
  "$L" --quiet weights "$M/$s" "$M/teacher" --out "$OUT/weights-$s" | sed 's/^/  weights: /' || true
done
