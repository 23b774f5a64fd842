//! What a chat message is made of: its parts (text, emoticons, links, tags), its `data`, and the
//! checks on its text; and the timeout durations moderators type.

use std::time::Duration;

use serde_json::{json, Map, Value};

use super::{Chatter, Room, RoomState};
use crate::protocol::echo::quoted;
use crate::server::hub::Hub;

/// Built-in emoticons: text and sprite position in the default pack.
const EMOTICONS: [(&str, u32); 6] = [(":)", 0), (":(", 1), (":D", 2), (";)", 3), (":P", 4), ("<3", 5)];

/// Refuses an empty message or one longer than the configured limit.
pub fn check_text(hub: &Hub, text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    let max = hub.config.chat_max_message_chars;
    if text.trim().is_empty() {
        return Err("the message is empty".into());
    }
    if chars > max {
        return Err(format!("the message is too long: {chars} characters; the limit is {max}"));
    }
    Ok(())
}

/// `30` (seconds), `30s`, `1m15s`, `2h`, `1d`, up to `max`; `clear` is `None`.
pub fn parse_duration(spec: &str, max: Duration) -> Result<Option<Duration>, String> {
    let s = spec.trim().to_ascii_lowercase();
    let shown = quoted(spec);
    let bad = || format!("{shown} is not a duration: use seconds (30), units (30s, 1m15s, 2h) or clear");
    if s == "clear" {
        return Ok(None);
    }
    let within = |d: Duration| {
        if d > max {
            Err(format!("{shown} is too long: a timeout lasts at most {} seconds", max.as_secs()))
        } else {
            Ok(Some(d))
        }
    };
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        // Any number of digits: one too large for any count is still only "too long".
        return match s.parse::<u64>() {
            Ok(0) => Err(bad()),
            Ok(secs) => within(Duration::from_secs(secs)),
            Err(_) => within(Duration::MAX),
        };
    }
    let mut total = 0u64;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let n: u64 = match number.parse() {
            Ok(n) => n,
            Err(_) if !number.is_empty() => u64::MAX,
            Err(_) => return Err(bad()),
        };
        number.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(bad()),
        };
        // Past any count of seconds it is simply too long.
        total = n.checked_mul(unit).and_then(|secs| total.checked_add(secs)).unwrap_or(u64::MAX);
    }
    if !number.is_empty() || total == 0 {
        return Err(bad());
    }
    within(Duration::from_secs(total))
}

/// A ChatMessage's `data`. `tags` are the known users among the message's `@name` words.
pub fn message_data(
    room: &Room,
    st: &RoomState,
    me: &Chatter,
    text: &str,
    target: Option<&str>,
    tags: &[Chatter],
) -> Value {
    let (text, me_action) = match text.strip_prefix("/me ") {
        Some(rest) => (rest, true),
        None => (text, false),
    };
    let mut meta = Map::new();
    if me_action {
        meta.insert("me".into(), json!(true));
    }
    if target.is_some() {
        meta.insert("whisper".into(), json!(true));
    }
    let mut data = json!({
        "channel": room.channel,
        "id": uuid::Uuid::new_v4().to_string(),
        "user_name": me.name,
        "user_id": me.id,
        "user_roles": st.roles(room.owner, me.id),
        "user_level": me.level,
        "user_avatar": null,
        "message": { "message": message_parts(text, tags), "meta": meta },
    });
    if let Some(t) = target {
        data["target"] = json!(t);
    }
    data
}

/// The user names a message tags (`@name`), for looking them up before the message is built.
pub fn tagged_names(text: &str) -> Vec<&str> {
    text.split(' ').filter_map(tag_name).collect()
}

/// `@name` → `name` when the word is a whole tag.
fn tag_name(token: &str) -> Option<&str> {
    let name = token.strip_prefix('@')?;
    let trimmed = name.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '_');
    (trimmed.len() == name.len() && !name.is_empty()).then_some(name)
}

/// Splits a message into its parts: text, emoticons, links and tags of the users in `tags`.
fn message_parts(text: &str, tags: &[Chatter]) -> Vec<Value> {
    let mut parts = Vec::new();
    let mut run = String::new();
    let flush = |run: &mut String, parts: &mut Vec<Value>| {
        if !run.is_empty() {
            parts.push(json!({ "type": "text", "data": run, "text": run }));
            run.clear();
        }
    };
    for word in text.split_inclusive(' ') {
        let (token, space) = match word.strip_suffix(' ') {
            Some(t) => (t, " "),
            None => (word, ""),
        };
        let part = if let Some((_, sprite)) = EMOTICONS.iter().find(|(e, _)| *e == token) {
            Some(json!({
                "type": "emoticon", "source": "builtin", "pack": "default", "text": token,
                "coords": { "x": sprite * 24, "y": 0, "width": 24, "height": 24 },
            }))
        } else if token.starts_with("http://") || token.starts_with("https://") || token.starts_with("www.") {
            let url = if token.starts_with("www.") { format!("http://{token}") } else { token.to_owned() };
            Some(json!({ "type": "link", "url": url, "text": token }))
        } else {
            tag_name(token)
                .and_then(|name| tags.iter().find(|u| u.name.eq_ignore_ascii_case(name)))
                .map(|u| json!({ "type": "tag", "text": token, "username": u.name, "id": u.id }))
        };
        match part {
            Some(p) => {
                flush(&mut run, &mut parts);
                parts.push(p);
                run.push_str(space);
            }
            None => run.push_str(word),
        }
    }
    flush(&mut run, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let max = Duration::from_secs(14 * 86_400);
        assert_eq!(parse_duration("30", max).unwrap(), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m15s", max).unwrap(), Some(Duration::from_secs(75)));
        assert_eq!(parse_duration("2h", max).unwrap(), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("14d", max).unwrap(), Some(max));
        assert_eq!(parse_duration("CLEAR", max).unwrap(), None);
        for bad in ["", "0", "1x", "m", "10s5", "-3"] {
            assert!(parse_duration(bad, max).unwrap_err().contains("not a duration"), "{bad}");
        }
        for long in [
            "15d",
            "18446744073709551615",
            "99999999999999999999999",
            "18446744073709551615d",
            "9999999999999999999h1s",
        ] {
            assert!(parse_duration(long, max).unwrap_err().contains("too long"), "{long}");
        }
    }

    #[test]
    fn message_parts_split_out_links_tags_and_emoticons() {
        let text = "hi @viewer1 see https://x.y :) @nobody";
        assert_eq!(tagged_names(text), ["viewer1", "nobody"]);
        let known = [Chatter { id: 2, name: "viewer1".into(), level: 1 }];
        let parts = message_parts(text, &known);
        let kinds: Vec<&str> = parts.iter().map(|p| p["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["text", "tag", "text", "link", "text", "emoticon", "text"]);
        assert_eq!(parts[1]["id"], 2);
        assert_eq!(parts[6]["text"], " @nobody");
        let joined: String = parts.iter().map(|p| p["text"].as_str().unwrap()).collect();
        assert_eq!(joined, text);
    }
}
