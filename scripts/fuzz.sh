#!/usr/bin/env bash
# Fuzzes the decoder for a fixed time (default 600 s) with cargo fuzz (libFuzzer, nightly).
# Usage: scripts/fuzz.sh [SECONDS]. Seeds the corpus with the test fixtures. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_TO_RUN="${1:-600}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
mkdir -p fuzz/corpus/decode
for f in tests/fixtures/*; do
  case "$f" in *.md) continue ;; esac
  # A leading chunking byte, then the fixture (at most 64 KiB of it).
  { printf '\007'; head -c 65536 "$f"; } > "fuzz/corpus/decode/$(basename "$f")"
done
cargo +nightly fuzz run decode fuzz/corpus/decode -- \
  -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=1024 -max_len=262144 -print_final_stats=1
