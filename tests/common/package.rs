//! Runs `scripts/package.sh` for a test and unpacks what it wrote, the way a game developer
//! would: the tests use the packages, never the build folder.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::native::{manifest_dir, target_dir};

/// The crate's version, which every package carries in its name.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Whether `tool` runs here (`--version` answers).
pub fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

/// Runs `cmd`, panicking with its output (labelled `what`) unless it succeeds; returns stdout.
pub fn sh(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    assert_success(&out, &format!("{what} ({cmd:?})"));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh scratch directory `target/package-tests/<name>-<pid>`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = target_dir().join("package-tests").join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory");
    dir
}

/// Runs `scripts/package.sh --strict --platforms PLATFORMS --only ONLY --out OUT` and returns OUT.
pub fn package(out: &Path, platforms: &str, only: &str) -> PathBuf {
    let mut cmd = Command::new("bash");
    cmd.arg(manifest_dir().join("scripts/package.sh"))
        .args(["--strict", "--platforms", platforms, "--only", only, "--out"])
        .arg(out)
        .env("CARGO_TARGET_DIR", target_dir());
    let stdout = sh(&mut cmd, "scripts/package.sh");
    eprintln!("{stdout}");
    out.to_path_buf()
}

/// Unpacks a `.tgz`/`.tar.gz` or `.zip` archive into `dest` (created).
pub fn unpack(archive: &Path, dest: &Path) {
    std::fs::create_dir_all(dest).expect("create the unpack directory");
    let name = archive.to_string_lossy();
    if name.ends_with(".zip") {
        sh(Command::new("unzip").arg("-q").arg(archive).arg("-d").arg(dest), "unzip");
    } else {
        sh(Command::new("tar").arg("xzf").arg(archive).arg("-C").arg(dest), "tar xzf");
    }
}

/// Every file and folder under `dir`, relative to it, sorted.
pub fn tree(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("list {}: {e}", d.display())) {
            let p = e.expect("a directory entry").path();
            out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
            if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The names of the functions `include/mixplay.h` declares (what every library must export).
pub fn header_functions() -> Vec<String> {
    let text = std::fs::read_to_string(manifest_dir().join("include/mixplay.h")).expect("read include/mixplay.h");
    // The declarations without comments: `/* ... */` blocks and `//` lines.
    let mut code = String::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        rest = rest[start..].split_once("*/").map_or("", |(_, after)| after);
    }
    code.push_str(rest);
    let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let mut names = Vec::new();
    for (i, _) in code.match_indices("mixplay_") {
        if i > 0 && code[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let word = &code[i..];
        let end = word.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(word.len());
        if word[end..].starts_with('(') {
            names.push(word[..end].to_owned());
        }
    }
    names.sort();
    names.dedup();
    assert!(names.len() > 50, "found only {} functions in include/mixplay.h", names.len());
    names
}

/// The architecture a native library is built for, read from its header: `x86_64` or `arm64`
/// (several for a macOS universal binary), with its format (`elf`, `pe`, `macho`).
pub fn binary_arch(path: &Path) -> (&'static str, Vec<&'static str>) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let u16le = |at: usize| u16::from_le_bytes([bytes[at], bytes[at + 1]]);
    let u32le = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap());
    let u32be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let macho_cpu = |cpu: u32| match cpu {
        0x0100_0007 => "x86_64",
        0x0100_000c => "arm64",
        other => panic!("{}: unknown Mach-O CPU type {other:#x}", path.display()),
    };
    if bytes.starts_with(b"\x7fELF") {
        let arch = match u16le(18) {
            62 => "x86_64",
            183 => "arm64",
            other => panic!("{}: unknown ELF machine {other}", path.display()),
        };
        ("elf", vec![arch])
    } else if bytes.starts_with(b"MZ") {
        let pe = u32le(0x3c) as usize;
        assert_eq!(&bytes[pe..pe + 4], b"PE\0\0", "{}: no PE header", path.display());
        let arch = match u16le(pe + 4) {
            0x8664 => "x86_64",
            0xaa64 => "arm64",
            other => panic!("{}: unknown PE machine {other:#x}", path.display()),
        };
        ("pe", vec![arch])
    } else if u32le(0) == 0xfeed_facf {
        ("macho", vec![macho_cpu(u32le(4))])
    } else if u32be(0) == 0xcafe_babe {
        let n = u32be(4) as usize;
        ("macho", (0..n).map(|i| macho_cpu(u32be(8 + i * 20))).collect())
    } else {
        panic!("{}: not a library this test knows", path.display())
    }
}
