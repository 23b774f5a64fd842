//! Stream sources: what an owner may point their channel's video at. Only `http://` and
//! `https://` addresses with a host are taken (no `javascript:`, `data:`, `file:` or any other
//! scheme, and no user name or password, which every viewer would see); the address is stored in
//! its normalised form.

use serde_json::Value;
use url::Url;

use crate::protocol::echo::{clipped, quoted};
use crate::server::store::{SourceKind, StreamSource};

/// The longest stream-source address, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// Reads the `streamSource` of a settings change: `null` removes it; a string is an address whose
/// kind follows from it (a path ending in `.m3u8` is HLS, anything else an embed page); an object
/// `{"kind": "hls" | "embed", "url": …}` names the kind (`kind` may be left out).
pub fn parse(value: &Value) -> Result<Option<StreamSource>, String> {
    match value {
        Value::Null => Ok(None),
        Value::String(url) => checked(url, None).map(Some),
        Value::Object(fields) => {
            if let Some(other) = fields.keys().find(|k| !matches!(k.as_str(), "kind" | "url")) {
                return Err(format!(
                    "unknown streamSource field {}: a stream source has a kind and a url",
                    quoted(other)
                ));
            }
            let kind = match fields.get("kind") {
                None | Some(Value::Null) => None,
                Some(Value::String(k)) => Some(SourceKind::parse(k).ok_or_else(|| {
                    format!(
                        "a stream source's kind is \"hls\" (an HLS playlist) or \"embed\" (a player page), not {}",
                        quoted(k)
                    )
                })?),
                Some(other) => {
                    return Err(format!("a stream source's kind is a string, not {}", clipped(&other.to_string())))
                }
            };
            match fields.get("url") {
                Some(Value::String(url)) => checked(url, kind).map(Some),
                _ => Err("a stream source needs a url (a string); send null to remove the stream source".into()),
            }
        }
        other => Err(format!(
            "streamSource is an address (a string), {{\"kind\", \"url\"}}, or null to remove it; not {}",
            clipped(&other.to_string())
        )),
    }
}

/// The kind an address implies: a path ending in `.m3u8` is an HLS playlist.
fn implied_kind(url: &Url) -> SourceKind {
    if url.path().to_ascii_lowercase().ends_with(".m3u8") {
        SourceKind::Hls
    } else {
        SourceKind::Embed
    }
}

/// Checks an address and gives it a kind (`kind`, or the one it implies).
pub fn checked(raw: &str, kind: Option<SourceKind>) -> Result<StreamSource, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("the stream source's address is empty; send null to remove the stream source".into());
    }
    if raw.len() > MAX_URL_BYTES {
        return Err(format!("the stream source's address is {} bytes long; the limit is {MAX_URL_BYTES}", raw.len()));
    }
    let url = Url::parse(raw).map_err(|e| format!("the stream source {} is not a valid address: {e}", quoted(raw)))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "the stream source must be an http:// or https:// address; {}: addresses are refused",
            url.scheme()
        ));
    }
    if url.host_str().map_or(true, str::is_empty) {
        return Err("the stream source's address has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "the stream source's address must not carry a user name or password: every viewer would see them".into()
        );
    }
    let kind = kind.unwrap_or_else(|| implied_kind(&url));
    Ok(StreamSource { kind, url: url.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(value: Value, says: &str) {
        let e = parse(&value).expect_err(&value.to_string());
        assert!(e.contains(says), "{value}: {e}");
    }

    #[test]
    fn addresses_get_a_kind_and_a_normal_form() {
        let hls = parse(&json!("https://cdn.example.com/live/stream.M3U8?token=1")).unwrap().unwrap();
        assert_eq!(
            hls,
            StreamSource { kind: SourceKind::Hls, url: "https://cdn.example.com/live/stream.M3U8?token=1".into() }
        );
        let embed = parse(&json!("  HTTPS://Player.Example.com/watch?v=1  ")).unwrap().unwrap();
        assert_eq!(embed, StreamSource { kind: SourceKind::Embed, url: "https://player.example.com/watch?v=1".into() });
        let named = parse(&json!({"kind": "hls", "url": "http://127.0.0.1:8888/cam/"})).unwrap().unwrap();
        assert_eq!(named.kind, SourceKind::Hls, "an HLS address without .m3u8, kind given");
        assert_eq!(parse(&json!({"url": "http://host/a.m3u8"})).unwrap().unwrap().kind, SourceKind::Hls);
        assert_eq!(parse(&Value::Null).unwrap(), None, "null removes the source");
    }

    #[test]
    fn only_http_and_https_addresses_with_a_host() {
        refused(json!("javascript:alert(1)"), "javascript: addresses are refused");
        refused(json!("JavaScript:alert(document.cookie)//.m3u8"), "javascript: addresses are refused");
        refused(json!({"kind": "embed", "url": "data:text/html,<script>alert(1)</script>"}), "data: addresses");
        refused(json!("file:///etc/passwd"), "file: addresses");
        refused(json!("ftp://example.com/a.m3u8"), "ftp: addresses");
        refused(json!("//example.com/a.m3u8"), "not a valid address");
        refused(json!("stream.m3u8"), "not a valid address");
        refused(json!("https://user:secret@example.com/a.m3u8"), "user name or password");
        refused(json!(""), "empty");
        refused(json!(format!("https://example.com/{}", "a".repeat(MAX_URL_BYTES))), "the limit is 2048");
        refused(json!({"kind": "flash", "url": "https://example.com/"}), "\"hls\"");
        refused(json!({"kind": "hls"}), "needs a url");
        refused(json!({"url": "https://example.com/", "autoplay": true}), "unknown streamSource field");
        refused(json!(42), "not 42");
    }
}
