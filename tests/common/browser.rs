//! Browser scripts (`tests/browser/*.js`, headless Chromium through playwright-core) and the
//! step protocol the Rust side speaks with them: the script prints `STEP {json}` lines; for each,
//! the test asserts what it received (or changes something) and answers `OK [json]` on the
//! script's stdin.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";

/// How long one step of the script may take (the first includes starting Chromium).
const STEP_TIMEOUT: Duration = Duration::from_secs(45);

fn browser_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Kills the script (and so its browser) if the test fails half-way.
pub struct Script {
    pub child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Script {
    /// Runs `tests/browser/{name}` against the mediator at `base`.
    pub fn start(name: &str, base: &str, artifacts: &Path) -> Script {
        let dir = browser_dir();
        assert!(
            dir.join("node_modules/playwright-core").is_dir(),
            "playwright-core is not installed: run `scripts/test.sh` (it runs `npm ci` in tests/browser)"
        );
        assert!(Path::new(CHROMIUM).exists(), "{CHROMIUM} is missing: run `scripts/test.sh` (it installs `chromium`)");
        let mut child = Command::new("node")
            .arg(dir.join(name))
            .arg(base)
            .arg(artifacts)
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("node runs");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Script { child, stdin, lines }
    }

    /// The next step the script reports, its log lines echoed; fails on a script error.
    pub fn next_step(&mut self) -> Value {
        loop {
            let line = match self.lines.recv_timeout(STEP_TIMEOUT) {
                Ok(line) => line,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    panic!("the browser script reported nothing for {STEP_TIMEOUT:?}")
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = self.child.wait().ok();
                    panic!("the browser script ended without finishing ({status:?}); see its output above")
                }
            };
            if let Some(json) = line.strip_prefix("STEP ") {
                return serde_json::from_str(json).expect("a step is JSON");
            }
            eprintln!("[browser] {line}");
            if line.starts_with("ERROR ") {
                // Let the rest of the stack trace through before failing.
                while let Ok(more) = self.lines.recv_timeout(Duration::from_secs(2)) {
                    eprintln!("[browser] {more}");
                }
                panic!("the browser script failed: {line}");
            }
        }
    }

    /// Waits for `name`, the next step.
    pub fn expect(&mut self, name: &str) -> Value {
        let step = self.next_step();
        assert_eq!(step["step"], json!(name), "the browser script's steps are out of order");
        step
    }

    pub fn ok(&mut self) {
        writeln!(self.stdin, "OK").and_then(|()| self.stdin.flush()).expect("the script reads its stdin");
    }

    /// Answers `OK` with data for the script.
    pub fn ok_with(&mut self, data: &Value) {
        writeln!(self.stdin, "OK {data}").and_then(|()| self.stdin.flush()).expect("the script reads its stdin");
    }

    /// Waits for the script to end; fails when it did not succeed.
    pub fn finish(mut self) {
        let status = self.child.wait().expect("the script exits");
        assert!(status.success(), "the browser script failed: {status:?}");
    }
}

/// Where the scripts put screenshots.
pub fn artifacts() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/artifacts")
}
