#!/usr/bin/env bash
# Installs the Python interop peers' environment at tests/peers/.venv (idempotent).
# The Rust test tests/compression_peers.rs runs tests/peers/compression_peer.py with it.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
req="$here/requirements.txt"
py="$venv/bin/python"

if [ ! -x "$py" ] || ! "$py" -m pip --version >/dev/null 2>&1; then
    rm -rf "$venv"
    if ! python3 -m venv "$venv" >/dev/null 2>&1; then
        rm -rf "$venv"
        if command -v apt-get >/dev/null 2>&1; then
            echo "install.sh: python3 -m venv failed; installing python3-venv" >&2
            sudo_cmd=""
            if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
            $sudo_cmd apt-get update -qq
            DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq python3-venv >/dev/null
            python3 -m venv "$venv"
        else
            echo "install.sh: python3 -m venv failed and apt-get is not available" >&2
            exit 1
        fi
    fi
fi

# Skip pip entirely when every pinned requirement is already installed at its version.
satisfied() {
    "$py" - "$req" <<'PY'
import sys
from importlib.metadata import version, PackageNotFoundError
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, _, want = line.partition("==")
    try:
        if version(name.strip()) != want.strip():
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}

if ! satisfied; then
    "$py" -m pip install --quiet --disable-pip-version-check -r "$req"
fi
echo "install.sh: Python peers ready at $venv"
