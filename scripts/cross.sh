#!/usr/bin/env bash
# `make cross`: the crate built, linted and tested for other platforms from Linux.
#
# - clippy --all-targets -D warnings for aarch64-apple-darwin, x86_64-apple-darwin and
#   x86_64-pc-windows-gnu (`make lint` covers x86_64-unknown-linux-gnu, `.ci/run` builds
#   the musl binary);
# - the Windows lib tests and the platform-free integration tests (tests/it/main.rs)
#   built with mingw and run under wine;
# - the macOS arm64 binary linked with cargo-zigbuild (zig from the `ziglang` Python
#   package) and checked to be a Mach-O arm64 executable.
#
# What it needs is installed when missing, quietly and with time limits; a part whose
# tools cannot be installed is skipped with a message. A lint or test failure fails.
set -uo pipefail
cd "$(dirname "$0")/.."

CARGO=${CARGO:-cargo}
WIN=x86_64-pc-windows-gnu
MAC_ARM=aarch64-apple-darwin
TARGETS="$MAC_ARM x86_64-apple-darwin $WIN"
failed=0
started=$SECONDS

say() { printf 'cross: %s\n' "$*"; }
skip() { printf 'cross: skipped: %s\n' "$*"; }
# Runs "$@", then says how long it took.
timed() {
  local from=$SECONDS rc
  "$@"
  rc=$?
  say "$(( SECONDS - from )) s: $*"
  return $rc
}
apt_install() {
  [ "$(id -u)" = 0 ] || return 1
  (timeout 300 apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    timeout 600 apt-get install -y -qq "$@") >/dev/null 2>&1
}

# 1. Targets.
installed=$(rustup target list --installed 2>/dev/null)
have_targets=""
for target in $TARGETS; do
  if grep -qx "$target" <<<"$installed" || timeout 300 rustup target add "$target" >/dev/null 2>&1; then
    have_targets="$have_targets $target"
  else
    skip "$target: 'rustup target add $target' failed"
  fi
done

# 2. clippy for each target.
for target in $have_targets; do
  timed "$CARGO" clippy --quiet --all-targets --target "$target" -- -D warnings || failed=1
done

# 3. Windows tests under wine.
if [[ " $have_targets " == *" $WIN "* ]]; then
  command -v x86_64-w64-mingw32-gcc >/dev/null && [ -x /usr/lib/wine/wine64 ] ||
    apt_install gcc-mingw-w64-x86-64 wine64 || true
fi
if [[ " $have_targets " != *" $WIN "* ]]; then
  skip "Windows tests: no $WIN target"
elif ! command -v x86_64-w64-mingw32-gcc >/dev/null || [ ! -x /usr/lib/wine/wine64 ]; then
  skip "Windows tests: mingw (gcc-mingw-w64-x86-64) or wine (wine64) could not be installed"
else
  export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
  deps=target/$WIN/debug/deps
  if timed "$CARGO" test --quiet --target "$WIN" --lib --test it --no-run; then
    # Wine 8 lacks bcryptprimitives.dll (std's ProcessPrng): a stand-in beside the tests.
    x86_64-w64-mingw32-gcc -O2 -shared -o "$deps/bcryptprimitives.dll" \
      scripts/wine/processprng.c -ladvapi32 || failed=1
    cp "$deps/bcryptprimitives.dll" "target/$WIN/debug/" 2>/dev/null || true
    prefix=$(mktemp -d)
    # The `wine` wrapper looks for 32-bit parts; wine64 runs the 64-bit tests directly.
    WINEPREFIX=$prefix WINEDEBUG=-all \
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=/usr/lib/wine/wine64 \
      timed timeout 1200 "$CARGO" test --quiet --no-fail-fast --target "$WIN" --lib --test it || failed=1
    WINEPREFIX=$prefix timeout 30 /usr/lib/wine/wineserver -k >/dev/null 2>&1 || true
    rm -rf "$prefix"
  else
    failed=1
  fi
fi

# 4. The macOS arm64 binary, linked by zig.
if [[ " $have_targets " == *" $MAC_ARM "* ]]; then
  python3 -c 'import ziglang' 2>/dev/null || timeout 300 python3 -m pip install -q ziglang >/dev/null 2>&1 || true
  command -v cargo-zigbuild >/dev/null ||
    timeout 300 python3 -m pip install -q cargo-zigbuild >/dev/null 2>&1 ||
    timeout 900 "$CARGO" install --quiet --locked cargo-zigbuild >/dev/null 2>&1 || true
fi
if [[ " $have_targets " != *" $MAC_ARM "* ]]; then
  skip "macOS link: no $MAC_ARM target"
elif ! command -v cargo-zigbuild >/dev/null || ! python3 -c 'import ziglang' 2>/dev/null; then
  skip "macOS link: cargo-zigbuild or the ziglang Python package could not be installed"
else
  # No macOS SDK here: only libSystem links, which is all the binary uses.
  command -v file >/dev/null || apt_install file || true
  if timed "$CARGO" zigbuild --quiet --target "$MAC_ARM" --bin blinkline; then
    kind=$(file -b "target/$MAC_ARM/debug/blinkline")
    say "target/$MAC_ARM/debug/blinkline: $kind"
    [[ "$kind" == *"Mach-O 64-bit arm64 executable"* ]] || failed=1
  else
    failed=1
  fi
fi

say "done in $(( SECONDS - started )) s$([ $failed = 0 ] || echo ', with failures')"
exit $failed
