#!/usr/bin/env bash
# The one command that runs every test. It installs what the tests need on a fresh Debian
# machine (Node.js for the official JS peers, a Python venv for the independent compression
# peer, valgrind for the C API tests, Chromium and ffmpeg for the browser tests, CMake and LLVM's
# tools for the packaging tests, cargo-fuzz for the fuzz targets), checks formatting, lints and
# the generated C header, builds the release library the packaging tests package, runs each fuzz
# target briefly, then runs the whole suite. The cross-platform packaging check is separate:
# scripts/test-cross.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A full run builds each crate once: incremental caches would only fill the disk (about 4 GB).
export CARGO_INCREMENTAL=0

say() { printf '\n== %s\n' "$*"; }

apt_install() {
    local sudo_cmd=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "$@" >/dev/null
}

say "system packages"
missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v gcc >/dev/null 2>&1 || missing+=(gcc)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
# The C and C++ API tests (tests/c_api.rs, tests/cpp_api.rs) run every program under valgrind
# and with AddressSanitizer (gcc's libasan and libubsan come with the gcc package).
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
# The Unity wrapper test (tests/unity.rs) compiles bindings/unity with Mono's C# compiler and runs
# its console tests under mono against libmixplay.so.
command -v mcs >/dev/null 2>&1 || missing+=(mono-mcs)
command -v mono >/dev/null 2>&1 || missing+=(mono-runtime)
# The participant page's browser tests (tests/browser*.rs, tests/custom_controls.rs) drive Debian's Chromium
# (tests/browser/package.json also brings @mixer/cdk-std for the custom-control bundle); playwright-core
# never downloads a browser.
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The packaging tests (tests/package.rs, the packaged_* tests of tests/unity.rs and
# tests/unreal.rs): scripts/package.sh strips and archives with LLVM's tools, zip and tar; the SDK
# test builds a game project with CMake and pkg-config.
command -v llvm-strip >/dev/null 2>&1 || missing+=(llvm)
command -v cmake >/dev/null 2>&1 || missing+=(cmake)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkgconf)
command -v zip >/dev/null 2>&1 || missing+=(zip)
command -v unzip >/dev/null 2>&1 || missing+=(unzip)
# The stream tests (tests/stream.rs, tests/dashboard.rs) make their HLS test streams with ffmpeg
# (H.264 and AAC in MPEG-TS) and read screenshots' pixels back with it.
{ [ -x /usr/bin/ffmpeg ] && [ -x /usr/bin/ffprobe ]; } || missing+=(ffmpeg)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    apt_install "${missing[@]}"
fi
node --version

say "Node peers (tests/node)"
(cd tests/node && npm ci --no-audit --no-fund --loglevel=error)

say "browser driver (tests/browser)"
(cd tests/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

say "Python peers (tests/peers)"
bash tests/peers/install.sh

say "rustfmt and clippy"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
cargo fmt --all -- --check
cargo clippy --all-features --all-targets --locked -- -D warnings

say "generated header is fresh and compiles as C99 and C++"
cargo build --all-features --locked
if git rev-parse --git-dir >/dev/null 2>&1; then
    git diff --exit-code -- include/mixplay.h || {
        echo "include/mixplay.h is stale: commit the header that the build regenerated" >&2
        exit 1
    }
fi
printf '#include "mixplay.h"\nint main(void) { return mixplay_abi_version() == MIXPLAY_ABI_VERSION ? 0 : 1; }\n' > target/header_check.c
gcc -std=c99 -Wall -Wextra -pedantic -Werror -Iinclude target/header_check.c -Ltarget/debug -l:libmixplay.a -lpthread -ldl -lm -o target/header_check_c
target/header_check_c
g++ -x c++ -std=c++17 -Wall -Wextra -pedantic -Werror -Iinclude target/header_check.c -Ltarget/debug -l:libmixplay.a -lpthread -ldl -o target/header_check_cpp
target/header_check_cpp

say "release libraries for the packaging tests (scripts/package.sh --build-only)"
bash scripts/package.sh --build-only

say "fuzz targets: a smoke run of a few seconds each, about 20 s in all (fuzz/README.md runs them long)"
# cargo-fuzz needs the sanitizer flags of nightly; RUSTC_BOOTSTRAP lets stable accept them.
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked
(
    cd fuzz
    cargo fmt --all -- --check
    export RUSTC_BOOTSTRAP=1
    cargo fuzz build --dev
    for target in $(cargo fuzz list); do
        # A scratch corpus: what the run finds stays out of the repository's seed folders.
        mkdir -p "target/smoke-corpus/$target"
        log="target/smoke-$target.log"
        # chat_packet keeps one mediator hub for all its runs: leak checks after each would only
        # rescan that hub (fuzz/README.md).
        extra=()
        [ "$target" = chat_packet ] && extra=(-detect_leaks=0)
        if ! cargo fuzz run --dev "$target" "target/smoke-corpus/$target" "corpus/$target" -- \
            -max_total_time="${FUZZ_SMOKE_SECONDS:-4}" -print_final_stats=1 "${extra[@]}" >"$log" 2>&1; then
            cat "$log"
            exit 1
        fi
        echo "$target: $(grep -E '^stat::number_of_executed_units' "$log") in ${FUZZ_SMOKE_SECONDS:-4} s"
    done
)

say "test suite"
if ! command -v cargo-nextest >/dev/null 2>&1; then
    cargo install cargo-nextest --locked
fi
cargo nextest run --all-features --locked --no-fail-fast
