//! The channel's stream on the participant page, in headless Chromium (Debian's `chromium`, driven
//! by `playwright-core`), against HLS test streams made here with Debian's `ffmpeg` (H.264 and AAC
//! in MPEG-TS segments: what OBS pushes through MediaMTX or nginx-rtmp, and what Chromium plays
//! through hls.js and Media Source Extensions as well as natively) and served from a local folder
//! over HTTP on 127.0.0.1, while this thread plays the game with `mixplay::client::Session` and
//! changes the channel as its owner. The script (`tests/browser/stream.js`) and this side take
//! turns (see `common/script.rs`).
#![cfg(feature = "server")]
mod common;

use std::path::Path;
use std::process::Command;

use mixplay::client::{ButtonAction, Event, InputKind, Session, SessionId};
use serde_json::{json, Value};

use common::client::{connected, input_on, reply_for, serve, wait_for, Served};
use common::durable::TempDir;
use common::media::{make_hls, make_low_latency_hls, serve_files, FFMPEG};
use common::oauth::{send, Http};
use common::script::{artifacts, Script};

/// An embeddable "player page" that also tries to navigate the page around it (the sandbox must
/// stop it).
const EMBED_HTML: &str = "<!doctype html><html><head><title>Player</title></head>\
<body style=\"margin:0;background:#334;color:#fff;font:20px sans-serif;display:grid;place-items:center;height:100vh\">\
<p id=\"embedded\">Embedded player</p><script>\
try { window.top.location.href = '/hijacked'; } catch (e) {}\
document.body.dataset.tried = 'top-navigation';</script></body></html>";

fn patch_channel(s: &Served, body: Value) -> Http {
    let r = send(
        "PATCH",
        &format!("{}/api/v1/channels/1", s.m.base_url()),
        &[("Authorization", "Bearer demo-streamer")],
        &body.to_string(),
    );
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

/// The next screen press or release on `aim` by `viewer`: (action, x, y).
fn screen_button(game: &mut Session, viewer: &SessionId) -> (ButtonAction, f64, f64) {
    let i = input_on(game, "aim");
    assert_eq!(&i.participant, viewer);
    match i.kind {
        InputKind::ScreenButton { action, x, y } => (action, x, y),
        other => panic!("expected a screen press or release, got {other:?}"),
    }
}

fn pressed_at(game: &mut Session, viewer: &SessionId, x: f64, y: f64) {
    let (action, px, py) = screen_button(game, viewer);
    assert_eq!(action, ButtonAction::MouseDown);
    assert!((px - x).abs() < 0.01 && (py - y).abs() < 0.01, "pressed at ({px}, {py}), clicked at ({x}, {y})");
    let (action, ..) = screen_button(game, viewer);
    assert_eq!(action, ButtonAction::MouseUp);
}

/// A PNG's pixels as RGB, decoded by ffmpeg: (width, height, bytes).
fn rgb(png: &Path) -> (usize, usize, Vec<u8>) {
    let probe = Command::new("/usr/bin/ffprobe")
        .args(["-v", "error", "-show_entries", "stream=width,height", "-of", "csv=p=0"])
        .arg(png)
        .output()
        .expect("ffprobe runs");
    let dims = String::from_utf8(probe.stdout).unwrap();
    let (w, h) = dims.trim().split_once(',').expect("width,height");
    let out = Command::new(FFMPEG)
        .args(["-v", "error", "-i"])
        .arg(png)
        .args(["-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        .output()
        .expect("ffmpeg runs");
    (w.parse().unwrap(), h.parse().unwrap(), out.stdout)
}

/// Checks the screenshot of the stage against the picture rectangle the page computed: black bars
/// beside it, the stream's colour (light sea green) inside it, up to its edges.
fn letterbox_matches(shot: &Path, picture: &Value) {
    let (w, h, px) = rgb(shot);
    let at = |x: f64, y: f64| {
        let (x, y) = (x.round() as usize, y.round() as usize);
        let i = (y.min(h - 1) * w + x.min(w - 1)) * 3;
        [px[i], px[i + 1], px[i + 2]]
    };
    let black = |c: [u8; 3]| c.iter().all(|&v| v < 40);
    let teal = |c: [u8; 3]| {
        (c[0] as i32 - 0x20).abs() < 40 && (c[1] as i32 - 0xb2).abs() < 40 && (c[2] as i32 - 0xaa).abs() < 40
    };
    let (left, width) = (picture["left"].as_f64().unwrap(), picture["width"].as_f64().unwrap());
    let mid = h as f64 / 2.0;
    for (x, want_teal, what) in [
        (left / 2.0, false, "the left bar"),
        (left - 4.0, false, "just left of the picture"),
        (left + 4.0, true, "just inside the picture's left edge"),
        (left + width / 2.0, true, "the picture's middle"),
        (left + width - 4.0, true, "just inside the picture's right edge"),
        (left + width + 4.0, false, "just right of the picture"),
    ] {
        let c = at(x, mid);
        assert!(if want_teal { teal(c) } else { black(c) }, "{what} at x={x:.0} is {c:?} in {}", shot.display());
    }
}

#[test]
fn the_stream_plays_and_screen_input_lands_on_the_picture() {
    let media = TempDir::new("hls");
    make_hls(media.path(), "wide", "testsrc2=size=640x360:rate=25", true);
    make_hls(media.path(), "square", "color=c=0x20b2aa:size=480x360:rate=25", false);
    make_low_latency_hls(media.path(), "ll");
    std::fs::write(media.path().join("embed.html"), EMBED_HTML).unwrap();
    let s = serve();
    let files = serve_files(&s, media.path());
    patch_channel(&s, json!({"title": "Speedrun night"}));
    let mut script = Script::start("stream.js", &s.m.base_url(), &artifacts());

    script.expect("offline");
    // Going live: the stream source, then the game with a screen control, ready.
    patch_channel(&s, json!({"streamSource": files.url("wide/index.m3u8")}));
    let mut game = connected(&s);
    let controls = json!([
        {"controlID": "aim", "kind": "screen", "sendMoveEvents": "mousedown", "moveThrottle": 50},
        {"controlID": "jump", "kind": "button", "text": "Jump", "position": [
            {"size": "large", "x": 0, "y": 0, "width": 10, "height": 5},
            {"size": "medium", "x": 0, "y": 0, "width": 10, "height": 5},
            {"size": "small", "x": 0, "y": 0, "width": 10, "height": 5}]}
    ]);
    let id = game.create_controls("default", controls).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    script.ok();

    script.expect("joined");
    let Event::ParticipantJoined(viewer) =
        wait_for(&mut game, "the viewer joins", |e| matches!(e, Event::ParticipantJoined(_)))
    else {
        unreachable!()
    };
    assert!(files.asked.lock().iter().any(|p| p.starts_with("wide/seg")), "the page fetched segments");
    script.ok();

    script.expect("wide-clicked");
    pressed_at(&mut game, &viewer, 0.25, 0.5);
    script.ok();

    script.expect("square-request");
    patch_channel(&s, json!({"streamSource": files.url("square/index.m3u8")}));
    script.ok();

    // The click on the bar sent nothing: the next press is the one on the picture.
    let step = script.expect("square-clicked");
    pressed_at(&mut game, &viewer, 0.75, 0.25);
    letterbox_matches(Path::new(step["shot"].as_str().unwrap()), &step["picture"]);
    script.ok();

    script.expect("dragged");
    let (action, x, y) = screen_button(&mut game, &viewer);
    assert_eq!(action, ButtonAction::MouseDown);
    assert!((x - 0.3).abs() < 0.01 && (y - 0.6).abs() < 0.01, "({x}, {y})");
    let mut moves = 0;
    loop {
        let i = input_on(&mut game, "aim");
        match i.kind {
            InputKind::Move { x, y } => {
                assert!((0.0..=1.0).contains(&x) && (y - 0.6).abs() < 0.01, "a move over the picture: ({x}, {y})");
                moves += 1;
            }
            InputKind::ScreenButton { action: ButtonAction::MouseUp, x, y } => {
                assert!(x == 1.0 && (y - 0.2).abs() < 0.01, "released at the picture's right edge: ({x}, {y})");
                break;
            }
            other => panic!("unexpected input during the drag: {other:?}"),
        }
    }
    assert!(moves >= 1, "the drag's moves arrived");
    script.ok();

    script.expect("low-latency-request");
    patch_channel(&s, json!({"streamSource": files.url("ll/index.m3u8")}));
    script.ok();

    script.expect("low-latency-played");
    let asked: Vec<String> = files.asked.lock().iter().filter(|p| p.starts_with("ll/")).cloned().collect();
    assert!(asked.iter().any(|p| p.starts_with("ll/part")), "the player loaded parts near the live edge: {asked:?}");
    assert!(!asked.iter().any(|p| p.starts_with("ll/seg")), "and no whole segments: {asked:?}");
    script.ok();

    script.expect("embed-request");
    patch_channel(&s, json!({"streamSource": {"kind": "embed", "url": files.url("embed.html")}}));
    script.ok();

    script.expect("embed-clicked");
    pressed_at(&mut game, &viewer, 0.5, 0.5);
    assert!(!files.asked.lock().iter().any(|p| p.contains("hijacked")), "the frame never navigated the page");
    script.ok();

    script.expect("offline-request");
    drop(game);
    script.ok();

    script.expect("live-request");
    patch_channel(&s, json!({"live": true}));
    script.ok();

    script.expect("done");
    script.ok();
    script.finish();
    for name in ["offline", "live"] {
        for size in ["large", "medium", "small"] {
            let shot = artifacts().join(format!("stream-{name}-{size}.png"));
            assert!(shot.is_file(), "{} was saved", shot.display());
        }
    }
}
