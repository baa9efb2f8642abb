#!/usr/bin/env bash
# LeNet-5 on microcontrollers under QEMU, offline: installs what is missing, builds the f32 and
# int8 programs for the Cortex-M4F (mps2-an386) and the int8 one for the Cortex-M0 (micro:bit),
# plus head fine-tuning on the M4, runs each and fails unless each exits 0 (a program exits 0 only
# if its predictions equal the host's, or, for fine-tuning, if the accuracy rose). Called by
# .ci/run. One target directory for all builds, so `core` is built once per target and cached.
#
# Toolchain: with rustup and the targets installed (`rustup target add thumbv7em-none-eabihf
# thumbv6m-none-eabi`) it builds on stable with rust-lld; otherwise with Debian's rustc-web and its
# standard library source (`-Z build-std=core`, unlocked by RUSTC_BOOTSTRAP=1 on that stable
# compiler) and arm-none-eabi-ld.
set -euo pipefail
cd "$(dirname "$0")"
start=$(date +%s)

need=()
command -v qemu-system-arm >/dev/null || need+=(qemu-system-arm)
command -v arm-none-eabi-ld >/dev/null || need+=(binutils-arm-none-eabi)
rustup_targets=0
if command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -q thumbv7em-none-eabihf \
   && rustup target list --installed 2>/dev/null | grep -q thumbv6m-none-eabi; then
  rustup_targets=1
elif [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
  need+=(rustc-web rust-web-src)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "--- embedded: apt-get install ${need[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

build() { # target, bins...
  local target=$1; shift
  local bins=()
  for b in "$@"; do bins+=(--bin "$b"); done
  if [ "$rustup_targets" = 1 ]; then
    cargo build --release --target "$target" "${bins[@]}"
  else
    local var="CARGO_TARGET_$(echo "$target" | tr 'a-z-' 'A-Z_')_LINKER"
    env RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 "$var=arm-none-eabi-ld" \
      /usr/bin/cargo build --release --target "$target" -Z build-std=core "${bins[@]}"
  fi
}

echo "--- embedded: build for thumbv7em-none-eabihf (Cortex-M4F) and thumbv6m-none-eabi (Cortex-M0)"
build thumbv7em-none-eabihf m4_f32 m4_int8 m4_train
build thumbv6m-none-eabi m0_int8
built=$(date +%s)

dir="${CARGO_TARGET_DIR:-target}"
run() { # machine, binary
  local machine=$1 bin=$2 cpu=()
  [ "$machine" = mps2-an386 ] && cpu=(-cpu cortex-m4)
  echo "--- embedded: $bin on $machine"
  local status=0
  timeout 600 qemu-system-arm "${cpu[@]}" -machine "$machine" -nographic -icount shift=0 \
    -semihosting-config enable=on,target=native -kernel "$bin" || status=$?
  if [ "$status" -ne 0 ]; then
    echo "embedded: $bin exited with status $status" >&2
    exit 1
  fi
}
run mps2-an386 "$dir/thumbv7em-none-eabihf/release/m4_f32"
run mps2-an386 "$dir/thumbv7em-none-eabihf/release/m4_int8"
run microbit "$dir/thumbv6m-none-eabi/release/m0_int8"
run mps2-an386 "$dir/thumbv7em-none-eabihf/release/m4_train"

# The int8 path is float-free: the Cortex-M0 binary links no soft-float routine.
if arm-none-eabi-nm "$dir/thumbv6m-none-eabi/release/m0_int8" | grep -Eq '__aeabi_(f|d)|__(add|sub|mul|div)[sd]f3'; then
  echo "embedded: the Cortex-M0 int8 binary links soft-float routines:" >&2
  arm-none-eabi-nm "$dir/thumbv6m-none-eabi/release/m0_int8" | grep -E '__aeabi_(f|d)|__(add|sub|mul|div)[sd]f3' >&2
  exit 1
fi
echo "--- embedded: all programs exited 0 (build $((built - start)) s, runs $(($(date +%s) - built)) s)"
