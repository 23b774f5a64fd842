//! Reading an owner's settings change (`PATCH /api/v1/channels/{id}`): every field optional, every
//! value checked and bounded; an unknown field is an error, so a typo never passes silently.

use serde_json::Value;

use super::source;
use crate::protocol::echo::{clipped, quoted};
use crate::server::store::ChannelUpdate;

/// The longest title, in characters.
pub const MAX_TITLE_CHARS: usize = 140;

/// The longest slow-chat interval, in milliseconds (an hour).
pub const MAX_SLOW_CHAT_MS: u64 = 60 * 60 * 1000;

/// The settings a change may hold.
const FIELDS: &str = "title, streamSource, live and slowChat";

/// The change a JSON body asks for; the error says what is wrong with it.
pub fn parse(body: &Value) -> Result<ChannelUpdate, String> {
    let Value::Object(fields) = body else {
        return Err(format!("the body must be a JSON object with one or more of {FIELDS}"));
    };
    let mut change = ChannelUpdate::default();
    for (name, value) in fields {
        match name.as_str() {
            "title" => change.title = Some(title(value)?),
            "streamSource" => change.stream = Some(source::parse(value)?),
            "live" => {
                change.live = Some(
                    value
                        .as_bool()
                        .ok_or_else(|| format!("live is true or false, not {}", clipped(&value.to_string())))?,
                )
            }
            "slowChat" => change.slow_chat_ms = Some(slow_chat(value)?),
            other => return Err(format!("unknown setting {}: a channel's settings are {FIELDS}", quoted(other))),
        }
    }
    if change == ChannelUpdate::default() {
        return Err(format!("nothing to change: send one or more of {FIELDS}"));
    }
    Ok(change)
}

fn title(value: &Value) -> Result<String, String> {
    let Some(text) = value.as_str() else {
        return Err(format!("the title is a string, not {}", clipped(&value.to_string())));
    };
    let text = text.trim();
    let chars = text.chars().count();
    if chars > MAX_TITLE_CHARS {
        return Err(format!("the title is {chars} characters long; the limit is {MAX_TITLE_CHARS}"));
    }
    if text.chars().any(char::is_control) {
        return Err("the title is one line of text: no line breaks or other control characters".into());
    }
    Ok(text.to_owned())
}

fn slow_chat(value: &Value) -> Result<u64, String> {
    match value.as_u64() {
        Some(ms) if ms <= MAX_SLOW_CHAT_MS => Ok(ms),
        _ => Err(format!(
            "slowChat is the least time between two messages of one viewer, in whole milliseconds from 0 (off) \
             to {MAX_SLOW_CHAT_MS} (an hour), not {}",
            clipped(&value.to_string())
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::store::{SourceKind, StreamSource};
    use serde_json::json;

    #[test]
    fn a_change_holds_only_what_it_names() {
        let change = parse(&json!({"title": "  Speedrun night  ", "live": true})).unwrap();
        assert_eq!(
            change,
            ChannelUpdate { title: Some("Speedrun night".into()), live: Some(true), ..ChannelUpdate::default() }
        );
        let change = parse(&json!({"streamSource": "https://example.com/live.m3u8", "slowChat": 5000})).unwrap();
        let hls = StreamSource { kind: SourceKind::Hls, url: "https://example.com/live.m3u8".into() };
        assert_eq!(change.stream, Some(Some(hls)));
        assert_eq!(change.slow_chat_ms, Some(5000));
        assert_eq!(parse(&json!({"streamSource": null})).unwrap().stream, Some(None));
        assert_eq!(parse(&json!({"title": ""})).unwrap().title, Some(String::new()), "a title can be cleared");
    }

    #[test]
    fn bad_changes_say_why() {
        for (body, says) in [
            (json!([]), "a JSON object"),
            (json!({}), "nothing to change"),
            (json!({"titel": "x"}), "unknown setting \"titel\""),
            (json!({"title": 5}), "a string"),
            (json!({"title": "a".repeat(MAX_TITLE_CHARS + 1)}), "the limit is 140"),
            (json!({"title": "two\nlines"}), "one line"),
            (json!({"live": "yes"}), "true or false"),
            (json!({"slowChat": -1}), "whole milliseconds"),
            (json!({"slowChat": 1.5}), "whole milliseconds"),
            (json!({"slowChat": MAX_SLOW_CHAT_MS + 1}), "an hour"),
            (json!({"streamSource": "javascript:alert(1)"}), "javascript: addresses are refused"),
        ] {
            let e = parse(&body).expect_err(&body.to_string());
            assert!(e.contains(says), "{body}: {e}");
        }
        assert!(parse(&json!({"title": "a".repeat(MAX_TITLE_CHARS)})).is_ok(), "exactly the limit is fine");
        assert!(parse(&json!({"slowChat": MAX_SLOW_CHAT_MS})).is_ok());
    }
}
