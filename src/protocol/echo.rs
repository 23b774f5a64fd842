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

/// `text` in double quotes, with Rust's escaping of quotes and control characters, cut so that
/// what stands between the quotes is at most [`QUOTED_CHARS`] characters, escapes included (an
/// escape such as `\u{7f}` is six), with `…` inside the closing quote when anything was left off.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(QUOTED_CHARS + 8);
    out.push('"');
    let mut shown = 0;
    for c in text.chars() {
        // As `{:?}` writes a string: double quotes are escaped, single quotes are not.
        let escaped: String = if c == '\'' { "'".into() } else { c.escape_debug().collect() };
        let width = escaped.chars().count();
        if shown + width > QUOTED_CHARS {
            out.push('…');
            break;
        }
        out.push_str(&escaped);
        shown += width;
    }
    out.push('"');
    out
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

    /// Found by the `wire_decoder` fuzz target: 64 characters that each escape to six
    /// (`\u{7f}`) made a 384-character quotation.
    #[test]
    fn escapes_count_towards_the_bound() {
        let q = quoted(&"\u{7f}".repeat(100));
        assert_eq!(q, format!("\"{}…\"", "\\u{7f}".repeat(QUOTED_CHARS / 6)));
        assert!(q.chars().count() <= QUOTED_CHARS + 3, "{q}");
        assert_eq!(quoted("it's \"x\""), format!("{:?}", "it's \"x\""));
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
