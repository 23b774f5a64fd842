#![cfg(feature = "server")]
//! The Unreal plugin (`bindings/unreal/MixPlay`), as far as it can be proven without an engine:
//!
//! 1. Its sources are syntax-checked with g++ (`-std=c++17 -fsyntax-only -Wall -Wextra -Werror`)
//!    against the STAND-IN engine declarations in `tests/unreal_standins/` (not Unreal Engine;
//!    see the comment at the top of its `CoreMinimal.h`), in the three builds `MixPlay.Build.cs`
//!    can make: the native library delay-loaded (Win64/Mac), linked in (Linux), and the null
//!    module (no library for the platform). The `*.generated.h` files are written here the way
//!    UnrealHeaderTool writes them (a per-line `GENERATED_BODY` macro with `Super`/`ThisClass`
//!    and `StaticClass`), after checking each is the header's last include. A "game code"
//!    translation unit binds every delegate with `AddDynamic` and calls the Blueprint API.
//!    The check catches real mistakes: `the_standins_catch_mistakes` breaks the sources on
//!    purpose and expects failures.
//! 2. What the plugin calls below the Unreal layer (the C++ wrapper, its chat and sign-in
//!    included) runs against the mediator in `tests/unreal_cpp/plugin_loop.cpp`,
//!    which mirrors the subsystem's tick loop, in every native variant (ASan/UBSan/LSan and
//!    valgrind included; see `tests/common/native.rs`).
//! 3. The plugin zip `scripts/package.sh` writes is unpacked and check 1 runs on it, against the
//!    headers and libraries it stages in `Source/ThirdParty/mixplay`.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::client::serve;
use common::native::{check_variants, lib_dir, manifest_dir, target_dir, Lang, Variant};
use common::package;

fn plugin_dir() -> PathBuf {
    manifest_dir().join("bindings/unreal/MixPlay")
}

fn module_dir() -> PathBuf {
    plugin_dir().join("Source/MixPlay")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The files of `dir` (recursively) whose names end with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("list {}: {e}", d.display())) {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// A fresh scratch directory under `target/unreal-check/<name>`.
fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("unreal-check").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// One reflected type UnrealHeaderTool would generate code for.
#[derive(Debug)]
struct Reflected {
    is_class: bool,
    name: String,
    base: Option<String>,
    /// The 1-based line of its `GENERATED_BODY()`.
    line: usize,
}

/// What a stand-in UnrealHeaderTool makes of one header: checks UHT's own rules (the generated
/// header is included, last, and every UCLASS/USTRUCT has a GENERATED_BODY) and returns the
/// text of `<Stem>.generated.h`.
fn generated_header(header: &Path) -> Result<Option<(String, String)>, String> {
    let text = read(header);
    let stem = header.file_stem().and_then(|s| s.to_str()).expect("a header name").to_owned();
    let lines: Vec<&str> = text.lines().collect();
    let mut types = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i].trim_start();
        let is_class = l.starts_with("UCLASS(");
        if is_class || l.starts_with("USTRUCT(") {
            let decl_at = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start().starts_with(if is_class { "class " } else { "struct " }))
                .ok_or_else(|| format!("{}:{}: no declaration after the macro", header.display(), i + 1))?;
            let decl = lines[decl_at].trim();
            let words: Vec<&str> =
                decl.split(|c: char| c.is_whitespace() || c == ':' || c == ',').filter(|w| !w.is_empty()).collect();
            // class [X_API] Name [: public Base, ...]
            let mut k = 1;
            if words.get(k).is_some_and(|w| w.ends_with("_API")) {
                k += 1;
            }
            let name = words.get(k).ok_or_else(|| format!("{}: cannot read {decl:?}", header.display()))?.to_string();
            let base = words.iter().position(|w| *w == "public").and_then(|p| words.get(p + 1)).map(|s| s.to_string());
            let body = (decl_at..lines.len())
                .find(|&j| lines[j].contains("GENERATED_BODY()"))
                .ok_or_else(|| format!("{}: {name} has no GENERATED_BODY()", header.display()))?;
            types.push(Reflected { is_class, name, base, line: body + 1 });
            i = body;
        }
        i += 1;
    }
    let needs = !types.is_empty() || text.contains("UENUM(");
    let include = format!("#include \"{stem}.generated.h\"");
    let includes: Vec<&str> = lines.iter().map(|l| l.trim()).filter(|l| l.starts_with("#include")).collect();
    if !needs {
        return if includes.contains(&include.as_str()) {
            Err(format!("{}: includes {stem}.generated.h but declares no reflected type", header.display()))
        } else {
            Ok(None)
        };
    }
    if includes.last() != Some(&include.as_str()) {
        return Err(format!(
            "{}: {include} must be the last #include (UnrealHeaderTool requires it)",
            header.display()
        ));
    }
    let file_id = format!("FID_MixPlay_{stem}_h");
    let mut out = format!(
        "// Written by tests/unreal.rs in place of UnrealHeaderTool (STAND-IN, not engine output).\n\
         #ifdef {file_id}_generated_h\n#error \"{stem}.generated.h already included\"\n#endif\n\
         #define {file_id}_generated_h\n#undef CURRENT_FILE_ID\n#define CURRENT_FILE_ID {file_id}\n"
    );
    for t in &types {
        let body = if t.is_class {
            let base = t.base.clone().ok_or_else(|| format!("{}: UCLASS {} has no base", header.display(), t.name))?;
            format!(
                "public: typedef {base} Super; typedef {name} ThisClass; static UClass* StaticClass(); private:",
                name = t.name
            )
        } else {
            "static UScriptStruct* StaticStruct();".to_owned()
        };
        out.push_str(&format!("#define {file_id}_{}_GENERATED_BODY {body}\n", t.line));
    }
    Ok(Some((format!("{stem}.generated.h"), out)))
}

/// Writes the generated headers of every header under `module` into `dir`.
fn run_uht(module: &Path, dir: &Path) -> Result<(), String> {
    for h in files(module, &[".h"]) {
        if let Some((name, text)) = generated_header(&h)? {
            std::fs::write(dir.join(name), text).expect("write a generated header");
        }
    }
    Ok(())
}

/// A build configuration of the module, as `MixPlay.Build.cs` sets it.
#[derive(Clone, Copy, Debug)]
enum Build {
    /// Win64/Mac: the library is delay-loaded by FMixPlayModule.
    DelayLoaded,
    /// Linux: libmixplay.a linked in.
    Linked,
    /// No library for the platform.
    Null,
}

/// Syntax-checks `source` with the stand-ins; `Err` carries g++'s complaints.
fn syntax_check(
    source: &Path,
    module: &Path,
    generated: &Path,
    staged_include: &Path,
    build: Build,
) -> Result<(), String> {
    let standins = manifest_dir().join("tests/unreal_standins");
    let mut cmd = Command::new("g++");
    cmd.args(["-std=c++17", "-fsyntax-only", "-Wall", "-Wextra", "-Werror", "-x", "c++"]);
    cmd.arg(format!("-I{}", standins.display()));
    cmd.arg(format!("-I{}", generated.display()));
    cmd.arg(format!("-I{}", module.join("Public").display()));
    cmd.arg(format!("-I{}", module.join("Private").display()));
    cmd.arg("-DMIXPLAY_API=");
    match build {
        Build::DelayLoaded | Build::Linked => {
            // PrivateIncludePaths.Add(IncludeDir) in Build.cs: only the staged headers.
            cmd.arg(format!("-I{}", staged_include.display()));
            cmd.arg("-DMIXPLAY_WITH_NATIVE=1");
            cmd.arg(format!("-DMIXPLAY_DYNAMIC_LIBRARY={}", matches!(build, Build::DelayLoaded) as u8));
        }
        Build::Null => {
            cmd.args(["-DMIXPLAY_WITH_NATIVE=0", "-DMIXPLAY_DYNAMIC_LIBRARY=0"]);
        }
    }
    cmd.arg(source);
    let out = cmd.output().expect("run g++");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{} ({build:?}):\n{}", source.display(), String::from_utf8_lossy(&out.stderr)))
    }
}

/// Runs `bindings/unreal/stage.sh --no-build --debug --dest <dir>` (the library is the one the
/// tests built) and returns the staged include directory.
fn stage(dir: &Path) -> PathBuf {
    lib_dir(); // says how to build the library if it is missing
    let profile_is_release = lib_dir().ends_with("release");
    let mut cmd = Command::new("bash");
    cmd.arg(manifest_dir().join("bindings/unreal/stage.sh")).args(["--no-build", "--dest"]).arg(dir);
    if !profile_is_release {
        cmd.arg("--debug");
    }
    cmd.env("CARGO_TARGET_DIR", target_dir());
    let out = cmd.output().expect("run stage.sh");
    assert!(
        out.status.success(),
        "stage.sh failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["include/mixplay.h", "include/mixplay.hpp", "lib/Linux/libmixplay.a", "lib/Linux/libmixplay.so"] {
        assert!(dir.join(f).is_file(), "stage.sh did not stage {f}");
    }
    assert_eq!(read(&dir.join("include/mixplay.h")), read(&manifest_dir().join("include/mixplay.h")));
    dir.join("include")
}

/// Checks every .cpp of `module` plus the game-code TU in every build; returns all failures.
/// With `expected` (a file and a needle), that file is checked first and the check stops at the
/// first failure mentioning the needle (the mistake tests need one, not all).
fn check_module(module: &Path, staged_include: &Path, work: &Path, expected: Option<(&Path, &str)>) -> Vec<String> {
    let generated = work.join("generated");
    std::fs::create_dir_all(&generated).expect("create the generated dir");
    if let Err(e) = run_uht(module, &generated) {
        return vec![e];
    }
    let mut sources = files(module, &[".cpp"]);
    sources.push(manifest_dir().join("tests/unreal_standins/GameCode.cpp"));
    if let Some((first, _)) = expected {
        sources.sort_by_key(|s| s != first);
    }
    let mut failures = Vec::new();
    for src in &sources {
        for build in [Build::DelayLoaded, Build::Linked, Build::Null] {
            if let Err(e) = syntax_check(src, module, &generated, staged_include, build) {
                let wanted = expected.is_some_and(|(_, needle)| e.contains(needle));
                failures.push(e);
                if wanted {
                    return failures;
                }
            }
        }
    }
    failures
}

#[test]
fn plugin_sources_compile_against_the_standins() {
    let work = scratch("compile");
    let include = stage(&work.join("ThirdParty/mixplay"));
    let failures = check_module(&module_dir(), &include, &work, None);
    assert!(failures.is_empty(), "the plugin does not compile against the stand-ins:\n{}", failures.join("\n"));
    let _ = std::fs::remove_dir_all(&work);
}

/// The plugin zip `scripts/package.sh` writes, unpacked as a game developer would into their
/// project's Plugins folder: its layout, its staged headers and Linux libraries, and the same
/// stand-in compile check on the sources it carries, against the headers it carries.
#[test]
fn packaged_plugin_compiles_against_the_standins() {
    let work = package::scratch("unreal-zip");
    let out = package::package(&work.join("dist"), "host", "unreal");
    let plugins = work.join("Plugins");
    package::unpack(&out.join(format!("MixPlay-{}-unreal.zip", package::VERSION)), &plugins);
    let plugin = plugins.join("MixPlay");
    let entries: Vec<String> = package::tree(&plugins).iter().map(|p| p.to_string_lossy().into_owned()).collect();
    assert!(entries.iter().all(|e| e.starts_with("MixPlay")), "the zip holds the MixPlay folder only: {entries:?}");
    let third = plugin.join("Source/ThirdParty/mixplay");
    for f in ["MixPlay.uplugin", "Source/MixPlay/MixPlay.Build.cs", "README.md"] {
        assert!(plugin.join(f).is_file(), "the zip lacks {f}");
    }
    assert_eq!(read(&third.join("include/mixplay.h")), read(&manifest_dir().join("include/mixplay.h")));
    assert_eq!(read(&third.join("include/mixplay.hpp")), read(&manifest_dir().join("bindings/cpp/mixplay.hpp")));
    let platform = if cfg!(target_arch = "aarch64") { "LinuxArm64" } else { "Linux" };
    for f in ["libmixplay.a", "libmixplay.so"] {
        assert!(third.join("lib").join(platform).join(f).is_file(), "the zip lacks lib/{platform}/{f}");
    }
    // The plugin's sources are the repository's.
    for f in files(&module_dir(), &[".h", ".cpp", ".cs"]) {
        let rel = f.strip_prefix(module_dir()).expect("inside the module");
        assert_eq!(read(&plugin.join("Source/MixPlay").join(rel)), read(&f), "{} differs", rel.display());
    }
    let failures = check_module(&plugin.join("Source/MixPlay"), &third.join("include"), &work, None);
    assert!(
        failures.is_empty(),
        "the packaged plugin does not compile against the stand-ins:\n{}",
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&work);
}

/// Copies the module to a scratch dir with `edit` applied to `file`, and expects the check to fail.
fn expect_failure(name: &str, file: &str, from: &str, to: &str, needle: &str) {
    let work = scratch(name);
    let include = stage(&work.join("ThirdParty/mixplay"));
    let module = work.join("MixPlay");
    for f in files(&module_dir(), &[".h", ".hpp", ".cpp", ".cs"]) {
        let rel = f.strip_prefix(module_dir()).expect("inside the module");
        let dest = module.join(rel);
        std::fs::create_dir_all(dest.parent().expect("a parent")).expect("mkdir");
        let mut text = read(&f);
        if rel == Path::new(file) {
            assert!(text.contains(from), "{file} no longer contains {from:?}: update this test");
            text = text.replacen(from, to, 1);
        }
        std::fs::write(&dest, text).expect("write a copy");
    }
    let changed = module.join(file);
    // A broken header is found through the sources that include it (the subsystem's first).
    let first = if file.ends_with(".cpp") { changed } else { module.join("Private/MixPlaySubsystem.cpp") };
    let failures = check_module(&module, &include, &work, Some((&first, needle)));
    assert!(
        failures.iter().any(|f| f.contains(needle)),
        "breaking {file} ({from:?} -> {to:?}) should fail with {needle:?}; got:\n{}",
        failures.join("\n")
    );
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn the_standins_catch_mistakes() {
    // The engine's check() macro left active over the wrapper.
    expect_failure("check-macro", "Private/MixPlayNative.h", "#undef check\n", "\n", "mixplay.hpp");
    // An FString passed to a %s of UE_LOG.
    expect_failure("log-arg", "Private/MixPlaySubsystem.cpp", "Code, *Message);", "Code, Message);", "UE_LOG");
    // A char string where the engine wants TCHAR.
    expect_failure(
        "tchar",
        "Private/MixPlaySettings.cpp",
        "TEXT(\"/api/v1/interactive/hosts\")",
        "\"/api/v1/interactive/hosts\"",
        "MixPlaySettings.cpp",
    );
    // A broadcast with the wrong argument types.
    expect_failure(
        "broadcast",
        "Private/MixPlayDispatch.cpp",
        "Self.OnReadyChanged.Broadcast(E.flag);",
        "Self.OnReadyChanged.Broadcast(E.flag, 1);",
        "Broadcast",
    );
    // The generated header not last.
    expect_failure(
        "generated-last",
        "Public/MixPlaySettings.h",
        "#include \"MixPlaySettings.generated.h\"\n",
        "#include \"MixPlaySettings.generated.h\"\n#include \"MixPlayTypes.h\"\n",
        "must be the last #include",
    );
    // A native call outside the MIXPLAY_WITH_NATIVE guard breaks the null module.
    expect_failure(
        "null-module",
        "Private/MixPlaySubsystem.cpp",
        "bool UMixPlaySubsystem::IsAvailable() const\n{\n",
        "bool UMixPlaySubsystem::IsAvailable() const\n{\n\t(void)mixplay::abi_version();\n",
        "Null",
    );
}

#[test]
fn plugin_layout_and_boundaries() {
    let plugin = plugin_dir();
    let uplugin: serde_json::Value =
        serde_json::from_str(&read(&plugin.join("MixPlay.uplugin"))).expect("MixPlay.uplugin is JSON");
    let modules = uplugin["Modules"].as_array().expect("Modules");
    assert_eq!(modules.len(), 1);
    assert_eq!(modules[0]["Name"], "MixPlay");
    assert_eq!(modules[0]["Type"], "Runtime", "the module runs without the editor");
    assert_eq!(uplugin["CanContainContent"], false);

    let build = read(&module_dir().join("MixPlay.Build.cs"));
    for needle in [
        "public class MixPlay : ModuleRules",
        "bEnableExceptions = true",
        "mixplay.dll.lib",
        "PublicDelayLoadDLLs.Add(\"mixplay.dll\")",
        "RuntimeDependencies.Add(\"$(BinaryOutputDir)/mixplay.dll\"",
        "libmixplay.a",
        "libmixplay.so",
        "libmixplay.dylib",
        "\"DeveloperSettings\"",
        "MIXPLAY_WITH_NATIVE=",
    ] {
        assert!(build.contains(needle), "MixPlay.Build.cs lacks {needle:?}");
    }

    // No wrapper, C header or std type reaches a public header; no engine type reaches the
    // plain C++ below the engine layer.
    for h in files(&module_dir().join("Public"), &[".h"]) {
        let text = read(&h);
        for banned in ["mixplay.h\"", "mixplay.hpp", "MixPlayNative.h", "std::", "<string>"] {
            assert!(!text.contains(banned), "{} mentions {banned:?}", h.display());
        }
    }
    // The plugin has no native classes of its own: chat and sign-in come from the wrapper too.
    assert!(!module_dir().join("Private/Native").exists(), "the plugin keeps native code in the C++ wrapper");
    {
        let f = manifest_dir().join("bindings/cpp/mixplay.hpp");
        let text = read(&f);
        let tokens: std::collections::HashSet<&str> =
            text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|t| !t.is_empty()).collect();
        for banned in ["FString", "TCHAR", "TArray", "UE_LOG", "CoreMinimal", "int32", "UObject"] {
            assert!(!tokens.contains(banned), "{} mentions the engine's {banned}", f.display());
        }
    }
    // The README says what the proof is and is not.
    let readme = read(&plugin.join("README.md"));
    assert!(readme.contains("not run inside the engine"), "the README says plainly it is a compile check");
    for needle in ["x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu", "aarch64-apple-darwin", "stage.sh"] {
        assert!(readme.contains(needle), "the README covers {needle}");
    }
}

const LOOP_INCLUDES: &[&str] = &["bindings/cpp", "tests/c", "bindings/unreal/MixPlay/Source/MixPlay/Private"];

/// The wrapper (session, chat and sign-in), used as the subsystem uses it, against the mediator,
/// linked statically and to the shared library.
#[test]
fn plugin_tick_loop_against_the_mediator() {
    let variants = [Variant::Static, Variant::Shared];
    check_variants(Lang::Cpp, "tests/unreal_cpp/plugin_loop.cpp", LOOP_INCLUDES, serve, &variants);
}

/// The same under ASan/UBSan/LSan and valgrind (a test of its own: the program is long).
#[test]
fn plugin_tick_loop_under_the_sanitizers_and_valgrind() {
    let variants = [Variant::Asan, Variant::Valgrind];
    check_variants(Lang::Cpp, "tests/unreal_cpp/plugin_loop.cpp", LOOP_INCLUDES, serve, &variants);
}
