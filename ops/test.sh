#!/usr/bin/env bash
# The whole test suite: installs what is missing, checks formatting, builds with -Werror and
# runs every test through ctest. Set LEDGER_PRESET=asan or tsan for the sanitizer builds.
set -euo pipefail
cd "$(dirname "$0")/.."

bash ops/install-deps.sh
preset="${LEDGER_PRESET:-debug}"

echo "== clang-format"
files=$(git ls-files '*.h' '*.cc' 2>/dev/null || find engine projections connectors tests bench -name '*.h' -o -name '*.cc')
clang-format --dry-run --Werror $files

echo "== build ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"

echo "== test ($preset)"
# LEDGER_CTEST_ARGS: extra ctest arguments (CI uses it to leave a label out of one stage).
# shellcheck disable=SC2086
ctest --preset "$preset" --timeout 900 -j 2 ${LEDGER_CTEST_ARGS:-}
