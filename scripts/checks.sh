#!/usr/bin/env bash
# The admin API's faces through real clients, from a virtual environment made here
# (checks/requirements.txt, pinned), against a faultline binary: the MCP endpoint through the
# official Python client, and the live page in headless Chromium (Debian's chromium and
# chromium-driver), which leaves a screenshot at .build/ui.png. Exits 1 on any failed check.
#   scripts/checks.sh [path/to/faultline]    (default: .build/release/faultline)
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/release/faultline}"
venv="${CHECKS_VENV:-.build/checks-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r checks/requirements.txt
"$venv/bin/python" checks/mcp_check.py --faultline "$binary"
"$venv/bin/python" checks/ui_check.py --faultline "$binary" --screenshot .build/ui.png
