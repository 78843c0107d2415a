#!/usr/bin/env bash
# Configures and builds ddbsim in Release mode into build/ (the binary is build/ddbsim).
# Extra arguments go to `cmake --build`, e.g. `--target ddbsim`.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$jobs" "$@"
