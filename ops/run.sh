#!/usr/bin/env bash
# The main job on the embedded log: installs what is missing, builds, generates a demo data
# set (several operators, thousands of accounts, three months with billing runs), ingests it and
# serves the HTTP API and the web console. Safe to run again: ingestion is exactly-once by id.
#   LEDGER_DATA      data directory (default ./data)
#   LEDGER_LISTEN    HOST:PORT to serve on (default 127.0.0.1:8080)
#   LEDGER_ACCOUNTS  demo accounts (default 3000);  LEDGER_DAYS  demo days (default 92)
#   Extra arguments go to `ledger serve` (for example --token SECRET).
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ledger
ledger=build/release/connectors/ledger
data_dir="${LEDGER_DATA:-./data}"
listen="${LEDGER_LISTEN:-127.0.0.1:8080}"

"$ledger" --data "$data_dir" demo --accounts "${LEDGER_ACCOUNTS:-3000}" --days "${LEDGER_DAYS:-92}"

echo
echo "Serving the API and the web console (Ctrl-C stops it):"
echo "  console        http://${listen}/"
echo "  API            http://${listen}/v1/openapi.json   (e.g. curl http://${listen}/v1/reports/summary)"
echo "  health         http://${listen}/healthz  http://${listen}/readyz  http://${listen}/metrics"
exec "$ledger" --data "$data_dir" serve --listen "$listen" "$@"
