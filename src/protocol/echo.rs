//! Quoting a peer's own text back in an error message, bounded.
//!
//! Error replies often name what was wrong (`Unknown method "x".`). The peer chose that text
//! and may make it megabytes long, so it is cut to a few dozen characters, with an ellipsis,
//! before it is echoed. Every error text that quotes peer-supplied strings goes through here.

use std::fmt::Write;

/// The most characters of peer-supplied text that an error message quotes.
pub const QUOTED_CHARS: usize = 64;

/// The longest a library's error message (which may itself quote the peer, as serde's does) is
/// passed on, in characters.
pub const MESSAGE_CHARS: usize = 240;

/// `text` cut after [`QUOTED_CHARS`] characters, with `…` when anything was left off.
pub fn clipped(text: &str) -> String {
    match split_at_chars(text, QUOTED_CHARS) {
        (head, true) => format!("{head}…"),
        (whole, false) => whole.to_owned(),
    }
}

/// [`clipped`] text in double quotes, with Rust's escaping of quotes and control characters.
pub fn quoted(text: &str) -> String {
    format!("{:?}", clipped(text))
}

/// `message` as is when short; otherwise its beginning and end around `…`, at most
/// [`MESSAGE_CHARS`] characters in all, so that what says where the problem is (serde's
/// "at line 1 column 9") survives a long quotation in the middle.
pub fn bounded(message: &str) -> String {
    let total = message.chars().count();
    if total <= MESSAGE_CHARS {
        return message.to_owned();
    }
    let tail = MESSAGE_CHARS / 3;
    let head = MESSAGE_CHARS - tail - 1;
    let (start, _) = split_at_chars(message, head);
    let end_at = message.char_indices().nth(total - tail).map_or(message.len(), |(i, _)| i);
    let mut out = String::with_capacity(MESSAGE_CHARS * 4);
    let _ = write!(out, "{start}…{}", &message[end_at..]);
    out
}

/// The first `n` characters of `text`, and whether anything was left off.
fn split_at_chars(text: &str, n: usize) -> (&str, bool) {
    match text.char_indices().nth(n) {
        Some((i, _)) => (&text[..i], true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_quoted_whole() {
        assert_eq!(quoted("giveInput"), "\"giveInput\"");
        assert_eq!(quoted("a\"b\n"), "\"a\\\"b\\n\"");
        assert_eq!(bounded("short"), "short");
    }

    #[test]
    fn long_text_is_cut_on_a_character_boundary() {
        let long = "é".repeat(3 * 1024 * 1024);
        assert_eq!(quoted(&long), format!("\"{}…\"", "é".repeat(QUOTED_CHARS)));
        assert_eq!(clipped(&long), format!("{}…", "é".repeat(QUOTED_CHARS)));
        let message = format!("invalid type: string \"{long}\", expected a boolean at line 1 column 9");
        let b = bounded(&message);
        assert_eq!(b.chars().count(), MESSAGE_CHARS);
        assert!(b.starts_with("invalid type: string \"éé"), "{b}");
        assert!(b.ends_with("\", expected a boolean at line 1 column 9"), "{b}");
        assert!(b.contains('…'));
    }
}
