#!/usr/bin/env bash
# Serves the viewer at http://127.0.0.1:8080/ (release build, as shipped), after making sure
# the tools are installed. Idempotent; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/install.sh

echo "keytrail: serving the release build at http://127.0.0.1:8080/ (Ctrl-C stops)"
# Address, port, offline mode and the CSP handling are in Trunk.toml.
exec trunk serve --release --offline --address 127.0.0.1 --port 8080
