#!/usr/bin/env bash
# Installs the Debian 12 packages ddbsim builds and tests with, and only those that are missing.
# Uses sudo when not run as root. Safe to run again: it does nothing when all are present.
#   tools/install-deps.sh              everything the tests need (tools/test.sh)
#   tools/install-deps.sh --build-only what building and running ddbsim needs (tools/quickstart.sh)
set -euo pipefail

# clang and libclang-rt-14-dev build the libFuzzer target (tools/fuzz.sh); parallel, rsync and
# openssh run sharded sweeps (tools/sweep-parallel.sh, and its test's loopback sshd); Slurm and
# munge the job-array sweeps (tools/sweep-slurm.sh, and its test's one-node cluster); chromium
# and python3 check report.html in a real browser (tests/reports/html_report_test.sh).
packages=(g++ cmake make libboost1.81-dev nlohmann-json3-dev libfmt-dev catch2 libcli11-dev libssl-dev zlib1g-dev libabsl-dev)
if [ "${1:-}" != "--build-only" ]; then
  packages+=(clang libclang-rt-14-dev parallel rsync openssh-client openssh-server
             slurmctld slurmd slurm-client munge chromium python3)
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "installing: ${missing[*]}" >&2
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update -qq
# libboost1.81-dev replaces Debian's default libboost-dev (1.74) if that is installed.
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
