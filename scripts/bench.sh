#!/usr/bin/env bash
# Prints speed and memory figures: codec and plan per resource, and a real Terraform
# apply/plan of BENCH_RESOURCES (default 500) volumes against the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."
export TF_BIN="$(scripts/install-terraform.sh)"
cargo build --release --bins
cargo bench --bench provider
