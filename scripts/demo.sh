#!/usr/bin/env bash
# The main job: build the providers, then for each vendor start its bundled simulator,
# apply examples/<vendor>/quickstart with a real Terraform CLI and show that a second plan
# is empty. Everything runs in temporary directories. DEMO_VENDORS picks vendors
# (default: all with a quickstart).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
tf="$(scripts/install-terraform.sh)"
cargo build --release --bins
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
port="${DEMO_PORT:-18090}"
pids=()
dirs=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; for d in "${dirs[@]}"; do rm -rf "$d"; done' EXIT

# Starts a vendor's simulator on $port and exports the provider's environment.
start_simulator() {
  local vendor=$1 work=$2
  case "$vendor" in
    lightbits)
      ./target/release/lightbits-simulator --listen "127.0.0.1:$port" --token demo-token > "$work/simulator.log" 2>&1 &
      export LIGHTBITS_ENDPOINTS="http://127.0.0.1:$port" LIGHTBITS_TOKEN=demo-token ;;
    luminate)
      ./target/release/luminate-simulator --listen "127.0.0.1:$port" --client-id demo-client --client-secret demo-secret > "$work/simulator.log" 2>&1 &
      export LUMINATE_API_ENDPOINT="http://127.0.0.1:$port" LUMINATE_API_CLIENT_ID=demo-client LUMINATE_API_CLIENT_SECRET=demo-secret ;;
    lightrun)
      ./target/release/lightrun-simulator --listen "127.0.0.1:$port" --api-key demo-api-key > "$work/simulator.log" 2>&1 &
      export LIGHTRUN_API_URL="http://127.0.0.1:$port" LIGHTRUN_API_KEY=demo-api-key LIGHTRUN_COMPANY_ID=c0ffee00-0000-4000-8000-000000000001 ;;
    lastline)
      ./target/release/lastline-simulator --listen "127.0.0.1:$port" --username ops@example.com --password demo-password > "$work/simulator.log" 2>&1 &
      export LASTLINE_BASE_URL="http://127.0.0.1:$port/papi" LASTLINE_USERNAME=ops@example.com LASTLINE_PASSWORD=demo-password ;;
    lighthouse)
      ./target/release/lighthouse-simulator --listen "127.0.0.1:$port" --admin-email ops@example.com --admin-password demo-password > "$work/simulator.log" 2>&1 &
      export LIGHTHOUSE_ENDPOINT="http://127.0.0.1:$port" LIGHTHOUSE_EMAIL=ops@example.com LIGHTHOUSE_PASSWORD=demo-password ;;
  esac
  pids+=($!)
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/_sim/state" >/dev/null 2>&1 && break; sleep 0.1; done
  if [[ $vendor == lighthouse ]]; then
    # The machines around the server: a beacon agent with two Docker hosts behind it.
    curl -fs -X POST "http://127.0.0.1:$port/_sim/beacon_hosts" -H 'content-type: application/json' -d '{
      "address": "127.0.0.1:5002", "token": "demo-beacon-token",
      "vms": [{"name": "dock1", "address": "10.0.0.11", "port": "2375", "version": "v1.18", "canAccessDocker": true},
              {"name": "dock2", "address": "10.0.0.12", "port": "2375", "version": "v1.18", "canAccessDocker": true}]}' >/dev/null
  fi
}

run_quickstart() {
  local vendor=$1
  local work
  work="$(mktemp -d)"
  dirs+=("$work")
  start_simulator "$vendor" "$work"
  cat > "$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "tfprov/$vendor" = "$root/target/release"
  }
  direct {}
}
RC
  cp "examples/$vendor/quickstart/main.tf" "$work/"
  (
    cd "$work"
    export TF_CLI_CONFIG_FILE="$work/terraformrc"
    echo "== $vendor: terraform apply (examples/$vendor/quickstart) against its simulator on port $port"
    "$tf" apply -auto-approve -input=false -no-color
    echo
    echo "== $vendor: second terraform plan: expecting no changes"
    set +e
    "$tf" plan -input=false -detailed-exitcode -no-color
    code=$?
    set -e
    if [[ $code -ne 0 ]]; then echo "FAIL: the second plan is not empty (exit $code)"; exit 1; fi
    echo "OK: the second plan is empty."
    echo
    echo "== $vendor: simulator contents"
    curl -fs "http://127.0.0.1:$port/_sim/state" | python3 -c '
import json, sys
s = json.load(sys.stdin)
for o in s["objects"]:
    b = o["object"] if isinstance(o["object"], dict) else {}
    name = (b.get("name") or b.get("Name") or b.get("Email") or b.get("email") or b.get("username")
            or b.get("Address") or b.get("InstanceAddress") or o.get("id"))
    print("  %-18s %-24s %s" % (o["kind"], name, b.get("state", "")))'
    echo
  )
  port=$((port + 1))
}

for vendor in ${DEMO_VENDORS:-lightbits luminate lightrun lighthouse lastline}; do
  run_quickstart "$vendor"
done
