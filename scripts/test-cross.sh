#!/usr/bin/env bash
# The cross-platform packaging check (tests/package.rs, `cross_platforms`), kept out of
# scripts/test.sh because it builds the library for four more platforms (several minutes each on
# two cores). It installs what the check needs on Debian (MinGW, Wine, CMake, LLVM's tools; zig
# comes from PyPI through scripts/package.sh), then builds every platform with
# scripts/package.sh, inspects each library, and runs Windows builds of the C example and of a
# CMake game project under Wine against the mediator.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-x86-64)
command -v x86_64-w64-mingw32-g++ >/dev/null 2>&1 || missing+=(g++-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null 2>&1 || missing+=(wine64)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v llvm-nm >/dev/null 2>&1 || missing+=(llvm)
command -v readelf >/dev/null 2>&1 || missing+=(binutils)
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    sudo_cmd=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    echo "installing: ${missing[*]}"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi
cargo nextest run --all-features --locked --test package --run-ignored only cross_platforms
