//! Keeps the Unity wrapper's hand-written P/Invoke layer (`bindings/unity/Runtime/Native/Native.cs`)
//! in step with `include/mixplay.h`: parses both (just enough of C and C# for these two files)
//! and compares functions, parameter types, function-pointer typedefs, enums, struct fields and
//! the ABI constant. Also writes the C program that prints the structs' real layout for the C#
//! layout test. Used by `tests/unity_bindings.rs` and `tests/unity.rs`.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn header_text() -> String {
    std::fs::read_to_string(root().join("include/mixplay.h")).expect("include/mixplay.h is readable")
}

pub fn native_cs_text() -> String {
    std::fs::read_to_string(root().join("bindings/unity/Runtime/Native/Native.cs")).expect("Native.cs is readable")
}

/// A C parameter or field: its type (normalised, e.g. `const char *`) and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CItem {
    pub ty: String,
    pub name: String,
}

/// A function or function-pointer typedef of the header.
#[derive(Debug, Clone)]
pub struct CFn {
    pub ret: String,
    pub name: String,
    pub params: Vec<CItem>,
}

#[derive(Debug, Default)]
pub struct Header {
    pub functions: Vec<CFn>,
    pub fn_typedefs: Vec<CFn>,
    pub structs: BTreeMap<String, Vec<CItem>>,
    /// enum name -> (constant, value)
    pub enums: BTreeMap<String, Vec<(String, i64)>>,
    pub defines: BTreeMap<String, String>,
}

fn strip_c_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.find('\n').map(|i| &r[i..]).unwrap_or("");
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.find("*/").map(|i| &r[i + 2..]).unwrap_or("");
            out.push(' ');
        } else {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises a C type: single spaces, `*` written as ` *` (so `char*` and `char *` agree).
fn norm_c_type(t: &str) -> String {
    let spaced = t.replace('*', " * ");
    squash(&spaced).replace("* *", "**")
}

/// Splits `type name` (the name is the last identifier).
fn split_decl(decl: &str) -> CItem {
    let d = decl.trim();
    let cut = d.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map(|i| i + 1).unwrap_or(0);
    CItem { ty: norm_c_type(&d[..cut]), name: d[cut..].to_owned() }
}

fn parse_params(list: &str) -> Vec<CItem> {
    let l = squash(list);
    if l.is_empty() || l == "void" {
        return Vec::new();
    }
    l.split(',').map(split_decl).collect()
}

pub fn parse_header(text: &str) -> Header {
    let mut h = Header::default();
    for line in text.lines() {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("#define ") {
            let mut parts = rest.splitn(2, ' ');
            let name = parts.next().unwrap_or("").to_owned();
            let value = parts.next().unwrap_or("").trim().to_owned();
            if name.starts_with("MIXPLAY_") && !value.is_empty() {
                h.defines.insert(name, value);
            }
        }
    }
    let code = strip_c_comments(text);
    // Drop preprocessor lines (the C++ guards inside enums among them).
    let code: String = code.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");

    // enums
    let mut rest = code.as_str();
    while let Some(i) = rest.find("enum mixplay_") {
        let after = &rest[i + 5..];
        let name_end = after.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap();
        let name = after[..name_end].to_owned();
        let open = after.find('{').unwrap();
        let close = after.find('}').unwrap();
        let mut members = Vec::new();
        for m in after[open + 1..close].split(',') {
            let m = m.trim();
            if m.is_empty() {
                continue;
            }
            let (k, v) = m.split_once('=').expect("enum members have explicit values");
            members.push((k.trim().to_owned(), v.trim().parse::<i64>().expect("numeric enum value")));
        }
        h.enums.insert(name, members);
        rest = &after[close..];
    }

    // typedef struct { ... } name;  and  typedef ret (*name)(params);
    let mut rest = code.as_str();
    while let Some(i) = rest.find("typedef ") {
        let after = &rest[i + 8..];
        let semi = after.find(';').unwrap();
        if let Some(body) = after.strip_prefix("struct {") {
            let close = body.find('}').unwrap();
            let fields =
                body[..close].split(';').map(str::trim).filter(|f| !f.is_empty()).map(split_decl).collect::<Vec<_>>();
            let tail = &body[close + 1..];
            let name = tail[..tail.find(';').unwrap()].trim().to_owned();
            h.structs.insert(name, fields);
            rest = &tail[tail.find(';').unwrap()..];
            continue;
        }
        let decl = squash(&after[..semi]);
        if let Some(p) = decl.find("(*") {
            let ret = norm_c_type(&decl[..p]);
            let name_end = decl[p..].find(')').unwrap() + p;
            let name = decl[p + 2..name_end].trim().to_owned();
            let params = &decl[name_end + 1..];
            let params = params.trim().trim_start_matches('(').trim_end_matches(')');
            h.fn_typedefs.push(CFn { ret, name, params: parse_params(params) });
        }
        rest = &after[semi..];
    }

    // functions: everything inside extern "C" { ... }
    let start = code.find("extern \"C\" {").map(|i| i + 12).unwrap_or(0);
    let body = &code[start..];
    for decl in body.split(';') {
        let d = squash(decl);
        let Some(open) = d.find('(') else { continue };
        if !d.ends_with(')') {
            continue;
        }
        let head = &d[..open];
        let item = split_decl(head);
        if !item.name.starts_with("mixplay_") {
            continue;
        }
        let ret = item.ty.trim_start_matches("MIXPLAY_API").trim().to_owned();
        h.functions.push(CFn { ret, name: item.name, params: parse_params(&d[open + 1..d.len() - 1]) });
    }
    h
}

/// A C# parameter: its attributes (squashed), modifier (`out`/`ref`/``), type and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsParam {
    pub attrs: String,
    pub modifier: String,
    pub ty: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub struct CsFn {
    pub attrs: String,
    pub ret: String,
    pub name: String,
    pub params: Vec<CsParam>,
}

#[derive(Debug, Default)]
pub struct Cs {
    pub functions: Vec<CsFn>,
    pub delegates: Vec<CsFn>,
    /// struct name -> fields (type, name)
    pub structs: BTreeMap<String, Vec<(String, String)>>,
    pub enums: BTreeMap<String, Vec<(String, i64)>>,
    pub consts: BTreeMap<String, String>,
}

fn strip_cs_comments(text: &str) -> String {
    text.lines().map(|l| l.find("//").map(|i| &l[..i]).unwrap_or(l)).collect::<Vec<_>>().join("\n")
}

fn parse_cs_params(list: &str) -> Vec<CsParam> {
    let l = squash(list);
    if l.is_empty() {
        return Vec::new();
    }
    l.split(',')
        .map(|p| {
            let mut p = p.trim();
            let mut attrs = String::new();
            while p.starts_with('[') {
                let end = p.find(']').unwrap();
                attrs.push_str(&p[..=end]);
                p = p[end + 1..].trim_start();
            }
            let mut modifier = String::new();
            for m in ["out ", "ref ", "in "] {
                if let Some(r) = p.strip_prefix(m) {
                    modifier = m.trim().to_owned();
                    p = r;
                }
            }
            let cut = p.rfind(' ').unwrap_or(0);
            CsParam { attrs, modifier, ty: p[..cut].replace(' ', ""), name: p[cut..].trim().to_owned() }
        })
        .collect()
}

pub fn parse_cs(text: &str) -> Cs {
    let mut cs = Cs::default();
    let code = strip_cs_comments(text);
    // Statements and blocks, split so each declaration is one piece with its attributes.
    let mut pending_attrs = String::new();
    let lines: Vec<&str> = code.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if t.starts_with('[') && !t.contains(" extern ") && !t.contains("delegate ") {
            pending_attrs.push_str(&squash(t));
            i += 1;
            continue;
        }
        if t.contains(" extern ") || t.contains("delegate ") {
            // A declaration may span lines until ';'.
            let mut decl = String::from(t);
            while !decl.ends_with(';') {
                i += 1;
                decl.push(' ');
                decl.push_str(lines[i].trim());
            }
            let decl = squash(&decl);
            // Attributes written on the same line, e.g. "[return: ...] internal ...".
            let mut d = decl.as_str();
            while d.starts_with('[') {
                let end = d.find(']').unwrap();
                pending_attrs.push_str(&d[..=end]);
                d = d[end + 1..].trim_start();
            }
            let open = d.find('(').unwrap();
            let close = d.rfind(')').unwrap();
            let head: Vec<&str> = d[..open].split_whitespace().collect();
            let name = head[head.len() - 1].to_owned();
            let ret = head[head.len() - 2].to_owned();
            let f = CsFn {
                attrs: std::mem::take(&mut pending_attrs),
                ret,
                name,
                params: parse_cs_params(&d[open + 1..close]),
            };
            if d.contains("delegate ") {
                cs.delegates.push(f);
            } else {
                cs.functions.push(f);
            }
            i += 1;
            continue;
        }
        if !t.is_empty() {
            pending_attrs.clear();
        }
        if let Some(pos) = t.find("struct ") {
            let name = t[pos + 7..].split_whitespace().next().unwrap_or("").to_owned();
            let mut fields = Vec::new();
            let mut depth = 0i32;
            let mut started = false;
            i += 1;
            while i < lines.len() {
                let l = lines[i].trim();
                depth += l.matches('{').count() as i32;
                if l.contains('{') {
                    started = true;
                }
                depth -= l.matches('}').count() as i32;
                if depth == 1 && l.starts_with("public ") && l.ends_with(';') && !l.contains('(') {
                    let parts: Vec<&str> = l.trim_end_matches(';').split_whitespace().collect();
                    if parts.len() == 3 {
                        fields.push((parts[1].to_owned(), parts[2].to_owned()));
                    }
                }
                if started && depth == 0 {
                    break;
                }
                i += 1;
            }
            cs.structs.insert(name, fields);
        } else if let Some(pos) = t.find("enum ") {
            let name = t[pos + 5..].split([' ', ':']).next().unwrap_or("").to_owned();
            let mut members = Vec::new();
            i += 1;
            while i < lines.len() && !lines[i].trim().starts_with('}') {
                let l = lines[i].trim().trim_end_matches(',');
                if let Some((k, v)) = l.split_once('=') {
                    members.push((k.trim().to_owned(), v.trim().parse::<i64>().expect("numeric C# enum value")));
                }
                i += 1;
            }
            cs.enums.insert(name, members);
        } else if t.contains(" const ") && t.contains('=') {
            let decl = t.trim_end_matches(';');
            let (l, r) = decl.split_once('=').unwrap();
            let name = l.split_whitespace().last().unwrap().to_owned();
            cs.consts.insert(name, r.trim().trim_matches('"').to_owned());
        }
        i += 1;
    }
    cs
}

/// `mixplay_connection_state` -> `MixPlayConnectionState`.
pub fn cs_enum_name(c: &str) -> String {
    let rest = c.trim_start_matches("mixplay_");
    format!("MixPlay{}", pascal(rest))
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_ascii_lowercase();
            let mut cs = lower.chars();
            match cs.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + cs.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Where a C type appears; the mapping differs slightly.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// `raw_handle`: the function takes its handle as a plain `IntPtr` (see [`RAW_HANDLE`]).
    Param {
        raw_handle: bool,
    },
    Return,
    Field,
}

/// Functions declared with the raw handle (`IntPtr`) instead of its SafeHandle: the `_free`
/// functions, which the SafeHandles call from `ReleaseHandle`, and the poll that
/// `MixPlaySession.Update` calls in a loop while it holds one reference to the handle itself
/// (marshaling a SafeHandle costs two reference-count calls per call).
const RAW_HANDLE: &[&str] = &["mixplay_session_poll_many"];

fn takes_raw_handle(function: &str) -> bool {
    function.ends_with("_free") || RAW_HANDLE.contains(&function)
}

const HANDLES: &[(&str, &str)] = &[
    ("mixplay_config", "MixPlayConfigHandle"),
    ("mixplay_session", "MixPlaySessionHandle"),
    ("mixplay_auth", "MixPlayAuthHandle"),
    ("mixplay_chat", "MixPlayChatHandle"),
];

/// The C# spelling a C type must have: (attribute, modifier, type).
fn expected(c: &str, place: Place, h: &Header) -> Result<(String, String, String), String> {
    let c = c.trim_start_matches("const ").trim();
    let u1 = "[MarshalAs(UnmanagedType.U1)]".to_owned();
    let plain = |t: &str| Ok((String::new(), String::new(), t.to_owned()));
    let scalar = |t: &str| -> Option<&'static str> {
        Some(match t {
            "uint8_t" => "byte",
            "uint32_t" => "uint",
            "int32_t" => "int",
            "uint64_t" => "ulong",
            "int64_t" => "long",
            "double" => "double",
            "size_t" => "UIntPtr",
            "void" => "void",
            _ => return None,
        })
    };
    if c == "bool" {
        return match place {
            Place::Field => plain("byte"),
            Place::Return => Ok(("[return: MarshalAs(UnmanagedType.U1)]".into(), String::new(), "bool".into())),
            Place::Param { .. } => Ok((u1, String::new(), "bool".into())),
        };
    }
    if let Some(t) = scalar(c) {
        return plain(t);
    }
    if c == "mixplay_result" {
        return plain("MixPlayResult");
    }
    if c == "void *" {
        return plain("IntPtr");
    }
    if c == "char *" {
        return plain("byte*");
    }
    if h.structs.contains_key(c) || h.fn_typedefs.iter().any(|f| f.name == c) {
        return plain(c);
    }
    for (ch, cs) in HANDLES {
        if c == format!("{ch} *") {
            return match place {
                Place::Param { raw_handle: true } => plain("IntPtr"),
                _ => plain(cs),
            };
        }
        if c == format!("{ch} **") {
            return Ok((String::new(), "out".into(), (*cs).to_owned()));
        }
    }
    if let Some(base) = c.strip_suffix(" *") {
        let base = base.trim_start_matches("const ").trim();
        if base == "bool" {
            return plain("byte*");
        }
        if let Some(t) = scalar(base) {
            return plain(&format!("{t}*"));
        }
        if h.structs.contains_key(base) {
            return plain(&format!("{base}*"));
        }
    }
    Err(format!("no C# mapping for the C type `{c}` (extend the table in tests/unity_support)"))
}

fn check_params(what: &str, c: &[CItem], cs: &[CsParam], raw_handle: bool, h: &Header, problems: &mut Vec<String>) {
    if c.len() != cs.len() {
        problems.push(format!("{what}: {} parameters in C, {} in C#", c.len(), cs.len()));
        return;
    }
    for (cp, sp) in c.iter().zip(cs) {
        match expected(&cp.ty, Place::Param { raw_handle }, h) {
            Ok((attr, modifier, ty)) => {
                if sp.ty != ty || sp.modifier != modifier || !sp.attrs.contains(&attr) {
                    problems.push(format!(
                        "{what}: parameter `{}` is `{}` in C, so C# needs `{attr}{}{}{ty}`, found `{}{}{}{}`",
                        cp.name,
                        cp.ty,
                        modifier,
                        if modifier.is_empty() { "" } else { " " },
                        sp.attrs,
                        sp.modifier,
                        if sp.modifier.is_empty() { "" } else { " " },
                        sp.ty
                    ));
                }
                if sp.name != cp.name {
                    problems.push(format!("{what}: parameter `{}` is called `{}` in C#", cp.name, sp.name));
                }
            }
            Err(e) => problems.push(format!("{what}: {e}")),
        }
    }
}

fn check_ret(what: &str, c: &str, cs: &CsFn, h: &Header, problems: &mut Vec<String>) {
    match expected(c, Place::Return, h) {
        Ok((attr, _, ty)) => {
            let ty = if c.trim_start_matches("const ").trim() == "char *" { "byte*".to_owned() } else { ty };
            if cs.ret != ty {
                problems.push(format!("{what}: returns `{c}` in C, so C# needs `{ty}`, found `{}`", cs.ret));
            }
            if !attr.is_empty() && !cs.attrs.contains(&attr) {
                problems.push(format!("{what}: returns bool, so C# needs `{attr}`"));
            }
        }
        Err(e) => problems.push(format!("{what}: {e}")),
    }
}

/// Every difference between the header and Native.cs, as sentences; empty when in step.
pub fn compare(h: &Header, cs: &Cs) -> Vec<String> {
    let mut problems = Vec::new();

    // functions, in both directions
    for f in &h.functions {
        let Some(sf) = cs.functions.iter().find(|g| g.name == f.name) else {
            problems.push(format!("{} is in the header but has no [DllImport] in Native.cs", f.name));
            continue;
        };
        if !sf.attrs.contains("CallingConvention = CallingConvention.Cdecl") {
            problems.push(format!("{}: the [DllImport] must say CallingConvention = CallingConvention.Cdecl", f.name));
        }
        if !sf.attrs.contains("DllImport(Lib") {
            problems.push(format!("{}: the [DllImport] must load `Lib` (\"mixplay\")", f.name));
        }
        if let Some(ep) = sf.attrs.split("EntryPoint = \"").nth(1) {
            let ep = ep.split('"').next().unwrap_or("");
            if ep != f.name {
                problems.push(format!("{}: EntryPoint is \"{ep}\"", f.name));
            }
        }
        check_ret(&f.name, &f.ret, sf, h, &mut problems);
        check_params(&f.name, &f.params, &sf.params, takes_raw_handle(&f.name), h, &mut problems);
    }
    for sf in &cs.functions {
        if !h.functions.iter().any(|f| f.name == sf.name) {
            problems.push(format!("{} is declared in Native.cs but not in the header", sf.name));
        }
    }
    if cs.functions.len() != h.functions.len() {
        problems.push(format!("{} functions in the header, {} in Native.cs", h.functions.len(), cs.functions.len()));
    }

    // function-pointer typedefs -> delegates
    for f in &h.fn_typedefs {
        let Some(d) = cs.delegates.iter().find(|g| g.name == f.name) else {
            problems.push(format!("the callback type {} has no delegate in Native.cs", f.name));
            continue;
        };
        if !d.attrs.contains("UnmanagedFunctionPointer(CallingConvention.Cdecl)") {
            problems
                .push(format!("{}: the delegate needs [UnmanagedFunctionPointer(CallingConvention.Cdecl)]", f.name));
        }
        check_ret(&f.name, &f.ret, d, h, &mut problems);
        check_params(&f.name, &f.params, &d.params, false, h, &mut problems);
    }
    for d in &cs.delegates {
        if !h.fn_typedefs.iter().any(|f| f.name == d.name) {
            problems.push(format!("the delegate {} has no callback type in the header", d.name));
        }
    }

    // structs: same fields, same order, mapped types
    for (name, fields) in &h.structs {
        let Some(sf) = cs.structs.get(name) else {
            problems.push(format!("struct {name} has no C# struct"));
            continue;
        };
        let want: Vec<(String, String)> = fields
            .iter()
            .map(|f| {
                let ty = match expected(&f.ty, Place::Field, h) {
                    Ok((_, _, t)) => t,
                    Err(_) if f.ty.ends_with('*') => "IntPtr".to_owned(),
                    Err(e) => e,
                };
                let ty = if f.ty.ends_with('*') { "IntPtr".to_owned() } else { ty };
                (ty, f.name.clone())
            })
            .collect();
        if &want != sf {
            problems.push(format!("struct {name}: C needs fields {want:?}, Native.cs has {sf:?}"));
        }
    }

    // enums: every constant with its value
    for (name, members) in &h.enums {
        let csn = cs_enum_name(name);
        let Some(sm) = cs.enums.get(&csn) else {
            problems.push(format!("enum {name} has no C# enum {csn}"));
            continue;
        };
        let prefix = format!("{}_", name.to_ascii_uppercase());
        let want: Vec<(String, i64)> =
            members.iter().map(|(k, v)| (pascal(k.strip_prefix(&prefix).unwrap_or(k)), *v)).collect();
        if &want != sm {
            problems.push(format!("enum {name}: C has {want:?}, C# {csn} has {sm:?}"));
        }
    }

    // the ABI version constant
    match (h.defines.get("MIXPLAY_ABI_VERSION"), cs.consts.get("MIXPLAY_ABI_VERSION")) {
        (Some(c), Some(s)) if c == s => {}
        (c, s) => problems.push(format!("MIXPLAY_ABI_VERSION is {c:?} in the header and {s:?} in Native.cs")),
    }
    problems
}

/// A C program printing `struct size N` and `struct field offset` for every struct of the header.
pub fn layout_program(h: &Header) -> String {
    let mut s = String::from("#include <stddef.h>\n#include <stdio.h>\n#include \"mixplay.h\"\nint main(void) {\n");
    for (name, fields) in &h.structs {
        s.push_str(&format!("    printf(\"{name} size %zu\\n\", sizeof({name}));\n"));
        for f in fields {
            s.push_str(&format!("    printf(\"{name} {0} %zu\\n\", offsetof({name}, {0}));\n", f.name));
        }
    }
    s.push_str("    return 0;\n}\n");
    s
}
