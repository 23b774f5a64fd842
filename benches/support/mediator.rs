//! The `mixplay-server` binary as a child process on a fresh data folder, and the `/proc` figures
//! the mediator benchmarks read from it (`mediator_load`, `soak`; each includes this with
//! `#[path]`; not a bench itself).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
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

/// The `mixplay-server` cargo built for this bench (`required-features = ["server"]` makes cargo
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

/// A running `mixplay-server`; killed (by its pid) when dropped, its data folder removed.
pub struct Server {
    child: Child,
    pub addr: String,
    /// Its data folder (none for a mediator from before the store).
    pub data: Option<PathBuf>,
}

/// Whether `bin` knows `--data` (a mediator from before the store does not).
fn has_store(bin: &PathBuf) -> bool {
    Command::new(bin)
        .arg("--help")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("--data"))
        .unwrap_or(false)
}

impl Server {
    /// Starts `bin` on a fresh data folder (when it has a store), with `args` besides.
    pub fn start(bin: &PathBuf, args: &[&str]) -> Res<Server> {
        static ROUND: AtomicU64 = AtomicU64::new(0);
        let data = has_store(bin).then(|| {
            let n = ROUND.fetch_add(1, Ordering::Relaxed);
            std::env::temp_dir().join(format!("mixplay-bench-{}-{n}", std::process::id()))
        });
        let mut command = Command::new(bin);
        command.args(["--listen", "127.0.0.1:0"]).args(args);
        if let Some(dir) = &data {
            let _ = std::fs::remove_dir_all(dir);
            command.arg("--data").arg(dir);
        }
        let mut child = command
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
        let mut server = Server { child, addr: String::new(), data };
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
        if let Some(dir) = &self.data {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
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

/// CPU time (user + system) a process has used, assuming the usual 100 clock ticks a second.
pub fn cpu_time(pid: &str) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // Fields 14 and 15 of stat(5); `fields` starts at field 3.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// Participant counts from the environment variable `name` (comma-separated, `_` allowed as a
/// digit separator), or `default`.
pub fn env_counts(name: &str, default: &str) -> Res<Vec<usize>> {
    let list = std::env::var(name).unwrap_or_else(|_| default.into());
    let counts = list
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().replace('_', "").parse::<usize>().map_err(|_| format!("{name}: bad count {s:?}")))
        .collect::<Res<Vec<_>>>()?;
    if counts.contains(&0) {
        return Err(format!("{name} needs positive counts"));
    }
    Ok(counts)
}

/// Raises this process's open-file limit to its hard limit (children such as the mediator inherit
/// it), saying so; the limit now.
pub fn raise_open_files_to_hard() -> Res<u64> {
    let (before, now) =
        mixplay::server::raise_open_files_limit().map_err(|e| format!("cannot raise the open-file limit: {e}"))?;
    if now != before {
        eprintln!("open-file limit raised from {before} to {now} (the hard limit)");
    }
    Ok(now)
}

/// [`raise_open_files_to_hard`], failing when even the hard limit cannot hold `needed` descriptors.
pub fn raise_open_files(needed: u64) -> Res<()> {
    let now = raise_open_files_to_hard()?;
    if now < needed {
        return Err(format!(
            "the open-file limit is {now} but this run needs about {needed}: run fewer participants or raise \
             the hard limit (ulimit -Hn, /etc/security/limits.conf)"
        ));
    }
    Ok(())
}

pub fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}
