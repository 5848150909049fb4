#!/usr/bin/env bash
# Runs every benchmark on one generated workload and prints a Markdown report: the machine,
# the commands, the engine phases (one process each, so each has its own peak RSS), the query
# latencies, and the PostgreSQL baseline on the same JSON lines with the engine/postgres ratios.
#
#   bench/run.sh [--events N] [--seed S] [--build DIR] [--work DIR] [--no-postgres] [--no-kafka]
#                [--kafka-events N] [--no-http] [--keep]
#
# Build first (release):
#   cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLEDGER_BUILD_TESTS=OFF
#   cmake --build build/bench --target ledger-workload ledger-bench ledger ledger-dev-broker
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
EVENTS=1000000
SEED=1
BUILD="$HERE/../build/bench"
WORK=""
POSTGRES=1
KEEP=0
KAFKA_RUN=1
# The dev broker is librdkafka's mock cluster, which keeps at most 5 MB of records per
# partition in memory and drops the oldest past that (rdkafka_mock.c, not configurable):
# about 150,000 events on 8 partitions. The Kafka phase therefore uses the first
# KAFKA_EVENTS lines; a longer stream would lose its head, which `ledger consume` reports
# as an error instead of skipping events.
KAFKA_EVENTS=100000
HTTP_RUN=1
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --work) WORK=$2; shift 2 ;;
    --no-postgres) POSTGRES=0; shift ;;
    --keep) KEEP=1; shift ;;
    --no-kafka) KAFKA_RUN=0; shift ;;
    --kafka-events) KAFKA_EVENTS=$2; shift 2 ;;
    --no-http) HTTP_RUN=0; shift ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
BUILD=$(cd "$BUILD" && pwd)
WORKLOAD="$BUILD/bench/ledger-workload"
BENCH="$BUILD/bench/ledger-bench"
for binary in "$WORKLOAD" "$BENCH"; do
  [ -x "$binary" ] || { echo "run.sh: $binary not built (see the header of this script)" >&2; exit 1; }
done
if [ -z "$WORK" ]; then WORK=$(mktemp -d /tmp/ledger-bench.XXXXXX); fi
mkdir -p "$WORK"
[ "$KEEP" = 1 ] || trap 'rm -rf "$WORK"' EXIT

run() {  # echoes the command into the report, then runs it
  echo "    $*" >>"$WORK/commands"
  "$@"
}

echo "run.sh: generating $EVENTS events (seed $SEED) in $WORK" >&2
run "$WORKLOAD" --events "$EVENTS" --seed "$SEED" --format json --out "$WORK/events.jsonl" 2>"$WORK/workload.txt"
run "$WORKLOAD" --events "$EVENTS" --seed "$SEED" --format fb --out "$WORK/events.fb" 2>/dev/null

PHASES="$WORK/phases.md"
QUERIES="$WORK/queries.md"
: >"$PHASES"
echo "run.sh: append, project, end-to-end, replay, queries" >&2
run "$BENCH" --dir "$WORK/appended" append --input "$WORK/events.fb" >>"$PHASES"
run "$BENCH" --dir "$WORK/appended" project >>"$PHASES"
run "$BENCH" --dir "$WORK/e2e" e2e --input "$WORK/events.jsonl" >>"$PHASES"
run "$BENCH" --dir "$WORK/replayed" replay --from "$WORK/e2e" >>"$PHASES"
run "$BENCH" --dir "$WORK/e2e" query >"$QUERIES"
# What the in-process queries asked about, which HTTP and PostgreSQL ask again: the month of the
# billing summary (YYYYMMDD..YYYYMMDD) and the aging's as-of day.
asked() { awk -F'|' -v q="$1" '$2 ~ q {print $8}' "$QUERIES"; }
month=$(asked 'billing summary' | grep -o '[0-9]\{8\}\.\.[0-9]\{8\}' || true)
as_of=$(asked 'aging' | grep -o '[0-9]\{8\}' | head -1 || true)

# (7) Through Kafka: produce the JSON lines to the dev broker (librdkafka's mock cluster, in
# memory), then consume them into a new store until every partition is projected to its end.
KAFKA="$WORK/kafka.md"
: >"$KAFKA"
LEDGER="$BUILD/connectors/ledger"
BROKER="$BUILD/connectors/kafka/ledger-dev-broker"
if [ "$KAFKA_RUN" = 1 ] && [ -x "$LEDGER" ] && [ -x "$BROKER" ]; then
  echo "run.sh: Kafka (dev broker)" >&2
  [ "$KAFKA_EVENTS" -lt "$EVENTS" ] || KAFKA_EVENTS=$EVENTS
  head -n "$KAFKA_EVENTS" "$WORK/events.jsonl" >"$WORK/kafka_events.jsonl"
  coproc BROKER_PROC { exec "$BROKER" --partitions 8; }
  broker_pid=$BROKER_PROC_PID
  read -r brokers <&"${BROKER_PROC[0]}" || brokers=""
  kafka_phase() {  # name, command...: one row, timed, with the process's peak RSS
    local name=$1
    shift
    echo "    $*" >>"$WORK/commands"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f "%M" -o "$WORK/kafka_rss" "$@" >"$WORK/kafka_$name.out" 2>&1 || {
      echo "| $name | failed: $(tail -1 "$WORK/kafka_$name.out") |" >>"$KAFKA"
      return
    }
    end=$(date +%s.%N)
    echo "| $name | $KAFKA_EVENTS | $(python3 -c "print(f'{$end - $start:.2f} | {$KAFKA_EVENTS / ($end - $start):,.0f}')") |" \
      "$(($(cat "$WORK/kafka_rss") / 1024)) | $(tail -1 "$WORK/kafka_$name.out") |" >>"$KAFKA"
  }
  kafka_phase produce "$LEDGER" produce --brokers "$brokers" "$WORK/kafka_events.jsonl"
  kafka_phase consume "$LEDGER" --data "$WORK/kafka" consume --brokers "$brokers" --until-end
  # The consume row's time includes the broker's initial rebalance delay (3 s) before the group's
  # first assignment; `ledger consume` reports the time after it on its last line.
  assigned_s=$(sed -n 's/^time: .* then \([0-9.]*\) s reading and projecting$/\1/p' "$WORK/kafka_consume.out")
  if [ -n "$assigned_s" ]; then
    echo "| consume, after the group's assignment | $KAFKA_EVENTS | $assigned_s |" \
      "$(python3 -c "print(f'{$KAFKA_EVENTS / max($assigned_s, 0.001):,.0f}')") | | $(grep '^time: ' "$WORK/kafka_consume.out") |" >>"$KAFKA"
  fi
  kill "$broker_pid" 2>/dev/null || true
  wait "$broker_pid" 2>/dev/null || true
fi

# HTTP under load: `ledger serve` on the end-to-end store, then each query of the in-process
# table from wrk: 10 connections (fewer than the server's 16 workers, since a keep-alive connection
# holds its worker), each waiting 1 ms between requests (wrk's timers add about 0.4 ms), so about
# 5,500 requests/s when a request is fast; a slower query gets what the two cores give it. The
# days and the invoice numbers are the ones the in-process queries asked about.
HTTP="$WORK/http.md"
: >"$HTTP"
if [ "$HTTP_RUN" = 1 ] && [ -x "$LEDGER" ] && command -v wrk >/dev/null; then
  echo "run.sh: HTTP (wrk)" >&2
  coproc SERVE_PROC { exec "$LEDGER" --data "$WORK/e2e" serve --listen 127.0.0.1:0; }
  serve_pid=$SERVE_PROC_PID
  read -r serving <&"${SERVE_PROC[0]}" || serving=""
  url=$(echo "$serving" | grep -o 'http://[^/ ]*' || true)
  accounts=$(sed -n 's/.* events, \([0-9]*\) accounts.*/\1/p' "$WORK/workload.txt")
  if [ -n "$url" ] && [ -n "$month" ] && [ -n "$as_of" ]; then
    python3 - "$url/v1/invoices?status=Closed&limit=10000" >"$WORK/invoices.txt" <<'PY'
import json, sys, urllib.request
for bill in json.load(urllib.request.urlopen(sys.argv[1]))["invoices"]:
    print(bill["invoice_number"])
PY
    wrk_row() {  # label, query, seconds: one row of the HTTP table
      local label=$1 query=$2 seconds=$3 out="$WORK/wrk_$2.txt"
      local settings="QUERY=$query ACCOUNTS=$accounts DELAY_MS=1 FROM=${month%%..*} TO=${month##*..} AS_OF=$as_of"
      echo "    $settings INVOICES=invoices.txt wrk -t2 -c10 -d${seconds}s --latency -s bench/queries.lua $url" >>"$WORK/commands"
      env $settings INVOICES="$WORK/invoices.txt" \
        wrk -t2 -c10 -d"${seconds}s" --latency -s "$HERE/queries.lua" "$url" >"$out" 2>&1 || true
      latency() { awk -v p="$1" '$1 == p {print $2}' "$out"; }
      echo "| $label | $(awk '/Requests\/sec/ {print $2}' "$out") | $(latency 50%) | $(latency 99%) |" \
        "$(awk '/Latency/ && !/Distribution/ {print $4; exit}' "$out") |" \
        "$(grep -o 'Non-2xx or 3xx responses: [0-9]*' "$out" || echo 'all 2xx') |" >>"$HTTP"
    }
    wrk_row "balance GET /v1/accounts/{id}" balance 30
    wrk_row "preview invoice GET /v1/accounts/{id}/preview" preview 15
    wrk_row "invoice detail GET /v1/invoices/{number}?as_of=$as_of" invoice 15
    wrk_row "billing summary GET /v1/reports/summary?from=${month%%..*}&to=${month##*..}" summary 15
    wrk_row "aging GET /v1/reports/aging?as_of=$as_of" aging 15
  fi
  kill "$serve_pid" 2>/dev/null || true
  wait "$serve_pid" 2>/dev/null || true
fi

PG="$WORK/postgres.txt"
: >"$PG"
if [ "$POSTGRES" = 1 ]; then
  echo "run.sh: PostgreSQL baseline" >&2
  run "$HERE/postgres_baseline.sh" "$WORK/events.jsonl" 4096 "${month%%..*}" "${month##*..}" >"$PG"
fi
pg() { grep "^$1=" "$PG" | cut -d= -f2; }

# The report.
echo "### $EVENTS events, seed $SEED"
echo
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(git -C "$HERE/.." rev-parse --short HEAD 2>/dev/null || echo '?')"
echo
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(free -g | awk '/^Mem:/ {print $2}') GiB RAM;" \
  "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "Workload:"
echo
echo '```'
cat "$WORK/workload.txt"
echo '```'
echo
echo "| phase | events | seconds | events/s | MB/s | applied | rejected | peak RSS MiB | disk B/event | note |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
cat "$PHASES"
echo
echo "| query (in-process) | samples | p50 µs | p99 µs | max µs | peak RSS MiB | asked |"
echo "|---|---:|---:|---:|---:|---:|---|"
cat "$QUERIES"
echo
if [ -s "$HTTP" ]; then
  echo "| over HTTP (wrk, 10 connections, at most about 5,500 req/s) | requests/s | p50 | p99 | max | errors |"
  echo "|---|---:|---:|---:|---:|---|"
  cat "$HTTP"
else
  echo "HTTP: not run (wrk not installed, connectors/ledger not built, or --no-http)."
fi
echo
if [ -s "$KAFKA" ]; then
  echo "| through Kafka (dev broker) | events | seconds | events/s | peak RSS MiB | last line of output |"
  echo "|---|---:|---:|---:|---:|---|"
  cat "$KAFKA"
else
  echo "Kafka: not run (connectors/ledger or ledger-dev-broker not built, or --no-kafka)."
fi
echo
if [ "$POSTGRES" = 1 ]; then
  engine_eps=$(awk -F'|' '$2 ~ /end-to-end/ {gsub(/[ ,]/, "", $5); print $5}' "$PHASES")
  engine_summary_us=$(awk -F'|' '$2 ~ /billing summary/ {gsub(/ /, "", $4); print $4}' "$QUERIES")
  pg_disk_per_event=$(python3 -c "print(round($(pg pg_disk_bytes) / $(pg pg_events)))")
  echo "| PostgreSQL 15 baseline | value | engine / postgres |"
  echo "|---|---:|---:|"
  echo "| end-to-end events/s (batches of 4096, synchronous_commit=on) | $(pg pg_events_per_s) |" \
    "$(python3 -c "print(f'{$engine_eps / $(pg pg_events_per_s):.1f}x')") |"
  echo "| billing summary $(pg pg_summary_month), p50 ms (psql over 127.0.0.1) | $(pg pg_summary_p50_ms) |" \
    "$(python3 -c "print(f'{$(pg pg_summary_p50_ms) * 1000 / $engine_summary_us:.1f}x faster')") |"
  echo "| billing summary max ms | $(pg pg_summary_max_ms) | |"
  echo "| load seconds | $(pg pg_seconds) | |"
  echo "| disk bytes/event (after CHECKPOINT) | $pg_disk_per_event | |"
  echo "| transactions rows / closed bills | $(pg pg_transactions) / $(pg pg_closed_bills) | |"
  echo
fi
echo "Commands:"
echo
cat "$WORK/commands"
