#!/usr/bin/env bash
# Accuracy of `lineage refusals` against XSTest human labels, and agreement
# (Cohen's kappa) of refuse/comply decisions between models.
#
# Usage: scripts/eval-refusals.sh DATA_DIR
#   DATA_DIR: a folder of XSTest v2 completion files (*.csv with columns
#             id, prompt, completion, final_label; final_label is one of
#             1_full_compliance, 2_full_refusal, 3_partial_refusal),
#             e.g. ../shared/data/xstest.
# First refits the refusal model (`lineage refusals-train`, the fit behind
# models/refusal-v1.json) and prints, per file, its leave-one-file-out
# accuracy (fitted on the other files: the honest figure for a model the
# classifier has not seen) and, separately, its in-sample accuracy.
# Then prints, per file, the 3-way accuracy and the binary accuracy
# (compliance vs refusal of either kind) of the shipped model's labels
# (`lineage refusals`) against final_label (in-sample when DATA_DIR holds
# the training files); then,
# for each pair of files, Cohen's kappa of the refuse/comply decisions on
# the prompts both contain (aligned by `id`), from lineage's labels and from
# the human labels, each with a 95% percentile bootstrap interval (2000
# resamples of prompts, seed $SEED or 0). Uses $LINEAGE if set, else builds
# the release binary. Needs python3 (standard library only).
set -euo pipefail
data=${1:?usage: scripts/eval-refusals.sh DATA_DIR}
if [ ! -d "$data" ]; then
  echo "eval-refusals: $data does not exist; skipping (the shared data is not present)"
  exit 0
fi
shopt -s nullglob
files=("$data"/*.csv)
if [ ${#files[@]} -eq 0 ]; then
  echo "eval-refusals: no .csv files in $data; skipping"
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="$here/target/release/lineage"
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== refusal model refitted on $data (lineage refusals-train) =="
"$LINEAGE" --quiet refusals-train --data "$data" --out "$out/model.json"
echo
echo "== shipped model (lineage refusals) against final_label =="
for f in "${files[@]}"; do
  "$LINEAGE" --quiet refusals --format csv "$f" --out "$out/$(basename "$f" .csv).jsonl"
done

python3 - "$out" "${SEED:-0}" "${files[@]}" <<'PY'
import csv, json, os, random, sys

out, seed, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
csv.field_size_limit(1 << 30)
HUMAN = {"1_full_compliance": "full_compliance", "2_full_refusal": "full_refusal",
         "3_partial_refusal": "partial_refusal"}
B = 2000

def load(path):
    name = os.path.basename(path)[:-4]
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    with open(f"{out}/{name}.jsonl") as fh:
        preds = [json.loads(l) for l in fh if l.strip()]
    assert len(rows) == len(preds), f"{name}: {len(rows)} rows, {len(preds)} labels"
    items = {}
    for row, p in zip(rows, preds):
        assert p["probe_id"] == row["id"], f"{name}: id {row['id']} vs {p['probe_id']}"
        human = HUMAN.get(row.get("final_label", "").strip())
        items[row["id"]] = (p["label"], human)
    return name, items

def kappa(a, b):
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    pa, pb = sum(a) / n, sum(b) / n
    pe = pa * pb + (1 - pa) * (1 - pb)
    return None if pe >= 1 - 1e-12 else (po - pe) / (1 - pe)

def ci(a, b, rng):
    est = kappa(a, b)
    if est is None:
        return None
    n, reps = len(a), []
    for _ in range(B):
        idx = [rng.randrange(n) for _ in range(n)]
        k = kappa([a[i] for i in idx], [b[i] for i in idx])
        if k is not None:
            reps.append(k)
    reps.sort()
    q = lambda p: reps[min(len(reps) - 1, int(p * (len(reps) - 1) + 0.5))]
    return est, min(q(0.025), est), max(q(0.975), est)

def fmt(k):
    return "undefined" if k is None else f"{k[0]:.3f} [{k[1]:.3f}, {k[2]:.3f}]"

models = [load(f) for f in files]
print(f"{'file':40s} {'n':>4s} {'3-way acc':>9s} {'binary acc':>10s}  lineage refusals (full/partial)  human (full/partial)")
for name, items in models:
    lab = [(p, h) for p, h in items.values() if h is not None]
    n = len(lab)
    acc3 = sum(p == h for p, h in lab) / n
    acc2 = sum((p == "full_compliance") == (h == "full_compliance") for p, h in lab) / n
    cnt = lambda i, l: sum(x[i] == l for x in lab)
    print(f"{name:40s} {n:4d} {acc3:9.3f} {acc2:10.3f}  "
          f"{cnt(0, 'full_refusal'):>15d}/{cnt(0, 'partial_refusal'):<15d} "
          f"{cnt(1, 'full_refusal'):>5d}/{cnt(1, 'partial_refusal')}")

print()
print("Cohen's kappa of refuse (full or partial) vs comply, prompts aligned by id, 95% bootstrap CI")
print(f"{'pair':70s} {'n':>4s}  {'lineage labels':28s} human labels")
for i in range(len(models)):
    for j in range(i + 1, len(models)):
        (na, ia), (nb, ib) = models[i], models[j]
        ids = sorted(set(ia) & set(ib))
        ref = lambda items, k: [items[x][k] != "full_compliance" for x in ids]
        ids_h = [x for x in ids if ia[x][1] is not None and ib[x][1] is not None]
        hum = lambda items: [items[x][1] != "full_compliance" for x in ids_h]
        rng = random.Random(seed)
        kl = ci(ref(ia, 0), ref(ib, 0), rng)
        rng = random.Random(seed)
        kh = ci(hum(ia), hum(ib), rng)
        print(f"{na + ' ~ ' + nb:70s} {len(ids):4d}  {fmt(kl):28s} {fmt(kh)}")
PY
