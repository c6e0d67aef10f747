#!/usr/bin/env bash
# Fits the refusal model on the XSTest v2 completion files and writes
# models/refusal-v1.json, the file shipped in the binary. Running it on the
# same data rebuilds the shipped file byte for byte; `--check` rebuilds it
# into a temporary file and compares instead of overwriting.
#
# Usage: scripts/train-refusal.sh DATA_DIR [--check]
#   DATA_DIR: the folder of XSTest v2 completion CSVs (columns prompt,
#             completion, final_label), e.g. ../shared/data/xstest.
# Prints the leave-one-file-out and in-sample accuracy per file. Uses
# $LINEAGE if set, else builds the release binary. After changing the
# features or the lexicon, run it without --check, rebuild, and commit the
# new model file.
set -euo pipefail
data=${1:?usage: scripts/train-refusal.sh DATA_DIR [--check]}
check=${2:-}
if [ ! -d "$data" ]; then
  echo "train-refusal: $data does not exist; skipping (the shared data is not present)"
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="$here/target/release/lineage"
fi
model="$here/models/refusal-v1.json"
if [ "$check" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  "$LINEAGE" --quiet refusals-train --data "$data" --out "$tmp/refusal-v1.json"
  if cmp -s "$tmp/refusal-v1.json" "$model"; then
    echo "train-refusal: $model reproduced byte for byte"
  else
    echo "train-refusal: $model differs from the rebuilt model" >&2
    diff <(head -c 4000 "$model") <(head -c 4000 "$tmp/refusal-v1.json") >&2 || true
    exit 1
  fi
else
  "$LINEAGE" --quiet refusals-train --data "$data" --out "$model"
  echo "train-refusal: wrote $model"
fi
