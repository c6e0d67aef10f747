#!/usr/bin/env bash
# Build the tiny Llama test models of test-models/ from a corpus this script
# generates (no downloaded or copied text). Deterministic: the same commit
# gives the same bytes (seeded init, fixed data order, candle CPU).
#
#   scripts/make-test-models.sh [OUT_DIR]      (default: test-models)
#
# Models (Hugging Face layout: config.json, model.safetensors,
# tokenizer.json, tokenizer_config.json):
#   teacher                   house style 1, hidden 64, 2 layers
#   independent               house style 2, other seeds, same recipe
#   finetuned                 teacher + 300 steps on new data in house style 7
#   student-hard              sequence distillation on the teacher's samples; hidden 48, 3 layers
#   student-soft              KL to the teacher's next-token distributions; hidden 48, 2 layers
#   independent-same-prompts  the students' prompts answered in house style 8; hidden 48
#   ref-1 .. ref-6            reference panel: house styles 3-6, 9, 10; hidden 32, 2 layers
# Derived copies (need `lineage transform`, from the `weights` branch):
#   permuted, teacher-f16, teacher-bf16, teacher-gguf
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-test-models}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
STEPS=${STEPS:-800}
N_DISTILL=${N_DISTILL:-2000}

# LINEAGE_TRAIN / LINEAGE: prebuilt binaries (e.g. on a machine without a
# toolchain); otherwise both are built here in release mode.
if [ -z "${LINEAGE_TRAIN:-}" ]; then
  cargo build --release --bin lineage-train --bin lineage
fi
T=${LINEAGE_TRAIN:-$CARGO_TARGET_DIR/release/lineage-train}
L=${LINEAGE:-$CARGO_TARGET_DIR/release/lineage}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
RECIPES="$WORK/recipes.tsv"
: > "$RECIPES"
TIMES="$WORK/times.tsv"
: > "$TIMES"

note() { printf '%s\t%s\n' "$1" "$2" >> "$RECIPES"; }
timed() { # timed NAME CMD...: run, record wall seconds (log in $WORK/NAME.log)
  local name=$1; shift
  local t0; t0=$(date +%s%N)
  "$@" 2> "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; return 1; }
  local ms=$((($(date +%s%N) - t0) / 1000000))
  printf '%s\t%d.%d\n' "$name" $((ms / 1000)) $((ms % 1000 / 100)) >> "$TIMES"
  tail -n 1 "$WORK/$name.log" >&2
}
# Independent trainings run in parallel, one thread each (candle's CPU
# kernels give the same bytes at any thread count; one thread is fastest
# for models this small).
export RAYON_NUM_THREADS=1
PIDS=()
bg() { "$@" & PIDS+=($!); }
join() { local p; for p in "${PIDS[@]}"; do wait "$p"; done; PIDS=(); }

# --- corpora -------------------------------------------------------------
corpus() { # corpus FILE STYLE PROMPT_SEED N
  "$T" corpus --style "$2" --prompt-seed "$3" --answer-seed "$3" --n "$4" --out "$1"
}
for s in 1 2 3 4 5 6 7 8 9 10; do corpus "$WORK/style$s.jsonl" "$s" $((100 + s)) 3000; done
"$T" corpus --prompt-seed 200 --n "$N_DISTILL" --id-prefix d --out "$WORK/distill-prompts.jsonl"
"$T" corpus --style 8 --prompt-seed 200 --answer-seed 208 --n "$N_DISTILL" --id-prefix d --out "$WORK/same-prompts.jsonl"
# Probes for `lineage probe`: prompts drawn with a seed no model trained on.
"$T" corpus --prompt-seed 999 --n 120 --id-prefix probe- --out "$OUT/probes.jsonl"
note probes.jsonl "lineage-train corpus --prompt-seed 999 --n 120 --id-prefix probe-"

# --- tokenizer -----------------------------------------------------------
mkdir -p "$WORK/tok"
"$T" tokenizer --vocab 384 --out "$WORK/tok" $(for s in 1 2 3 4 5 6 7 8; do echo --corpus "$WORK/style$s.jsonl"; done)

train() { # train NAME SEED ARGS...
  local name=$1 seed=$2; shift 2
  timed "$name" "$T" train --tokenizer "$WORK/tok" --seed "$seed" --out "$OUT/$name" "$@"
}

# --- models --------------------------------------------------------------
# Phase 1: everything trained from scratch on generated corpora.
bg train teacher 1 --corpus "$WORK/style1.jsonl" --hidden 64 --layers 2 --steps "$STEPS"
note teacher "train on house style 1 (3000 examples, prompt seed 101); init seed 1; hidden 64, 2 layers, 4 heads; $STEPS steps, batch 32, AdamW lr 3e-3"
bg train independent 2 --corpus "$WORK/style2.jsonl" --hidden 64 --layers 2 --steps "$STEPS"
note independent "as teacher with house style 2, prompt seed 102, init seed 2"
# Six reference models: the prediction-interval test has m - 1 degrees of
# freedom, and with four the smallest p it can give at a realistic spread
# did not survive Holm over seven families at alpha 0.01. Hidden 32 keeps
# the total under 5 MB.
for r in 1 2 3 4 5 6; do
  s=$((r + 2)); [ "$s" -ge 7 ] && s=$((s + 2))
  bg train "ref-$r" "$s" --corpus "$WORK/style$s.jsonl" --hidden 32 --layers 2 --steps "$STEPS"
  note "ref-$r" "reference panel: house style $s (prompt seed $((100 + s))), init seed $s, hidden 32, 2 layers, $STEPS steps"
done
bg train independent-same-prompts 13 --corpus "$WORK/same-prompts.jsonl" --hidden 48 --layers 2 --steps "$STEPS"
note independent-same-prompts "the students' $N_DISTILL prompts (seed 200) answered in house style 8; init seed 13; hidden 48, 2 layers, $STEPS steps"
join

# Phase 2: from the teacher.
bg train finetuned 7 --init "$OUT/teacher" --corpus "$WORK/style7.jsonl" --steps 300 --lr 1e-3
note finetuned "teacher + 300 steps (lr 1e-3, data order seed 7) on new data: house style 7, prompt seed 107"
# Sequence distillation data: the teacher's sampled answers (temperature 1).
bg timed teacher-samples "$T" sample --model "$OUT/teacher" --prompts "$WORK/distill-prompts.jsonl" \
  --temperature 1.0 --seed 5 --name teacher --out "$WORK/teacher-samples.jsonl"
join

# Phase 3: the students (own initialisation, other width or depth).
bg train student-hard 11 --corpus "$WORK/teacher-samples.jsonl" --hidden 48 --layers 3 --steps "$STEPS"
note student-hard "sequence distillation: $N_DISTILL prompts (seed 200) answered by the teacher (temperature 1, seed 5); own init seed 11; hidden 48, 3 layers; $STEPS steps"
bg train student-soft 12 --soft-teacher "$OUT/teacher" --corpus "$WORK/teacher-samples.jsonl" --hidden 48 --layers 2 --steps "$STEPS"
note student-soft "soft distillation: KL(teacher || student) on the teacher's next-token distributions over the same $N_DISTILL prompt+sample texts; own init seed 12; hidden 48, 2 layers; $STEPS steps"
join

# --- derived copies (lineage transform, from the weights branch) ---------
if "$L" transform --help >/dev/null 2>&1; then
  "$L" transform "$OUT/teacher" --out "$OUT/permuted" --permute-seed 1
  note permuted "lineage transform teacher --permute-seed 1"
  "$L" transform "$OUT/teacher" --out "$OUT/teacher-f16" --dtype f16
  note teacher-f16 "lineage transform teacher --dtype f16"
  "$L" transform "$OUT/teacher" --out "$OUT/teacher-bf16" --dtype bf16
  note teacher-bf16 "lineage transform teacher --dtype bf16"
  "$L" transform "$OUT/teacher" --out "$OUT/teacher-gguf" --format gguf
  note teacher-gguf "lineage transform teacher --format gguf"
else
  echo "lineage transform is not available: permuted, teacher-f16, teacher-bf16 and teacher-gguf are not made" >&2
fi

# --- manifest ------------------------------------------------------------
{
  echo "# test-models manifest"
  echo
  echo "Made by \`scripts/make-test-models.sh\` (commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)); all models share"
  echo "one byte-level BPE tokenizer (384 entries, trained on house styles 1-8) and the chat template of"
  echo "\`src/train/tokenizer.rs\`. Training is deterministic: re-running the script gives the same bytes."
  echo
  echo "| model | how it was made | train s |"
  echo "|---|---|---|"
  while IFS=$'\t' read -r name how; do
    t=$(awk -F'\t' -v n="$name" '$1==n {print $2}' "$TIMES")
    echo "| \`$name\` | $how | ${t:--} |"
  done < "$RECIPES"
  echo
  echo "| file | bytes | SHA-256 |"
  echo "|---|---|---|"
  (cd "$OUT" && find . -type f ! -name MANIFEST.md | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do
    echo "| \`$f\` | $(stat -c %s "$f") | \`$(sha256sum "$f" | cut -d' ' -f1)\` |"
  done)
  echo
  echo "Total: $(du -cb $(find "$OUT" -type f ! -name MANIFEST.md) | tail -1 | cut -f1) bytes."
} > "$OUT/MANIFEST.md"
cat "$TIMES" >&2
