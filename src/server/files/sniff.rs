//! The content type of an uploaded file, read from its first bytes (never from its path or what
//! the uploader says): what browsers show is what the bytes are. Only kinds that cannot run
//! script in the mediator's origin are served as themselves (images, audio, video, fonts, JSON,
//! plain text); SVG is an image too, and every file is served with a sandboxing
//! `Content-Security-Policy`, so scripts inside one never run. Anything else (HTML, scripts, XML,
//! archives, unknown bytes) is `application/octet-stream`, served as a download.

/// How many bytes [`content_type`] looks at.
pub const SNIFF_BYTES: usize = 512;

/// Served as a download rather than shown.
pub const DOWNLOAD: &str = "application/octet-stream";

/// The content type of a file that begins with `head`.
pub fn content_type(head: &[u8]) -> &'static str {
    let starts = |magic: &[u8]| head.starts_with(magic);
    let at = |offset: usize, magic: &[u8]| head.get(offset..offset + magic.len()) == Some(magic);
    if starts(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if starts(b"\xff\xd8\xff") {
        "image/jpeg"
    } else if starts(b"GIF87a") || starts(b"GIF89a") {
        "image/gif"
    } else if starts(b"RIFF") && at(8, b"WEBP") {
        "image/webp"
    } else if at(4, b"ftypavif") || at(4, b"ftypavis") {
        "image/avif"
    } else if starts(b"BM") && head.len() >= 26 {
        "image/bmp"
    } else if starts(b"\x00\x00\x01\x00") {
        "image/x-icon"
    } else if starts(b"RIFF") && at(8, b"WAVE") {
        "audio/wav"
    } else if starts(b"OggS") {
        "audio/ogg"
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0) {
        "audio/mpeg"
    } else if at(4, b"ftyp") {
        "video/mp4"
    } else if starts(b"\x1a\x45\xdf\xa3") {
        "video/webm"
    } else if starts(b"wOFF") {
        "font/woff"
    } else if starts(b"wOF2") {
        "font/woff2"
    } else {
        text_type(head)
    }
}

/// SVG, JSON, plain text, or a download.
fn text_type(head: &[u8]) -> &'static str {
    // The head may end inside a character: only what precedes it must be UTF-8.
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => return DOWNLOAD,
    };
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if first_element(text).is_some_and(|name| name.eq_ignore_ascii_case("svg")) {
        return "image/svg+xml";
    }
    if text.starts_with('<') {
        return DOWNLOAD; // HTML, XML and the like
    }
    if text.starts_with('{') || text.starts_with('[') {
        return "application/json";
    }
    if text.chars().all(|c| !c.is_control() || c.is_whitespace()) {
        "text/plain; charset=utf-8"
    } else {
        DOWNLOAD
    }
}

/// The name of the first element of XML text, skipping the declaration, comments and a doctype.
fn first_element(mut text: &str) -> Option<&str> {
    loop {
        text = text.trim_start();
        if let Some(rest) = text.strip_prefix("<?") {
            text = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = text.strip_prefix("<!--") {
            text = &rest[rest.find("-->")? + 3..];
        } else if let Some(rest) = text.strip_prefix("<!") {
            text = &rest[rest.find('>')? + 1..];
        } else {
            let rest = text.strip_prefix('<')?;
            let end = rest.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(rest.len());
            return Some(&rest[..end]);
        }
    }
}

/// Whether browsers are shown the file (else it is a download).
pub fn shown(content_type: &str) -> bool {
    content_type != DOWNLOAD
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        assert_eq!(content_type(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), "image/png");
        assert_eq!(content_type(b"\xff\xd8\xff\xe0\0\x10JFIF"), "image/jpeg");
        assert_eq!(content_type(b"GIF89a\x01\0\x01\0"), "image/gif");
        assert_eq!(content_type(b"RIFF\x24\0\0\0WEBPVP8 "), "image/webp");
        assert_eq!(content_type(b"\0\0\0\x1cftypavif"), "image/avif");
        assert_eq!(content_type(b"OggS\0\x02"), "audio/ogg");
        assert_eq!(content_type(b"\0\0\0\x20ftypisom"), "video/mp4");
        assert_eq!(content_type(b"wOF2\0\x01"), "font/woff2");
        let svg = b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- drawn -->\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>";
        assert_eq!(content_type(svg), "image/svg+xml");
        assert_eq!(content_type(b"{\"tiles\": [1, 2]}"), "application/json");
        assert_eq!(content_type(b"hello, viewers\n"), "text/plain; charset=utf-8");
    }

    #[test]
    fn what_could_run_script_is_a_download() {
        for bytes in [
            &b"<!doctype html><script>alert(1)</script>"[..],
            b"<html><body>",
            b"  <script>x()</script>",
            b"<?xml version=\"1.0\"?><x:script xmlns:x=\"http://www.w3.org/1999/xhtml\"/>",
            b"PK\x03\x04",
            b"\x00\x01\x02\x03",
            b"alert(1)\x07",
        ] {
            assert_eq!(content_type(bytes), DOWNLOAD, "{bytes:?}");
            assert!(!shown(content_type(bytes)));
        }
        // A character cut at the end of the head is not a reason to refuse the text.
        assert_eq!(content_type("héllo".as_bytes().split_at(2).0), "text/plain; charset=utf-8");
    }
}
