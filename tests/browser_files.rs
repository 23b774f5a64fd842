//! The participant page in headless Chromium (see `tests/browser.rs`) with what issue 19 adds:
//! an image the game uploaded (`Session::upload_file`) shown as a button's `backgroundImage`, and
//! the page's words when an admin ends the session (4027) and when the viewer is banned (4025).
#![cfg(feature = "server")]
mod common;

use std::io::Write;

use common::client::*;
use common::oauth::{agent, finish, patch_json};
use common::script::{artifacts, Script};
use mixplay::client::{ButtonAction, Event, InputKind, Session};
use mixplay::server::MediatorConfig;
use serde_json::{json, Value};

/// A real PNG: `size`×`size` pixels of one RGB colour (what a browser must decode and show).
fn png(size: u32, rgb: [u8; 3]) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&size.to_be_bytes());
    ihdr.extend_from_slice(&size.to_be_bytes());
    // 8-bit RGB, no interlace.
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    // Each row: filter type 0, then the pixels.
    let row: Vec<u8> = std::iter::once(0).chain(rgb.iter().copied().cycle().take(3 * size as usize)).collect();
    let raw = row.repeat(size as usize);
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(&raw).unwrap();
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Starts the game: uploads the picture and shows it on the `pic` button. Returns its URL.
fn start_game(s: &Served) -> (Session, String) {
    let mut game = connected(s);
    let id = game.upload_file("images/red.png", png(16, [255, 0, 0])).unwrap();
    let reply: Value = serde_json::from_str(&reply_for(&mut game, id).expect("the upload succeeds")).unwrap();
    let url = reply["url"].as_str().unwrap().to_owned();
    assert_eq!(reply["contentType"], "image/png");
    let pic = json!([{"controlID": "pic", "kind": "button", "text": "Picture", "backgroundImage": url,
        "position": [{"size": "large", "x": 0, "y": 0, "width": 10, "height": 6},
                     {"size": "medium", "x": 0, "y": 0, "width": 10, "height": 6},
                     {"size": "small", "x": 0, "y": 0, "width": 10, "height": 6}]}]);
    let id = game.create_controls("default", pic).unwrap();
    reply_for(&mut game, id).unwrap();
    let id = game.ready(true).unwrap();
    reply_for(&mut game, id).unwrap();
    (game, url)
}

#[test]
fn uploaded_images_ends_and_bans_on_the_participant_page_in_headless_chromium() {
    let s = serve_with(common::demo_with_admin(), MediatorConfig::default());
    let (mut game, url) = start_game(&s);
    let mut script = Script::start("files.js", &s.m.base_url(), &artifacts());

    // The page shows the uploaded image on the button, and a click on it reaches the game.
    script.expect("ready");
    script.ok_with(&json!({ "url": url }));
    script.expect("image-shown");
    let i = input_on(&mut game, "pic");
    assert!(matches!(i.kind, InputKind::Button { action: ButtonAction::MouseDown, .. }), "{:?}", i.kind);
    script.ok();

    // An admin ends the session: the page says so, and comes back when the game starts again.
    let ended = finish(
        agent()
            .delete(&format!("{}/api/v1/interactive/1/session", s.m.base_url()))
            .header("Authorization", "Bearer tok-admin")
            .call(),
    );
    assert_eq!(ended.status, 204, "{}", ended.text);
    script.expect("ended-shown");
    wait_for(&mut game, "the game stops with 4027", |e| matches!(e, Event::Connection { code: Some(4027), .. }));
    drop(game);
    let (_game, _) = start_game(&s);
    script.ok();
    script.expect("back");
    script.ok();

    // Banned: the page says so.
    let banned = patch_json(
        &format!("{}/api/v1/channels/1/users/2", s.m.base_url()),
        "demo-streamer",
        &json!({ "add": ["Banned"] }),
    );
    assert_eq!(banned.status, 200, "{}", banned.text);
    script.expect("done");
    script.ok();
    script.finish();
}
