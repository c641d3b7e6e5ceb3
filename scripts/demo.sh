#!/usr/bin/env bash
# The main job: build the provider, start the bundled Lightbits simulator, apply
# examples/lightbits/quickstart (a project, two volumes, a snapshot) with a real Terraform CLI,
# then show that a second plan is empty. Everything runs in a temporary directory.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tf="$(scripts/install-terraform.sh)"
cargo build --release --bins
port="${DEMO_PORT:-18090}"
work="$(mktemp -d)"
./target/release/lightbits-simulator --listen "127.0.0.1:$port" --token demo-token > "$work/simulator.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/_sim/state" >/dev/null 2>&1 && break; sleep 0.1; done

cat > "$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "tfprov/lightbits" = "$root/target/release"
  }
  direct {}
}
RC
cp examples/lightbits/quickstart/main.tf "$work/"
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
export LIGHTBITS_ENDPOINTS="http://127.0.0.1:$port" LIGHTBITS_TOKEN=demo-token
cd "$work"
echo "== terraform apply (examples/lightbits/quickstart) against the simulator on port $port"
"$tf" apply -auto-approve -input=false -no-color
echo
echo "== second terraform plan: expecting no changes"
set +e
"$tf" plan -input=false -detailed-exitcode -no-color
code=$?
set -e
if [[ $code -ne 0 ]]; then echo "FAIL: the second plan is not empty (exit $code)"; exit 1; fi
echo "OK: the second plan is empty."
echo
echo "== simulator contents"
curl -fs "http://127.0.0.1:$port/_sim/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
print("projects=%d volumes=%d snapshots=%d" % (s["projects"], s["volumes"], s["snapshots"]))
for o in s["objects"]:
    b = o["object"]
    print("  %-8s %-16s %s" % (o["kind"], b.get("name"), b.get("state", "")))'
