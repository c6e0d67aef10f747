#!/usr/bin/env bash
# Attribution accuracy of `lineage compare` on the AlpacaEval outputs.
#
# Usage: scripts/eval-attribution.sh DATA_DIR [OUT_DIR]
#   DATA_DIR: a folder with <model>.json AlpacaEval outputs plus
#             candidate-teachers.tsv, reference-panel.txt and labels-dev.tsv
#             (e.g. ../shared/data/alpacaeval).
# Prints one line per labelled student and a summary line
#   top1=K/N recall=K/N false_positives=K/N
# top1 and recall count the positives (students with a labelled teacher
# family); false_positives counts negatives that get `distilled-from` against
# an API teacher. Then runs scripts/sklearn_tfidf_baseline.py (BASELINE=0
# skips it) so both wall times come from one run. Uses $LINEAGE if set, else
# builds the release binary. All students run as one batch `compare`
# process (each model fingerprinted once; reports in OUT_DIR/<student>/).
set -euo pipefail
data=${1:?usage: scripts/eval-attribution.sh DATA_DIR [OUT_DIR]}
out=${2:-$(mktemp -d)}
if [ ! -f "$data/labels-dev.tsv" ]; then
  echo "eval-attribution: $data has no labels-dev.tsv; skipping (the shared data is not present)" >&2
  exit 0
fi
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="$here/target/release/lineage"
fi
teachers=()
while IFS=$'\t' read -r model family; do
  [ -n "$model" ] && teachers+=(--teacher "$data/$model.json")
done < "$data/candidate-teachers.tsv"
refs=()
while read -r model; do
  [ -n "$model" ] && refs+=(--reference "$data/$model.json")
done < "$data/reference-panel.txt"

students=()
while read -r student; do
  [ -n "$student" ] && students+=("$data/$student.json")
done < <(tail -n +2 "$data/labels-dev.tsv" | cut -f1)
batch_out=$out
# One student keeps the single-report layout; give it its own folder.
[ "${#students[@]}" = 1 ] && batch_out="$out/$(basename "${students[0]}" .json)"
start=$(date +%s.%N)
"$LINEAGE" --quiet compare "${students[@]}" "${teachers[@]}" "${refs[@]}" \
  --out "$batch_out" --seed "${SEED:-0}" > /dev/null
end=$(date +%s.%N)

python3 - "$data" "$out" "$start" "$end" <<'PY'
import json, sys
data, out, start, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
fam = dict(l.rstrip("\n").split("\t")[:2] for l in open(f"{data}/candidate-teachers.tsv") if l.strip())
api = {m for m, f in fam.items() if not f.startswith("meta-")}
rows = [l.rstrip("\n").split("\t") for l in open(f"{data}/labels-dev.tsv")][1:]
def ok(label, teacher):
    f = fam.get(teacher, "")
    return f == label or (label == "openai-mixed" and f in ("openai-gpt-3.5", "openai-gpt-4"))
top1 = rec = fp = npos = nneg = 0
for student, label, relation in rows:
    r = json.load(open(f"{out}/{student}/report.json"))
    v = r["verdict"]; top = r["candidates"][0]
    fams = top["families"]
    desc = " ".join(f"{k}={fams[k]['excess']['estimate']:+.3f}(p={fams[k]['p_holm']:.1e})" for k in sorted(fams))
    if label == "none":
        nneg += 1
        bad = v["label"] == "distilled-from" and v["teacher"] in api
        fp += bad
        mark = "FALSE-POSITIVE" if bad else "ok"
    else:
        npos += 1
        t1 = ok(label, top["name"]); rc = v["label"] == "distilled-from" and ok(label, v["teacher"] or "")
        top1 += t1; rec += rc
        mark = ("top1-ok" if t1 else "top1-WRONG") + " " + ("found" if rc else "MISSED")
    print(f"{student:22s} label={label:20s} top={top['name']:22s} verdict={v['label']}:{v['teacher']}  {mark}  {desc}")
print(f"top1={top1}/{npos} recall={rec}/{npos} false_positives={fp}/{nneg}")
print(f"lineage_wall_seconds={end-start:.2f}")
PY

# Calibrated evidence, validated leave-one-model-out over every labelled
# model (labels-dev.tsv here plus ../alpacaeval-calibration when present):
# Cllr, top1, recall (`distilled-from` the labelled family under the
# calibrated rule) and false positives (a negative student's verdict naming
# a candidate). CALIBRATE=0 skips it.
cal_root=$(dirname "$data")
if [ "${CALIBRATE:-1}" = 1 ] && [ -f "$cal_root/alpacaeval-calibration/labels-calibration.tsv" ]; then
  LINEAGE="$LINEAGE" SHIP=0 "$here/scripts/calibrate-alpacaeval.sh" "$cal_root" "$out/calibration" > /dev/null
  python3 - "$out/calibration/calibration.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); v = c["validation"]
print(f"calibrated (leave-one-model-out, {v['models']} models, {v['h1_pairs']}+{v['h2_pairs']} known pairs): "
      f"cllr={v['cllr']:.3f} cllr_min={v['cllr_min']:.3f} top1={v['top1']}/{v['students_h1']} "
      f"recall={v['recall']}/{v['students_h1']} false_positives={v['false_positives']}/{v['students_h2']} "
      f"bounds=[{c['log10_lr_bounds'][0]:.2f},{c['log10_lr_bounds'][1]:.2f}]")
PY
fi

# The same per-probe TF-IDF similarity in scikit-learn, for a speed
# comparison in the same run (skipped when scikit-learn is not installed).
if [ "${BASELINE:-1}" = 1 ] && python3 -c 'import sklearn' 2>/dev/null; then
  python3 "$here/scripts/sklearn_tfidf_baseline.py" "$data" | tail -n 2
fi
