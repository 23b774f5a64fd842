#![cfg(feature = "server")]
//! The packages `scripts/package.sh` writes, used the way a game developer uses them:
//!
//! - the C/C++ SDK: a small game project (`tests/package_support/consumer/`) finds it with CMake
//!   (`find_package(mixplay CONFIG REQUIRED)`, `mixplay::mixplay` and `mixplay::mixplay_static`)
//!   and with pkg-config (`mixplay`, `mixplay-static`), from the unpacked archive; its programs
//!   play against the mediator (a viewer presses their button);
//! - the Unity package: the UPM tarball unpacked, every file and folder with its `.meta`, GUIDs
//!   unique and equal to the committed ones, every native plugin's import settings matching the
//!   architecture in the library's own header, and two runs writing identical tarballs. (Its C#
//!   runs against the packaged library in `tests/unity.rs`; the Unreal zip is checked in
//!   `tests/unreal.rs`.)
//! - every other platform, cross-compiled (`cross_platforms`, run by `scripts/test-cross.sh`:
//!   see the test's comment): the Windows DLL's exports and imports, the MSVC
//!   import library, the consumer project and `examples/c/game.c` built with MinGW and played
//!   under Wine; the macOS dylibs' exported symbols, install names, linked libraries, signatures
//!   and architectures; the Linux arm64 library's machine, soname and glibc versions.
//!
//! cmake comes from Debian's `cmake` package (scripts/test.sh installs it); without it the SDK
//! test is skipped with a note, except under CI where that is an error.
mod common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::client::serve;
use common::native::{drive_example_command, manifest_dir, run_command, target_dir};
use common::package::{binary_arch, have, header_functions, package, scratch, sh, tree, unpack, VERSION};

const WAIT_MS: u64 = 10_000;

fn host_platform() -> &'static str {
    if cfg!(target_arch = "aarch64") {
        "linux-arm64"
    } else {
        "linux-x86_64"
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Unpacks the SDK archive of `platform` from `out` into `dest` and returns the SDK folder; it
/// must hold exactly what the script left unpacked beside it.
fn unpacked_sdk(out: &Path, platform: &str, dest: &Path) -> PathBuf {
    let name = format!("mixplay-{VERSION}-{platform}");
    let ext = if platform.starts_with("windows") { "zip" } else { "tar.gz" };
    unpack(&out.join(format!("{name}.{ext}")), dest);
    let sdk = dest.join(&name);
    assert_eq!(tree(&sdk), tree(&out.join(&name)), "the archive and the staged folder differ");
    assert_eq!(read(&sdk.join("include/mixplay.h")), read(&manifest_dir().join("include/mixplay.h")));
    assert_eq!(read(&sdk.join("include/mixplay.hpp")), read(&manifest_dir().join("bindings/cpp/mixplay.hpp")));
    sdk
}

/// Configures and builds the consumer project against `sdk` into `build`; `Err` has CMake's output.
fn cmake_consumer(sdk: &Path, build: &Path, extra: &[String]) -> Result<(), String> {
    let source = manifest_dir().join("tests/package_support/consumer");
    let mut configure = Command::new("cmake");
    configure.arg("-S").arg(&source).arg("-B").arg(build);
    configure.arg(format!("-DCMAKE_PREFIX_PATH={}", sdk.display()));
    configure.arg(format!("-DMIXPLAY_HARNESS_DIR={}", manifest_dir().join("tests/c").display()));
    configure.args(extra);
    let out = configure.output().expect("run cmake");
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    if !out.status.success() {
        return Err(text(&out));
    }
    let out = Command::new("cmake").arg("--build").arg(build).output().expect("run cmake --build");
    if !out.status.success() {
        return Err(text(&out));
    }
    Ok(())
}

/// Runs a consumer program (started by `cmd`) against a fresh mediator; it must see the press.
fn play(cmd: Command, name: &str, wait_ms: u64) {
    let mut s = serve();
    let run = run_command(cmd, name, wait_ms, &mut s);
    assert!(
        run.stderr.lines().any(|l| l == "pressed by viewer1"),
        "{name} did not report the press:\n{}\n--- stderr ---\n{}",
        run.transcript.join("\n"),
        run.stderr
    );
}

/// The last word of each listing line (nm, readelf) that starts with `prefix`: exported names.
fn names_with_prefix<'a>(lines: impl Iterator<Item = &'a str>, prefix: &str) -> BTreeSet<String> {
    lines.filter_map(|l| l.split_whitespace().last()).filter(|n| n.starts_with(prefix)).map(String::from).collect()
}

/// The shared libraries a Linux program needs (its DT_NEEDED entries).
fn needed(elf: &Path) -> Vec<String> {
    let text = sh(Command::new("readelf").arg("-d").arg(elf), "readelf -d");
    text.lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| Some(l.split_once('[')?.1.trim_end_matches(']').to_owned()))
        .collect()
}

#[test]
fn c_sdk_with_cmake_and_pkg_config() {
    if !have("cmake") {
        assert!(std::env::var_os("CI").is_none(), "cmake is not installed (scripts/test.sh installs it)");
        eprintln!("note: cmake is not installed; skipping the C/C++ SDK test (apt-get install cmake)");
        return;
    }
    let work = scratch("sdk");
    let platform = host_platform();
    let out = package(&work.join("dist"), platform, "sdk");
    let sdk = unpacked_sdk(&out, platform, &work.join("unpacked"));
    for f in ["lib/libmixplay.so", "lib/libmixplay.a", "lib/pkgconfig/mixplay.pc", "lib/pkgconfig/mixplay-static.pc"] {
        assert!(sdk.join(f).is_file(), "the SDK lacks {f}");
    }
    let so = sdk.join("lib/libmixplay.so");
    let exports = sh(Command::new("nm").args(["-D", "--defined-only"]).arg(&so), "nm -D");
    let exported = names_with_prefix(exports.lines(), "mixplay_");
    assert_eq!(
        exported,
        header_functions().into_iter().collect(),
        "libmixplay.so exports exactly the header's functions"
    );

    // CMake: find_package + target_link_libraries, both targets.
    let build = work.join("cmake-build");
    cmake_consumer(&sdk, &build, &[]).unwrap_or_else(|e| panic!("the consumer project does not build:\n{e}"));
    let shared = build.join("consumer_c");
    let statically = build.join("consumer_cpp_static");
    assert!(needed(&shared).iter().any(|n| n == "libmixplay.so"), "consumer_c links libmixplay.so by its soname");
    assert!(!needed(&statically).iter().any(|n| n.contains("mixplay")), "consumer_cpp_static needs no mixplay library");
    play(Command::new(&shared), "consumer_c (CMake, mixplay::mixplay)", WAIT_MS);
    play(Command::new(&statically), "consumer_cpp_static (CMake, mixplay::mixplay_static)", WAIT_MS);

    // A version the SDK does not satisfy is refused, naming what was found.
    let err = cmake_consumer(&sdk, &work.join("cmake-wrong-version"), &["-DMIXPLAY_WANT_VERSION=1.0".into()])
        .expect_err("find_package(mixplay 1.0) must fail against 0.x");
    assert!(err.contains(VERSION), "the refusal names the version found:\n{err}");

    // pkg-config: shared (with an rpath) and static.
    let pc = |args: &[&str]| -> Vec<String> {
        let mut cmd = Command::new("pkg-config");
        cmd.args(args).env("PKG_CONFIG_PATH", sdk.join("lib/pkgconfig"));
        sh(&mut cmd, "pkg-config").split_whitespace().map(String::from).collect()
    };
    assert_eq!(pc(&["--modversion", "mixplay"]), [VERSION]);
    let harness = format!("-I{}", manifest_dir().join("tests/c").display());
    let consumer = manifest_dir().join("tests/package_support/consumer");
    let exe = work.join("pc-shared");
    sh(
        Command::new("gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", &harness])
            .arg(consumer.join("consumer.c"))
            .args(pc(&["--cflags", "--libs", "mixplay"]))
            .arg(format!("-Wl,-rpath,{}", sdk.join("lib").display()))
            .arg("-o")
            .arg(&exe),
        "gcc with pkg-config mixplay",
    );
    play(Command::new(&exe), "consumer.c (pkg-config mixplay)", WAIT_MS);
    let exe = work.join("pc-static");
    sh(
        Command::new("g++")
            .args(["-std=c++17", "-Wall", "-Wextra", "-pedantic", "-Werror", &harness])
            .arg(consumer.join("consumer.cpp"))
            .args(pc(&["--cflags", "--libs", "mixplay-static"]))
            .arg("-o")
            .arg(&exe),
        "g++ with pkg-config mixplay-static",
    );
    assert!(!needed(&exe).iter().any(|n| n.contains("mixplay")));
    play(Command::new(&exe), "consumer.cpp (pkg-config mixplay-static)", WAIT_MS);
    let _ = std::fs::remove_dir_all(&work);
}

// ----- the Unity package -----

/// One `platformData` entry of a PluginImporter: `Standalone: Linux64` -> (enabled, settings).
type PlatformData = BTreeMap<String, (bool, BTreeMap<String, String>)>;

/// Reads the `platformData` of a plugin's .meta (the subset of YAML Unity writes there).
fn platform_data(meta: &str) -> PlatformData {
    let mut out = PlatformData::new();
    let lines: Vec<&str> = meta.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "  - first:" {
            let key = lines[i + 1].trim().to_owned();
            let enabled = lines[i + 3].trim() == "enabled: 1";
            let mut settings = BTreeMap::new();
            let mut j = i + 5;
            while j < lines.len() && lines[j].starts_with("        ") {
                let (k, v) = lines[j].trim().split_once(':').expect("a setting");
                settings.insert(k.trim().to_owned(), v.trim().to_owned());
                j += 1;
            }
            out.insert(key, (enabled, settings));
            i = j;
        } else {
            i += 1;
        }
    }
    out
}

/// Checks that a plugin's import settings let exactly the right player (and editor) load it,
/// on the CPU its binary is built for.
fn check_plugin_settings(file: &Path, meta: &str) {
    let (format, arches) = binary_arch(file);
    let data = platform_data(meta);
    let cpu = match (format, arches.as_slice()) {
        (_, [one]) if *one == "x86_64" => "x86_64",
        (_, [one]) if *one == "arm64" => "ARM64",
        ("macho", many) if many.contains(&"x86_64") && many.contains(&"arm64") => "AnyCPU",
        other => panic!("{}: unexpected architectures {other:?}", file.display()),
    };
    let (player, editor_os) = match format {
        "elf" => ("Standalone: Linux64", (cpu == "x86_64").then_some("Linux")),
        "pe" => ("Standalone: Win64", Some("Windows")),
        "macho" => ("Standalone: OSXUniversal", Some("OSX")),
        _ => unreachable!(),
    };
    let what = format!("{} ({format} {arches:?})", file.display());
    let players: Vec<&String> =
        data.iter().filter(|(k, (on, _))| k.starts_with("Standalone:") && *on).map(|(k, _)| k).collect();
    assert_eq!(players, [player], "{what}: enabled players");
    assert_eq!(data[player].1["CPU"], cpu, "{what}: the player's CPU");
    let (editor_on, editor) = &data["Editor: Editor"];
    match editor_os {
        Some(os) => {
            assert!(editor_on, "{what}: the editor loads it");
            assert_eq!(editor["OS"], os, "{what}: the editor's OS");
            assert_eq!(editor["CPU"], cpu, "{what}: the editor's CPU");
        }
        None => assert!(!editor_on, "{what}: no editor runs on this platform"),
    }
    let excludes = &data[": Any"].1;
    for (key, excluded) in excludes {
        let target = key.trim_start_matches("Exclude ");
        let allowed = if target == "Editor" { *editor_on } else { player.ends_with(target) };
        assert_eq!(excluded, if allowed { "0" } else { "1" }, "{what}: {key}");
    }
}

/// The whole check of an unpacked UPM package (`package/`) built for `platforms`.
fn check_unity_package(pkg: &Path, platforms: &[&str]) {
    let unity = manifest_dir().join("bindings/unity");
    let manifest: serde_json::Value = serde_json::from_str(&read(&pkg.join("package.json"))).expect("package.json");
    assert_eq!(manifest["name"], "com.mixplay.sdk");
    assert_eq!(manifest["version"], VERSION);
    for sample in manifest["samples"].as_array().expect("samples") {
        let path = pkg.join(sample["path"].as_str().expect("a sample path"));
        assert!(path.is_dir(), "sample {} is in the tarball", path.display());
        assert!(tree(&path).iter().any(|f| f.extension().is_some_and(|x| x == "cs")), "the sample has code");
    }
    assert!(!pkg.join("Tests").exists(), "tests and the UnityEngine stand-in stay out of the package");

    let entries = tree(pkg);
    let hidden = |p: &Path| p.components().any(|c| c.as_os_str().to_string_lossy().ends_with('~'));
    let mut guids = HashSet::new();
    for rel in &entries {
        let name = rel.to_string_lossy();
        if hidden(rel) {
            continue;
        }
        if let Some(asset) = name.strip_suffix(".meta") {
            assert!(pkg.join(asset).exists(), "{name} has no asset");
            let text = read(&pkg.join(rel));
            let guid = text.lines().find_map(|l| l.strip_prefix("guid: ")).unwrap_or_else(|| panic!("{name}: no guid"));
            assert!(guid.len() == 32 && guid.bytes().all(|b| b.is_ascii_hexdigit()), "{name}: guid {guid:?}");
            assert!(guids.insert(guid.to_owned()), "{name}: guid {guid} is used twice");
            // The committed .meta, unchanged (plugins' from Plugins~; a one-architecture macOS
            // library has its CPU narrowed from AnyCPU).
            let committed =
                if name.starts_with("Runtime/Plugins") { unity.join("Plugins~").join(rel) } else { unity.join(rel) };
            let committed = read(&committed);
            if text != committed {
                assert!(name.ends_with("libmixplay.dylib.meta"), "{name} differs from the committed one");
                assert_eq!(
                    text.replace("CPU: ARM64", "CPU: AnyCPU").replace("CPU: x86_64", "CPU: AnyCPU"),
                    committed,
                    "{name}"
                );
            }
        } else {
            assert!(pkg.join(format!("{name}.meta")).is_file(), "{name} has no .meta");
        }
    }

    let plugins: Vec<&PathBuf> = entries
        .iter()
        .filter(|p| {
            p.starts_with("Runtime/Plugins") && pkg.join(p).is_file() && !p.extension().is_some_and(|x| x == "meta")
        })
        .collect();
    let want: BTreeSet<&str> = platforms
        .iter()
        .map(|p| match *p {
            "linux-x86_64" => "Runtime/Plugins/Linux/x86_64/libmixplay.so",
            "linux-arm64" => "Runtime/Plugins/Linux/arm64/libmixplay.so",
            "windows-x86_64" => "Runtime/Plugins/Windows/x86_64/mixplay.dll",
            _ => "Runtime/Plugins/macOS/libmixplay.dylib",
        })
        .collect();
    let have: BTreeSet<String> = plugins.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    assert_eq!(have, want.iter().map(|s| s.to_string()).collect(), "the plugins in the tarball");
    for p in plugins {
        check_plugin_settings(&pkg.join(p), &read(&pkg.join(format!("{}.meta", p.display()))));
    }
}

#[test]
fn unity_tarball_has_metas_and_plugin_settings() {
    let work = scratch("unity");
    let tarball = format!("com.mixplay.sdk-{VERSION}.tgz");
    let first = package(&work.join("a"), "host", "unity").join(&tarball);
    let second = package(&work.join("b"), "host", "unity").join(&tarball);
    assert!(
        std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(),
        "two runs wrote different tarballs (GUIDs or archive metadata are not stable)"
    );
    unpack(&first, &work.join("unpacked"));
    let entries = tree(&work.join("unpacked"));
    assert!(entries.iter().all(|e| e.starts_with("package")), "a UPM tarball holds package/ only");
    check_unity_package(&work.join("unpacked/package"), &[host_platform()]);
    // The committed metas are complete (what the tarball's check relies on).
    sh(
        Command::new("bash").arg(manifest_dir().join("scripts/unity-metas.sh")).arg("--check"),
        "scripts/unity-metas.sh --check",
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn the_plugin_check_catches_mismatches() {
    // A Linux x86_64 library whose meta claims ARM64, or enables the Windows player, is caught.
    let work = scratch("unity-mismatch");
    let out = package(&work.join("dist"), "host", "unity");
    unpack(&out.join(format!("com.mixplay.sdk-{VERSION}.tgz")), &work.join("unpacked"));
    let plugin = work.join("unpacked/package/Runtime/Plugins/Linux/x86_64/libmixplay.so");
    let meta = read(&plugin.with_extension("so.meta"));
    for (from, to) in [
        (
            "      Standalone: Linux64\n    second:\n      enabled: 1\n      settings:\n        CPU: x86_64",
            "      Standalone: Linux64\n    second:\n      enabled: 1\n      settings:\n        CPU: ARM64",
        ),
        (
            "      Standalone: Win64\n    second:\n      enabled: 0",
            "      Standalone: Win64\n    second:\n      enabled: 1",
        ),
        ("        OS: Linux", "        OS: Windows"),
    ] {
        assert!(meta.contains(from), "the meta no longer contains {from:?}: update this test");
        let broken = meta.replacen(from, to, 1);
        let result = std::panic::catch_unwind(|| check_plugin_settings(&plugin, &broken));
        assert!(result.is_err(), "a meta with {to:?} passed the check");
    }
    let _ = std::fs::remove_dir_all(&work);
}

// ----- the other platforms, cross-compiled -----

fn wine() -> Option<PathBuf> {
    ["/usr/lib/wine/wine64", "/usr/bin/wine64", "/usr/bin/wine"].iter().map(PathBuf::from).find(|p| p.is_file())
}

fn zig_venv() -> PathBuf {
    std::env::var_os("MIXPLAY_ZIG_VENV").map(PathBuf::from).unwrap_or_else(|| target_dir().join("tools/zig-venv"))
}

/// A Wine command running `exe` in a prefix under target/, quietly, with the test-only
/// `bcryptprimitives.dll` stub (Wine 8 lacks `ProcessPrng`) beside the program.
fn wine_command(wine: &Path, exe: &Path, stub: &Path) -> Command {
    let dir = exe.parent().expect("a folder");
    std::fs::copy(stub, dir.join("bcryptprimitives.dll")).expect("copy the ProcessPrng stub");
    let mut cmd = Command::new(wine);
    cmd.arg(exe).current_dir(dir);
    cmd.env("WINEPREFIX", target_dir().join("wine-prefix"))
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=");
    cmd
}

/// Builds the test-only ProcessPrng stub with MinGW (tests/package_support/wine).
fn processprng_stub(work: &Path) -> PathBuf {
    let src = manifest_dir().join("tests/package_support/wine");
    let dll = work.join("stub/bcryptprimitives.dll");
    std::fs::create_dir_all(dll.parent().unwrap()).unwrap();
    sh(
        Command::new("x86_64-w64-mingw32-gcc")
            .args(["-shared", "-O2", "-Wall", "-Werror"])
            .arg(src.join("bcryptprimitives.c"))
            .arg(src.join("bcryptprimitives.def"))
            .arg("-ladvapi32")
            .arg("-o")
            .arg(&dll),
        "building the ProcessPrng stub",
    );
    dll
}

fn check_windows(out: &Path, work: &Path) {
    let sdk = unpacked_sdk(out, "windows-x86_64", &work.join("sdk-windows"));
    let dll = sdk.join("bin/mixplay.dll");
    assert_eq!(binary_arch(&dll), ("pe", vec!["x86_64"]));
    let dump = sh(Command::new("x86_64-w64-mingw32-objdump").arg("-p").arg(&dll), "objdump -p mixplay.dll");
    // Exports: the header's functions, nothing else.
    let table = dump.split("[Ordinal/Name Pointer] Table").nth(1).expect("an export name table");
    let exported: BTreeSet<String> = table
        .lines()
        .skip(1)
        .map_while(|l| l.trim().strip_prefix('[').and_then(|r| r.split_once(']')).map(|(_, n)| n.trim().to_owned()))
        .collect();
    assert_eq!(
        exported,
        header_functions().into_iter().collect(),
        "mixplay.dll exports exactly the header's functions"
    );
    // Imports: Windows' own DLLs only (no MinGW runtime DLL to ship).
    let imports: BTreeSet<String> =
        dump.lines().filter_map(|l| l.trim().strip_prefix("DLL Name: ")).map(|n| n.to_ascii_lowercase()).collect();
    for dll in &imports {
        assert!(
            !dll.contains("gcc") && !dll.contains("stdc++") && !dll.contains("winpthread"),
            "mixplay.dll needs a MinGW runtime DLL: {dll} (all: {imports:?})"
        );
    }
    // The MSVC import library names every function.
    let implib = sh(Command::new("llvm-nm").arg(sdk.join("lib/mixplay.lib")), "llvm-nm mixplay.lib");
    for f in header_functions() {
        assert!(implib.contains(&format!("__imp_{f}")), "mixplay.lib lacks {f}");
    }

    let Some(wine) = wine() else { panic!("wine64 is missing (Debian: apt-get install wine64)") };
    let stub = processprng_stub(work);
    // The consumer project, cross-built with CMake and MinGW, under Wine.
    let build = work.join("cmake-windows");
    let toolchain = manifest_dir().join("tests/package_support/mingw-toolchain.cmake");
    cmake_consumer(&sdk, &build, &[format!("-DCMAKE_TOOLCHAIN_FILE={}", toolchain.display())])
        .unwrap_or_else(|e| panic!("the consumer project does not cross-build for Windows:\n{e}"));
    std::fs::copy(&dll, build.join("mixplay.dll")).expect("ship the DLL next to the program");
    for exe in ["consumer_c.exe", "consumer_cpp_static.exe"] {
        play(wine_command(&wine, &build.join(exe), &stub), &format!("{exe} under Wine"), 30_000);
    }
    // examples/c/game.c, built with MinGW against the SDK, played under Wine.
    let game_dir = work.join("game-windows");
    std::fs::create_dir_all(&game_dir).unwrap();
    let game = game_dir.join("game.exe");
    sh(
        Command::new("x86_64-w64-mingw32-gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-pedantic", "-Werror", "-O2"])
            .arg(format!("-I{}", sdk.join("include").display()))
            .arg(manifest_dir().join("examples/c/game.c"))
            .arg(sdk.join("lib/libmixplay.dll.a"))
            .args(["-Wl,-Bstatic", "-lwinpthread", "-Wl,-Bdynamic", "-o"])
            .arg(&game),
        "building examples/c/game.c with MinGW",
    );
    std::fs::copy(&dll, game_dir.join("mixplay.dll")).unwrap();
    let s = serve();
    drive_example_command(wine_command(&wine, &game, &stub), "examples/c/game.c under Wine", &s);
}

fn check_macos(out: &Path, work: &Path) {
    let functions: BTreeSet<String> = header_functions().into_iter().map(|f| format!("_{f}")).collect();
    for (platform, arch) in [("macos-x86_64", "x86_64"), ("macos-arm64", "arm64")] {
        let sdk = unpacked_sdk(out, platform, &work.join(format!("sdk-{platform}")));
        let dylib = sdk.join("lib/libmixplay.dylib");
        assert_eq!(binary_arch(&dylib), ("macho", vec![arch]), "{platform}");
        let nm = sh(Command::new("llvm-nm").args(["-gU"]).arg(&dylib), "llvm-nm -gU");
        let exported = names_with_prefix(nm.lines(), "_mixplay_");
        assert_eq!(exported, functions, "{platform}: the dylib exports the header's functions");
        let id = sh(Command::new("llvm-objdump").args(["--macho", "--dylib-id"]).arg(&dylib), "dylib id");
        assert_eq!(id.lines().nth(1).map(str::trim), Some("@rpath/libmixplay.dylib"), "{platform}: install name");
        let used = sh(Command::new("llvm-objdump").args(["--macho", "--dylibs-used"]).arg(&dylib), "dylibs used");
        for line in used.lines().skip(1).map(str::trim).filter(|l| !l.is_empty()) {
            let path = line.split(" (").next().unwrap_or(line);
            if path == "@rpath/libmixplay.dylib" {
                continue; // its own id
            }
            assert!(
                path.starts_with("/usr/lib/") || path.starts_with("/System/Library/Frameworks/"),
                "{platform}: links {path}, which macOS does not provide"
            );
        }
        // Every imported framework symbol is bound to a framework the library links.
        let imports = sh(Command::new("llvm-nm").args(["-m", "-u"]).arg(&dylib), "llvm-nm -m -u");
        assert!(imports.contains("(from Security)") && imports.contains("(from CoreFoundation)"), "{platform}");
        let headers = sh(Command::new("llvm-objdump").args(["--macho", "--private-headers"]).arg(&dylib), "headers");
        // arm64 macOS loads only signed code; the linker signs arm64 output ad hoc (as Apple's does).
        if arch == "arm64" {
            assert!(headers.contains("LC_CODE_SIGNATURE"), "{platform}: the linker signed the dylib");
        }
        assert!(sdk.join("lib/libmixplay.a").is_file());
        let config = read(&sdk.join("lib/cmake/mixplay/mixplay-config.cmake"));
        assert!(config.contains("-framework Security"), "{platform}: the static target links the frameworks");
    }
}

fn check_linux_arm64(out: &Path, work: &Path) {
    let sdk = unpacked_sdk(out, "linux-arm64", &work.join("sdk-linux-arm64"));
    let so = sdk.join("lib/libmixplay.so");
    assert_eq!(binary_arch(&so), ("elf", vec!["arm64"]));
    let dynamic = sh(Command::new("readelf").arg("-d").arg(&so), "readelf -d");
    assert!(dynamic.contains("Library soname: [libmixplay.so]"), "soname:\n{dynamic}");
    for lib in needed(&so) {
        assert!(
            [
                "libc.so.6",
                "libm.so.6",
                "libgcc_s.so.1",
                "ld-linux-aarch64.so.1",
                "libpthread.so.0",
                "libdl.so.2",
                "librt.so.1"
            ]
            .contains(&lib.as_str()),
            "libmixplay.so (arm64) needs {lib}"
        );
    }
    let symbols = sh(Command::new("readelf").args(["--dyn-syms", "-W"]).arg(&so), "readelf --dyn-syms");
    let exported =
        names_with_prefix(symbols.lines().filter(|l| l.contains(" GLOBAL ") && !l.contains(" UND ")), "mixplay_");
    assert_eq!(exported, header_functions().into_iter().collect(), "the arm64 library exports the header's functions");
    // Built against glibc 2.28, so it runs on distributions from 2018 on.
    for v in symbols.split("GLIBC_").skip(1).filter_map(|r| r.split(|c: char| !(c.is_ascii_digit() || c == '.')).next())
    {
        let parts: Vec<u32> = v.split('.').filter_map(|n| n.parse().ok()).collect();
        assert!(parts.as_slice() <= [2, 28].as_slice(), "needs GLIBC_{v}");
    }
}

/// Every platform, cross-compiled from this machine, and checked as far as this machine can run
/// or read them. It needs MinGW (gcc- and g++-mingw-w64-x86-64), Wine (wine64) and zig
/// (scripts/package.sh installs it into target/tools/zig-venv), and takes several minutes (each
/// platform is a full release build), so it is ignored by default: `bash scripts/test-cross.sh`
/// installs the tools and runs it. A missing tool is then an error.
#[test]
#[ignore = "several minutes of cross builds: run by scripts/test-cross.sh"]
fn cross_platforms() {
    for tool in ["cmake", "x86_64-w64-mingw32-gcc", "x86_64-w64-mingw32-objdump", "llvm-nm", "llvm-objdump", "readelf"]
    {
        assert!(have(tool), "{tool} is missing (scripts/test.sh lists the Debian packages)");
    }
    assert!(wine().is_some(), "wine64 is missing (Debian: apt-get install wine64)");
    let work = scratch("cross");
    let out = package(&work.join("dist"), "all", "sdk,unity,unreal");
    assert!(zig_venv().join("bin/cargo-zigbuild").is_file(), "package.sh installed zig");

    check_linux_arm64(&out, &work);
    check_macos(&out, &work);
    check_windows(&out, &work);

    // The Unity package carries every platform, each marked for its own architecture; the macOS
    // library is universal.
    unpack(&out.join(format!("com.mixplay.sdk-{VERSION}.tgz")), &work.join("unity"));
    let all = ["linux-x86_64", "linux-arm64", "windows-x86_64", "macos-x86_64", "macos-arm64"];
    check_unity_package(&work.join("unity/package"), &all);
    // The Unreal plugin stages each platform where Build.cs looks for it.
    unpack(&out.join(format!("MixPlay-{VERSION}-unreal.zip")), &work.join("unreal"));
    let lib = work.join("unreal/MixPlay/Source/ThirdParty/mixplay/lib");
    for f in [
        "Linux/libmixplay.a",
        "Linux/libmixplay.so",
        "LinuxArm64/libmixplay.a",
        "LinuxArm64/libmixplay.so",
        "Win64/mixplay.dll",
        "Win64/mixplay.dll.lib",
        "Mac/libmixplay.dylib",
    ] {
        assert!(lib.join(f).is_file(), "the Unreal zip lacks lib/{f}");
    }
    assert_eq!(binary_arch(&lib.join("Mac/libmixplay.dylib")), ("macho", vec!["x86_64", "arm64"]));
    let _ = std::fs::remove_dir_all(&work);
}
