//! Every declaration in the generated C header is documented: each function, type (struct, enum,
//! typedef, callback), constant (`#define`) and enum constant has a comment block directly above
//! it. The header is generated from `src/ffi` (doc comments become `//` comments), so a missing
//! comment here means a missing `///` there.

use std::path::Path;

/// What a line declares, if anything worth documenting.
fn declaration(line: &str, in_enum: bool) -> Option<String> {
    let t = line.trim();
    if t.is_empty() || t.starts_with("//") || t.starts_with("/*") || t.starts_with('*') {
        return None;
    }
    if let Some(rest) = t.strip_prefix("#define ") {
        let name = rest.split_whitespace().next()?;
        // The include guard is not an API constant.
        return (name != "MIXPLAY_H").then(|| format!("constant {name}"));
    }
    if t.starts_with('#') || t.starts_with('}') || t == "{" || t.starts_with("extern \"C\"") {
        return None;
    }
    if in_enum {
        let name = t.split([' ', '=', ',']).next()?;
        return name.starts_with("MIXPLAY_").then(|| format!("enum constant {name}"));
    }
    if let Some(rest) = t.strip_prefix("enum ") {
        return Some(format!("enum {}", rest.trim()));
    }
    if t.starts_with("typedef ") {
        // cbindgen's C spelling of a `#[repr(u32)]` enum, right after the documented enum.
        if t.starts_with("typedef uint32_t ") {
            return None;
        }
        return Some(format!("type {t}"));
    }
    if t.contains("mixplay_") && t.contains('(') && !line.starts_with(' ') {
        return Some(format!("function {}", t.split('(').next().unwrap_or(t)));
    }
    None
}

#[test]
fn every_declaration_in_the_header_has_a_comment_block() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("include/mixplay.h");
    let header = std::fs::read_to_string(&path).expect("include/mixplay.h exists (cargo build writes it)");
    let lines: Vec<&str> = header.lines().collect();
    let mut undocumented = Vec::new();
    let mut checked = 0;
    let mut in_enum = false;
    let mut in_struct = false;
    let mut in_cpp_guard = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim();
        if t == "#ifndef __cplusplus" || t == "#ifdef __cplusplus" {
            in_cpp_guard = true;
            continue;
        }
        if in_cpp_guard {
            if t.starts_with("#endif") {
                in_cpp_guard = false;
            }
            continue;
        }
        if in_struct {
            if t.starts_with('}') {
                in_struct = false;
            }
            continue;
        }
        if in_enum && t.starts_with('}') {
            in_enum = false;
            continue;
        }
        let Some(what) = declaration(line, in_enum) else { continue };
        checked += 1;
        let previous = lines[..i].iter().rev().map(|l| l.trim()).find(|l| !l.is_empty()).unwrap_or("");
        let commented = previous.starts_with("//") || previous.ends_with("*/");
        // A continuation of a multi-line declaration is not a declaration of its own.
        if !commented {
            undocumented.push(format!("line {}: {what}", i + 1));
        }
        if t.starts_with("enum ") {
            in_enum = true;
        }
        if t.starts_with("typedef struct") && t.ends_with('{') {
            in_struct = true;
        }
    }
    assert!(checked > 100, "the parser found only {checked} declarations; has the header's layout changed?");
    assert!(undocumented.is_empty(), "declarations without a comment block above them:\n{}", undocumented.join("\n"));
}
