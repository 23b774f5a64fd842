//! Which file paths a game may use: relative, `/`-separated segments of letters, digits, `.`, `_`
//! and `-`, none of them empty, `.` or `..`, at most [`MAX_PATH_BYTES`] in all. The mediator never
//! puts a path on its file system (bytes are stored under random names), but a strict shape keeps
//! addresses plain (no escaping, no traversal, one spelling per file).

/// The longest file path, in bytes.
pub const MAX_PATH_BYTES: usize = 256;

/// The path if it is one a file may have; else a sentence saying what is wrong with it.
pub fn check(path: &str) -> Result<&str, String> {
    if path.is_empty() {
        return Err("the path is empty; give one such as images/tile.png".into());
    }
    if path.len() > MAX_PATH_BYTES {
        return Err(format!("the path is {} bytes long; at most {MAX_PATH_BYTES} are allowed", path.len()));
    }
    if path.starts_with('/') {
        return Err(format!("{path:?} must be relative (no leading /)"));
    }
    for segment in path.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!("{path:?} has an empty, . or .. segment"));
        }
        if let Some(c) = segment.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
            return Err(format!(
                "{path:?} contains {c:?}; paths are made of letters, digits, '.', '_', '-' and '/' between segments"
            ));
        }
    }
    Ok(path)
}

/// The last segment (a download's file name).
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_relative_paths_only() {
        for good in ["a.png", "images/map-tile_001.jpg", "x/y/z", "..a", "a..b"] {
            assert_eq!(check(good), Ok(good));
        }
        let long = "a".repeat(MAX_PATH_BYTES + 1);
        for bad in ["", "/a.png", "a//b", "a/./b", "../a", "a/..", "a/", "a b", "a%2e", "é.png", "a\\b", "a?b", &long]
        {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(file_name("images/tile.png"), "tile.png");
    }
}
