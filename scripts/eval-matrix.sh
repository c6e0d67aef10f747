#!/usr/bin/env bash
# Speed, memory, cache reuse and tree quality of `lineage matrix`.
#
# Usage: scripts/eval-matrix.sh [DATA_DIR] [OUT_DIR]
#   DATA_DIR: AlpacaEval outputs with labels-dev.tsv and
#             candidate-teachers.tsv (e.g. ../shared/data/alpacaeval); the
#             AlpacaEval part is skipped when absent.
# Steps (each timed with /usr/bin/time -v; RUNS repeats, default 3, median):
#   1. AlpacaEval, cold cache, then warm cache;
#   2. all models but one, then all (only the added one is fingerprinted);
#   3. the tree: for each labelled student, the smallest cluster holding it
#      and another model, and whether that cluster holds its labelled family;
#   4. synthetic scale test: `lineage simulate` 300 models x 800 probes
#      (SCALE=0 skips), cold and warm cache.
# Uses $LINEAGE if set, else builds the release binary.
set -euo pipefail
data=${1:-}
out=${2:-$(mktemp -d)}
runs=${RUNS:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${LINEAGE:-}" ]; then
  cargo build --release --quiet --manifest-path "$here/Cargo.toml"
  LINEAGE="${CARGO_TARGET_DIR:-$here/target}/release/lineage"
fi
mkdir -p "$out"

# timed LABEL ARGS...: run lineage, print wall seconds and peak RSS (MB).
timed() {
  local label=$1; shift
  /usr/bin/time -v "$LINEAGE" --quiet "$@" > "$out/last.stdout" 2> "$out/last.time"
  local wall rss cpu
  cpu=$(awk -F': ' '/User time|System time/ {s+=$2} END {printf "%.1f", s}' "$out/last.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$out/last.time")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}' "$out/last.time")
  echo "$label wall_s=$wall cpu_s=$cpu peak_rss_mb=$rss load1=$(cut -d' ' -f1 /proc/loadavg)"
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [ -n "$data" ] && [ -f "$data/labels-dev.tsv" ]; then
  echo "== AlpacaEval: $data"
  rm -rf "$out/ae-cache"
  timed "alpacaeval cold" matrix "$data" --out "$out/ae" --cache "$out/ae-cache"
  for i in $(seq "$runs"); do
    timed "alpacaeval warm run $i" matrix "$data" --out "$out/ae" --cache "$out/ae-cache"
  done | tee "$out/warm.txt"
  echo "alpacaeval warm median wall_s=$(sed 's/.*wall_s=\([0-9.]*\).*/\1/' "$out/warm.txt" | median)"

  echo "== one model added"
  files=("$data"/*.json)
  last=${files[${#files[@]}-1]}
  rm -rf "$out/inc-cache"
  timed "all but $(basename "$last")" matrix "${files[@]:0:${#files[@]}-1}" --out "$out/inc" --cache "$out/inc-cache"
  /usr/bin/time -v "$LINEAGE" matrix "${files[@]}" --out "$out/inc" --cache "$out/inc-cache" \
    > /dev/null 2> "$out/inc.err"
  grep -o 'fingerprinted [0-9]*, cache hits [0-9]*' "$out/inc.err"
  echo "with $(basename "$last") added wall_s=$(awk -F': ' '/Elapsed/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s}' "$out/inc.err")"

  echo "== tree against the labels"
  python3 - "$data" "$out/ae/matrix.json" <<'PY'
import json, sys
data, path = sys.argv[1], sys.argv[2]
r = json.load(open(path))
names, merges = r["models"], r["tree"]["merges"]
n = len(names)
fam = dict(l.rstrip("\n").split("\t")[:2] for l in open(f"{data}/candidate-teachers.tsv") if l.strip())
rows = [l.rstrip("\n").split("\t") for l in open(f"{data}/labels-dev.tsv")][1:]
members = {i: [i] for i in range(n)}
for k, m in enumerate(merges):
    members[n + k] = members[m["left"]] + members[m["right"]]
def smallest(i):
    for k, m in enumerate(merges):
        c = members[n + k]
        if i in c:
            return sorted(names[j] for j in c if j != i)
    return []
def ok(label, other):
    f = fam.get(other, "")
    return f == label or (label == "openai-mixed" and f.startswith("openai-"))
hit = tot = 0
for student, label, relation in rows:
    sib = smallest(names.index(student))
    good = any(ok(label, s) for s in sib) if label != "none" else None
    if good is not None:
        tot += 1; hit += good
    print(f"{student:22s} label={label:20s} nearest group: {', '.join(sib)}  {'' if good is None else ('family-ok' if good else 'family-MISSED')}")
print(f"students whose nearest group holds their labelled family: {hit}/{tot}")
print("order:", " ".join(r["tree"]["order"]))
PY
fi

if [ "${SCALE:-1}" = 1 ]; then
  echo "== synthetic scale test: 300 models x 800 probes"
  syn="$out/synthetic"
  if [ ! -f "$syn/MANIFEST.tsv" ]; then
    timed "simulate" simulate --out "$syn" --seed 1 --probes 800 \
      --teachers 30 --students-per-teacher 4 --independents 50 --panel 100
  fi
  echo "models: $(($(wc -l < "$syn/MANIFEST.tsv") - 1))"
  rm -rf "$out/syn-cache"
  timed "synthetic cold" matrix "$syn" "$syn/panel" --out "$out/syn" --cache "$out/syn-cache"
  timed "synthetic warm" matrix "$syn" "$syn/panel" --out "$out/syn" --cache "$out/syn-cache"
  python3 - "$syn/MANIFEST.tsv" "$out/syn/matrix.json" <<'PY'
import json, sys
man = {l.split("\t")[0]: l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if not l.startswith("name\t")}
r = json.load(open(sys.argv[2]))
students = [t for t in r["teachers"] if man[t["model"]][1] == "student"]
right = sum(t["teacher"] == man[t["model"]][2] for t in students)
sig = sum(t["significant"] and t["teacher"] == man[t["model"]][2] for t in students)
fp = sum(t["significant"] for t in r["teachers"] if man[t["model"]][1] in ("independent", "panel"))
neg = sum(1 for t in r["teachers"] if man[t["model"]][1] in ("independent", "panel"))
print(f"students with their teacher as closest relative: {right}/{len(students)}; significant: {sig}/{len(students)}; unrelated models with a significant relative: {fp}/{neg}")
PY
fi
