#!/usr/bin/env bash
# Installs everything keytrail needs to build, serve and test. Idempotent: each step is skipped
# when what it installs is already present at the pinned version, so a warm machine is fast.
# Only crates.io, the npm registry and Debian's packages are used.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version in Cargo.lock.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
BINARYEN_VERSION=132

log() { printf '[install] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$PATH"

# 1. Rust target for the browser build.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. Debian packages: Chromium and its driver for browser tests, poppler and a Japanese font for
#    the report's print test.
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  log "installing chromium and chromium-driver (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
fi
# The report's print test reads the PDF Chromium prints with poppler (pdftotext, pdftoppm), and
# its Japanese headings need a Japanese font to be printed as text at all.
if ! command -v pdftotext >/dev/null || ! command -v pdftoppm >/dev/null \
  || ! fc-list 2>/dev/null | grep -qi "IPAGothic\|Noto Sans CJK"; then
  log "installing poppler-utils and fonts-ipafont-gothic (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq poppler-utils fonts-ipafont-gothic >/dev/null
fi

# 3. Trunk (builds and serves the web page).
if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  log "installing trunk $TRUNK_VERSION (several minutes on 2 cores)"
  cargo install --locked "trunk@$TRUNK_VERSION"
fi

# 4. wasm-bindgen CLI and test runner, exactly the locked library version (not --locked: see README).
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  cargo install "wasm-bindgen-cli@$WASM_BINDGEN_VERSION"
fi

# 5. npm tools: wasm-opt (binaryen) globally, playwright-core for the end-to-end tests and saxes
#    (the streaming JavaScript parser `npm run bench:scale` compares with) locally.
if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
  log "installing binaryen@$BINARYEN_VERSION (wasm-opt)"
  npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi
if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/saxes ]; then
  log "installing end-to-end test dependencies (npm ci in e2e/)"
  (cd e2e && npm ci --no-audit --no-fund >/dev/null)
fi
# 6. The crates of every target (the page's wasm ones too) as Cargo.lock pins them: Trunk builds
#    with --offline (Trunk.toml), so on a fresh machine nothing it needs may be left to download.
#    Quick when they are all in cargo's cache already.
cargo fetch --locked --quiet
log "done"
