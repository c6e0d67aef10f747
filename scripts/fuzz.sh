#!/usr/bin/env bash
# Run cargo-fuzz targets, one after another, each for SECONDS, and print the
# executions of each (docs/security.md records the runs).
#
#   scripts/fuzz.sh TARGET... SECONDS      e.g. scripts/fuzz.sh jsonl csv 600
#   scripts/fuzz.sh all SECONDS            every target in fuzz/Cargo.toml
#   scripts/fuzz.sh --list
#
# Single job per target, at nice 10, RSS capped (FUZZ_RSS_MB, default 2048).
# The corpus grows in fuzz/corpus/TARGET (not committed), seeded from
# fuzz/seeds/TARGET (committed, made by the project's own generators, see
# write_fuzz_seeds in tests/bad_input.rs) and, for the JSONL targets, from
# examples/data. Findings land in fuzz/artifacts/TARGET; logs in fuzz/logs.
# Adding a target: fuzz/fuzz_targets/NAME.rs plus its [[bin]] block in
# fuzz/Cargo.toml (and optionally seeds in fuzz/seeds/NAME); nothing here.
#
# Environment: FUZZ_SANITIZER (default none: the code is safe Rust and the
# machine is shared; use "address" for unsafe code such as memory maps),
# FUZZ_TARGET_DIR (default fuzz/target), FUZZ_MAX_LEN (default 65536),
# FUZZ_NO_BUILD=1 and FUZZ_BIN_DIR (see below).
set -euo pipefail
cd "$(dirname "$0")/.."

targets_in_manifest() {
    sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^lineage-fuzz$'
}

if [[ ${1:-} == --list ]]; then
    targets_in_manifest
    exit 0
fi
if [[ $# -lt 2 ]]; then
    echo "usage: $0 TARGET... SECONDS | all SECONDS | --list" >&2
    exit 2
fi
secs=${*: -1}
targets=("${@:1:$#-1}")
if [[ ${targets[0]} == all ]]; then
    mapfile -t targets < <(targets_in_manifest)
fi
if ! [[ $secs =~ ^[0-9]+$ ]]; then
    echo "SECONDS must be a whole number, got '$secs'" >&2
    exit 2
fi

sanitizer=${FUZZ_SANITIZER:-none}
target_dir=${FUZZ_TARGET_DIR:-fuzz/target}
rss=${FUZZ_RSS_MB:-2048}
max_len=${FUZZ_MAX_LEN:-65536}
mkdir -p fuzz/logs

# Seed a corpus directory (only files not there yet).
seed() {
    local t=$1 corpus=fuzz/corpus/$1
    mkdir -p "$corpus"
    if [[ -d fuzz/seeds/$t ]]; then
        cp -n fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
    fi
    case $t in
    jsonl)
        for f in examples/data/*.jsonl examples/data/panel/*.jsonl; do
            [[ -e $f ]] && head -c 8000 "$f" >"$corpus/ex-$(basename "$f")"
        done ;;
    esac
}

# Build every target once, then run the binaries directly: `cargo fuzz
# run` would rebuild before each target (lineage's build script reruns on
# every build in a git worktree). FUZZ_NO_BUILD=1 skips the build and
# FUZZ_BIN_DIR points at already built binaries.
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin_dir=${FUZZ_BIN_DIR:-$target_dir/$host/release}
if [[ ${FUZZ_NO_BUILD:-0} != 1 ]]; then
    nice -n 10 cargo +nightly fuzz build -s "$sanitizer" --target-dir "$target_dir"
fi

status=0
for t in "${targets[@]}"; do
    if ! targets_in_manifest | grep -qx "$t"; then
        echo "$t: no such fuzz target (see $0 --list)" >&2
        status=1
        continue
    fi
    seed "$t"
    log=fuzz/logs/$t.log
    started=$(date -u +%FT%TZ)
    set +e
    mkdir -p "fuzz/artifacts/$t"
    nice -n 10 "$bin_dir/$t" -artifact_prefix="fuzz/artifacts/$t/" "fuzz/corpus/$t" \
        -max_total_time="$secs" -rss_limit_mb="$rss" -max_len="$max_len" \
        -timeout=20 -print_final_stats=1 >"$log" 2>&1
    rc=$?
    set -e
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
    echo "$t: ${execs:-?} executions in ${secs}s (started $started, sanitizer $sanitizer, corpus $corpus files, exit $rc)"
    if [[ $rc -ne 0 ]]; then
        echo "$t: FINDING or failure, see $log and fuzz/artifacts/$t/" >&2
        tail -30 "$log" >&2
        status=1
    fi
done
exit $status
