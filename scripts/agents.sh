#!/usr/bin/env bash
# The MCP endpoint through the official Python client (agents/requirements.txt, pinned), from a
# virtual environment made here, against a faultline binary. Exits 1 on any failed check.
#   scripts/agents.sh [path/to/faultline]    (default: .build/release/faultline)
set -euo pipefail
cd "$(dirname "$0")/.."

binary="${1:-.build/release/faultline}"
venv="${AGENTS_VENV:-.build/agents-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r agents/requirements.txt
"$venv/bin/python" agents/mcp_check.py --faultline "$binary"
