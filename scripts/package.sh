#!/usr/bin/env bash
# Builds the release libraries and writes the engine packages into dist/ (git-ignored):
#
#   dist/mixplay-VERSION-PLATFORM/          the C/C++ SDK, one per platform: include/ (mixplay.h,
#                                           mixplay.hpp), lib/ (shared and static), a pkg-config
#                                           file and a CMake package config (bin/ for the DLL)
#   dist/mixplay-VERSION-PLATFORM.tar.gz    the same, archived (.zip for Windows)
#   dist/com.mixplay.sdk-VERSION.tgz        the Unity package (UPM tarball: "Add package from tarball")
#   dist/MixPlay-VERSION-unreal.zip         the Unreal plugin with Source/ThirdParty/mixplay staged
#   dist/SHA256SUMS
#
# Usage: scripts/package.sh [--platforms host|all|LIST] [--only sdk,unity,unreal] [--out DIR]
#                           [--strict] [--build-only] [--list]
#   --platforms  host (default): the machine's own platform; all: every platform below; or a
#                comma list of linux-x86_64, linux-arm64, windows-x86_64, macos-x86_64, macos-arm64
#   --only       which packages to write (default all three)
#   --out DIR    write there instead of dist/ (its previous packages are replaced)
#   --strict     fail when a requested platform cannot be built (default: say so, package the rest)
#   --build-only build the libraries (into target/), write no package
#   --list       say which platforms this machine can build, and how, then exit
#
# The host platform builds with cargo and the system C compiler. Others cross-compile: Windows
# with MinGW (Debian: gcc-mingw-w64-x86-64), else zig; Linux arm64 and macOS with cargo-zigbuild
# and zig, which this script installs from PyPI into a venv under target/tools/ when first needed
# (MIXPLAY_ZIG_VENV overrides where). macOS links against link-time stubs of the two system
# frameworks the library uses (Security, CoreFoundation), written from the symbols it imports:
# no Apple SDK is needed or shipped. The libraries are built with cargo's `dist` profile
# (Cargo.toml) into target/<triple>/dist/.
set -euo pipefail
shopt -u patsub_replacement 2>/dev/null || true # "&" in a substituted value stays "&"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# Started from a test or another program cargo runs, the environment carries what cargo sets for
# that crate (OUT_DIR, CARGO_PKG_*, ...). Some build scripts watch those names (ring does), so
# each caller would rebuild everything: the build must not depend on who started it.
unset OUT_DIR CARGO_MANIFEST_DIR CARGO_MANIFEST_PATH CARGO_MANIFEST_LINKS CARGO_CRATE_NAME CARGO_PRIMARY_PACKAGE
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep -E '^CARGO_(PKG|BIN_EXE)_' || true)

ALL_PLATFORMS=(linux-x86_64 linux-arm64 windows-x86_64 macos-x86_64 macos-arm64)
ZIG_PINS=(ziglang==0.17.1 cargo-zigbuild==0.24.1)
target_root="${CARGO_TARGET_DIR:-$root/target}"
case "$target_root" in /*) ;; *) target_root="$root/$target_root" ;; esac
zig_venv="${MIXPLAY_ZIG_VENV:-$target_root/tools/zig-venv}"

say() { printf '== %s\n' "$*"; }
warn() { printf 'package.sh: %s\n' "$*" >&2; }
die() { warn "$*"; exit 1; }

# ----- options -----
platforms_arg="host"
only="sdk,unity,unreal"
out="$root/dist"
strict=0
build_only=0
list_only=0
while [ $# -gt 0 ]; do
    case "$1" in
        --platforms) platforms_arg="${2:?--platforms needs a value}"; shift 2 ;;
        --only) only="${2:?--only needs a value}"; shift 2 ;;
        --out) out="${2:?--out needs a directory}"; shift 2 ;;
        --strict) strict=1; shift ;;
        --build-only) build_only=1; shift ;;
        --list) list_only=1; shift ;;
        -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
done
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
for p in ${only//,/ }; do
    case "$p" in sdk|unity|unreal) ;; *) die "--only takes sdk, unity, unreal; not $p" ;; esac
done
wants() { [[ ",$only," == *",$1,"* ]]; }

# ----- platforms -----
triple_of() {
    case "$1" in
        linux-x86_64) echo x86_64-unknown-linux-gnu ;;
        linux-arm64) echo aarch64-unknown-linux-gnu ;;
        windows-x86_64) echo x86_64-pc-windows-gnu ;;
        macos-x86_64) echo x86_64-apple-darwin ;;
        macos-arm64) echo aarch64-apple-darwin ;;
        *) return 1 ;;
    esac
}
host_triple="$(rustc -vV | sed -n 's/^host: //p')"
host_platform=""
for p in "${ALL_PLATFORMS[@]}"; do
    [ "$(triple_of "$p")" = "$host_triple" ] && host_platform="$p"
done

case "$platforms_arg" in
    host) [ -n "$host_platform" ] || die "this machine ($host_triple) is not one of: ${ALL_PLATFORMS[*]}"
          requested=("$host_platform") ;;
    all) requested=("${ALL_PLATFORMS[@]}") ;;
    *) IFS=, read -r -a requested <<<"$platforms_arg"
       for p in "${requested[@]}"; do triple_of "$p" >/dev/null || die "unknown platform $p (known: ${ALL_PLATFORMS[*]})"; done ;;
esac

# An LLVM tool (llvm-strip, llvm-dlltool, llvm-lipo, ...): unversioned on PATH, else the newest
# /usr/lib/llvm-N/bin copy (Debian's llvm package links only some of them).
llvm_tool() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
    local found
    found="$(ls -d /usr/lib/llvm-*/bin/"$1" 2>/dev/null | sort -V | tail -1)"
    [ -n "$found" ] || return 1
    echo "$found"
}

have_zig() { [ -x "$zig_venv/bin/cargo-zigbuild" ] && "$zig_venv/bin/python3" -m ziglang version >/dev/null 2>&1; }

# Installs zig and cargo-zigbuild into the venv (idempotent); false if that is impossible here.
ensure_zig() {
    have_zig && return 0
    say "installing ${ZIG_PINS[*]} into $zig_venv" >&2
    mkdir -p "$(dirname "$zig_venv")"
    python3 -m venv "$zig_venv" >/dev/null 2>&1 || { warn "cannot make a Python venv at $zig_venv (writable? Debian: apt-get install python3-venv)"; return 1; }
    "$zig_venv/bin/pip" install -q --disable-pip-version-check "${ZIG_PINS[@]}" || { warn "pip could not install ${ZIG_PINS[*]}"; return 1; }
    have_zig
}

ensure_rust_target() {
    rustup target list --installed 2>/dev/null | grep -qx "$1" && return 0
    rustup target add "$1" >/dev/null 2>&1
}

# How a platform is built here: cargo (host), mingw, zig; or `none: why`.
builder_of() {
    local p="$1"
    if [ "$p" = "$host_platform" ]; then echo cargo; return; fi
    if [[ "$p" == windows-* ]] && command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then echo mingw; return; fi
    if have_zig || { [ "$list_only" = 0 ] && ensure_zig; }; then echo zig; return; fi
    if [ "$list_only" = 1 ] && command -v python3 >/dev/null 2>&1; then echo "zig (installed from PyPI on first use)"; return; fi
    local why="needs zig (pip install ${ZIG_PINS[*]})"
    [[ "$p" == windows-* ]] && why="$why or MinGW (Debian: apt-get install gcc-mingw-w64-x86-64)"
    echo "none: $why"
}

if [ "$list_only" = 1 ]; then
    for p in "${ALL_PLATFORMS[@]}"; do
        printf '%-16s %-28s %s\n' "$p" "$(triple_of "$p")" "$(builder_of "$p")"
    done
    exit 0
fi

# ----- versions -----
version="$(sed -n 's/^version *= *"\(.*\)"/\1/p' Cargo.toml | head -1)"
unity_version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' bindings/unity/package.json)"
unreal_version="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["VersionName"])' bindings/unreal/MixPlay/MixPlay.uplugin)"
[ "$unity_version" = "$version" ] || die "bindings/unity/package.json says $unity_version, Cargo.toml $version"
[ "$unreal_version" = "$version" ] || die "MixPlay.uplugin says $unreal_version, Cargo.toml $version"

strip_tool="$(llvm_tool llvm-strip)" || die "llvm-strip is missing (Debian: apt-get install llvm)"

# Every output is rebuilt in a scratch folder and moved into place at the end.
work="$target_root/package-work/$$"
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
timings=()
# Runs a step and records how long it took. Outside a condition a failing step ends the script
# (set -e); in `if timed ...` its status is returned.
timed() { # label command...
    local start=$SECONDS
    "${@:2}"
    local rc=$?
    timings+=("$(printf '%-34s %4d s' "$1" $((SECONDS - start)))")
    return $rc
}

# ----- building -----
# cargo rustc for the library in the dist profile; extra arguments go to rustc for this crate only.
cargo_lib() { # builder triple crate-types rustc-args...
    local builder="$1" triple="$2" types="$3"
    shift 3
    local cmd=(cargo rustc)
    if [ "$builder" = zig ]; then
        cmd=(env "PATH=$zig_venv/bin:$PATH" "$zig_venv/bin/cargo-zigbuild" rustc)
        # zig links Linux targets against this glibc version (the oldest it then runs on).
        case "$triple" in *-linux-gnu) triple="$triple.2.28" ;; esac
    fi
    "${cmd[@]}" --lib --locked --profile dist --target "$triple" --crate-type "$types" -- --print native-static-libs "$@"
}

# The `native-static-libs` line rustc printed into a build log.
native_libs_of() { sed -n 's/.*native-static-libs: //p' "$1" | tail -1; }

# Link-time stubs (.tbd) of the frameworks the static library imports: the public names that
# start with each framework's prefixes. Enough for the linker to record "this symbol comes from
# /System/Library/Frameworks/X"; macOS itself provides them at run time.
macos_framework_stubs() { # staticlib dir
    local lib="$1" dir="$2" imports
    imports="$("$(llvm_tool llvm-nm)" -u "$lib" 2>/dev/null | awk '{print $NF}' | sort -u)"
    rm -rf "$dir"
    local fw re names
    for fw in Security CoreFoundation; do
        case "$fw" in
            Security) re='^_k?(Sec|CMS|SSL|Authorization)[A-Z]' ;;
            CoreFoundation) re='^_(_?k?CF)[A-Z]' ;;
        esac
        names="$(grep -E "$re" <<<"$imports" | paste -sd, - | sed 's/,/, /g')"
        [ -n "$names" ] || continue
        mkdir -p "$dir/$fw.framework"
        cat >"$dir/$fw.framework/$fw.tbd" <<EOF
--- !tapi-tbd
tbd-version:     4
targets:         [ x86_64-macos, arm64-macos ]
install-name:    '/System/Library/Frameworks/$fw.framework/Versions/A/$fw'
exports:
  - targets:         [ x86_64-macos, arm64-macos ]
    symbols:         [ $names ]
...
EOF
    done
}

# Builds one platform into $work/lib/<platform>/ (what each package takes from) and writes
# native-libs.txt there (rustc's list of system libraries a static link needs). Shared libraries
# lose their symbol tables and the standard library's debug info; static ones are shipped as
# rustc wrote them (LLVM 14's llvm-strip writes archives GNU ld cannot read).
build_platform() {
    local p="$1" builder="$2" triple dist log dest
    triple="$(triple_of "$p")"
    dist="$target_root/$triple/dist"
    dest="$work/lib/$p"
    log="$work/build-$p.log"
    mkdir -p "$dest"
    ensure_rust_target "$triple" || { warn "cannot build $p: rustup target add $triple failed"; return 1; }
    case "$p" in
        linux-*)
            # The soname makes programs record the bare name, not the build path.
            cargo_lib "$builder" "$triple" cdylib,staticlib -C link-arg=-Wl,-soname,libmixplay.so >"$log" 2>&1 || return 1
            "$strip_tool" --strip-unneeded "$dist/libmixplay.so" -o "$dest/libmixplay.so" || return 1
            cp "$dist/libmixplay.a" "$dest/libmixplay.a" || return 1
            ;;
        windows-*)
            cargo_lib "$builder" "$triple" cdylib,staticlib >"$log" 2>&1 || return 1
            "$strip_tool" --strip-unneeded "$dist/mixplay.dll" -o "$dest/mixplay.dll" || return 1
            cp "$dist/libmixplay.a" "$dest/libmixplay.a" || return 1
            cp "$dist/libmixplay.dll.a" "$dest/libmixplay.dll.a" || return 1 # MinGW's import library
            # MSVC's import library, from the DLL's own export table.
            { echo "LIBRARY mixplay.dll"; echo "EXPORTS"
              "$(llvm_tool llvm-readobj)" --coff-exports "$dest/mixplay.dll" | sed -n 's/^ *Name: \(.*\)$/  \1/p'; } >"$work/mixplay-$p.def" || return 1
            "$(llvm_tool llvm-dlltool)" -m i386:x86-64 -d "$work/mixplay-$p.def" -D mixplay.dll -l "$dest/mixplay.lib" || return 1
            ;;
        macos-*)
            # Pass 1 (once per Cargo.lock): the static library, to learn which framework symbols
            # it imports. Pass 2: both libraries, linked against the stubs.
            local stubs
            stubs="$dist/framework-stubs-$(sha256sum Cargo.lock | cut -c1-12)"
            if [ ! -d "$stubs" ]; then
                cargo_lib "$builder" "$triple" staticlib >"$log" 2>&1 || return 1
                macos_framework_stubs "$dist/libmixplay.a" "$stubs" || return 1
            fi
            cargo_lib "$builder" "$triple" cdylib,staticlib -L "framework=$stubs" \
                -C link-arg=-Wl,-install_name,@rpath/libmixplay.dylib >"$log" 2>&1 || return 1
            # The dylib is code-signed by the linker (arm64 requires it): never strip it afterwards.
            cp "$dist/libmixplay.dylib" "$dest/libmixplay.dylib" || return 1
            cp "$dist/libmixplay.a" "$dest/libmixplay.a" || return 1
            ;;
    esac
    native_libs_of "$log" >"$dest/native-libs.txt"
    [ -s "$dest/native-libs.txt" ] || { warn "$p: rustc printed no native-static-libs line (see $log)"; return 1; }
}

built=()
failed=()
for p in "${requested[@]}"; do
    builder="$(builder_of "$p")"
    if [[ "$builder" == none:* ]]; then
        warn "cannot build $p here: ${builder#none: }"
        failed+=("$p")
        continue
    fi
    say "building $p ($(triple_of "$p"), with $builder)"
    if timed "build $p ($builder)" build_platform "$p" "$builder"; then
        built+=("$p")
    else
        warn "building $p failed; the last lines of its log:"
        tail -n 25 "$work/build-$p.log" >&2 || true
        failed+=("$p")
    fi
done
[ ${#failed[@]} -eq 0 ] || { [ "$strict" = 0 ] || die "could not build: ${failed[*]}"; }
[ ${#built[@]} -gt 0 ] || die "no platform could be built"
has() { [[ " ${built[*]} " == *" $1 "* ]]; }
if [ "$build_only" = 1 ]; then
    say "built: ${built[*]}"
    printf '  %s\n' "${timings[@]}"
    exit 0
fi

# Files get a fixed time and owner, so the archives depend only on their contents.
epoch="$(git log -1 --format=%ct 2>/dev/null || echo 0)"
normalise() { find "$1" -exec touch -h -d "@$epoch" {} +; }
tar_gz() { # archive dir-parent dir-name
    tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$2" -cf - "$3" | gzip -n -9 >"$1"
}
zip_dir() { # archive dir-parent dir-name
    rm -f "$1"
    (cd "$2" && find "$3" -print | LC_ALL=C sort | zip -q -X -@ "$1")
}

# ----- the C/C++ SDK -----
# The platform's CMake names, and its static link line in CMake and pkg-config spelling.
cmake_system_of() { case "$1" in linux-*) echo Linux ;; windows-*) echo Windows ;; macos-*) echo Darwin ;; esac; }
cmake_processor_of() { case "$1" in *-x86_64) echo 'x86_64|AMD64|amd64|x64' ;; *-arm64) echo 'aarch64|arm64|ARM64' ;; esac; }
cmake_libs_of() { # "-lfoo -framework X" -> "foo;-framework X"
    local out=() words
    read -r -a words <<<"$1"
    local i=0
    while [ $i -lt ${#words[@]} ]; do
        case "${words[$i]}" in
            -framework) out+=("-framework ${words[$((i + 1))]}"); i=$((i + 2)); continue ;;
            -l*) out+=("${words[$i]#-l}") ;;
            *) out+=("${words[$i]}") ;;
        esac
        i=$((i + 1))
    done
    local IFS=';'
    echo "${out[*]}"
}

fill() { # template output key=value...
    local text
    text="$(cat "$1")"
    local kv
    for kv in "${@:3}"; do text="${text//@${kv%%=*}@/${kv#*=}}"; done
    printf '%s\n' "$text" >"$2"
}

make_sdk() {
    local p="$1" name="mixplay-$version-$1" src="$work/lib/$1" native
    local dir="$work/sdk/$name"
    native="$(cat "$src/native-libs.txt")"
    mkdir -p "$dir/include" "$dir/lib/pkgconfig" "$dir/lib/cmake/mixplay"
    cp include/mixplay.h bindings/cpp/mixplay.hpp "$dir/include/"
    case "$p" in
        linux-*) cp "$src/libmixplay.so" "$src/libmixplay.a" "$dir/lib/" ;;
        macos-*) cp "$src/libmixplay.dylib" "$src/libmixplay.a" "$dir/lib/" ;;
        windows-*) mkdir -p "$dir/bin"
                   cp "$src/mixplay.dll" "$dir/bin/"
                   cp "$src/mixplay.lib" "$src/libmixplay.dll.a" "$src/libmixplay.a" "$dir/lib/" ;;
    esac
    local subst=(VERSION="$version" PLATFORM="$p" SYSTEM="$(cmake_system_of "$p")"
                 PROCESSOR="$(cmake_processor_of "$p")" STATIC_LIBS="$(cmake_libs_of "$native")"
                 PC_STATIC_LIBS="$native")
    fill bindings/sdk/mixplay-config.cmake.in "$dir/lib/cmake/mixplay/mixplay-config.cmake" "${subst[@]}"
    fill bindings/sdk/mixplay-config-version.cmake.in "$dir/lib/cmake/mixplay/mixplay-config-version.cmake" "${subst[@]}"
    fill bindings/sdk/mixplay.pc.in "$dir/lib/pkgconfig/mixplay.pc" "${subst[@]}"
    fill bindings/sdk/mixplay-static.pc.in "$dir/lib/pkgconfig/mixplay-static.pc" "${subst[@]}"
    fill bindings/sdk/README.md.in "$dir/README.md" "${subst[@]}"
    normalise "$dir"
    case "$p" in
        windows-*) zip_dir "$work/out/$name.zip" "$work/sdk" "$name" ;;
        *) tar_gz "$work/out/$name.tar.gz" "$work/sdk" "$name" ;;
    esac
}

# ----- the Unity package -----
# Where each platform's library goes in the package, relative to Runtime/Plugins.
unity_plugin_of() {
    case "$1" in
        linux-x86_64) echo Linux/x86_64/libmixplay.so ;;
        linux-arm64) echo Linux/arm64/libmixplay.so ;;
        windows-x86_64) echo Windows/x86_64/mixplay.dll ;;
        macos-*) echo macOS/libmixplay.dylib ;;
    esac
}

# One macOS library for Unity and Unreal: universal when both architectures are built.
mac_library() {
    local lib="$work/lib/macos-universal/libmixplay.dylib"
    if has macos-x86_64 && has macos-arm64; then
        if [ ! -f "$lib" ]; then
            mkdir -p "$(dirname "$lib")"
            "$(llvm_tool llvm-lipo)" -create "$work/lib/macos-x86_64/libmixplay.dylib" \
                "$work/lib/macos-arm64/libmixplay.dylib" -output "$lib"
        fi
        echo "$lib"
    elif has macos-arm64; then echo "$work/lib/macos-arm64/libmixplay.dylib"
    else echo "$work/lib/macos-x86_64/libmixplay.dylib"
    fi
}

make_unity() {
    local pkg="$work/unity/package" unity=bindings/unity
    bash scripts/unity-metas.sh --check || die "bindings/unity has files without .meta: run scripts/unity-metas.sh and commit the new .meta files"
    mkdir -p "$pkg"
    cp "$unity/package.json" "$unity/package.json.meta" "$unity/README.md" "$unity/README.md.meta" "$pkg/"
    cp -R "$unity/Runtime" "$unity/Runtime.meta" "$pkg/"
    cp -R "$unity/Samples~" "$pkg/"
    local p rel plugins="$pkg/Runtime/Plugins"
    for p in "${built[@]}"; do
        rel="$(unity_plugin_of "$p")"
        mkdir -p "$plugins/$(dirname "$rel")"
        case "$p" in
            macos-*) cp "$(mac_library)" "$plugins/$rel" ;;
            *) cp "$work/lib/$p/$(basename "$rel")" "$plugins/$rel" ;;
        esac
    done
    # The committed .meta of each plugin and folder present (Plugins~ is never imported by Unity).
    local meta asset
    while IFS= read -r meta; do
        asset="${meta%.meta}"
        asset="$pkg/${asset#"$unity/Plugins~/"}"
        [ -e "$asset" ] && cp "$meta" "$asset.meta"
    done < <(find "$unity/Plugins~" -name '*.meta' | sort)
    # A one-architecture macOS library is marked as that architecture, not as universal.
    if [ -f "$plugins/macOS/libmixplay.dylib" ] && ! { has macos-x86_64 && has macos-arm64; }; then
        local cpu=ARM64
        has macos-x86_64 && cpu=x86_64
        sed -i "s/CPU: AnyCPU/CPU: $cpu/" "$plugins/macOS/libmixplay.dylib.meta"
    fi
    normalise "$pkg"
    tar_gz "$work/out/com.mixplay.sdk-$version.tgz" "$work/unity" package
}

# ----- the Unreal plugin -----
unreal_platform_of() {
    case "$1" in
        linux-x86_64) echo Linux ;;
        linux-arm64) echo LinuxArm64 ;;
        windows-x86_64) echo Win64 ;;
        macos-*) echo Mac ;;
    esac
}

make_unreal() {
    local plugin="$work/unreal/MixPlay" third
    mkdir -p "$work/unreal"
    cp -R bindings/unreal/MixPlay "$plugin"
    third="$plugin/Source/ThirdParty/mixplay"
    rm -rf "$third/include" "$third/lib" "$plugin/Binaries" "$plugin/Intermediate"
    mkdir -p "$third/include"
    cp include/mixplay.h bindings/cpp/mixplay.hpp "$third/include/"
    local p dest src
    for p in "${built[@]}"; do
        dest="$third/lib/$(unreal_platform_of "$p")"
        src="$work/lib/$p"
        mkdir -p "$dest"
        case "$p" in
            linux-*) cp "$src/libmixplay.a" "$src/libmixplay.so" "$dest/" ;;
            windows-*) cp "$src/mixplay.dll" "$dest/"
                       cp "$src/mixplay.lib" "$dest/mixplay.dll.lib" ;;
            macos-*) cp "$(mac_library)" "$dest/libmixplay.dylib" ;;
        esac
    done
    normalise "$plugin"
    zip_dir "$work/out/MixPlay-$version-unreal.zip" "$work/unreal" MixPlay
}

mkdir -p "$work/out"
if wants sdk; then
    for p in "${built[@]}"; do timed "C/C++ SDK $p" make_sdk "$p"; done
fi
wants unity && timed "Unity package" make_unity
wants unreal && timed "Unreal plugin" make_unreal

# ----- into place -----
mkdir -p "$out"
rm -rf "$out"/mixplay-*-* "$out"/com.mixplay.sdk-*.tgz "$out"/MixPlay-*-unreal.zip "$out/SHA256SUMS"
mv "$work/out"/* "$out/"
if wants sdk; then mv "$work/sdk"/* "$out/"; fi
(cd "$out" && shopt -s nullglob && sha256sum -- *.tar.gz *.zip *.tgz >SHA256SUMS)

say "packages in $out"
for f in "$out"/*.tar.gz "$out"/*.zip "$out"/*.tgz; do
    if [ -e "$f" ]; then printf '  %-44s %8s KiB\n' "$(basename "$f")" "$(( ($(stat -c %s "$f") + 1023) / 1024 ))"; fi
done
say "timings"
printf '  %s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    say "not built here: ${failed[*]} (see the messages above)"
fi
