#!/usr/bin/env bash
# Browser tests: the wasm-bindgen tests in headless Chromium (tests/web.rs), then the release
# build of the page, then the end-to-end tests on that build (e2e/). Idempotent; run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The runner (wasm-bindgen-test-runner, see .cargo/config.toml) drives Chromium through this
# driver; webdriver.json adds the flags Chromium needs here (no sandbox as root, no GPU).
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

echo "== wasm-bindgen tests (tests/web.rs)"
# The runner gives the whole suite 20 s by default; its large-file tests (two workers, chains of
# three and four) decode several megabytes in unoptimised wasm, which takes longer than that.
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"
cargo test --target wasm32-unknown-unknown --no-default-features --features web --test web

echo "== trunk build --release --offline"
trunk build --release --offline

echo "== cargo build --release --bin keytrail (the e2e tests compare the page with the CLI)"
cargo build --release --bin keytrail

echo "== end-to-end tests (e2e/)"
if [ ! -d e2e/node_modules/playwright-core ]; then
  (cd e2e && npm ci --no-audit --no-fund)
fi
(cd e2e && npm test)
