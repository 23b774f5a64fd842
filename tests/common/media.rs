//! Media for the stream tests: HLS test streams made with Debian's `ffmpeg`, and a folder served
//! over HTTP on 127.0.0.1 the way an HLS server serves one.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use parking_lot::Mutex;

use super::client::Served;

pub const FFMPEG: &str = "/usr/bin/ffmpeg";

/// A folder served as an HLS server serves one: any origin may read it (hls.js fetches the
/// segments from the page's origin). Remembers the paths asked for.
pub struct Files {
    pub addr: SocketAddr,
    pub asked: Arc<Mutex<Vec<String>>>,
}

impl Files {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }
}

async fn serve_file(
    State((dir, asked)): State<(PathBuf, Arc<Mutex<Vec<String>>>)>,
    UrlPath(path): UrlPath<String>,
) -> Response {
    asked.lock().push(path.clone());
    let content_type = match path.rsplit('.').next() {
        Some("m3u8") => "application/vnd.apple.mpegurl",
        Some("ts") => "video/mp2t",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    let file = (!path.split('/').any(|part| part == ".." || part.is_empty())).then(|| dir.join(&path));
    match file.map(std::fs::read) {
        Some(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        _ => (StatusCode::NOT_FOUND, [(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")], "not here").into_response(),
    }
}

pub fn serve_files(s: &Served, dir: &Path) -> Files {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new().route("/{*path}", get(serve_file)).with_state((dir.to_owned(), asked.clone()));
    let listener = s.rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let addr = listener.local_addr().unwrap();
    s.rt.spawn(async move { axum::serve(listener, app).await });
    Files { addr, asked }
}

/// Makes a ten-second HLS stream in `dir/name/`: `input` (an ffmpeg lavfi source) as H.264
/// (baseline, one keyframe a second) in one-second MPEG-TS segments, with a 440 Hz tone as AAC
/// when `sound`.
pub fn make_hls(dir: &Path, name: &str, input: &str, sound: bool) {
    assert!(Path::new(FFMPEG).exists(), "{FFMPEG} is missing: run `scripts/test.sh` (it installs `ffmpeg`)");
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    let mut ffmpeg = Command::new(FFMPEG);
    ffmpeg.args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", input]);
    if sound {
        ffmpeg.args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-c:a", "aac", "-b:a", "64k"]);
    }
    ffmpeg.args([
        "-t",
        "10",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-profile:v",
        "baseline",
        "-pix_fmt",
        "yuv420p",
    ]);
    ffmpeg.args(["-g", "25", "-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod", "-hls_segment_filename"]);
    ffmpeg.arg(out.join("seg%03d.ts")).arg(out.join("index.m3u8"));
    let status = ffmpeg.status().expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the {name} stream");
}

/// Makes a low-latency HLS stream in `dir/name/`: twelve seconds of test pattern as half-second
/// parts (each starting with a keyframe), grouped four by four into two-second segments, and a
/// live playlist (no end) that lists the last two segments' parts with `PART-HOLD-BACK`, as
/// MediaMTX serves one. A player in low-latency mode starts on the parts near the live edge; any
/// other starts whole segments further back.
pub fn make_low_latency_hls(dir: &Path, name: &str) {
    const PARTS_PER_SEGMENT: usize = 4;
    const SEGMENTS: usize = 6;
    let out = dir.join(name);
    std::fs::create_dir_all(&out).unwrap();
    let status = Command::new(FFMPEG)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24"])
        .args(["-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "baseline", "-pix_fmt", "yuv420p"])
        .args(["-g", "12", "-keyint_min", "12", "-sc_threshold", "0", "-f", "hls", "-hls_time", "0.5"])
        .args(["-hls_playlist_type", "vod", "-hls_segment_filename"])
        .arg(out.join("part%03d.ts"))
        .arg(out.join("parts.m3u8"))
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg made the {name} parts");
    let mut playlist = String::from(
        "#EXTM3U\n#EXT-X-VERSION:9\n#EXT-X-TARGETDURATION:2\n#EXT-X-SERVER-CONTROL:PART-HOLD-BACK=1.5\n\
         #EXT-X-PART-INF:PART-TARGET=0.5\n#EXT-X-MEDIA-SEQUENCE:0\n",
    );
    for segment in 0..SEGMENTS {
        // MPEG-TS files of one stream concatenate into one valid segment.
        let mut bytes = Vec::new();
        for part in segment * PARTS_PER_SEGMENT..(segment + 1) * PARTS_PER_SEGMENT {
            let file = format!("part{part:03}.ts");
            bytes.extend(std::fs::read(out.join(&file)).unwrap());
            if segment >= SEGMENTS - 2 {
                playlist.push_str(&format!("#EXT-X-PART:DURATION=0.5,URI=\"{file}\",INDEPENDENT=YES\n"));
            }
        }
        std::fs::write(out.join(format!("seg{segment}.ts")), bytes).unwrap();
        playlist.push_str(&format!("#EXTINF:2.0,\nseg{segment}.ts\n"));
    }
    std::fs::write(out.join("index.m3u8"), playlist).unwrap();
}
