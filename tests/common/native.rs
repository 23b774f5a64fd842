//! Builds the C and C++ test programs (`tests/c`, `tests/cpp`) against the library and runs them
//! against an in-process mediator, playing the participants they ask for over the line protocol
//! described in `tests/c/README.md`.
//!
//! Each program is built and run in several variants: linked statically, linked against the
//! shared library, built with AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer
//! included), and the static build run under valgrind. `MIXPLAY_NATIVE_VARIANTS` (a comma list
//! of `static,shared,asan,valgrind`) narrows the set.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::client::Served;
use super::{first_session_id, participant, Conn, Connected};

/// The language of a test program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    C,
    Cpp,
}

/// How a program is built and run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// Linked against `libmixplay.a`.
    Static,
    /// Linked against `libmixplay.so` (found through an rpath).
    Shared,
    /// Static, with `-fsanitize=address,undefined` (leaks reported by LeakSanitizer).
    Asan,
    /// The static build, run under valgrind's memcheck with leak checking.
    Valgrind,
}

impl Variant {
    pub const ALL: [Variant; 4] = [Variant::Static, Variant::Shared, Variant::Asan, Variant::Valgrind];

    fn name(self) -> &'static str {
        match self {
            Variant::Static => "static",
            Variant::Shared => "shared",
            Variant::Asan => "asan",
            Variant::Valgrind => "valgrind",
        }
    }

    /// The variants this run asks for (`MIXPLAY_NATIVE_VARIANTS`, default all), minus valgrind
    /// when it is not installed (outside CI, where its absence is an error).
    pub fn selected() -> Vec<Variant> {
        let wanted = std::env::var("MIXPLAY_NATIVE_VARIANTS").unwrap_or_default();
        let mut out: Vec<Variant> = Variant::ALL
            .into_iter()
            .filter(|v| wanted.trim().is_empty() || wanted.split(',').any(|w| w.trim() == v.name()))
            .collect();
        if out.contains(&Variant::Valgrind) && !have("valgrind") {
            assert!(std::env::var_os("CI").is_none(), "valgrind is not installed (scripts/test.sh installs it)");
            eprintln!("note: valgrind is not installed; skipping the valgrind runs");
            out.retain(|v| *v != Variant::Valgrind);
        }
        out
    }

    /// How long a single wait inside the program may take.
    fn wait_ms(self) -> u64 {
        match self {
            Variant::Valgrind => 60_000,
            Variant::Asan => 20_000,
            _ => 10_000,
        }
    }
}

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
}

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `CARGO_TARGET_DIR`, or `<manifest>/target`.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(d) => {
            let d = PathBuf::from(d);
            if d.is_absolute() {
                d
            } else {
                manifest_dir().join(d)
            }
        }
        None => manifest_dir().join("target"),
    }
}

/// The directory holding `libmixplay.a` and `libmixplay.so` for the profile this test was built
/// with (`target/debug` unless the tests run with `--release`).
pub fn lib_dir() -> PathBuf {
    let profile = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent()?.parent()?.file_name()?.to_str().map(str::to_owned))
        .filter(|p| p == "debug" || p == "release")
        .unwrap_or_else(|| "debug".into());
    let dir = target_dir().join(profile);
    for lib in ["libmixplay.a", "libmixplay.so"] {
        assert!(
            dir.join(lib).is_file(),
            "{} is missing: build the library first (`cargo build --features server`); \
             the C tests link against it",
            dir.join(lib).display()
        );
    }
    dir
}

/// Where build outputs go: `target/c-tests/<variant>/`.
fn out_dir(variant: Variant) -> PathBuf {
    let v = if variant == Variant::Valgrind { Variant::Static } else { variant };
    let dir = target_dir().join("c-tests").join(v.name());
    std::fs::create_dir_all(&dir).expect("target/c-tests can be created");
    dir
}

/// Compiles `source` (relative to the manifest) for `variant` and returns the executable.
/// Extra include directories are relative to the manifest too.
pub fn build(lang: Lang, source: &str, includes: &[&str], variant: Variant) -> PathBuf {
    let root = manifest_dir();
    let lib = lib_dir();
    let src = root.join(source);
    let stem = source.trim_end_matches(".c").trim_end_matches(".cpp").replace('/', "_");
    let exe = out_dir(variant).join(&stem);
    let (compiler, std) = match lang {
        Lang::C => ("gcc", "-std=c99"),
        Lang::Cpp => ("g++", "-std=c++17"),
    };
    let mut cmd = Command::new(compiler);
    cmd.args([std, "-Wall", "-Wextra", "-pedantic", "-Werror", "-g", "-O1"]);
    cmd.arg(format!("-I{}", root.join("include").display()));
    for inc in includes {
        cmd.arg(format!("-I{}", root.join(inc).display()));
    }
    if variant == Variant::Asan {
        cmd.args(["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined"]);
    }
    cmd.arg(&src);
    // Write under a temporary name and rename, so concurrent runs never see half a binary.
    let tmp = exe.with_extension(format!("tmp{}", std::process::id()));
    cmd.arg("-o").arg(&tmp);
    match variant {
        Variant::Shared => {
            cmd.arg(format!("-L{}", lib.display())).arg("-lmixplay").arg(format!("-Wl,-rpath,{}", lib.display()));
        }
        _ => {
            cmd.arg(lib.join("libmixplay.a"));
        }
    }
    cmd.args(["-lpthread", "-ldl", "-lm"]);
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(
        out.status.success(),
        "compiling {source} ({}) failed:\n{:?}\n{}{}",
        variant.name(),
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &exe).expect("rename the built program");
    exe
}

/// Kills the child if the test panics before it exits.
struct Reaper(Option<Child>);

impl Drop for Reaper {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// What a run produced.
pub struct Run {
    /// Lines the program printed, `> ` before its commands and `< ` before the answers.
    pub transcript: Vec<String>,
    pub stderr: String,
}

/// The harness side of the line protocol: the participants a run has joined, by key, and the
/// answer to each command (tests/c/README.md). Shared by the C, C++ and C# harnesses.
pub struct Players<'a> {
    s: &'a mut Served,
    conns: HashMap<String, Conn>,
}

fn joined<'c>(conns: &'c mut HashMap<String, Conn>, key: &str) -> Result<&'c mut Conn, String> {
    conns.get_mut(key).ok_or_else(|| format!("{key} has not joined"))
}

impl<'a> Players<'a> {
    pub fn new(s: &'a mut Served) -> Self {
        Players { s, conns: HashMap::new() }
    }

    /// Answers one command line with `OK …`, `ERR <code>` or `FAIL <why>`.
    pub fn answer(&mut self, line: &str) -> Result<String, String> {
        let (cmd, rest) = line.split_once(' ').unwrap_or((line, ""));
        if cmd == "RESTART" {
            // The mediator goes down (closing game clients and chats with 1012) for this many
            // milliseconds, and comes back at its address with the sign-ins it issued.
            let down: u64 = rest.trim().parse().map_err(|_| "RESTART needs the downtime in ms")?;
            self.conns.clear();
            self.s.restart_in_place(Duration::from_millis(down));
            return Ok("OK".into());
        }
        let s = &*self.s;
        match cmd {
            "JOIN" => {
                let key = rest.trim();
                match s.rt.block_on(participant(&s.m, Some(key))) {
                    Connected::Open(mut p) => {
                        let me = s.rt.block_on(p.event("onParticipantJoin"));
                        let sid = first_session_id(&me);
                        s.rt.block_on(p.event("onReady"));
                        p.backlog.clear();
                        self.conns.insert(key.to_owned(), p);
                        Ok(format!("OK {sid}"))
                    }
                    Connected::Closed(code, _) => Ok(format!("ERR {code}")),
                    Connected::Http(status) => Ok(format!("ERR {status}")),
                }
            }
            "INPUT" => {
                let (key, json) = rest.split_once(' ').ok_or("INPUT needs a key and a JSON object")?;
                let input: Value = serde_json::from_str(json).map_err(|e| format!("bad JSON: {e}"))?;
                let p = joined(&mut self.conns, key)?;
                let reply = s.rt.block_on(p.call("giveInput", input));
                Ok(match reply.error {
                    Some(e) => format!("ERR {}", e.code),
                    None => "OK".into(),
                })
            }
            "WAIT_METHOD" => {
                let (key, method) = rest.split_once(' ').ok_or("WAIT_METHOD needs a key and a method")?;
                let p = joined(&mut self.conns, key)?;
                let params = s.rt.block_on(p.event(method.trim()));
                Ok(format!("OK {params}"))
            }
            "LEAVE" => {
                let p = self.conns.remove(rest.trim()).ok_or("LEAVE: no such participant")?;
                s.rt.block_on(p.close());
                Ok("OK".into())
            }
            "CLOSE_GAME" => {
                let code: u16 = rest.trim().parse().map_err(|_| "CLOSE_GAME needs a code")?;
                s.m.close_game_clients(code, "closed by the test harness");
                Ok("OK".into())
            }
            "SPARKS" => {
                let user: u32 = rest.trim().parse().map_err(|_| "SPARKS needs a user id")?;
                Ok(format!("OK {}", s.m.sparks_of(user)))
            }
            "APPROVE" | "DENY" => {
                // A person answering a short code on the mediator's /go page, signed in with the
                // given token (the demo streamer's by default): the page's forms are fetched and
                // posted over HTTP.
                let mut words = rest.split_whitespace();
                let code = words.next().ok_or_else(|| format!("{cmd} needs a code"))?;
                let token = words.next().unwrap_or("demo-streamer");
                super::oauth::answer_code(&s.m.base_url(), code, token, cmd == "APPROVE");
                Ok("OK".into())
            }
            "FETCH" => {
                // A viewer's page loading a file: the status, type and bytes (hex) it got.
                let url = rest.trim();
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                let mut r = agent.get(url).call().map_err(|e| format!("FETCH {url}: {e}"))?;
                let status = r.status().as_u16();
                let ty = r.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("-").to_owned();
                let bytes = r.body_mut().read_to_vec().map_err(|e| format!("FETCH {url}: {e}"))?;
                let hex: String = bytes.iter().take(16_000).map(|b| format!("{b:02x}")).collect();
                Ok(format!("OK {status} {ty} {} {hex}", bytes.len()))
            }
            "DONE" => Ok("OK".into()),
            other => Err(format!("unknown command {other:?}")),
        }
    }
}

/// Runs `exe` (built for `variant`) with the mediator's base URL as argv[1], answering its
/// commands, and fails the test unless it says `DONE` and exits with status 0 (and, under the
/// sanitizers, reports nothing).
pub fn run(exe: &Path, variant: Variant, s: &mut Served) -> Run {
    let mut cmd = if variant == Variant::Valgrind {
        let mut c = Command::new("valgrind");
        c.args([
            "-q",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite,indirect",
            "--show-leak-kinds=definite,indirect",
            "--fair-sched=yes",
        ]);
        c.arg(exe);
        c
    } else {
        Command::new(exe)
    };
    if variant == Variant::Asan {
        cmd.env("ASAN_OPTIONS", "detect_leaks=1:exitcode=98:abort_on_error=0");
        cmd.env("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1");
        cmd.env("LSAN_OPTIONS", "exitcode=97");
    }
    let name = format!("{} [{}]", exe.display(), variant.name());
    let run = run_command(cmd, &name, variant.wait_ms(), s);
    // Sanitizer reports go to stderr even when the exit status is clean (e.g. UBSan recoveries).
    for marker in ["ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"] {
        if run.stderr.contains(marker) {
            panic!(
                "{name}: the sanitizer reported {marker:?}\n--- transcript ---\n{}\n--- stderr ---\n{}",
                run.transcript.join("\n"),
                run.stderr
            );
        }
    }
    run
}

/// Runs `cmd` (a test program, or a launcher such as Wine with the program as its argument) with
/// the mediator's base URL appended, answering its commands; panics, naming it `name`, unless it
/// says `DONE` and exits with status 0. `wait_ms` bounds each of the program's own waits; the
/// whole run may take twelve of them.
pub fn run_command(mut cmd: Command, name: &str, wait_ms: u64, s: &mut Served) -> Run {
    cmd.arg(s.m.base_url());
    cmd.env("MIXPLAY_TEST_WAIT_MS", wait_ms.to_string());
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let mut stdin = child.stdin.take().expect("piped stdin");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let mut reaper = Reaper(Some(child));

    let (tx, rx) = mpsc::channel::<Option<String>>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            match line {
                Ok(l) => {
                    if tx.send(Some(l)).is_err() {
                        return;
                    }
                }
                Err(_) => break,
            }
        }
        let _ = tx.send(None);
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });

    let limit = Duration::from_millis(wait_ms * 12);
    let deadline = Instant::now() + limit;
    let mut players = Players::new(s);
    let mut transcript = Vec::new();
    let mut done = false;
    let mut problem = None;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = match rx.recv_timeout(left) {
            Ok(Some(l)) => l,
            Ok(None) => break,
            Err(_) => {
                problem = Some(format!("the program ran longer than {limit:?}"));
                break;
            }
        };
        transcript.push(format!("> {line}"));
        let answer = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| players.answer(&line))) {
            Ok(Ok(a)) => a,
            Ok(Err(why)) => format!("FAIL {why}"),
            Err(_) => "FAIL the harness panicked (see above)".into(),
        };
        if answer.starts_with("FAIL") && problem.is_none() {
            problem = Some(answer.clone());
        }
        done |= line == "DONE";
        transcript.push(format!("< {answer}"));
        if writeln!(stdin, "{answer}").and_then(|_| stdin.flush()).is_err() {
            break;
        }
    }
    drop(stdin);
    let mut child = reaper.0.take().expect("the child");
    let status = if problem.is_some() {
        let _ = child.kill();
        child.wait().expect("wait for the program")
    } else {
        let end = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(st) = child.try_wait().expect("wait for the program") {
                break st;
            }
            if Instant::now() > end {
                let _ = child.kill();
                problem = Some("the program did not exit after its output ended".into());
                break child.wait().expect("wait for the program");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let stderr = err_reader.join().unwrap_or_default();
    let report = |why: &str| -> String {
        format!("{name}: {why}\n--- transcript ---\n{}\n--- stderr ---\n{stderr}", transcript.join("\n"))
    };
    if let Some(p) = problem {
        panic!("{}", report(&p));
    }
    if !status.success() {
        panic!("{}", report(&format!("exited with {status}")));
    }
    if !done {
        panic!("{}", report("exited without saying DONE"));
    }
    Run { transcript, stderr }
}

/// Builds `source` for every selected variant and runs each build against a fresh mediator
/// made by `serve`.
pub fn check(lang: Lang, source: &str, includes: &[&str], serve: impl Fn() -> Served) {
    check_variants(lang, source, includes, serve, &Variant::ALL);
}

/// As [`check`], for those of `variants` that are selected (a long program split over tests).
pub fn check_variants(lang: Lang, source: &str, includes: &[&str], serve: impl Fn() -> Served, variants: &[Variant]) {
    for variant in Variant::selected().into_iter().filter(|v| variants.contains(v)) {
        let exe = build(lang, source, includes, variant);
        let mut s = serve();
        let started = Instant::now();
        run(&exe, variant, &mut s);
        eprintln!("{source} [{}]: passed in {:.1?}", variant.name(), started.elapsed());
    }
}

/// Compiles an example (`examples/c/game.c`, `examples/cpp/game.cpp`) for `variant`.
pub fn build_example(lang: Lang, source: &str, variant: Variant) -> PathBuf {
    build(lang, source, &["bindings/cpp"], variant)
}

/// Runs an example game against `s` and plays a viewer at it: waits for `ready`, then checks
/// that the game reacts to a join, a button, a progress bar filled to its cooldown, a joystick
/// and a costed press (captured, then the buyer moved to `vips`), as it prints them; finally
/// sends SIGINT and expects a clean exit.
pub fn drive_example(exe: &Path, s: &Served) {
    drive_example_command(Command::new(exe), &exe.display().to_string(), s);
}

/// [`drive_example`] for a game started by `cmd` (e.g. Wine with the game as its argument; the
/// mediator's base URL is appended), named `name` in failures.
pub fn drive_example_command(mut cmd: Command, name: &str, s: &Served) {
    use super::participant;
    use serde_json::json;

    let mut child = cmd
        .arg(s.m.base_url())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let pid = child.id();
    let stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let mut reaper = Reaper(Some(child));
    let (tx, rx) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let mut seen: Vec<String> = Vec::new();
    let mut expect = |prefix: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if seen.iter().any(|l| l.starts_with(prefix)) {
                seen.retain(|l| !l.starts_with(prefix));
                return;
            }
            match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(line) => seen.push(line),
                Err(_) => panic!("{name}: no line starting {prefix:?}; unmatched output: {seen:#?}"),
            }
        }
    };

    expect("ready");
    let mut p = s.rt.block_on(participant(&s.m, Some("demo-viewer-1"))).open();
    let me = s.rt.block_on(p.event("onParticipantJoin"));
    let sid = first_session_id(&me);
    expect("joined: viewer1");
    let press = |p: &mut Conn, control: &str| {
        s.rt.block_on(p.ok("giveInput", json!({"controlID": control, "event": "mousedown", "button": 0})));
    };
    press(&mut p, "jump");
    expect("jump pressed by viewer1");
    for pct in ["charge 25%", "charge 50%", "charge 75%"] {
        press(&mut p, "charge");
        expect(pct);
    }
    press(&mut p, "charge");
    expect("charge full: cooldown");
    // The cooldown the game set reaches the service (and so the viewer).
    s.rt.block_on(p.event_matching("onControlUpdate", |v| v.to_string().contains("cooldown")));
    s.rt.block_on(p.ok("giveInput", json!({"controlID": "steer", "event": "move", "x": 0.5, "y": -0.5})));
    expect("steer 0.50 -0.50");
    press(&mut p, "vip");
    expect("vip requested by viewer1");
    expect(&format!("sparks charged: {sid}"));
    expect(&format!("moved {sid} to vips"));
    assert_eq!(s.m.sparks_of(2), 990, "the vip press was charged");

    let status = Command::new("kill").args(["-INT", &pid.to_string()]).status().expect("run kill");
    assert!(status.success());
    expect("bye");
    let mut child = reaper.0.take().expect("the child");
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(st) = child.try_wait().expect("wait for the example") {
            break st;
        }
        assert!(Instant::now() < deadline, "the example did not exit after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = err_reader.join().unwrap_or_default();
    assert!(status.success(), "{name} exited with {status}; stderr:\n{stderr}");
}
