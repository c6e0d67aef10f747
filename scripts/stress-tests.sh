#!/usr/bin/env bash
# Flaky-test hunt: runs the whole test suite RUNS times (default 10) as
# built, then RUNS times again pinned to one core (`taskset -c 0`), and
# prints every test that failed in any run with its failure count. A test
# that depends on timing or on thread scheduling shows up here long before
# it fails CI at random.
#
#   scripts/stress-tests.sh            # 10 + 10 runs
#   RUNS=3 scripts/stress-tests.sh     # fewer
#
# Exit status: 0 when every run passed, 1 when any test ever failed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-10}
log=$(mktemp -d)
cargo test --no-run --quiet 2>/dev/null || cargo test --no-run
pin=()
if command -v taskset >/dev/null 2>&1; then pin=(taskset -c 0); fi
status=0
for mode in free pinned; do
  for i in $(seq 1 "$runs"); do
    cmd=(cargo test)
    [ "$mode" = pinned ] && cmd=("${pin[@]}" "${cmd[@]}")
    if "${cmd[@]}" >"$log/$mode-$i.txt" 2>&1; then r=pass; else r=FAIL; status=1; fi
    echo "$mode run $i: $r"
  done
done
failed=$(grep -h -E '^test .* \.\.\. FAILED$' "$log"/*.txt \
  | awk '{print $2}' | sort | uniq -c | sort -rn || true)
if [ -n "$failed" ]; then
  echo "tests that failed (count over $((2 * runs)) runs):"
  echo "$failed"
else
  echo "no test failed in $((2 * runs)) runs"
fi
echo "logs in $log"
exit $status
