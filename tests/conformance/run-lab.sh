#!/bin/sh
# One command: lab + agents + conformance suite + Rally, then the summary (docs/conformance.md).
# Needs root (the lab installs packages and runs services) and a built build/fedstack.
exec python3 "$(dirname "$0")/run_lab.py" "$@"
