//! Every function `include/mixplay.h` declares has a counterpart in each wrapper layer, so a new C
//! function cannot ship half-wrapped:
//!
//! - **C++** (`bindings/cpp/mixplay.hpp`): the function is used in the wrapper's code.
//! - **C#** (`bindings/unity/Runtime/**/*.cs`): `Native.<function>` is called outside the
//!   P/Invoke declarations (`Native/Native.cs`), by the engine-free core or the Unity layer.
//! - **Unreal** (`bindings/unreal/MixPlay/Source`): the plugin calls the C++ wrapper function (or
//!   uses the wrapper class) that calls the C function. Which wrapper function calls which C
//!   function is read from `mixplay.hpp` itself; the wrapper's internal helpers (`detail::`) count
//!   as reached by every call.
//!
//! Functions a layer leaves out on purpose are listed in [`OMISSIONS`], each with why; an omission
//! that is no longer needed fails too, so the list stays short and true. `the_check_can_fail`
//! breaks each layer on purpose and expects the check to say so.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Layer {
    Cpp,
    CSharp,
    Unreal,
}

/// What a layer leaves out on purpose, and why.
const OMISSIONS: &[(Layer, &str, &str)] = &[
    // Update drains the session in batches; the one-event poll would only add a slower path.
    (Layer::CSharp, "mixplay_session_poll", "MixPlaySession.Update polls in batches (mixplay_session_poll_many)"),
    // The tick hands events to delegates one at a time, so a delegate that disconnects or
    // reconnects stops the drain before the next event is taken.
    (Layer::Unreal, "mixplay_session_poll_many", "the tick polls one event at a time (mixplay_session_poll)"),
    // Automatic refresh decides when a token is stale; the silent sign-in always trades the saved
    // refresh token, which also proves it still works.
    (Layer::Unreal, "mixplay_token_is_stale", "automatic refresh and the silent sign-in decide staleness themselves"),
    // Blueprints get messages through OnError and GetLastError; the numeric code's text adds nothing.
    (Layer::Unreal, "mixplay_result_str", "failures reach Blueprints as OnError messages and GetLastError"),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The files under `dir` whose names end with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("list {}: {e}", d.display())) {
            let p = entry.expect("a directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The functions the header declares (cbindgen writes each declaration from column 0).
fn declared(header: &str) -> Vec<String> {
    header
        .lines()
        .filter(|l| !l.starts_with(|c: char| c.is_whitespace() || c == '/' || c == '#') && !l.starts_with("typedef"))
        .filter_map(|l| {
            let before = &l[..l.find('(')?];
            let start = before.rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            Some(before[start..].to_owned()).filter(|name| name.starts_with("mixplay_"))
        })
        .collect()
}

/// C, C++ and C# text without comments and string literals (a name in a message is no use).
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
                out.push(' ');
            }
            '"' | '\'' => {
                // A string or character literal: kept as an empty one.
                out.push(c);
                out.push(c);
                let mut escaped = false;
                for d in chars.by_ref() {
                    match d {
                        '\\' if !escaped => escaped = true,
                        d if d == c && !escaped => break,
                        _ => escaped = false,
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Whether `name` occurs in `code` as a whole identifier.
fn mentions(code: &str, name: &str) -> bool {
    code.match_indices(name).any(|(i, _)| {
        !code[..i].chars().next_back().is_some_and(is_ident)
            && !code[i + name.len()..].chars().next().is_some_and(is_ident)
    })
}

/// Where a C function is used in the C++ wrapper: the wrapper function around the use, the class
/// it belongs to, and whether that is one of the wrapper's internal helpers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Site {
    function: String,
    class: Option<String>,
    internal: bool,
}

#[derive(Debug)]
enum Block {
    Function(String),
    Class(String),
    Namespace(String),
    Other,
}

const KEYWORDS: &[&str] =
    &["if", "for", "while", "switch", "catch", "return", "else", "do", "try", "sizeof", "static_assert", "decltype"];

/// What kind of block a statement opening `{` starts.
fn block_of(stmt: &str) -> Block {
    let words: Vec<&str> = stmt.split(|c: char| !is_ident(c)).filter(|w| !w.is_empty()).collect();
    match words.first().copied() {
        Some("namespace") => return Block::Namespace(words.get(1).unwrap_or(&"").to_string()),
        Some("class" | "struct") => return Block::Class(words.get(1).unwrap_or(&"").to_string()),
        Some("enum") => return Block::Other,
        Some(w) if KEYWORDS.contains(&w) => return Block::Other,
        _ => {}
    }
    // The identifier right before the first top-level `(` names a function.
    let Some(open) = stmt.find('(') else { return Block::Other };
    let before = stmt[..open].trim_end();
    let start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
    let name = &before[start..];
    if name.is_empty() || KEYWORDS.contains(&name) || name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        Block::Other
    } else {
        Block::Function(name.to_owned())
    }
}

/// What the wrapper is made of: for every C function it uses, the sites using it; and for every
/// wrapper function (by class and name), the names it calls.
struct Wrapper {
    sites: BTreeMap<String, BTreeSet<Site>>,
    calls: BTreeMap<(Option<String>, String), BTreeSet<String>>,
}

fn read_wrapper(hpp: &str, functions: &BTreeSet<String>) -> Wrapper {
    let code = code_only(hpp);
    let mut sites: BTreeMap<String, BTreeSet<Site>> = BTreeMap::new();
    let mut calls: BTreeMap<(Option<String>, String), BTreeSet<String>> = BTreeMap::new();
    let mut stack: Vec<Block> = Vec::new();
    let mut stmt = String::new();
    let mut depth = 0i32; // parentheses within the statement
    let mut word = String::new();
    let mut chars = code.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if is_ident(c) {
            word.push(c);
            if !chars.peek().is_some_and(|&(_, next)| is_ident(next)) {
                let function = stack.iter().rev().find_map(|b| match b {
                    Block::Function(f) => Some(f.clone()),
                    _ => None,
                });
                let class = stack.iter().rev().find_map(|b| match b {
                    Block::Class(c) => Some(c.clone()),
                    _ => None,
                });
                if let Some(function) = function {
                    if functions.contains(&word) {
                        let internal = stack.iter().any(|b| matches!(b, Block::Namespace(n) if n == "detail"));
                        sites.entry(word.clone()).or_default().insert(Site { function, class, internal });
                    } else if code[at + c.len_utf8()..].trim_start().starts_with('(') {
                        calls.entry((class, function)).or_default().insert(word.clone());
                    }
                }
                word.clear();
            }
        }
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '{' if depth == 0 => {
                let block = block_of(stmt.trim());
                if let Block::Function(function) = &block {
                    // A constructor's initializer list calls too (`Auth(...) : Auth(make(...))`).
                    let class = stack.iter().rev().find_map(|b| match b {
                        Block::Class(c) => Some(c.clone()),
                        _ => None,
                    });
                    let called = calls.entry((class, function.clone())).or_default();
                    for (i, _) in stmt.match_indices('(') {
                        let before = stmt[..i].trim_end();
                        let start = before.rfind(|c: char| !is_ident(c)).map_or(0, |i| i + 1);
                        if start < before.len() {
                            called.insert(before[start..].to_owned());
                        }
                    }
                }
                stack.push(block);
                stmt.clear();
                continue;
            }
            '}' if depth == 0 => {
                stack.pop();
                stmt.clear();
                continue;
            }
            ';' if depth == 0 => {
                stmt.clear();
                continue;
            }
            _ => {}
        }
        stmt.push(c);
    }
    Wrapper { sites, calls }
}

impl Wrapper {
    /// Whether the Unreal plugin reaches `site`: directly, or through another function of the
    /// same class that calls it (a constructor delegating to a factory, `scenes()` looping over
    /// `scene_at()`, ...).
    fn reached(&self, unreal: &Texts, site: &Site) -> bool {
        let mut seen = BTreeSet::new();
        let mut todo = vec![site.function.clone()];
        while let Some(function) = todo.pop() {
            if !seen.insert(function.clone()) {
                continue;
            }
            if unreal_reaches(unreal, &Site { function: function.clone(), ..site.clone() }) {
                return true;
            }
            for ((class, caller), callees) in &self.calls {
                if *class == site.class && callees.contains(&function) {
                    todo.push(caller.clone());
                }
            }
        }
        false
    }
}

/// The texts a layer is made of: (file, code without comments).
struct Texts(Vec<(String, String)>);

impl Texts {
    fn load(paths: &[PathBuf]) -> Texts {
        Texts(paths.iter().map(|p| (p.display().to_string(), code_only(&read(p)))).collect())
    }

    fn any(&self, pred: impl Fn(&str) -> bool) -> bool {
        self.0.iter().any(|(_, t)| pred(t))
    }
}

/// Whether the Unreal plugin reaches the wrapper through `site`.
fn unreal_reaches(unreal: &Texts, site: &Site) -> bool {
    if site.internal {
        return true;
    }
    let type_used = |class: &str| unreal.any(|t| t.contains(&format!("mixplay::{class}")));
    match &site.class {
        // A constructor, or a handle's deleter: the plugin uses the class.
        Some(class) if site.function == *class => type_used(class),
        Some(class) if site.function == "operator" && class.ends_with("Deleter") => {
            type_used(class.trim_end_matches("Deleter"))
        }
        // A method: called on an object of its class.
        Some(class) => {
            type_used(class)
                && unreal.any(|t| {
                    t.contains(&format!(".{}(", site.function)) || t.contains(&format!("->{}(", site.function))
                })
        }
        // A free function of the wrapper.
        None => unreal.any(|t| t.contains(&format!("mixplay::{}(", site.function))),
    }
}

/// The functions of `declared` a layer has no counterpart for.
fn missing(layer: Layer, declared: &[String], hpp: &str, csharp: &Texts, unreal: &Texts) -> BTreeSet<String> {
    let functions: BTreeSet<String> = declared.iter().cloned().collect();
    let hpp_code = code_only(hpp);
    let wrapper = read_wrapper(hpp, &functions);
    declared
        .iter()
        .filter(|f| match layer {
            Layer::Cpp => !mentions(&hpp_code, f),
            Layer::CSharp => !csharp.any(|t| t.contains(&format!("Native.{f}("))),
            Layer::Unreal => !wrapper.sites.get(*f).is_some_and(|s| s.iter().any(|site| wrapper.reached(unreal, site))),
        })
        .cloned()
        .collect()
}

struct Sources {
    declared: Vec<String>,
    hpp: String,
    csharp: Texts,
    unreal: Texts,
}

fn sources() -> Sources {
    let declared = declared(&read(&root().join("include/mixplay.h")));
    assert!(declared.len() > 100, "the declarations were not found in mixplay.h: {declared:?}");
    let native_cs = root().join("bindings/unity/Runtime/Native/Native.cs");
    let cs: Vec<PathBuf> =
        files(&root().join("bindings/unity/Runtime"), &[".cs"]).into_iter().filter(|p| *p != native_cs).collect();
    assert!(cs.len() > 8, "the C# sources: {cs:?}");
    let unreal = files(&root().join("bindings/unreal/MixPlay/Source/MixPlay"), &[".h", ".cpp"]);
    assert!(unreal.len() > 8, "the Unreal sources: {unreal:?}");
    Sources {
        declared,
        hpp: read(&root().join("bindings/cpp/mixplay.hpp")),
        csharp: Texts::load(&cs),
        unreal: Texts::load(&unreal),
    }
}

/// Every uncovered function not on the omission list, and every omission no longer needed.
fn problems(s: &Sources) -> Vec<String> {
    let mut out = Vec::new();
    for layer in [Layer::Cpp, Layer::CSharp, Layer::Unreal] {
        let gaps = missing(layer, &s.declared, &s.hpp, &s.csharp, &s.unreal);
        let omitted: BTreeSet<&str> = OMISSIONS.iter().filter(|(l, _, _)| *l == layer).map(|(_, f, _)| *f).collect();
        for f in &gaps {
            if !omitted.contains(f.as_str()) {
                out.push(format!("{layer:?}: {f} has no counterpart"));
            }
        }
        for f in omitted {
            if !s.declared.iter().any(|d| d == f) {
                out.push(format!("{layer:?}: the omission {f} is not a function of mixplay.h"));
            } else if !gaps.contains(f) {
                out.push(format!("{layer:?}: {f} is covered now; remove it from OMISSIONS"));
            }
        }
    }
    out
}

#[test]
fn every_c_function_has_a_counterpart_in_every_layer() {
    let s = sources();
    let problems = problems(&s);
    assert!(problems.is_empty(), "wrapper gaps:\n  {}", problems.join("\n  "));
    assert!(OMISSIONS.len() <= 6, "the omission list should stay short");
}

/// The parser finds the wrapper functions around the C calls it should.
#[test]
fn the_wrapper_sites_are_read_right() {
    let s = sources();
    let functions: BTreeSet<String> = s.declared.iter().cloned().collect();
    let sites = read_wrapper(&s.hpp, &functions).sites;
    let names = |f: &str| -> Vec<String> {
        sites
            .get(f)
            .map(|s| s.iter().map(|x| format!("{}::{}", x.class.clone().unwrap_or_default(), x.function)).collect())
            .unwrap_or_default()
    };
    assert!(
        names("mixplay_session_get_time").contains(&"Session::get_time".to_owned()),
        "{:?}",
        names("mixplay_session_get_time")
    );
    assert!(names("mixplay_chat_vote").contains(&"Chat::vote".to_owned()));
    assert!(names("mixplay_session_new").contains(&"Session::Session".to_owned()));
    assert!(
        names("mixplay_config_free").contains(&"ConfigDeleter::operator".to_owned()),
        "{:?}",
        names("mixplay_config_free")
    );
    assert!(names("mixplay_version").contains(&"::version".to_owned()));
    assert!(sites["mixplay_last_error"].iter().any(|x| x.internal), "detail::check is internal");
}

/// The check fails when a layer loses a counterpart, and when an omission is no longer needed.
#[test]
fn the_check_can_fail() {
    let expect = |s: &Sources, needle: &str| {
        let p = problems(s);
        assert!(p.iter().any(|x| x.contains(needle)), "expected a problem mentioning {needle:?}, got {p:#?}");
    };
    // C++: the wrapper stops calling a function.
    let mut s = sources();
    s.hpp = s.hpp.replace("mixplay_chat_vote", "mixplay_chat_call");
    expect(&s, "Cpp: mixplay_chat_vote has no counterpart");
    // C#: the Unity layer stops calling one.
    let mut s = sources();
    for (_, t) in &mut s.csharp.0 {
        *t = t.replace("Native.mixplay_chat_purge(", "Native.mixplay_chat_call(");
    }
    expect(&s, "CSharp: mixplay_chat_purge has no counterpart");
    // Unreal: the plugin drops a Blueprint call.
    let mut s = sources();
    for (_, t) in &mut s.unreal.0 {
        *t = t.replace("->delete_group(", "->update_groups(");
    }
    expect(&s, "Unreal: mixplay_session_delete_group has no counterpart");
    // Unreal: a constructor's class no longer used.
    let mut s = sources();
    for (_, t) in &mut s.unreal.0 {
        *t = t.replace("mixplay::Auth", "mixplay::Chat");
    }
    expect(&s, "Unreal: mixplay_auth_new has no counterpart");
    // An omission the layer no longer needs.
    let mut s = sources();
    s.unreal.0.push(("extra.cpp".into(), "mixplay::token_is_stale(0, 0);".into()));
    expect(&s, "mixplay_token_is_stale is covered now");
}
