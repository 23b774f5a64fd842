//! Running the Node yardstick (`benches/node/*.js`, copied from the shared bench folder) with the
//! official `@mixer/interactive-node` installed in `tests/node/node_modules`. When node or the
//! modules are missing, the callers print why and leave the Node column empty.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

pub struct Node {
    node: PathBuf,
    modules: PathBuf,
    scripts: PathBuf,
}

impl Node {
    /// Finds node and the installed packages, or says what is missing.
    pub fn find() -> Result<Node, String> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let modules = root.join("tests/node/node_modules");
        let scripts = root.join("benches/node");
        let node = std::env::var_os("NODE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("node"));
        let version = Command::new(&node)
            .arg("--version")
            .output()
            .map_err(|e| format!("node is not installed or not on PATH ({e})"))?;
        if !version.status.success() {
            return Err("`node --version` failed".into());
        }
        for m in ["@mixer/interactive-node", "ws"] {
            if !modules.join(m).join("package.json").exists() {
                return Err(format!("{m} is not installed in {} (run `npm ci` in tests/node)", modules.display()));
            }
        }
        Ok(Node { node, modules, scripts })
    }

    /// Runs a script from benches/node with `args`; its stdout, or why it failed.
    pub fn run(&self, script: &str, args: &[String], limit: Duration) -> Result<String, String> {
        let mut command = Command::new(&self.node);
        command
            .arg("--expose-gc")
            .arg(self.scripts.join(script))
            .args(args)
            .current_dir(self.modules.parent().unwrap())
            .env("NODE_PATH", &self.modules);
        super::run_limited(&mut command, script, limit)
    }

    /// Runs node-client.js and returns its JSON result line.
    pub fn client(&self, url: &str, mode: &str, target: usize, limit: Duration) -> Result<Value, String> {
        let count_flag = if mode == "joins" { "--joins" } else { "--n" };
        let args =
            vec!["--url".into(), url.into(), "--mode".into(), mode.into(), count_flag.into(), target.to_string()];
        let out = self.run("node-client.js", &args, limit)?;
        let line =
            out.lines().rev().find(|l| l.trim_start().starts_with('{')).ok_or("node-client printed no result")?;
        let v: Value = serde_json::from_str(line).map_err(|e| format!("bad node-client output: {e}"))?;
        if v["errorCount"].as_u64().unwrap_or(0) > 0 {
            return Err(format!("node-client reported errors: {}", v["errors"]));
        }
        Ok(v)
    }

    /// Whether `packets` are exactly what flood-server.js `--dump` writes for the same n.
    pub fn same_input_packets(&self, packets: &[String]) -> Result<bool, String> {
        let file = std::env::temp_dir().join(format!("mixplay-bench-dump-{}.jsonl", std::process::id()));
        let args = vec!["--dump".into(), file.display().to_string(), "--n".into(), packets.len().to_string()];
        self.run("flood-server.js", &args, Duration::from_secs(30))?;
        let dumped = std::fs::read_to_string(&file).map_err(|e| e.to_string());
        let _ = std::fs::remove_file(&file);
        let dumped = dumped?;
        Ok(dumped.lines().eq(packets.iter().map(String::as_str)))
    }

    /// Whether `packets` are exactly what flood-server.js `--dump-joins` writes.
    pub fn same_join_packets(&self, packets: &[String]) -> Result<bool, String> {
        let file = std::env::temp_dir().join(format!("mixplay-bench-joins-{}.jsonl", std::process::id()));
        self.run("flood-server.js", &["--dump-joins".into(), file.display().to_string()], Duration::from_secs(30))?;
        let dumped = std::fs::read_to_string(&file).map_err(|e| e.to_string());
        let _ = std::fs::remove_file(&file);
        let dumped = dumped?;
        Ok(dumped.lines().eq(packets.iter().map(String::as_str)))
    }
}
