#!/usr/bin/env bash
# The main job on the embedded log: installs what is missing, builds, generates a demo data
# set, ingests it and shows where to look. Safe to run again: ingestion is exactly-once by id.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target ledger
data_dir="${LEDGER_DATA:-./data}"
build/release/connectors/ledger --data "$data_dir" demo "$@"
