#!/usr/bin/env bash
# ab.sh on a small store, with one build as both sides: every run is reported, the medians
# and their ratio are printed, and a phase it does not know is refused by name.
#   bench/ab_test.sh LEDGER_WORKLOAD LEDGER_BENCH
set -euo pipefail
workload=$1
bench=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/ledger-ab-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$workload" --events 5000 --seed 3 --format fb --out "$work/events.fb" 2>/dev/null
"$bench" --dir "$work/store" append --input "$work/events.fb" >/dev/null
out=$(bash "$here/ab.sh" --base "$bench" --new "$bench" --store "$work/store" --rounds 2 --work "$work/ab" -- --threads 1)
echo "$out"
[ "$(echo "$out" | grep -c '^base .* events/s')" = 2 ] || { echo "FAIL: two base runs expected"; exit 1; }
[ "$(echo "$out" | grep -c '^new .* events/s')" = 2 ] || { echo "FAIL: two new runs expected"; exit 1; }
# Every run projects a fresh copy: all of the store's 5,000 events (and the broadcast copies),
# so no run may report 0 events/s.
if echo "$out" | grep -q '^\(base\|new\) *0 events/s'; then echo "FAIL: a run projected nothing"; exit 1; fi
echo "$out" | grep -Eq '^\| median events/s \| [0-9]+ \| [0-9]+ \| [0-9]+\.[0-9]{3} \|$' ||
  { echo "FAIL: no median row"; exit 1; }

if refusal=$(bash "$here/ab.sh" --base "$bench" --new "$bench" --store "$work/store" --phase nope 2>&1); then
  echo "FAIL: an unknown phase was accepted"
  exit 1
fi
echo "$refusal" | grep -q -- "--phase is project, replay or e2e, not nope" || { echo "FAIL: $refusal"; exit 1; }
echo "ab.sh: ok"
