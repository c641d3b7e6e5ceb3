#!/usr/bin/env bash
# The whole test suite: unit tests, and end-to-end scenarios in which a real Terraform
# CLI drives the real provider binary against the bundled simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_BIN="$(scripts/install-terraform.sh)"
echo "Using Terraform: $("$TF_BIN" version | head -n1) ($TF_BIN)"
# One release profile for the demo, the tests and the benchmarks: one build of the deps.
start=$SECONDS
cargo build --release --bins
echo "release build: $((SECONDS - start))s"
start=$SECONDS
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
cargo test --release --no-fail-fast -- --test-threads "${TEST_THREADS:-3}" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e
echo "tests (build of test targets included): $((SECONDS - start))s"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "summary: %d passed, %d failed\n", p, f }' "$log"
exit "$code"
