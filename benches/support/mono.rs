//! The Unity package's C# under Mono: its engine-free core (`bindings/unity/Runtime` without
//! `Runtime/Unity`) and a program from `benches/unity`, compiled with `mcs` into
//! `target/bench-unity` and run with `mono` against the `libmixplay.so` of the same sources
//! (`cargo build --release --lib`, beside the bench). When mcs or mono is missing, the callers
//! print why and leave the C# rows empty.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

pub struct Mono {
    exe: PathBuf,
    lib_dir: PathBuf,
}

/// Adds the `.cs` files under `dir` to `out`, leaving out the folders named `skip`.
fn sources(dir: &Path, skip: &str, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != skip) {
                sources(&path, skip, out)?;
            }
        } else if path.extension().is_some_and(|x| x == "cs") {
            out.push(path);
        }
    }
    Ok(())
}

fn mcs(out: &Path, target: &str, reference: Option<&Path>, files: &[PathBuf]) -> Result<(), String> {
    let mut command = Command::new("mcs");
    command.args(["-nologo", "-unsafe", "-optimize+", "-warnaserror+"]);
    command.arg(format!("-target:{target}")).arg(format!("-out:{}", out.display()));
    if let Some(r) = reference {
        command.arg(format!("-r:{}", r.display()));
    }
    let output = command.args(files).output().map_err(|e| format!("mcs is not installed or not on PATH ({e})"))?;
    if !output.status.success() {
        return Err(format!("mcs failed for {}: {}", out.display(), String::from_utf8_lossy(&output.stdout).trim()));
    }
    Ok(())
}

impl Mono {
    /// Compiles the core and `benches/unity/{program}.cs`, or says what is missing.
    pub fn build(program: &str) -> Result<Mono, String> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        // The bench runs as target/<profile>/deps/<bench>-<hash>; cargo puts the cdylib in
        // target/<profile>.
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let lib_dir = exe.parent().and_then(Path::parent).ok_or("no target folder above the bench")?.to_path_buf();
        // A bench links the library as an rlib: build the cdylib of the same sources (quick when
        // it is fresh; cargo has let go of the target folder while its benches run).
        let built = Command::new(env!("CARGO"))
            .args(["build", "--release", "--lib", "--quiet"])
            .current_dir(&root)
            .status()
            .map_err(|e| format!("running cargo failed: {e}"))?;
        if !built.success() || !lib_dir.join("libmixplay.so").is_file() {
            return Err(format!("`cargo build --release --lib` made no libmixplay.so in {}", lib_dir.display()));
        }
        Command::new("mono").arg("--version").output().map_err(|e| format!("mono is not installed ({e})"))?;
        let out_dir = lib_dir.parent().ok_or("no target folder")?.join("bench-unity");
        std::fs::create_dir_all(&out_dir).map_err(|e| e.to_string())?;

        let runtime = out_dir.join("MixPlay.Runtime.dll");
        let mut core = Vec::new();
        sources(&root.join("bindings/unity/Runtime"), "Unity", &mut core)?;
        core.sort();
        mcs(&runtime, "library", None, &core)?;
        let exe = out_dir.join(format!("{program}.exe"));
        mcs(&exe, "exe", Some(&runtime), &[root.join("benches/unity").join(format!("{program}.cs"))])?;
        Ok(Mono { exe, lib_dir })
    }

    /// Runs the program with `args`; its stdout, or why it failed.
    pub fn run(&self, args: &[String], limit: Duration) -> Result<String, String> {
        let mut command = Command::new("mono");
        command.arg(&self.exe).args(args).env("LD_LIBRARY_PATH", &self.lib_dir);
        let what = self.exe.file_name().unwrap_or_default().to_string_lossy().into_owned();
        super::run_limited(&mut command, &what, limit)
    }
}
