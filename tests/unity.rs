#![cfg(feature = "server")]
//! The Unity wrapper (`bindings/unity`) under Mono: its engine-free core is compiled with `mcs`
//! (warnings are errors), the MonoBehaviour manager is compiled against the stand-in UnityEngine
//! declarations in `bindings/unity/Tests/StandIn` (a compile check only: real Unity is not
//! available here), and the console test program `bindings/unity/Tests/Console` runs under `mono`
//! against the real `libmixplay.so` and an in-process mediator, while this harness plays its
//! participants (line protocol described at the top of `ConsoleTests.cs`). The program's struct
//! layout test compares `Marshal.SizeOf`/`OffsetOf` with a C program generated from the header.
//! The same runs again on the packaged Unity package (`scripts/package.sh`'s UPM tarball,
//! unpacked), against the native library it carries; its sample is compiled with the manager.
//!
//! `mcs` and `mono` come from Debian's `mono-mcs` and `mono-runtime` (scripts/test.sh installs
//! them); without them the test is skipped with a note, except under CI where that is an error.
mod common;
mod unity_support;

use common::package::{self, have, sh};

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::client::serve;
use common::native::{lib_dir, target_dir, Players};

const WAIT_MS: u64 = 10_000;

/// The `.cs` files under `dir`, sorted, skipping the subdirectories named in `skip`.
fn sources(dir: &Path, skip: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("read {}: {e}", d.display())) {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                if !skip.iter().any(|s| p.file_name().is_some_and(|n| n == *s)) {
                    stack.push(p);
                }
            } else if p.extension().is_some_and(|x| x == "cs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Compiles C# with mcs into `out`.
fn mcs(out: &Path, target: &str, refs: &[&Path], defines: &[&str], files: &[PathBuf], what: &str) {
    let mut cmd = Command::new("mcs");
    cmd.args(["-nologo", "-unsafe", "-warnaserror+", "-debug"]).arg(format!("-target:{target}"));
    cmd.arg(format!("-out:{}", out.display()));
    for r in refs {
        cmd.arg(format!("-r:{}", r.display()));
    }
    for d in defines {
        cmd.arg(format!("-define:{d}"));
    }
    cmd.args(files);
    sh(&mut cmd, what);
}

struct Built {
    exe: PathBuf,
    layout: PathBuf,
}

/// Builds the package at `unity` (the repository's `bindings/unity`, or an unpacked UPM tarball)
/// into `target/unity-tests/<label>`: its core, its MonoBehaviour and samples against the
/// stand-in UnityEngine, and the repository's console tests against its core.
fn build(unity: &Path, label: &str) -> Built {
    let root = unity_support::root();
    let tests = root.join("bindings/unity/Tests");
    let dir = target_dir().join("unity-tests").join(label);
    std::fs::create_dir_all(&dir).expect("create target/unity-tests");

    // The structs' real layout, from a C program generated from the header.
    let header = unity_support::parse_header(&unity_support::header_text());
    let c = dir.join("layout.c");
    std::fs::write(&c, unity_support::layout_program(&header)).expect("write layout.c");
    let layout_exe = dir.join("layout");
    sh(
        Command::new("gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror"])
            .arg(format!("-I{}", root.join("include").display()))
            .arg(&c)
            .arg("-o")
            .arg(&layout_exe),
        "compiling the layout program",
    );
    let layout = dir.join("layout.txt");
    std::fs::write(&layout, sh(&mut Command::new(&layout_exe), "running the layout program"))
        .expect("write layout.txt");

    // The engine-free core, as Unity's MixPlay.Runtime assembly.
    let runtime = dir.join("MixPlay.Runtime.dll");
    let core = sources(&unity.join("Runtime"), &["Unity"]);
    assert!(core.len() >= 5, "the core sources: {core:?}");
    mcs(&runtime, "library", &[], &[], &core, "compiling Runtime/ (the engine-free core)");

    // The MonoBehaviour and the samples, against the stand-in UnityEngine (player and editor paths).
    let mut glue = sources(&unity.join("Runtime/Unity"), &[]);
    glue.extend(sources(&unity.join("Samples~"), &[]));
    glue.extend(sources(&tests.join("StandIn"), &[]));
    for (defines, name) in [(&[][..], "MixPlay.Unity.dll"), (&["UNITY_EDITOR"][..], "editor/MixPlay.Unity.dll")] {
        let out = dir.join(name);
        std::fs::create_dir_all(out.parent().unwrap()).unwrap();
        mcs(&out, "library", &[&runtime], defines, &glue, "compiling Runtime/Unity against the UnityEngine stand-in");
    }

    // The console tests.
    let exe = dir.join("MixPlay.ConsoleTests.exe");
    mcs(&exe, "exe", &[&runtime], &[], &sources(&tests.join("Console"), &[]), "compiling Tests/Console");
    Built { exe, layout }
}

/// Whether mcs and mono are here; outside CI their absence skips the test with a note.
fn have_mono() -> bool {
    if have("mcs") && have("mono") {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "mcs/mono are not installed (scripts/test.sh installs mono-mcs and mono-runtime)"
    );
    eprintln!(
        "note: mcs or mono is not installed; skipping the Unity wrapper test (apt-get install mono-mcs mono-runtime)"
    );
    false
}

#[test]
fn unity_wrapper_under_mono() {
    if !have_mono() {
        return;
    }
    let built = build(&unity_support::root().join("bindings/unity"), "source");
    console_tests(&built, &lib_dir());
}

/// The Unity package as a game developer installs it: `scripts/package.sh` writes the UPM
/// tarball, which is unpacked, its C# compiled, and the console tests run against the native
/// library inside it (`Runtime/Plugins/Linux/x86_64/libmixplay.so`), not the build folder.
#[test]
fn packaged_unity_package_under_mono() {
    if !have_mono() {
        return;
    }
    let work = package::scratch("unity-mono");
    let out = package::package(&work.join("dist"), "host", "unity");
    let unpacked = work.join("unpacked");
    package::unpack(&out.join(format!("com.mixplay.sdk-{}.tgz", package::VERSION)), &unpacked);
    let pkg = unpacked.join("package");
    let plugin_dir = pkg.join("Runtime/Plugins/Linux/x86_64");
    assert!(plugin_dir.join("libmixplay.so").is_file(), "the tarball carries the Linux x86_64 library");
    let built = build(&pkg, "packaged");
    console_tests(&built, &plugin_dir);
    let _ = std::fs::remove_dir_all(&work);
}

/// Runs the console test program against the library in `lib` and an in-process mediator.
fn console_tests(built: &Built, lib: &Path) {
    let mut s = serve();

    let mut child = Command::new("mono")
        .arg("--debug")
        .arg(&built.exe)
        .arg(s.m.base_url())
        .arg(&built.layout)
        .env("LD_LIBRARY_PATH", lib)
        .env("MIXPLAY_TEST_WAIT_MS", WAIT_MS.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mono");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = mpsc::channel::<Option<String>>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(Some(line)).is_err() {
                return;
            }
        }
        let _ = tx.send(None);
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let limit = Duration::from_millis(WAIT_MS * 12);
    let deadline = Instant::now() + limit;
    let mut players = Players::new(&mut s);
    let mut transcript: Vec<String> = Vec::new();
    let mut problem = None;
    let mut done = false;
    loop {
        let line = match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(_) => {
                problem = Some(format!("the program ran longer than {limit:?}"));
                break;
            }
        };
        let Some(command) = line.strip_prefix("@ ") else {
            transcript.push(line);
            continue;
        };
        transcript.push(format!("> {command}"));
        let answer = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| players.answer(command))) {
            Ok(Ok(a)) => a,
            Ok(Err(why)) => format!("FAIL {why}"),
            Err(_) => "FAIL the harness panicked (see above)".into(),
        };
        if answer.starts_with("FAIL") && problem.is_none() {
            problem = Some(answer.clone());
        }
        done |= command == "DONE";
        transcript.push(format!("< {answer}"));
        if writeln!(stdin, "{answer}").and_then(|_| stdin.flush()).is_err() {
            break;
        }
    }
    drop(stdin);
    if problem.is_some() {
        let _ = child.kill();
    }
    let status = child.wait().expect("wait for mono");
    let stderr = err_reader.join().unwrap_or_default();
    let report = |why: &str| format!("{why}\n--- transcript ---\n{}\n--- stderr ---\n{stderr}", transcript.join("\n"));
    if let Some(p) = problem {
        panic!("{}", report(&p));
    }
    assert!(done, "{}", report("the program never said DONE"));
    assert!(status.success(), "{}", report(&format!("the program exited with {status}")));
    let last = transcript.last().cloned().unwrap_or_default();
    let counts: Vec<u32> =
        last.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).filter_map(|w| w.parse().ok()).collect();
    assert!(
        last.ends_with(" failed") && last.contains(" passed, ") && counts.len() == 2,
        "{}",
        report(&format!("the last line is not `N passed, N failed`: {last:?}"))
    );
    assert_eq!(counts[1], 0, "{}", report("some C# tests failed"));
    assert!(counts[0] >= 26, "{}", report("fewer C# tests ran than expected"));
    eprintln!(
        "{}",
        transcript
            .iter()
            .filter(|l| !l.starts_with("> ") && !l.starts_with("< "))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
