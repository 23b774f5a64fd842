//! File storage over real sockets: a game's `uploadFile` and `deleteFile` on the game-client
//! socket, the upload `POST` and the participant's `GET` over HTTP, on a mediator with a real
//! data folder that restarts.

mod common;

use std::io::Write;

use common::durable::{Durable, TempDir};
use common::oauth::{agent, finish, Http};
use mixplay::server::world::WorldFile;
use mixplay::server::{MediatorConfig, World};
use serde_json::{json, Value};

/// Streamer 1 runs version 1 on channel 1; streamer 2 runs version 2 on channel 2.
fn two_channels() -> World {
    let file: WorldFile = serde_json::from_value(json!({
        "users": [
            { "id": 1, "username": "streamer", "token": "tok-one", "sparks": 0 },
            { "id": 2, "username": "other", "token": "tok-two", "sparks": 0 }
        ],
        "channels": [ { "id": 1, "owner": 1 }, { "id": 2, "owner": 2 } ],
        "projects": [
            { "versionId": 1, "owner": 1, "scenes": [ { "sceneID": "default", "controls": [] } ],
              "groups": [ { "groupID": "default", "sceneID": "default" } ] },
            { "versionId": 2, "owner": 2, "scenes": [ { "sceneID": "default", "controls": [] } ],
              "groups": [ { "groupID": "default", "sceneID": "default" } ] }
        ]
    }))
    .unwrap();
    World::new(file).unwrap()
}

/// A tiny PNG (a header is all the mediator reads to know the type).
fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.resize(len, 7);
    bytes
}

fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> Http {
    let mut b = agent().post(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    finish(b.send(body))
}

fn get(url: &str, headers: &[(&str, &str)]) -> (Http, Vec<u8>) {
    let mut b = agent().get(url);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    let mut r = b.call().expect("the request reaches the mediator");
    let status = r.status().as_u16();
    let headers =
        r.headers().iter().map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or_default().to_owned())).collect();
    let bytes = r.body_mut().read_to_vec().unwrap_or_default();
    (Http { status, body: Value::Null, text: String::new(), headers }, bytes)
}

struct Game {
    conn: common::Conn,
}

impl Game {
    fn connect(s: &Durable, token: &str, version: &str) -> Game {
        let mut conn = s.rt.block_on(common::game_as(&s.m, token, version)).open();
        s.rt.block_on(conn.event("hello"));
        Game { conn }
    }

    /// `uploadFile {path}` → (url, authorization).
    fn grant(&mut self, s: &Durable, path: &str) -> (String, String) {
        let r = s.rt.block_on(self.conn.ok("uploadFile", json!({ "path": path })));
        (r["url"].as_str().unwrap().to_owned(), r["authorization"].as_str().unwrap().to_owned())
    }

    /// Uploads `bytes` to `path` the way the spec describes: a grant, then a POST.
    fn upload(&mut self, s: &Durable, path: &str, bytes: &[u8]) -> Http {
        let (url, auth) = self.grant(s, path);
        post(&url, &[("Authorization", &auth)], bytes)
    }

    fn delete(&mut self, s: &Durable, path: &str) {
        assert_eq!(s.rt.block_on(self.conn.ok("deleteFile", json!({ "path": path }))), Value::Null);
    }
}

#[test]
fn a_game_uploads_serves_replaces_and_deletes_its_files_and_they_outlive_a_restart() {
    let dir = TempDir::new("files");
    let mut config = MediatorConfig::default();
    config.files.quota_bytes = 20_000;
    config.files.per_channel = 3;
    let s = Durable::start(dir.path(), Some(two_channels()), config);
    let mut game = Game::connect(&s, "tok-one", "1");

    // uploadFile answers where to send the bytes and a secret for it.
    let (url, auth) = game.grant(&s, "images/tile.png");
    assert_eq!(url, format!("{}/files/1/images/tile.png", s.m.base_url()));
    assert!(auth.len() >= 32, "{auth}");
    let tile = png(5_000);
    // Without it, with another one, without a length: refused, and nothing is kept.
    assert_eq!(post(&url, &[], &tile).status, 403);
    let wrong = post(&url, &[("Authorization", "not-it")], &tile);
    assert_eq!(wrong.status, 403, "{}", wrong.text);
    assert!(wrong.text.contains("call uploadFile again"), "{}", wrong.text);
    assert_eq!(get(&url, &[]).0.status, 404);
    let sent = post(&url, &[("Authorization", &auth)], &tile);
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body, json!({ "url": url, "path": "images/tile.png", "size": 5000, "contentType": "image/png" }));
    // The secret worked once.
    assert_eq!(post(&url, &[("Authorization", &auth)], &tile).status, 403);

    // Served with its type, caching headers and no sniffing.
    let (served, bytes) = get(&url, &[]);
    assert_eq!(served.status, 200);
    assert_eq!(bytes, tile);
    assert_eq!(served.header("content-type"), Some("image/png"));
    assert_eq!(served.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(served.header("cache-control"), Some("public, no-cache"));
    assert!(served.header("content-security-policy").is_some_and(|p| p.contains("sandbox")));
    assert_eq!(served.header("content-disposition"), None);
    let etag = served.header("etag").expect("an ETag").to_owned();
    assert_eq!(get(&url, &[("If-None-Match", &etag)]).0.status, 304);

    // No listing: a folder, the channel, a path that was never stored are all 404.
    for missing in ["/files/1/images", "/files/1/images/", "/files/1/", "/files/1/images/other.png", "/files/x/a"] {
        assert_eq!(get(&format!("{}{missing}", s.m.base_url()), &[]).0.status, 404, "{missing}");
    }

    // Compressed uploads say their decoded size; what the bytes are decides the type, so a page
    // is a download, never a page of the mediator's origin.
    let page = b"<!doctype html><script>alert(1)</script>".repeat(50);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&page).unwrap();
    let gz = gz.finish().unwrap();
    let (page_url, page_auth) = game.grant(&s, "page.png");
    let total = page.len().to_string();
    let no_total = post(&page_url, &[("Authorization", &page_auth), ("Content-Encoding", "gzip")], &gz);
    assert_eq!(no_total.status, 400, "{}", no_total.text);
    assert!(no_total.text.contains("X-Total-Length"), "{}", no_total.text);
    let headers = [("Authorization", page_auth.as_str()), ("Content-Encoding", "gzip"), ("X-Total-Length", &total)];
    let sent = post(&page_url, &headers, &gz);
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.body["contentType"], "application/octet-stream");
    let (served, bytes) = get(&page_url, &[]);
    assert_eq!((served.status, bytes), (200, page.clone()));
    assert_eq!(served.header("content-type"), Some("application/octet-stream"));
    assert_eq!(served.header("content-disposition"), Some("attachment; filename=\"page.png\""));

    // The quota: a file past what is left is refused with what is left and the flag to raise.
    let used = 5_000 + page.len();
    let too_big = game.upload(&s, "big.png", &png(20_000 - used + 1));
    assert_eq!(too_big.status, 413, "{}", too_big.text);
    assert!(
        too_big.text.contains("--file-quota") && too_big.text.contains(&format!("{}", 20_000 - used)),
        "{}",
        too_big.text
    );
    assert_eq!(get(&format!("{}/files/1/big.png", s.m.base_url()), &[]).0.status, 404);
    // Announcing more than the whole quota is refused before the body is read.
    let (big_url, big_auth) = game.grant(&s, "huge.png");
    let huge = post(
        &big_url,
        &[("Authorization", &big_auth), ("Content-Encoding", "gzip"), ("X-Total-Length", "20001")],
        b"x",
    );
    assert_eq!(huge.status, 413, "{}", huge.text);
    // Replacing a file counts only its new size; the count of files is bounded too.
    assert_eq!(game.upload(&s, "images/tile.png", &png(6_000)).status, 200);
    assert_eq!(game.upload(&s, "third.png", &png(10)).status, 200);
    let fourth = game.upload(&s, "fourth.png", &png(10));
    assert_eq!(fourth.status, 413, "{}", fourth.text);
    assert!(fourth.text.contains("--files-per-channel"), "{}", fourth.text);

    // Paths are plain relative ones.
    for bad in ["", "/abs.png", "../up.png", "a//b.png", "sp ace.png"] {
        let (code, at) = s.rt.block_on(game.conn.err("uploadFile", json!({ "path": bad })));
        assert_eq!((code, at.as_deref()), (4004, Some("path")), "{bad:?}");
    }
    assert_eq!(s.rt.block_on(game.conn.err("deleteFile", json!({}))).0, 4004);

    // Another channel's game cannot reach these files: its grants are for its own channel, and
    // its deleteFile removes only its own.
    let mut other = Game::connect(&s, "tok-two", "2");
    let (other_url, other_auth) = other.grant(&s, "third.png");
    assert_eq!(other_url, format!("{}/files/2/third.png", s.m.base_url()));
    let third_url = format!("{}/files/1/third.png", s.m.base_url());
    assert_eq!(post(&third_url, &[("Authorization", &other_auth)], &png(10)).status, 403);
    other.delete(&s, "third.png");
    assert_eq!(get(&third_url, &[]).0.status, 200);

    // Files outlive a restart: the store has what they are, the data folder their bytes.
    drop((game, other));
    let s = s.restart(None);
    let (served, bytes) = get(&url, &[]);
    assert_eq!((served.status, bytes), (200, png(6_000)));
    assert_eq!(served.header("content-type"), Some("image/png"));
    let mut game = Game::connect(&s, "tok-one", "1");
    game.delete(&s, "third.png");
    game.delete(&s, "third.png"); // not there: no error
    assert_eq!(get(&third_url, &[]).0.status, 404);
    // Deleting freed a file's place and its bytes.
    assert_eq!(game.upload(&s, "fourth.png", &png(10)).status, 200);
    let blobs: usize =
        std::fs::read_dir(dir.path().join("files/1")).unwrap().filter(|e| e.as_ref().unwrap().path().is_file()).count();
    assert_eq!(blobs, 3, "tile.png, page.png and fourth.png");
}

#[test]
fn an_in_memory_mediator_keeps_large_compressed_files_and_refuses_garbled_bodies() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let m = rt.block_on(common::mediator());
    let mut game = rt.block_on(common::game_as(&m, "demo-streamer", "1")).open();
    rt.block_on(game.event("hello"));
    let mut grant = |path: &str| {
        let r = rt.block_on(game.ok("uploadFile", json!({ "path": path })));
        (r["url"].as_str().unwrap().to_owned(), r["authorization"].as_str().unwrap().to_owned())
    };
    // Past the 2 MB web frameworks often cap bodies at, and lz4-compressed.
    let big = png(3 * 1024 * 1024);
    let mut packed = lz4_flex::frame::FrameEncoder::new(Vec::new());
    packed.write_all(&big).unwrap();
    let packed = packed.finish().unwrap();
    let (url, auth) = grant("big.png");
    let total = big.len().to_string();
    let sent =
        post(&url, &[("Authorization", &auth), ("Content-Encoding", "lz4"), ("X-Total-Length", &total)], &packed);
    assert_eq!(sent.status, 200, "{}", sent.text);
    let (served, bytes) = get(&url, &[]);
    assert_eq!((served.status, served.header("content-type")), (200, Some("image/png")));
    assert!(bytes == big, "the served bytes are the uploaded ones");
    // A body that is not what its headers say is refused and keeps nothing.
    let (bad_url, bad_auth) = grant("bad.png");
    let garbled =
        post(&bad_url, &[("Authorization", &bad_auth), ("Content-Encoding", "lz4"), ("X-Total-Length", "10")], b"nope");
    assert_eq!(garbled.status, 400, "{}", garbled.text);
    let (short_url, short_auth) = grant("short.png");
    let short = post(&short_url, &[("Authorization", &short_auth), ("Content-Encoding", "br")], b"x");
    assert_eq!(short.status, 400, "{}", short.text);
    assert_eq!(get(&bad_url, &[]).0.status, 404);
}
