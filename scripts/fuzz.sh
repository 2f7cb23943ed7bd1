#!/usr/bin/env bash
# Fuzzes the decoder for a fixed time (default 600 s) with cargo fuzz (libFuzzer, nightly).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET], TARGET `decode` (XML, the default) or `evtx`.
# Seeds the corpus with the test fixtures. Not run by CI.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
SECONDS_TO_RUN="${1:-600}"
TARGET="${2:-decode}"
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi
corpus="fuzz/corpus/$TARGET"
mkdir -p "$corpus"
case "$TARGET" in
  decode)
    for f in tests/fixtures/*; do
      [ -f "$f" ] || continue
      case "$f" in *.md) continue ;; esac
      # A leading chunking byte, then the fixture (at most 64 KiB of it).
      { printf '\007'; head -c 65536 "$f"; } > "$corpus/$(basename "$f")"
    done
    max_len=262144
    ;;
  evtx)
    # Every chunk of every real sample, as a unit of its own (the target puts a file header
    # before it): a leading chunking byte, then the 64 KiB chunk.
    for f in tests/fixtures/evtx/*.evtx; do
      size=$(stat -c %s "$f")
      n=$(( (size - 4096) / 65536 ))
      for ((i = 0; i < n && i < 8; i++)); do
        { printf '\007'; dd if="$f" bs=4096 skip=$((1 + i * 16)) count=16 status=none; } \
          > "$corpus/$(basename "$f" .evtx)-chunk$i"
      done
    done
    # Two chunks in a row of a Security log: the second defines its templates again, so that
    # templates kept from the first chunk (binxml::Kept) meet mutated definitions.
    f=tests/fixtures/evtx/security.evtx
    for ((i = 0; i < 4; i++)); do
      { printf '\007'; dd if="$f" bs=4096 skip=$((1 + i * 16)) count=32 status=none; } \
        > "$corpus/security-chunks$i-$((i + 1))"
    done
    max_len=131073
    ;;
  *) echo "unknown target $TARGET (decode or evtx)" >&2; exit 2 ;;
esac
cargo +nightly fuzz run "$TARGET" "$corpus" -- \
  -max_total_time="$SECONDS_TO_RUN" -rss_limit_mb=1024 -max_len="$max_len" -print_final_stats=1
