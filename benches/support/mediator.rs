//! The release `mixplay-server` as a child process, and the `/proc` figures the mediator
//! benchmarks read from it (`mediator_load`, `soak`; each includes this with `#[path]`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub type Res<T> = Result<T, String>;

const SERVER_START_LIMIT: Duration = Duration::from_secs(10);

/// A setting from the environment (`_` allowed as a digit separator), or `default`.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Res<T> {
    match std::env::var(name) {
        Ok(v) => v.trim().replace('_', "").parse().map_err(|_| format!("{name}={v:?} is not valid")),
        Err(_) => Ok(default),
    }
}

/// The `mixplay-server` cargo built for the bench (`required-features = ["server"]` makes cargo
/// build it), or `MIXPLAY_BENCH_SERVER`, or `target/release/mixplay-server`.
pub fn server_binary() -> Res<PathBuf> {
    if let Ok(path) = std::env::var("MIXPLAY_BENCH_SERVER") {
        return Ok(PathBuf::from(path));
    }
    let built = option_env!("CARGO_BIN_EXE_mixplay-server").map(PathBuf::from);
    let fallback = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/mixplay-server");
    built.filter(|p| p.exists()).or_else(|| fallback.exists().then_some(fallback.clone())).ok_or_else(|| {
        format!(
            "mixplay-server not found at {}; build it with `cargo build --release --features server`",
            fallback.display()
        )
    })
}

/// A running `mixplay-server`; killed (by its pid) when dropped.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Server {
    /// Starts `bin --listen 127.0.0.1:0` with `args` and waits for the address it prints.
    pub fn start(bin: &Path, args: &[&str]) -> Res<Server> {
        let mut child = Command::new(bin)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the first line, then keeps draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let _ = tx.send(lines.next());
            for _ in lines {}
        });
        let mut server = Server { child, addr: String::new() };
        let line = match rx.recv_timeout(SERVER_START_LIMIT) {
            Ok(Some(Ok(line))) => line,
            Ok(_) => return Err("mixplay-server exited before printing its address".into()),
            Err(_) => return Err("mixplay-server did not print its address in time".into()),
        };
        server.addr = line
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected first line from mixplay-server: {line:?}"))?
            .to_owned();
        Ok(server)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process has exited (and how).
    pub fn exited(&mut self) -> Option<String> {
        self.child.try_wait().ok().flatten().map(|status| status.to_string())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Raises the soft open-file limit to the hard one; fails when that cannot hold `needed`.
pub fn raise_open_files(needed: u64) -> Res<()> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err("cannot read the open-file limit (getrlimit)".into());
        }
        let before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if before == limit.rlim_max {
            eprintln!("the open-file limit is already at its hard limit, {before}");
        } else if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            eprintln!("could NOT raise the open-file limit from {before} to its hard limit {}", limit.rlim_max);
            limit.rlim_cur = before;
        } else {
            eprintln!("open-file limit raised from {before} to {} (the hard limit)", limit.rlim_cur);
        }
    }
    if limit.rlim_cur < needed {
        return Err(format!(
            "the open-file limit is {} but this run needs about {needed}: run fewer participants or raise \
             the hard limit (ulimit -Hn, /etc/security/limits.conf)",
            limit.rlim_cur
        ));
    }
    Ok(())
}

/// A `/proc/PID/status` field in bytes (`VmRSS`, `VmHWM`).
pub fn proc_status_bytes(pid: u32, field: &str) -> Res<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).map_err(|e| e.to_string())?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no {field} in /proc/{pid}/status"))
}

pub fn rss(pid: u32) -> Res<u64> {
    proc_status_bytes(pid, "VmRSS")
}

/// CPU time (user + system) a process has used (`pid` may be `self`), assuming the usual 100
/// clock ticks a second.
pub fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of stat(5); `fields` starts at field 3.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
