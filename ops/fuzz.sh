#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (the `fuzz` preset: ASan, UBSan and libFuzzer's
# coverage), seeds their corpora from schemas/examples (the JSON files, and their binary form
# from `flatc -b`), and runs each target.
#
#   ops/fuzz.sh                  each target for LEDGER_FUZZ_SECONDS (default 600) seconds
#   LEDGER_FUZZ_RUNS=N ops/fuzz.sh   each target for N executions instead (the CI smoke run)
#
# A crash leaves its input as build/fuzz/crashes/<target>/crash-*; reproduce it with
# `build/fuzz/tests/reliability/fuzz/<target> <file>`, and keep it as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/fuzz
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${LEDGER_FUZZ_JOBS:-2}"

corpus="$build/corpus"
mkdir -p "$corpus/json" "$corpus/binary"
cp schemas/examples/*.json "$corpus/json/"
flatc -b -o "$corpus/binary" schemas/events.fbs schemas/examples/*.json
# A small dictionary of the schema's words speeds up the JSON target.
dict="$build/json.dict"
grep -oE '\b[a-z_]+\b' schemas/events.fbs | sort -u | sed 's/.*/"&"/' >"$dict"
grep -oE '^table [A-Za-z]+' schemas/events.fbs | cut -d' ' -f2 | sed 's/.*/"\\"&\\""/' >>"$dict"

run_target() {
  local target=$1 seeds=$2
  shift 2
  local work="$build/corpus/$target" crashes="$build/crashes/$target"
  mkdir -p "$work" "$crashes"
  local limit
  if [[ -n "${LEDGER_FUZZ_RUNS:-}" ]]; then limit="-runs=$LEDGER_FUZZ_RUNS"; else limit="-max_total_time=${LEDGER_FUZZ_SECONDS:-600}"; fi
  echo "== fuzz $target ($limit)"
  nice "$build/tests/reliability/fuzz/$target" "$limit" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$crashes/" -print_final_stats=1 "$@" "$work" "$seeds"
}

run_target fuzz_json_event "$corpus/json" -dict="$dict"
run_target fuzz_event_buffer "$corpus/binary"
