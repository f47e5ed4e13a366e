#!/usr/bin/env bash
# Cross-compile the `toso` binary for 64-bit Windows (target
# x86_64-pc-windows-gnu) on Debian/Linux, and print the path of toso.exe.
#
# Installs what is missing: the Rust target (rustup) and the MinGW-w64 C
# toolchain (Debian package gcc-mingw-w64-x86-64), which links the exe and
# compiles the bundled C code (SQLite). The linker is given by environment
# (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER), so no .cargo/config is needed.
# Honours CARGO_TARGET_DIR (default: cargo's, target/ in the workspace).
#
#   scripts/windows-build.sh            # release build of toso.exe
#   scripts/windows-build.sh --check    # also `cargo check` every workspace crate for Windows
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

TARGET=x86_64-pc-windows-gnu
MINGW_GCC=x86_64-w64-mingw32-gcc

check_all=false
for arg in "$@"; do
  case "$arg" in
    --check) check_all=true ;;
    *) die "unknown argument: $arg (only --check)" ;;
  esac
done

command -v cargo >/dev/null || die "cargo is missing: install the stable Rust toolchain (rustup)"
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  say "adding the Rust target $TARGET"
  rustup target add "$TARGET"
fi
command -v "$MINGW_GCC" >/dev/null || apt_install gcc-mingw-w64-x86-64
command -v "$MINGW_GCC" >/dev/null || die "$MINGW_GCC is still missing after installing gcc-mingw-w64-x86-64"

# The linker, and the C compiler and archiver of the cc crate (bundled SQLite).
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="$MINGW_GCC"
export CC_x86_64_pc_windows_gnu="$MINGW_GCC"
export AR_x86_64_pc_windows_gnu=x86_64-w64-mingw32-ar

if $check_all; then
  say "cargo check --workspace --all-targets --target $TARGET"
  cargo check --workspace --all-targets --target "$TARGET"
fi

say "cargo build --release --target $TARGET --bin toso"
cargo build --release --target "$TARGET" --bin toso

target_dir="${CARGO_TARGET_DIR:-target}"
exe="$target_dir/$TARGET/release/toso.exe"
[ -f "$exe" ] || die "the build finished but $exe is not there"
exe=$(cd "$(dirname "$exe")" && pwd)/toso.exe
say "built $exe ($(du -h "$exe" | cut -f1))"
printf '%s\n' "$exe"
