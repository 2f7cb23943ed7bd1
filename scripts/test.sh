#!/usr/bin/env bash
# Runs every test: formatting and lints for both targets, the native tests (decoder, model, CLI,
# properties), the wasm tests in headless Chromium, and the end-to-end tests of the built page.
# Installs what it needs first (scripts/install.sh, idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/install.sh

step() { printf '\n== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lints (native)"
cargo clippy --all-targets -- -D warnings

step "lints (wasm32)"
cargo clippy --target wasm32-unknown-unknown --no-default-features --features web \
  --lib --bins --test web -- -D warnings

step "native tests"
cargo test --all-targets
cargo test --doc

step "browser tests"
bash scripts/test-web.sh
