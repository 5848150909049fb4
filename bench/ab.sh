#!/usr/bin/env bash
# Compares two builds of ledger-bench on the same store, alternately, and prints each run and
# the medians: a change smaller than this machine's drift (10 to 20% between runs minutes
# apart) shows only when the two builds take turns, on fresh copies of one store.
#
#   bench/ab.sh --base BIN --new BIN --store DIR [--phase project|replay] [--rounds N]
#               [--work DIR] [-- ledger-bench options...]
#   bench/ab.sh --base BIN --new BIN --input events.jsonl --phase e2e [--rounds N] ...
#
# STORE is a store made by `ledger-bench --dir STORE append --input events.fb` (project: each
# run projects a fresh copy of it; replay: each run replays it into a new store). The order
# alternates base, new, new, base, ... so that a drift of the machine during the rounds weighs
# on both sides alike. CPU seconds (user + system, from /usr/bin/time) are printed beside the
# wall time: on a shared machine they move less than the wall time does.
set -euo pipefail

BASE=""
NEW=""
STORE=""
INPUT=""
PHASE=project
ROUNDS=3
WORK=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=$2; shift 2 ;;
    --new) NEW=$2; shift 2 ;;
    --store) STORE=$2; shift 2 ;;
    --input) INPUT=$2; shift 2 ;;
    --phase) PHASE=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "ab.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for binary in "$BASE" "$NEW"; do
  [ -x "$binary" ] || { echo "ab.sh: --base and --new must name ledger-bench binaries" >&2; exit 2; }
done
case "$PHASE" in
  project | replay) [ -d "$STORE" ] || { echo "ab.sh: --store must name an appended store" >&2; exit 2; } ;;
  e2e) [ -f "$INPUT" ] || { echo "ab.sh: --input must name a JSON lines file" >&2; exit 2; } ;;
  *) echo "ab.sh: --phase is project, replay or e2e, not $PHASE" >&2; exit 2 ;;
esac
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "ab.sh: --rounds must be a positive number" >&2; exit 2; }
if [ -z "$WORK" ]; then
  WORK=$(mktemp -d /tmp/ledger-ab.XXXXXX)
  trap 'rm -rf "$WORK"' EXIT
else
  mkdir -p "$WORK"
  trap 'rm -rf "$WORK/run"' EXIT
fi

results="$WORK/results"
: >"$results"
run_one() {  # side binary: one timed run; appends "side events_per_s cpu_s wall_s" to results
  local side=$1 binary=$2
  shift 2
  rm -rf "$WORK/run"
  local -a command
  case "$PHASE" in
    project) cp -r "$STORE" "$WORK/run"; command=("$binary" --dir "$WORK/run" "$@" project) ;;
    replay) command=("$binary" --dir "$WORK/run" "$@" replay --from "$STORE") ;;
    e2e) command=("$binary" --dir "$WORK/run" "$@" e2e --input "$INPUT") ;;
  esac
  local row
  row=$(/usr/bin/time -f "%U %S" -o "$WORK/time" "${command[@]}")
  # ledger-bench's row: | phase | events | seconds | events/s | ...
  local seconds rate cpu
  seconds=$(echo "$row" | awk -F'|' '{gsub(/[ ,]/, "", $4); print $4}')
  rate=$(echo "$row" | awk -F'|' '{gsub(/[ ,]/, "", $5); print $5}')
  cpu=$(awk '{printf "%.2f", $1 + $2}' "$WORK/time")
  echo "$side $rate $cpu $seconds" >>"$results"
  printf '%-4s %9s events/s  %7s s wall  %7s s CPU\n' "$side" "$rate" "$seconds" "$cpu"
}

shift_args=("$@")
for ((round = 1; round <= ROUNDS; ++round)); do
  if ((round % 2 == 1)); then
    run_one base "$BASE" "${shift_args[@]}"
    run_one new "$NEW" "${shift_args[@]}"
  else
    run_one new "$NEW" "${shift_args[@]}"
    run_one base "$BASE" "${shift_args[@]}"
  fi
done

median() {  # side column
  awk -v side="$1" -v column="$2" '$1 == side {print $column}' "$results" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
base_rate=$(median base 2)
new_rate=$(median new 2)
base_cpu=$(median base 3)
new_cpu=$(median new 3)
echo
echo "| $PHASE, $ROUNDS rounds | base | new | new / base |"
echo "|---|---:|---:|---:|"
awk -v b="$base_rate" -v n="$new_rate" 'BEGIN {printf "| median events/s | %.0f | %.0f | %.3f |\n", b, n, n / b}'
awk -v b="$base_cpu" -v n="$new_cpu" 'BEGIN {printf "| median CPU s | %.2f | %.2f | %.3f |\n", b, n, n / b}'
