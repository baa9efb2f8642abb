#!/usr/bin/env bash
# CI step: the library, tests, examples and benches under the next trait solver
# (`-Znext-solver=globally`), at the DEFAULT recursion limit. See docs/next-solver.md.
#
# rustup cannot fetch nightly on these machines, so this uses Debian's rustc 1.96 (`rustc-web`,
# installed if missing; it ships the host's std) with RUSTC_BOOTSTRAP=1 to accept `-Z` flags.
#
# Exit status:
#   0  everything checks; or the only errors are generic-array's own known overflow (printed as
#      "KNOWN UPSTREAM: ...") AND shaped's code checks cleanly once that overflow is patched out;
#   1  any error in shaped's own code (library, tests, examples, benches), or an unknown failure.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
step() { printf '\n=== next-solver: %s (t=%ss)\n' "$1" "$(( $(date +%s) - start ))"; }
fail() { printf '\nNEXT-SOLVER FAILURE: %s\n' "$1"; exit 1; }

step "toolchain (Debian rustc-web, RUSTC_BOOTSTRAP=1)"
if [ ! -x /usr/bin/rustc ] || [ ! -x /usr/bin/cargo ]; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq rustc-web cargo-web >/dev/null \
    || fail "could not install rustc-web/cargo-web with apt"
fi
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Znext-solver=globally"
export CARGO_TARGET_DIR="$PWD/target/next-solver" CARGO_TERM_COLOR=never
unset RUSTC_WRAPPER
cargo=/usr/bin/cargo
"$RUSTC" --version && "$cargo" --version || fail "no usable /usr/bin/rustc or /usr/bin/cargo"

# Cargo rewrites Cargo.lock when generic-array is patched below: keep the committed one.
mkdir -p "$CARGO_TARGET_DIR" && cp Cargo.lock "$CARGO_TARGET_DIR/Cargo.lock.committed"
trap 'cp "$CARGO_TARGET_DIR/Cargo.lock.committed" Cargo.lock' EXIT

# Crates that failed to compile, one a line, from a cargo log.
failed_crates() { sed -n 's/^error: could not compile `\([^`]*\)`.*/\1/p' "$1" | sort -u; }

# Runs `cargo check ARGS...` into LOG; returns cargo's status.
check() {
  local log=$1; shift
  echo "+ cargo check $*"
  "$cargo" check "$@" >"$log" 2>&1
}

logs="$CARGO_TARGET_DIR/logs"
mkdir -p "$logs"

step "stock dependencies: cargo check --all-targets"
if check "$logs/stock.log" --all-targets; then
  grep -c '^warning' "$logs/stock.log" | xargs printf 'clean (%s warning lines)\n'
  check "$logs/stock-libm.log" --lib --no-default-features --features libm \
    || { cat "$logs/stock-libm.log"; fail "shaped (no_std + libm) does not check under the next solver"; }
  step "done in $(( $(date +%s) - start ))s: clean, no upstream workaround needed"
  exit 0
fi

crates=$(failed_crates "$logs/stock.log")
if [ "$crates" != "generic-array" ] || grep -E '^error(\[E[0-9]+\])?' "$logs/stock.log" \
    | grep -v -e '^error\[E0275\]' -e '^error\[E0282\]: type annotations needed' \
      -e '^error: could not compile `generic-array`' -q; then
  cat "$logs/stock.log"
  fail "errors other than generic-array's known overflow (failed: ${crates:-none})"
fi
n=$(grep -c '^error\[' "$logs/stock.log")
echo "generic-array fails alone ($n errors, all overflow E0275 / follow-up E0282)."

step "generic-array patched (literal usize::MAX + 1, as proposed upstream): shaped's own code"
lock_ver=$(grep -A1 '^name = "generic-array"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p' | head -1)
"$cargo" fetch -q >/dev/null 2>&1 || true
src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/generic-array-"$lock_ver" 2>/dev/null | head -1)
[ -n "$src" ] || fail "generic-array $lock_ver source not found in the cargo registry"
patched="$CARGO_TARGET_DIR/generic-array-$lock_ver-patched"
rm -rf "$patched" && cp -r "$src" "$patched" && rm -f "$patched/.cargo-ok" "$patched/.cargo_vcs_info.json"
perl -0pi -e 's{type MaxArrayLengthP1 =\s*<typenum::U256 as typenum::Pow<typenum::U<\{ mem::size_of::<usize>\(\) \}>>>::Output;}{#[cfg(target_pointer_width = "16")]\ntype MaxArrayLengthP1 = typenum::U65536;\n#[cfg(target_pointer_width = "32")]\ntype MaxArrayLengthP1 = typenum::U4294967296;\n#[cfg(target_pointer_width = "64")]\ntype MaxArrayLengthP1 = UInt<typenum::U9223372036854775808, B0>;}' \
  "$patched/src/lib.rs"
grep -q 'U9223372036854775808, B0' "$patched/src/lib.rs" \
  || fail "generic-array $lock_ver changed: the workaround no longer applies (update .ci/next-solver.sh)"
patch_cfg="patch.crates-io.generic-array.path=\"$patched\""

status=0
for args in "--all-targets" "--lib --no-default-features --features libm"; do
  # shellcheck disable=SC2086
  if check "$logs/patched.log" --config "$patch_cfg" $args; then
    echo "ok"
  else
    status=1
    grep -E '^(error|warning: unused)|^ *--> ' "$logs/patched.log" | head -60
    echo "failed crates: $(failed_crates "$logs/patched.log" | tr '\n' ' ')"
  fi
done
[ $status = 0 ] || fail "shaped's own code does not check under the next solver (see above)"

step "done in $(( $(date +%s) - start ))s"
echo "KNOWN UPSTREAM: generic-array overflow (see docs/next-solver.md); shaped itself checks cleanly"
exit 0
