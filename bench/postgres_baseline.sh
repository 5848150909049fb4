#!/usr/bin/env bash
# The PostgreSQL baseline: loads the same JSON lines the engine ingests into a SQL ledger
# (postgres/schema.sql, postgres/apply_batch.sql), batch by batch, each batch one durable
# transaction (synchronous_commit=on, fsync=on), then times the month's billing summary.
#
#   bench/postgres_baseline.sh EVENTS.jsonl [BATCH_LINES] [FROM_DAY TO_DAY]
#
# FROM_DAY and TO_DAY (YYYYMMDD) are the billing summary's range; by default the month with the
# most bills closed. bench/run.sh passes the month the engine's query benchmark used.
# Starts its own server (Debian's PostgreSQL 15) in a temporary directory on 127.0.0.1 and a
# free port, as the postgres user when run as root, and stops it at the end. Prints
#   pg_events=N pg_seconds=S pg_events_per_s=R pg_summary_p50_ms=... pg_summary_max_ms=...
# and a few more key=value lines on stdout; progress goes to stderr.
set -euo pipefail

EVENTS=${1:?usage: postgres_baseline.sh EVENTS.jsonl [BATCH_LINES] [FROM_DAY TO_DAY]}
BATCH=${2:-4096}
FROM_DAY=${3:-}
TO_DAY=${4:-}
HERE=$(cd "$(dirname "$0")" && pwd)
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
SQL="$HERE/postgres"

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

WORK=$(mktemp -d /tmp/ledger-pg-bench.XXXXXX)
chmod 755 "$WORK"
[ "$(id -u)" = 0 ] && chown postgres: "$WORK"
PGDATA="$WORK/pgdata"
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

stop_server() {
  as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap stop_server EXIT

as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$WORK/server.log" start -o \
  "-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$WORK -c synchronous_commit=on \
   -c fsync=on -c full_page_writes=on -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=30min \
   -c work_mem=64MB" >/dev/null
psql_run() { as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }

psql_run -f "$SQL/schema.sql" -f "$SQL/apply_batch.sql"

# Batches of BATCH lines, each one transaction: COPY into the session's staging table, then
# the set-based apply. The split is preparation, not timed.
mkdir -p "$WORK/chunks"
split -l "$BATCH" -d -a 7 "$EVENTS" "$WORK/chunks/c"
chmod -R a+rX "$WORK/chunks"
{
  echo "CREATE TEMP TABLE staging (line jsonb NOT NULL) ON COMMIT DELETE ROWS;"
  echo "CREATE TEMP TABLE new_tx (LIKE transactions) ON COMMIT DELETE ROWS;"
  for chunk in "$WORK"/chunks/c*; do
    echo "BEGIN;"
    echo "\\copy staging (line) FROM '$chunk' WITH (FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')"
    echo "SELECT apply_batch();"
    echo "COMMIT;"
  done
} >"$WORK/load.sql"
chmod a+r "$WORK/load.sql"

LINES=$(wc -l <"$EVENTS")
echo "postgres: loading $LINES events in batches of $BATCH" >&2
START=$(date +%s.%N)
psql_run -o /dev/null -f "$WORK/load.sql"
END=$(date +%s.%N)
SECONDS_TAKEN=$(python3 -c "print(f'{$END - $START:.2f}')")
echo "pg_events=$LINES"
echo "pg_seconds=$SECONDS_TAKEN"
echo "pg_events_per_s=$(python3 -c "print(round($LINES / ($END - $START)))")"
echo "pg_transactions=$(psql_run -t -A -c 'SELECT count(*) FROM transactions')"
echo "pg_closed_bills=$(psql_run -t -A -c "SELECT count(*) FROM invoices WHERE status = 'Closed'")"
psql_run -c CHECKPOINT
echo "pg_disk_bytes=$(du -sb "$PGDATA" | cut -f1)"

if [ -n "$FROM_DAY" ]; then
  MONTH=$(psql_run -t -A -c "SELECT to_char(to_date('$FROM_DAY', 'YYYYMMDD'), 'YYYY-MM-DD')")
  TO=$(psql_run -t -A -c "SELECT to_char(to_date('$TO_DAY', 'YYYYMMDD'), 'YYYY-MM-DD')")
else  # the month with the most bills closed
  MONTH=$(psql_run -t -A -c "SELECT to_char(date_trunc('month', closed_day), 'YYYY-MM-DD') FROM invoices \
    WHERE closed_day IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
  TO=$(psql_run -t -A -c "SELECT to_char(('$MONTH'::date + interval '1 month' - interval '1 day'), 'YYYY-MM-DD')")
fi
echo "pg_summary_month=$MONTH..$TO"
echo "pg_summary_rows=$(psql_run -t -A -v from="$MONTH" -v to="$TO" -f "$SQL/billing_summary.sql" | wc -l)"
{
  echo "\\timing on"
  for _ in $(seq 1 30); do echo "\\i $SQL/billing_summary.sql"; done
} >"$WORK/summary.sql"
chmod a+r "$WORK/summary.sql"
psql_run -v from="$MONTH" -v to="$TO" -f "$WORK/summary.sql" | grep '^Time:' | awk '{print $2}' | sort -n >"$WORK/times"
echo "pg_summary_p50_ms=$(awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}' "$WORK/times")"
echo "pg_summary_max_ms=$(tail -1 "$WORK/times")"
