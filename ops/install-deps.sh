#!/usr/bin/env bash
# Installs every Debian package the engine needs to build, test and run.
# Idempotent: packages already present are left alone, and apt is asked only when one is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format
  librocksdb-dev librdkafka-dev libflatbuffers-dev flatbuffers-compiler
  libspdlog-dev libfmt-dev catch2 libcli11-dev nlohmann-json3-dev libsimdjson-dev libxxhash-dev libjemalloc-dev
  kcat python3 libxlsxwriter-dev python3-openpyxl
  libcpp-httplib-dev chromium clang libclang-rt-14-dev
)
# Node.js and npm run the browser tests (Playwright drives Debian's chromium); a machine that
# already has them from elsewhere keeps its own.
if ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
