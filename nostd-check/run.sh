#!/usr/bin/env bash
# Builds the freestanding no_std binary (release and debug), checks that it is static with no
# dynamic section, runs it, and fails unless it exits 0. Called by .ci/run.
set -euo pipefail
cd "$(dirname "$0")"

for profile in release dev; do
  dir=$([ "$profile" = dev ] && echo debug || echo release)
  echo "--- nostd-check: cargo build --profile $profile"
  cargo build --profile "$profile"
  # Honour CARGO_TARGET_DIR (relative paths resolve from here, as they do for cargo).
  bin="${CARGO_TARGET_DIR:-target}/$dir/nostd-check"
  if command -v readelf >/dev/null && readelf -d "$bin" | grep -q NEEDED; then
    echo "nostd-check ($profile): the binary links a shared library:" >&2
    readelf -d "$bin" >&2
    exit 1
  fi
  status=0
  "./$bin" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "nostd-check ($profile): exit status $status" >&2
    exit 1
  fi
  echo "--- nostd-check ($profile): exit status 0"
done
