#!/usr/bin/env bash
# The web console end to end in headless Chromium: installs the test's npm packages when they
# are missing (npm ci, from package-lock.json), makes a demo data set, starts `ledger serve` on a
# free loopback port, runs console.test.mjs against it and stops the server, whatever happens.
#   run_browser_tests.sh LEDGER_BINARY ARTEFACTS_DIR
set -euo pipefail
ledger="$1"
artefacts="$2"
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$artefacts"

if [ ! -d "$here/node_modules/playwright-core" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

"$ledger" --data "$work/data" --partitions 4 demo --accounts 120 --days 61 >"$work/demo.log"

"$ledger" --data "$work/data" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server_pid=$!
# The server prints its URL once it listens; wait for that line, or for it to die, with a deadline.
url=""
deadline=$((SECONDS + 60))
while [ -z "$url" ]; do
  url="$(grep -o 'http://127.0.0.1:[0-9]*/' "$work/serve.log" | head -1 || true)"
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "ledger serve exited:" >&2
    cat "$work/serve.log" >&2
    exit 1
  fi
  if [ $SECONDS -ge $deadline ]; then
    echo "ledger serve did not listen within 60 s" >&2
    exit 1
  fi
  [ -n "$url" ] || sleep 0.1
done

BASE_URL="$url" ARTEFACTS="$artefacts" CHROMIUM="${CHROMIUM:-/usr/bin/chromium}" node "$here/console.test.mjs"
