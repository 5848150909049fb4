#!/usr/bin/env bash
# The benchmarks' dependencies: the build's (ops/install-deps.sh), PostgreSQL for the
# baseline and wrk for the HTTP run. Idempotent: installs only what is missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
bash "$HERE/../ops/install-deps.sh"
missing=()
for package in postgresql wrk; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
