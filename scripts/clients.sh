#!/usr/bin/env bash
# The conformance suite: the vendors' real clients (clients/requirements.txt, pinned) against a
# faultline binary, from a virtual environment made here. One line per case, then
# "N passed, M failed"; exits 1 on any failure.
#   scripts/clients.sh [path/to/faultline]    (default: a release build, made if missing)
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/release/faultline}"
if [ ! -x "$binary" ]; then
    swift build -c release --product faultline
fi
venv="${CLIENTS_VENV:-.build/clients-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r clients/requirements.txt
"$venv/bin/python" clients/run.py --faultline "$binary"
