#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the quickstart scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh --build-only  # the test tools (chromium, slurm, ...) come with tools/test.sh
tools/build.sh --target ddbsim
exec build/ddbsim run scenarios/quickstart.json "$@"
