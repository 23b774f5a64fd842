#!/usr/bin/env bash
# Copies what the Unreal plugin needs into bindings/unreal/MixPlay/Source/ThirdParty/mixplay:
#   include/mixplay.h, include/mixplay.hpp   (the C header and the C++ wrapper)
#   lib/<Platform>/...                       (the native library built with cargo)
#
# Usage: bindings/unreal/stage.sh [--target TRIPLE] [--debug] [--no-build] [--dest DIR]
#   --target TRIPLE  build for this Rust target (default: the host); picks the platform folder:
#                    *windows-msvc -> Win64, *linux* -> Linux (aarch64: LinuxArm64), *apple-darwin -> Mac
#   --debug          stage the debug build (default: --release)
#   --no-build       do not run cargo; stage what target/ already holds
#   --dest DIR       stage into DIR instead of the plugin's Source/ThirdParty/mixplay
#
# Run it on each platform you ship (or cross-compile with --target and a matching toolchain),
# then copy the whole MixPlay folder into <YourProject>/Plugins/. scripts/package.sh builds every
# platform it can from one Linux machine and writes the plugin, staged, as a zip.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dest="$here/MixPlay/Source/ThirdParty/mixplay"
target=""
profile="release"
build=1
while [ $# -gt 0 ]; do
    case "$1" in
        --target) target="$2"; shift 2 ;;
        --debug) profile="debug"; shift ;;
        --no-build) build=0; shift ;;
        --dest) dest="$2"; shift 2 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        *) echo "stage.sh: unknown option $1" >&2; exit 2 ;;
    esac
done

triple="${target:-$(rustc -vV | sed -n 's/^host: //p')}"
case "$triple" in
    *windows-msvc) platform="Win64" ;;
    aarch64-*linux*) platform="LinuxArm64" ;;
    *linux*) platform="Linux" ;;
    *apple-darwin) platform="Mac" ;;
    *) echo "stage.sh: no Unreal platform for $triple (Win64 needs *-pc-windows-msvc)" >&2; exit 2 ;;
esac

cargo_args=(build --lib --locked)
[ "$profile" = "release" ] && cargo_args+=(--release)
[ -n "$target" ] && cargo_args+=(--target "$target")
if [ "$build" = 1 ]; then
    if [[ "$platform" == Linux* ]]; then
        # Give the shared library a soname, so a module linked against it records the bare name.
        RUSTFLAGS="${RUSTFLAGS:-} -C link-arg=-Wl,-soname,libmixplay.so" cargo "${cargo_args[@]}" --manifest-path "$root/Cargo.toml"
    else
        cargo "${cargo_args[@]}" --manifest-path "$root/Cargo.toml"
    fi
fi

out="${CARGO_TARGET_DIR:-$root/target}"
case "$out" in /*) ;; *) out="$root/$out" ;; esac
[ -n "$target" ] && out="$out/$target"
out="$out/$profile"

case "$platform" in
    Win64) files=(mixplay.dll mixplay.dll.lib) ;;
    Linux|LinuxArm64) files=(libmixplay.a libmixplay.so) ;;
    Mac) files=(libmixplay.dylib) ;;
esac

mkdir -p "$dest/include" "$dest/lib/$platform"
cp "$root/include/mixplay.h" "$root/bindings/cpp/mixplay.hpp" "$dest/include/"
for f in "${files[@]}"; do
    if [ ! -f "$out/$f" ]; then
        echo "stage.sh: $out/$f is missing (build with: cargo build --lib --release${target:+ --target $target})" >&2
        exit 1
    fi
    cp "$out/$f" "$dest/lib/$platform/"
done
if [ "$platform" = "Mac" ] && command -v install_name_tool >/dev/null 2>&1; then
    # Found next to the module at run time, wherever the game is installed.
    install_name_tool -id "@rpath/libmixplay.dylib" "$dest/lib/Mac/libmixplay.dylib"
fi
echo "staged $platform ($profile) into $dest"
