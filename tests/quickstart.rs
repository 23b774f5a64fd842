//! The quickstart example (`examples/quickstart.rs`, the README's first command) as a program:
//! it serves the participant page and a playable demo game, and stops by itself with `--frames`.
#![cfg(feature = "server")]
mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// `target/<profile>/examples/quickstart`, built by `cargo test`/`cargo nextest` with the tests.
fn quickstart_bin() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let profile_dir = exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>/deps/<test>");
    let bin = profile_dir.join("examples").join(format!("quickstart{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.is_file(),
        "{} is missing: build it with `cargo build --features server --example quickstart` \
         (`cargo test`/`cargo nextest run` build examples with the tests)",
        bin.display()
    );
    bin
}

struct Quickstart {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Drop for Quickstart {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Quickstart {
    fn start(args: &[&str]) -> Quickstart {
        let mut child = Command::new(quickstart_bin())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the quickstart runs");
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Quickstart { child, lines }
    }

    /// The rest of the first line starting with `prefix` (failing after 20 s).
    fn line(&self, prefix: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.trim().to_owned();
                    }
                }
                Err(e) => panic!("the quickstart printed no {prefix:?} line: {e}"),
            }
        }
    }

    /// Waits (up to 30 s) for the program to exit by itself.
    fn exits_by_itself(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("the quickstart's status") {
                return status;
            }
            assert!(Instant::now() < deadline, "the quickstart did not stop by itself");
            // Drain output so the program never blocks on a full pipe.
            let _ = self.lines.recv_timeout(Duration::from_millis(50));
        }
    }
}

fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = ureq::get(url).config().http_status_as_error(false).build();
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut resp = req.call().expect("the mediator answers");
    let status = resp.status().as_u16();
    (status, resp.body_mut().read_to_string().expect("a text body"))
}

#[test]
fn quickstart_serves_the_page_and_a_playable_game() {
    let q = Quickstart::start(&["--listen", "127.0.0.1:0", "--frames", "1200"]);
    let base = q.line("listening on ");
    let page = q.line("participant page: ");
    assert_eq!(page, format!("{base}/channel/1"));
    q.line("ready: ");

    let (status, index) = get(&format!("{base}/"), None);
    assert_eq!(status, 200);
    assert!(index.contains("href=\"/channel/1\"") && index.contains("live"), "{index}");
    let (status, html) = get(&page, None);
    assert_eq!(status, 200);
    assert!(html.contains("data-channel=\"1\"") && html.contains("/page/page.js"), "{html}");
    let (status, js) = get(&format!("{base}/page/page.js"), None);
    assert_eq!(status, 200);
    assert!(js.contains("giveInput"));
    assert_eq!(get(&format!("{base}/channel/99"), None).0, 404);

    let addr = base.trim_start_matches("http://").to_owned();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let url = format!("ws://{addr}/participant?channel=1&x-protocol-version=2.0&key=demo-viewer-1");
        let mut viewer = common::connect(&url, &[]).await.open();
        let scene = viewer.event("onSceneCreate").await;
        let ids: Vec<&str> =
            scene["scenes"][0]["controls"].as_array().unwrap().iter().filter_map(|c| c["controlID"].as_str()).collect();
        for id in ["stick", "up", "left", "right", "down", "boost", "charge", "red-team", "name", "title", "aim"] {
            assert!(ids.contains(&id), "the demo scene has {id}: {ids:?}");
        }

        // The costed boost: the game captures the sparks before it rewards (and says so).
        viewer.ok("giveInput", json!({"controlID": "boost", "event": "mousedown", "button": 0})).await;
        let said = viewer.event("event").await;
        assert!(said["message"].as_str().unwrap_or("").contains("spent 10 sparks"), "{said}");
        let (_, me) = get(&format!("{base}/api/v1/users/current"), Some("demo-viewer-1"));
        assert_eq!(serde_json::from_str::<Value>(&me).unwrap()["sparks"], json!(990));
        // The game sets the boost's cooldown and progress.
        let update = viewer
            .event_matching("onControlUpdate", |p| {
                p["controls"]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|c| c["controlID"] == "boost" && c["cooldown"].is_i64()))
            })
            .await;
        assert_eq!(update["sceneID"], json!("default"));

        // The red team has its own scene.
        viewer.ok("giveInput", json!({"controlID": "red-team", "event": "mousedown", "button": 0})).await;
        let red = viewer.event_matching("onSceneCreate", |p| p["scenes"][0]["sceneID"] == "red").await;
        assert!(red["scenes"][0]["controls"].as_array().unwrap().iter().any(|c| c["controlID"] == "ghost-stick"));
    });
}

#[test]
fn quickstart_plays_on_an_existing_mediator_and_stops_by_itself() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let m = rt.block_on(common::mediator());
    let mut q = Quickstart::start(&["--no-mediator", "--discovery", &m.hosts_url(), "--frames", "5"]);
    assert_eq!(q.line("participant page: "), format!("{}/channel/1", m.base_url()));
    q.line("ready: ");
    let status = q.exits_by_itself();
    assert!(status.success(), "{status:?}");
}
